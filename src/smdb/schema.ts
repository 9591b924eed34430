/**
 * The SMDB message model, defined once: every element of the three operations' requests and
 * responses, its simple type (the XSD facets, the message when a value breaks them, and the rules
 * XSD 1.0 cannot state), in wire order. The served XSD is generated from it (xsd.ts), the WSP and
 * the client validate with it (course.ts, operations.ts), and a test holds docs/smdb.md to it.
 *
 * Patterns are written in the common subset of XSD and JavaScript regular expressions (`[0-9]`,
 * not `\d`, which in XSD also matches non-ASCII digits); the validator anchors them as XSD does.
 */
import { parseXsdDateTime } from "../xml/wsse.js";

export const SMDB_NS = "urn:dk:dst:smdb:2026";

/** XSD built-in types the SMDB schema restricts. */
export type XsdBase = "xs:string" | "xs:token" | "xs:date" | "xs:dateTime" | "xs:positiveInteger";

/** A named simple type of the schema. */
export interface SimpleType {
  readonly kind: "simple";
  /** The XSD simpleType name. */
  readonly name: string;
  readonly doc: string;
  readonly base: XsdBase;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly enumeration?: readonly string[];
  /** The message when a value is not of this type (facets and base type). */
  invalid(value: string): string;
  /** A rule beyond the facets (XSD 1.0 cannot state it; it is in the schema's documentation). */
  readonly rule?: { readonly doc: string; check(value: string): string | undefined };
}

/** A list of simple values in a wrapper element (`<stoffer><stof>…</stof>…</stoffer>`). */
export interface ListType {
  readonly kind: "list";
  /** The XSD complexType name of the wrapper. */
  readonly name: string;
  readonly doc: string;
  /** The name of each item element. */
  readonly item: string;
  readonly itemType: SimpleType;
  readonly minItems: number;
  /** No value twice (an xs:unique constraint in the schema). */
  readonly unique: boolean;
  /** The message when there are fewer than minItems. */
  readonly tooFew: string;
}

export interface Field {
  readonly name: string;
  readonly type: SimpleType | ListType | RecordType;
  /** minOccurs 0 (absent allowed). */
  readonly optional?: boolean;
  /** maxOccurs unbounded (with `optional`: zero or more). */
  readonly repeated?: boolean;
  readonly doc: string;
}

/** A rule between fields of one record (XSD 1.0 cannot state it). */
export interface RecordRule {
  readonly doc: string;
  /** The field a violation is reported on. */
  readonly field: string;
  check(values: Readonly<Record<string, string>>): string | undefined;
}

/** A complex type: a sequence of fields (or a choice of exactly one), optionally extending another. */
export interface RecordType {
  readonly kind: "record";
  readonly name: string;
  /** How a problem with the record as a whole is named in a VALIDATION_ERROR, e.g. "(query)". */
  readonly label: string;
  readonly doc: string;
  readonly compositor: "sequence" | "choice";
  readonly fields: readonly Field[];
  readonly extends?: RecordType;
  readonly rules?: readonly RecordRule[];
}

// ---------------------------------------------------------------------------------------------
// Simple types

const DATE_PATTERN = "[0-9]{4}-[0-9]{2}-[0-9]{2}";

export function isRealDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

export const ForloebId: SimpleType = {
  kind: "simple",
  name: "ForloebId",
  doc: "The vendor's own id of a course: 1-64 of A-Z a-z 0-9 . _ : -, starting with a letter or digit; unique within the submitting CVR.",
  base: "xs:token",
  pattern: "[A-Za-z0-9][A-Za-z0-9._:\\-]{0,63}",
  invalid: (v) =>
    `"${v}" must be 1-64 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit`,
};

export const Cpr: SimpleType = {
  kind: "simple",
  name: "Cpr",
  doc: "A (synthetic) CPR number: 10 digits DDMMYYSSSS.",
  base: "xs:token",
  pattern: "[0-9]{10}",
  invalid: () => "must be exactly 10 digits (DDMMYYSSSS)",
  rule: {
    doc: "The first six digits are a date DDMMYY (29 February in any year).",
    check(v) {
      const [day, month, year] = [Number(v.slice(0, 2)), Number(v.slice(2, 4)), 2000 + Number(v.slice(4, 6))];
      if (isRealDate(year, month, day) || (day === 29 && month === 2)) return undefined;
      return `the first six digits "${v.slice(0, 6)}" are not a date DDMMYY`;
    },
  },
};

export const Kommunekode: SimpleType = {
  kind: "simple",
  name: "Kommunekode",
  doc: "A municipality code: 3 digits.",
  base: "xs:token",
  pattern: "[0-9]{3}",
  invalid: (v) => `"${v}" must be exactly 3 digits`,
};

