/**
 * The SMDB operations, shared by the client and the WSP (the real WSDL is not public, so the
 * names are the harness's own). Each is a SOAP 1.2 Body element in the namespace
 * `urn:dk:dst:smdb:2026`:
 *
 *   <smdb:Ping/>                                   → <smdb:PingResponse> environment, cvr, systembruger, tid
 *   <smdb:IndberetForloeb> course fields           → <smdb:IndberetForloebResponse> forloebId, version, status
 *   <smdb:HentForloeb> forloebId | aendretSiden    → <smdb:HentForloebResponse> <smdb:forloeb>…</smdb:forloeb>*
 *
 * The wsa:Action of a request is `urn:dk:dst:smdb:2026:<Operation>`, of a response
 * `urn:dk:dst:smdb:2026:<Operation>Response`. Course fields: see course.ts. Results as JSON
 * (what `client call` prints) are given by `resultFromXml`. Executing an operation is the
 * WSP's (src/wsp/operations.ts).
 */
import type { Element } from "@xmldom/xmldom";
import { HarnessError } from "../core/errors.js";
import { childElements } from "../xml/parse.js";
import { parseXsdDateTime } from "../xml/wsse.js";
import {
  COURSE_FIELDS,
  type Course,
  CourseValidationError,
  courseToXml,
  escapeXml,
  type FieldError,
  readCourseXml,
  SMDB_NS,
  validateCourse,
} from "./course.js";
import { PRIVILEGE_HENT, PRIVILEGE_INDBERET } from "./privileges.js";
import { HentForespoergsel, PingForespoergsel } from "./schema.js";
import { type CheckedValues, checkRecord, readRecordXml } from "./validate.js";

export { SMDB_NS };

export type OperationName = "Ping" | "IndberetForloeb" | "HentForloeb";
export const OPERATIONS: readonly OperationName[] = ["Ping", "IndberetForloeb", "HentForloeb"];

/** The privilege each operation needs (Ping needs none). */
export const OPERATION_PRIVILEGE: Readonly<Record<OperationName, string | undefined>> = {
  Ping: undefined,
  IndberetForloeb: PRIVILEGE_INDBERET,
  HentForloeb: PRIVILEGE_HENT,
};

export function isOperationName(name: unknown): name is OperationName {
  return typeof name === "string" && (OPERATIONS as readonly string[]).includes(name);
}

export const requestAction = (operation: OperationName): string => `${SMDB_NS}:${operation}`;
export const responseAction = (operation: OperationName): string => `${SMDB_NS}:${operation}Response`;

/** A business-level rejection: VALIDATION_ERROR with every bad field. */
export class OperationValidationError extends HarnessError {
  override readonly name = "OperationValidationError";
  constructor(
    message: string,
    readonly fields: FieldError[],
  ) {
    super("VALIDATION_ERROR", message, { fields });
  }
}

// ---------------------------------------------------------------------------------------------
// JSON payload → request XML (client side)

export type HentQuery = { forloebId: string } | { aendretSiden: string };

/**
 * What a synthetic client (the trainer board's, a scenario's) sends with `operation`: always the
 * same course under `forloebId`, so a repeated IndberetForloeb is an idempotent upsert and
 * HentForloeb finds it.
 */
export function syntheticPayload(operation: OperationName, forloebId: string): Record<string, unknown> {
  switch (operation) {
    case "IndberetForloeb":
      return {
        forloebId,
        cpr: "0101901234",
        kommunekode: "101",
        behandlingssted: "Rusmiddelcenter Testby",
        behandlingstype: "social",
        startdato: "2025-12-01",
        stoffer: ["cannabis"],
      };
    case "HentForloeb":
      return { forloebId };
    case "Ping":
      return {};
  }
}

export function validationError(what: string, fields: FieldError[]): OperationValidationError {
  return new OperationValidationError(
    `${what}: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`,
    fields,
  );
}

/** The JSON alias of `aendretSiden` (`client call --payload`). */
const JSON_ALIASES: Readonly<Record<string, string>> = { changedSince: "aendretSiden" };

