/**
 * A treatment course (forløb) as SMDB receives it (docs/contract.md), its validation (every bad field
 * is listed, not just the first) and its XML ⇄ JSON mapping in the SMDB namespace.
 */
import type { Element } from "@xmldom/xmldom";

export const SMDB_NS = "urn:dk:dst:smdb:2026";

export type Behandlingstype = "social" | "medicinsk";
export const BEHANDLINGSTYPER: readonly Behandlingstype[] = ["social", "medicinsk"];

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

/** Field order on the wire. */
export const COURSE_FIELDS = [
  "forloebId",
  "cpr",
  "kommunekode",
  "behandlingssted",
  "behandlingstype",
  "startdato",
  "slutdato",
  "stoffer",
] as const;

export interface FieldError {
  field: string;
  message: string;
}

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

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isRealDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function checkDate(value: unknown): string | undefined {
  if (typeof value !== "string") return "must be a date YYYY-MM-DD";
  const m = DATE_RE.exec(value);
  if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    return `"${value}" is not a date YYYY-MM-DD`;
  }
  return undefined;
}

/**
 * Validates an untrusted object as a course. Returns the course (with only the known fields,
 * strings trimmed) or throws `CourseValidationError` listing every bad field.
 */
export function validateCourse(input: unknown): Course {
  const errors: FieldError[] = [];
  if (!input || typeof input !== "object" || Array.isArray(input)) {
    throw new CourseValidationError([
      { field: "(course)", message: "must be an object with the course fields" },
    ]);
  }
  const obj = input as Record<string, unknown>;
  for (const name of Object.keys(obj)) {
    if (!(COURSE_FIELDS as readonly string[]).includes(name)) {
      errors.push({ field: name, message: `unknown field; allowed: ${COURSE_FIELDS.join(", ")}` });
    }
  }
  const str = (name: string): string | undefined => {
    const value = obj[name];
    if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
      errors.push({ field: name, message: "is required" });
      return undefined;
    }
    if (typeof value !== "string") {
      errors.push({ field: name, message: "must be a string" });
      return undefined;
    }
    return value.trim();
  };

  const forloebId = str("forloebId");
  if (forloebId !== undefined && !ID_RE.test(forloebId)) {
    errors.push({
      field: "forloebId",
      message: `"${forloebId}" must be 1-64 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit`,
    });
  }
  const cpr = str("cpr");
  if (cpr !== undefined) {
    if (!/^\d{10}$/.test(cpr)) {
      errors.push({ field: "cpr", message: "must be exactly 10 digits (DDMMYYSSSS)" });
    } else {
      const day = Number(cpr.slice(0, 2));
      const month = Number(cpr.slice(2, 4));
      const year = 2000 + Number(cpr.slice(4, 6));
      if (!isRealDate(year, month, day) && !(day === 29 && month === 2)) {
        errors.push({
          field: "cpr",
          message: `the first six digits "${cpr.slice(0, 6)}" are not a date DDMMYY`,
        });
      }
    }
  }
  const kommunekode = str("kommunekode");
  if (kommunekode !== undefined && !/^\d{3}$/.test(kommunekode)) {
    errors.push({ field: "kommunekode", message: `"${kommunekode}" must be exactly 3 digits` });
  }
  const behandlingssted = str("behandlingssted");
  if (behandlingssted !== undefined && behandlingssted.length > 200) {
    errors.push({ field: "behandlingssted", message: "must be at most 200 characters" });
  }
  const behandlingstype = str("behandlingstype");
  if (behandlingstype !== undefined && !(BEHANDLINGSTYPER as readonly string[]).includes(behandlingstype)) {
    errors.push({
      field: "behandlingstype",
      message: `"${behandlingstype}" must be "social" or "medicinsk"`,
    });
  }
  const startdato = str("startdato");
  if (startdato !== undefined) {
    const problem = checkDate(startdato);
    if (problem) errors.push({ field: "startdato", message: problem });
  }
  let slutdato: string | undefined;
  const rawSlut = obj["slutdato"];
  if (rawSlut !== undefined && rawSlut !== null && rawSlut !== "") {
    if (typeof rawSlut !== "string") {
      errors.push({ field: "slutdato", message: "must be a date YYYY-MM-DD" });
    } else {
      slutdato = rawSlut.trim();
      const problem = checkDate(slutdato);
      if (problem) errors.push({ field: "slutdato", message: problem });
      else if (startdato !== undefined && !checkDate(startdato) && slutdato < startdato) {
        errors.push({ field: "slutdato", message: `${slutdato} is before startdato ${startdato}` });
      }
    }
  }
  const rawStoffer = obj["stoffer"];
  const stoffer: string[] = [];
  if (!Array.isArray(rawStoffer) || rawStoffer.length === 0) {
    errors.push({ field: "stoffer", message: "must be a list of at least one substance" });
  } else {
    const seen = new Set<string>();
    rawStoffer.forEach((item, index) => {
      if (typeof item !== "string" || item.trim() === "" || item.trim().length > 100) {
        errors.push({
          field: `stoffer[${index}]`,
          message: "must be a non-empty name of at most 100 characters",
        });
        return;
      }
      const name = item.trim();
      if (seen.has(name)) {
        errors.push({ field: `stoffer[${index}]`, message: `"${name}" is listed twice` });
        return;
      }
      seen.add(name);
      stoffer.push(name);
    });
  }
  if (errors.length > 0) throw new CourseValidationError(errors);
  const course: Course = {
    forloebId: forloebId!,
    cpr: cpr!,
    kommunekode: kommunekode!,
    behandlingssted: behandlingssted!,
    behandlingstype: behandlingstype as Behandlingstype,
    startdato: startdato!,
    stoffer,
  };
  if (slutdato !== undefined) course.slutdato = slutdato;
  return course;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;",
  );
}

/** The course fields as child elements in the SMDB namespace (prefix `smdb`, declared by an ancestor). */
export function courseToXml(course: Course): string {
  const parts: string[] = [];
  for (const field of COURSE_FIELDS) {
    const value = course[field];
    if (value === undefined) continue;
    if (field === "stoffer") {
      parts.push(
        `<smdb:stoffer>${course.stoffer.map((s) => `<smdb:stof>${escapeXml(s)}</smdb:stof>`).join("")}</smdb:stoffer>`,
      );
    } else {
      parts.push(`<smdb:${field}>${escapeXml(value as string)}</smdb:${field}>`);
    }
  }
  return parts.join("");
}

function childElements(parent: Element): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1) out.push(node as Element);
  }
  return out;
}

/**
 * Reads course fields from the children of `parent` (elements in the SMDB namespace) into an
 * untrusted object for `validateCourse`. Elements in other namespaces and repeated elements are
 * reported as fields of their own so that validation lists them.
 */
export function courseFromXml(parent: Element): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const child of childElements(parent)) {
    const local = child.localName ?? "";
    const name = child.namespaceURI === SMDB_NS ? local : `{${child.namespaceURI ?? ""}}${local}`;
    if (name === "stoffer") {
      obj["stoffer"] = childElements(child).map((stof) =>
        stof.namespaceURI === SMDB_NS && stof.localName === "stof" ? (stof.textContent ?? "") : null,
      );
    } else if (name in obj) {
      obj[`${name} (repeated)`] = child.textContent ?? "";
    } else {
      obj[name] = child.textContent ?? "";
    }
  }
  return obj;
}