export const Behandlingssted: SimpleType = {
  kind: "simple",
  name: "Behandlingssted",
  doc: "The place of treatment: 1-200 characters.",
  base: "xs:token",
  minLength: 1,
  maxLength: 200,
  invalid: () => "must be at most 200 characters",
};

export const Behandlingstype: SimpleType = {
  kind: "simple",
  name: "Behandlingstype",
  doc: "social or medicinsk.",
  base: "xs:token",
  enumeration: ["social", "medicinsk"],
  invalid: (v) => `"${v}" must be "social" or "medicinsk"`,
};

export const Dato: SimpleType = {
  kind: "simple",
  name: "Dato",
  doc: "A calendar date YYYY-MM-DD, without a time zone.",
  base: "xs:date",
  pattern: DATE_PATTERN,
  invalid: (v) => `"${v}" is not a date YYYY-MM-DD`,
};

export const Stof: SimpleType = {
  kind: "simple",
  name: "Stof",
  doc: "The name of a substance: 1-100 characters.",
  base: "xs:token",
  minLength: 1,
  maxLength: 100,
  invalid: () => "must be a non-empty name of at most 100 characters",
};

export const Tidspunkt: SimpleType = {
  kind: "simple",
  name: "Tidspunkt",
  doc: "An instant: xs:dateTime with a time zone (Z or ±hh:mm), e.g. 2026-01-01T00:00:00Z.",
  base: "xs:dateTime",
  pattern: `${DATE_PATTERN}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+\\-][0-9]{2}:[0-9]{2})`,
  invalid: (v) => `"${v}" is not an ISO 8601 time with a time zone (xs:dateTime, e.g. 2026-01-01T00:00:00Z)`,
};

export const Version: SimpleType = {
  kind: "simple",
  name: "Version",
  doc: "The version of a stored course: 1 when created, one more at every change.",
  base: "xs:positiveInteger",
  invalid: (v) => `"${v}" is not a positive integer`,
};

export const Indberetningsstatus: SimpleType = {
  kind: "simple",
  name: "Indberetningsstatus",
  doc: "What IndberetForloeb did: created, updated, or unchanged (the same content again; nothing written).",
  base: "xs:token",
  enumeration: ["created", "updated", "unchanged"],
  invalid: (v) => `"${v}" must be created, updated or unchanged`,
};

export const Miljoe: SimpleType = {
  kind: "simple",
  name: "Miljoe",
  doc: "The environment: integration or production.",
  base: "xs:token",
  enumeration: ["integration", "production"],
  invalid: (v) => `"${v}" must be integration or production`,
};

export const Cvr: SimpleType = {
  kind: "simple",
  name: "Cvr",
  doc: "A CVR number: 8 digits.",
  base: "xs:token",
  pattern: "[0-9]{8}",
  invalid: (v) => `"${v}" must be exactly 8 digits`,
};

export const EntityId: SimpleType = {
  kind: "simple",
  name: "EntityId",
  doc: "An entity ID (a URI) as registered in NemLog-in.",
  base: "xs:string",
  minLength: 1,
  invalid: () => "must not be empty",
};

export const Stoffer: ListType = {
  kind: "list",
  name: "Stoffer",
  doc: "The substances of the course: at least one, none twice.",
  item: "stof",
  itemType: Stof,
  minItems: 1,
  unique: true,
  tooFew: "must be a list of at least one substance",
};

// ---------------------------------------------------------------------------------------------
// Records

/** A treatment course (forløb): the body of IndberetForloeb. */
export const Forloeb: RecordType = {
  kind: "record",
  name: "Forloeb",
  label: "(course)",
  doc: "A treatment course as submitted (IndberetForloeb) and returned (HentForloeb).",
  compositor: "sequence",
  fields: [
    { name: "forloebId", type: ForloebId, doc: "The course's id." },
    { name: "cpr", type: Cpr, doc: "The citizen's CPR number." },
    { name: "kommunekode", type: Kommunekode, doc: "The municipality." },
    { name: "behandlingssted", type: Behandlingssted, doc: "Where the treatment takes place." },
    { name: "behandlingstype", type: Behandlingstype, doc: "Social or medical treatment." },
    { name: "startdato", type: Dato, doc: "When the course started." },
    { name: "slutdato", type: Dato, optional: true, doc: "When it ended; left out while it goes on." },
    { name: "stoffer", type: Stoffer, doc: "The substances." },
  ],
  rules: [
    {
      doc: "slutdato is not before startdato.",
      field: "slutdato",
      check: (v) =>
        v["slutdato"] !== undefined && v["startdato"] !== undefined && v["slutdato"] < v["startdato"]
          ? `${v["slutdato"]} is before startdato ${v["startdato"]}`
          : undefined,
    },
  ],
};