/**
 * Reads a HentForloeb query from untrusted JSON: exactly one of forloebId and aendretSiden (alias
 * changedSince), checked against the schema's HentForespoergsel. Unlike the wire, JSON may give
 * aendretSiden as any ISO 8601 time (a date alone is midnight UTC); it is sent as xs:dateTime.
 */
export function validateHentQuery(input: Record<string, unknown>): HentQuery {
  const fields: FieldError[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) values[JSON_ALIASES[key] ?? key] = value;
  const since = values["aendretSiden"];
  if (typeof since === "string" && /^\d{4}-\d{2}-\d{2}/.test(since) && !Number.isNaN(Date.parse(since))) {
    values["aendretSiden"] = new Date(Date.parse(since)).toISOString();
  }
  const checked = checkRecord(HentForespoergsel, values, fields, { emptyIsAbsent: false });
  if (fields.length > 0) throw validationError("the HentForloeb query is not valid", fields);
  return hentQuery(checked);
}

function hentQuery(checked: CheckedValues): HentQuery {
  return checked["forloebId"] !== undefined
    ? { forloebId: checked["forloebId"] as string }
    : { aendretSiden: new Date(parseXsdDateTime(checked["aendretSiden"] as string)!).toISOString() };
}

/** A request Body as the WSP read it (validated against the schema). */
export type OperationRequest =
  | { operation: "Ping" }
  | { operation: "IndberetForloeb"; course: Course }
  | { operation: "HentForloeb"; query: HentQuery };

/**
 * Reads and validates the request Body element of `operation` against the schema (structure and
 * values). Throws OperationValidationError (VALIDATION_ERROR) listing every problem.
 */
export function readRequestXml(operation: OperationName, element: Element): OperationRequest {
  switch (operation) {
    case "Ping": {
      const fields: FieldError[] = [];
      readRecordXml(PingForespoergsel, element, fields);
      if (fields.length > 0) throw validationError("Ping takes no fields", fields);
      return { operation };
    }
    case "IndberetForloeb":
      try {
        return { operation, course: readCourseXml(element) };
      } catch (error) {
        if (error instanceof CourseValidationError)
          throw validationError("the course is not valid", error.errors);
        throw error;
      }
    case "HentForloeb": {
      const fields: FieldError[] = [];
      const raw = readRecordXml(HentForespoergsel, element, fields);
      const checked = checkRecord(HentForespoergsel, raw, fields, { emptyIsAbsent: false });
      if (fields.length > 0) throw validationError("the HentForloeb query is not valid", fields);
      return { operation, query: hentQuery(checked) };
    }
  }
}

/**
 * The Body element of a request for `operation` from a JSON payload. The payload is checked
 * here as the WSP would check it, so a client learns about a bad field before calling; pass
 * `validate: false` to send it unchecked (to see the WSP's VALIDATION_ERROR).
 */
export function requestBodyXml(
  operation: OperationName,
  payload: unknown,
  options: { validate?: boolean } = {},
): string {
  const open = `<smdb:${operation} xmlns:smdb="${SMDB_NS}">`;
  const close = `</smdb:${operation}>`;
  const validate = options.validate ?? true;
  switch (operation) {
    case "Ping":
      return `${open}${close}`;
    case "IndberetForloeb": {
      if (validate) {
        try {
          return open + courseToXml(validateCourse(payload)) + close;
        } catch (error) {
          if (error instanceof CourseValidationError)
            throw validationError("the course is not valid", error.errors);
          throw error;
        }
      }
      return open + looseFieldsXml(payload) + close;
    }
    case "HentForloeb": {
      const obj = (payload ?? {}) as Record<string, unknown>;
      const query = validate ? validateHentQuery(obj) : (obj as Record<string, string>);
      return open + looseFieldsXml(query) + close;
    }
  }
}

/**
 * The payload's fields as elements without checking their values: known course fields in the
 * schema's order (so that what is refused is the values, not the order), unknown ones after them.
 */
