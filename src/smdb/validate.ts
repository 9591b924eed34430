/**
 * Validation of SMDB messages against the message model (schema.ts): the same types, facets and
 * rules the served XSD states, with a sentence for every bad field and every bad field listed.
 *
 * Two readers feed one checker: `readRecordXml` (the WSP: a Body element, where the structure —
 * unknown, repeated and out-of-order elements, elements of another namespace — is checked too)
 * and plain JSON objects (the client's `--payload`, where field order means nothing).
 */
import type { Element } from "@xmldom/xmldom";
import { childElements } from "../xml/parse.js";
import { checkValue, type Field, type RecordType, type SimpleType, SMDB_NS } from "./schema.js";

export interface FieldError {
  field: string;
  message: string;
}

/** A value read from XML or JSON, not yet checked. */
export type RawValues = Record<string, unknown>;

/** Validated values: text of simple fields (whitespace trimmed), lists of text for list fields. */
export type CheckedValues = Record<string, string | string[]>;

function allowedNames(record: RecordType): string {
  return record.fields.map((f) => f.name).join(record.compositor === "choice" ? " or " : ", ");
}

export function unknownFieldMessage(record: RecordType): string {
  return `unknown field; allowed: ${allowedNames(record)}`;
}

const isBlank = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === "string" && value.trim() === "");

/**
 * Checks `values` against the simple and list fields of `record` (a request record: no nested
 * records). Appends a FieldError for every problem and returns the values that passed.
 *
 * `emptyIsAbsent`: an empty string counts as a missing optional field (JSON, where `"slutdato": ""`
 * is a common way to say "none"); in XML an empty element is a value, and not a valid one.
 */
export function checkRecord(
  record: RecordType,
  values: RawValues,
  errors: FieldError[],
  options: { emptyIsAbsent: boolean },
): CheckedValues {
  const checked: CheckedValues = {};
  for (const name of Object.keys(values)) {
    if (!record.fields.some((f) => f.name === name)) {
      errors.push({ field: name, message: unknownFieldMessage(record) });
    }
  }
  if (record.compositor === "choice") {
    const given = record.fields.filter((f) => values[f.name] !== undefined);
    if (given.length !== 1) {
      errors.push({
        field: record.label,
        message: `give exactly one of ${record.fields.map((f) => f.name).join(" and ")}`,
      });
      return checked;
    }
  }
  for (const field of record.fields) {
    const raw = values[field.name];
    if (record.compositor === "choice" && raw === undefined) continue;
    if (field.type.kind === "list") {
      const list = checkList(field, field.type.itemType, raw, errors);
      if (list) checked[field.name] = list;
      continue;
    }
    if (field.type.kind !== "simple")
      throw new Error(`${record.name}.${field.name}: nested records are not request fields`);
    const absent = field.optional
      ? raw === undefined || raw === null || (options.emptyIsAbsent && raw === "")
      : isBlank(raw);
    if (absent) {
      if (!field.optional) errors.push({ field: field.name, message: "is required" });
      continue;
    }
    if (typeof raw !== "string") {
      errors.push({ field: field.name, message: "must be a string" });
      continue;
    }
    const value = raw.trim();
    const problem = checkValue(field.type, value);
    if (problem) errors.push({ field: field.name, message: problem });
    else checked[field.name] = value;
  }
  for (const rule of record.rules ?? []) {
    const problem = rule.check(checked as Record<string, string>);
    if (problem) errors.push({ field: rule.field, message: problem });
  }
  return checked;
}

function checkList(
  field: Field,
  itemType: SimpleType,
  raw: unknown,
  errors: FieldError[],
): string[] | undefined {
  const type = field.type as Extract<Field["type"], { kind: "list" }>;
  if (raw === undefined || raw === null) {
    if (!field.optional) errors.push({ field: field.name, message: "is required" });
    return undefined;
  }
  if (!Array.isArray(raw) || raw.length < type.minItems) {
    errors.push({ field: field.name, message: type.tooFew });
    return undefined;
  }
  const items: string[] = [];
  const seen = new Set<string>();
  let bad = false;
  raw.forEach((item, index) => {
    const at = `${field.name}[${index}]`;
    const value = typeof item === "string" ? item.trim() : undefined;
    const problem = value === undefined ? itemType.invalid(String(item)) : checkValue(itemType, value);
    if (problem || value === undefined) {
      errors.push({ field: at, message: problem ?? itemType.invalid(String(item)) });
      bad = true;
      return;
    }
    if (type.unique && seen.has(value)) {
      errors.push({ field: at, message: `"${value}" is listed twice` });
      bad = true;
      return;
    }
    seen.add(value);
    items.push(value);
  });
  return bad ? undefined : items;
}

/** An element's name as a field name: its local name in the SMDB namespace, else `{ns}local`. */
function fieldNameOf(element: Element): string {
  const local = element.localName ?? "";
  return element.namespaceURI === SMDB_NS ? local : `{${element.namespaceURI ?? ""}}${local}`;
}

/**
 * Reads the children of `parent` as the fields of `record`, checking the structure the schema
 * gives: known elements in the SMDB namespace, each at most once, in the schema's order (for a
 * sequence). Structural problems go to `errors`; the values go to `checkRecord`.
 */
export function readRecordXml(record: RecordType, parent: Element, errors: FieldError[]): RawValues {
  const values: RawValues = {};
  let lastIndex = -1;
  let lastName = "";
  for (const child of childElements(parent)) {
    const name = fieldNameOf(child);
    const index = record.fields.findIndex((f) => f.name === name);
    if (index < 0) {
      errors.push({ field: name, message: unknownFieldMessage(record) });
      continue;
    }
    if (name in values) {
      errors.push({ field: name, message: "appears more than once; each field appears at most once" });
      continue;
    }
    if (record.compositor === "sequence" && index < lastIndex) {
      errors.push({
        field: name,
        message: `comes after ${lastName}; the order is ${allowedNames(record)}`,
      });
    }
    if (index > lastIndex) {
      lastIndex = index;
      lastName = name;
    }
    const field = record.fields[index]!;
    if (field.type.kind === "list") {
      const itemName = field.type.item;
      values[name] = childElements(child).map((item) =>
        item.namespaceURI === SMDB_NS && item.localName === itemName ? (item.textContent ?? "") : null,
      );
    } else {
      values[name] = child.textContent ?? "";
    }
  }
  return values;
}