/** A stored course as HentForloeb returns it. */
export const RegistreretForloeb: RecordType = {
  kind: "record",
  name: "RegistreretForloeb",
  label: "(course)",
  doc: "A stored course: its current content, version and when that version was written.",
  compositor: "sequence",
  extends: Forloeb,
  fields: [
    { name: "version", type: Version, doc: "The current version." },
    { name: "opdateret", type: Tidspunkt, doc: "When the current version was written (harness time)." },
  ],
};

/** The body of HentForloeb: one course by id, or every course changed since a time. */
export const HentForespoergsel: RecordType = {
  kind: "record",
  name: "HentForespoergsel",
  label: "(query)",
  doc: "Exactly one of forloebId and aendretSiden.",
  compositor: "choice",
  fields: [
    { name: "forloebId", type: ForloebId, doc: "The course with this id (none when there is none)." },
    {
      name: "aendretSiden",
      type: Tidspunkt,
      doc: "Every course whose current version was written at or after this time, oldest first.",
    },
  ],
};

export const PingForespoergsel: RecordType = {
  kind: "record",
  name: "PingForespoergsel",
  label: "(Ping)",
  doc: "Ping takes nothing.",
  compositor: "sequence",
  fields: [],
};

export const PingResultat: RecordType = {
  kind: "record",
  name: "PingResultat",
  label: "(PingResponse)",
  doc: "Who SMDB took the caller to be, from the token.",
  compositor: "sequence",
  fields: [
    { name: "environment", type: Miljoe, doc: "The environment answering." },
    { name: "cvr", type: Cvr, doc: "The CVR number in the token." },
    {
      name: "systembruger",
      type: EntityId,
      doc: "The systembruger's entity ID (the token's Subject NameID).",
    },
    { name: "tid", type: Tidspunkt, doc: "SMDB's time (harness time)." },
  ],
};

export const IndberetResultat: RecordType = {
  kind: "record",
  name: "IndberetResultat",
  label: "(IndberetForloebResponse)",
  doc: "What IndberetForloeb stored.",
  compositor: "sequence",
  fields: [
    { name: "forloebId", type: ForloebId, doc: "The course's id." },
    { name: "version", type: Version, doc: "Its version now." },
    { name: "status", type: Indberetningsstatus, doc: "created, updated or unchanged." },
  ],
};

export const HentResultat: RecordType = {
  kind: "record",
  name: "HentResultat",
  label: "(HentForloebResponse)",
  doc: "The courses found (none, one, or many), only the caller's CVR's.",
  compositor: "sequence",
  fields: [
    {
      name: "forloeb",
      type: RegistreretForloeb,
      optional: true,
      repeated: true,
      doc: "A stored course, oldest change first.",
    },
  ],
};

/** The element of every operation's request and response Body, and their types. */
export const OPERATION_MESSAGES = {
  Ping: { request: PingForespoergsel, response: PingResultat },
  IndberetForloeb: { request: Forloeb, response: IndberetResultat },
  HentForloeb: { request: HentForespoergsel, response: HentResultat },
} as const;

/** The fields of a record, inherited ones first. */
export function allFields(record: RecordType): readonly Field[] {
  return record.extends ? [...allFields(record.extends), ...record.fields] : record.fields;
}

// ---------------------------------------------------------------------------------------------
// Checking a value against a simple type

function facetsHold(type: SimpleType, value: string): boolean {
  if (type.pattern !== undefined && !new RegExp(`^(?:${type.pattern})$`).test(value)) return false;
  if (type.minLength !== undefined && value.length < type.minLength) return false;
  if (type.maxLength !== undefined && value.length > type.maxLength) return false;
  if (type.enumeration !== undefined && !type.enumeration.includes(value)) return false;
  return baseHolds(type.base, value);
}

function baseHolds(base: XsdBase, value: string): boolean {
  switch (base) {
    case "xs:string":
    case "xs:token":
      return true;
    case "xs:date": {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
      return !!m && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
    }
    case "xs:dateTime":
      return parseXsdDateTime(value) !== undefined;
    case "xs:positiveInteger":
      return /^\+?0*[1-9][0-9]*$/.test(value);
  }
}

/**
 * The problem with `value` (already whitespace-normalised) as a value of `type`, or undefined:
 * the type's own message when a facet or the base type fails, else its extra rule's.
 */
export function checkValue(type: SimpleType, value: string): string | undefined {
  if (!facetsHold(type, value)) return type.invalid(value);
  return type.rule?.check(value);
}