function looseFieldsXml(payload: unknown): string {
  if (!payload || typeof payload !== "object") return "";
  const rank = (key: string) => {
    const index = (COURSE_FIELDS as readonly string[]).indexOf(key);
    return index < 0 ? COURSE_FIELDS.length : index;
  };
  const entries = Object.entries(payload as Record<string, unknown>).sort(([a], [b]) => rank(a) - rank(b));
  let out = "";
  for (const [key, value] of entries) {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) continue;
    if (Array.isArray(value)) {
      out += `<smdb:${key}>${value.map((v) => `<smdb:stof>${escapeXml(String(v))}</smdb:stof>`).join("")}</smdb:${key}>`;
    } else if (value !== undefined && value !== null) {
      out += `<smdb:${key}>${escapeXml(String(value))}</smdb:${key}>`;
    }
  }
  return out;
}

/** Which operation a Body element asks for; throws MALFORMED_REQUEST for anything else. */
export function operationOf(element: Element): OperationName {
  if (element.namespaceURI !== SMDB_NS || !isOperationName(element.localName)) {
    throw new HarnessError(
      "MALFORMED_REQUEST",
      `the Body holds <${element.tagName}> in namespace "${element.namespaceURI ?? ""}"; expected one of ${OPERATIONS.join(", ")} in namespace ${SMDB_NS}`,
    );
  }
  return element.localName as OperationName;
}

/** What an IndberetForloeb did to the stored course. */
export type UpsertStatus = "created" | "updated" | "unchanged";

// ---------------------------------------------------------------------------------------------
// Response XML → JSON (client side)

export interface PingResult {
  environment: string;
  cvr: string;
  systembruger: string;
  tid: string;
}
export interface IndberetResult {
  forloebId: string;
  version: number;
  status: UpsertStatus;
}
export interface HentResult {
  forloeb: Array<Course & { version: number; opdateret: string }>;
}

function fields(parent: Element): Record<string, Element> {
  const out: Record<string, Element> = {};
  for (const child of childElements(parent, SMDB_NS)) out[child.localName ?? ""] = child;
  return out;
}

const textOf = (el: Element | undefined): string => (el?.textContent ?? "").trim();

/** The JSON result of a response Body element. */
export function resultFromXml(
  operation: OperationName,
  element: Element,
): PingResult | IndberetResult | HentResult {
  if (element.namespaceURI !== SMDB_NS || element.localName !== `${operation}Response`) {
    throw new HarnessError(
      "WSP_RESPONSE_MALFORMED",
      `the WSP answered with <${element.tagName}>; expected smdb:${operation}Response`,
    );
  }
  const f = fields(element);
  switch (operation) {
    case "Ping":
      return {
        environment: textOf(f["environment"]),
        cvr: textOf(f["cvr"]),
        systembruger: textOf(f["systembruger"]),
        tid: textOf(f["tid"]),
      };
    case "IndberetForloeb":
      return {
        forloebId: textOf(f["forloebId"]),
        version: Number(textOf(f["version"])),
        status: textOf(f["status"]) as UpsertStatus,
      };
    case "HentForloeb":
      return {
        forloeb: childElements(element, SMDB_NS, "forloeb").map((el) => {
          const c = fields(el);
          const course: Course & { version: number; opdateret: string } = {
            forloebId: textOf(c["forloebId"]),
            cpr: textOf(c["cpr"]),
            kommunekode: textOf(c["kommunekode"]),
            behandlingssted: textOf(c["behandlingssted"]),
            behandlingstype: textOf(c["behandlingstype"]) as Course["behandlingstype"],
            startdato: textOf(c["startdato"]),
            stoffer: c["stoffer"] ? childElements(c["stoffer"], SMDB_NS, "stof").map(textOf) : [],
            version: Number(textOf(c["version"])),
            opdateret: textOf(c["opdateret"]),
          };
          if (c["slutdato"]) course.slutdato = textOf(c["slutdato"]);
          return course;
        }),
      };
  }
}
