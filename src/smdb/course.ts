/**
 * A treatment course (forløb) as SMDB receives it (docs/contract.md): its validation against the
 * message model (schema.ts `Forloeb`; every bad field is listed, not just the first) and its XML
 * ⇄ JSON mapping in the SMDB namespace.
 */
import type { Element } from "@xmldom/xmldom";
import { allFields, Behandlingstype as BehandlingstypeType, Forloeb, SMDB_NS } from "./schema.js";
import {
  type CheckedValues,
  checkRecord,
  type FieldError,
  type RawValues,
  readRecordXml,
} from "./validate.js";

export type { FieldError };
export { SMDB_NS };

export type Behandlingstype = "social" | "medicinsk";
export const BEHANDLINGSTYPER = BehandlingstypeType.enumeration as readonly Behandlingstype[];

export interface Course {
  forloebId: string;
  /** 10 digits, synthetic; the first six are a date (DDMMYY). */
  cpr: string;
  /** 3 digits. */
  kommunekode: string;
  behandlingssted: string;
  behandlingstype: Behandlingstype;
  /** YYYY-MM-DD. */
  startdato: string;
  /** YYYY-MM-DD, not before `startdato`. */
  slutdato?: string;
  stoffer: string[];
}

/** Field order on the wire (the schema's). */
export const COURSE_FIELDS = allFields(Forloeb).map((f) => f.name) as ReadonlyArray<keyof Course>;

export class CourseValidationError extends Error {
  override readonly name = "CourseValidationError";
  constructor(readonly errors: FieldError[]) {
    super(
      `${errors.length} invalid field${errors.length === 1 ? "" : "s"}: ${errors
        .map((e) => `${e.field}: ${e.message}`)
        .join("; ")}`,
    );
  }
}

function toCourse(values: CheckedValues): Course {
  const course: Course = {
    forloebId: values["forloebId"] as string,
    cpr: values["cpr"] as string,
    kommunekode: values["kommunekode"] as string,
    behandlingssted: values["behandlingssted"] as string,
    behandlingstype: values["behandlingstype"] as Behandlingstype,
    startdato: values["startdato"] as string,
    stoffer: values["stoffer"] as string[],
  };
  if (values["slutdato"] !== undefined) course.slutdato = values["slutdato"] as string;
  return course;
}

/**
 * Validates an untrusted object (JSON) as a course. Returns the course (with only the known
 * fields, strings trimmed) or throws `CourseValidationError` listing every bad field. An empty
 * `slutdato` counts as none.
 */
export function validateCourse(input: unknown): Course {
  if (!input || typeof input !== "object" || Array.isArray(input)) {
    throw new CourseValidationError([
      { field: Forloeb.label, message: "must be an object with the course fields" },
    ]);
  }
  const errors: FieldError[] = [];
  const values = checkRecord(Forloeb, input as RawValues, errors, { emptyIsAbsent: true });
  if (errors.length > 0) throw new CourseValidationError(errors);
  return toCourse(values);
}

/**
 * Reads and validates the course in the children of `parent` (an IndberetForloeb element) as the
 * schema says: elements in the SMDB namespace, in order, each once, with valid values. Throws
 * `CourseValidationError` listing every problem.
 */
export function readCourseXml(parent: Element): Course {
  const errors: FieldError[] = [];
  const raw = readRecordXml(Forloeb, parent, errors);
  const values = checkRecord(Forloeb, raw, errors, { emptyIsAbsent: false });
  if (errors.length > 0) throw new CourseValidationError(errors);
  return toCourse(values);
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;",
  );
}

/** The course fields as child elements in the SMDB namespace (prefix `smdb`, declared by an ancestor). */
export function courseToXml(course: Course): string {
  const parts: string[] = [];
  for (const field of allFields(Forloeb)) {
    const value = course[field.name as keyof Course];
    if (value === undefined) continue;
    if (field.type.kind === "list") {
      const item = field.type.item;
      parts.push(
        `<smdb:${field.name}>${(value as string[]).map((s) => `<smdb:${item}>${escapeXml(s)}</smdb:${item}>`).join("")}</smdb:${field.name}>`,
      );
    } else {
      parts.push(`<smdb:${field.name}>${escapeXml(value as string)}</smdb:${field.name}>`);
    }
  }
  return parts.join("");
}
