/**
 * The SMDB XML Schema, generated from the message model (schema.ts), so that the schema a client
 * is generated from and the checks the WSP makes cannot drift apart. Rules XSD 1.0 cannot state
 * (a CPR number's date, slutdato not before startdato) are in its documentation.
 */
import { escapeAttr, escapeText } from "../xml/ns.js";
import {
  type Field,
  type ListType,
  OPERATION_MESSAGES,
  type RecordType,
  type SimpleType,
  SMDB_NS,
} from "./schema.js";

const doc = (text: string, indent: string): string =>
  `${indent}<xs:annotation><xs:documentation>${escapeText(text)}</xs:documentation></xs:annotation>\n`;

/** Every named type reachable from the operations, each once, in the order first met. */
function collectTypes(): { records: RecordType[]; lists: ListType[]; simples: SimpleType[] } {
  const records: RecordType[] = [];
  const lists: ListType[] = [];
  const simples: SimpleType[] = [];
  const addSimple = (t: SimpleType) => {
    if (!simples.includes(t)) simples.push(t);
  };
  const addRecord = (r: RecordType) => {
    if (r.extends) addRecord(r.extends);
    if (records.includes(r)) return;
    records.push(r);
    for (const field of r.fields) {
      if (field.type.kind === "simple") addSimple(field.type);
      else if (field.type.kind === "list") {
        if (!lists.includes(field.type)) lists.push(field.type);
        addSimple(field.type.itemType);
      } else addRecord(field.type);
    }
  };
  for (const { request, response } of Object.values(OPERATION_MESSAGES)) {
    addRecord(request);
    addRecord(response);
  }
  return { records, lists, simples };
}

function fieldXml(field: Field, indent: string): string {
  const occurs = (field.optional ? ` minOccurs="0"` : "") + (field.repeated ? ` maxOccurs="unbounded"` : "");
  const rules = field.type.kind === "simple" && field.type.rule ? ` ${field.type.rule.doc}` : "";
  let out = `${indent}<xs:element name="${field.name}" type="smdb:${field.type.name}"${occurs}>\n`;
  out += doc(field.doc + rules, `${indent}  `);
  if (field.type.kind === "list" && field.type.unique) {
    out +=
      `${indent}  <xs:unique name="${field.name}-${field.type.item}-once">\n` +
      `${indent}    <xs:selector xpath="smdb:${field.type.item}"/>\n` +
      `${indent}    <xs:field xpath="."/>\n` +
      `${indent}  </xs:unique>\n`;
  }
  return `${out}${indent}</xs:element>\n`;
}

function recordXml(record: RecordType): string {
  const rules = (record.rules ?? []).map((r) => ` Rule: ${r.doc}`).join("");
  const group = record.compositor;
  // An extension nests the group two levels deeper.
  const pad = record.extends ? "    " : "";
  const fields = record.fields.map((f) => fieldXml(f, `${pad}      `)).join("");
  const body =
    record.fields.length === 0
      ? `${pad}    <xs:${group}/>\n`
      : `${pad}    <xs:${group}>\n${fields}${pad}    </xs:${group}>\n`;
  const content = record.extends
    ? `    <xs:complexContent>\n      <xs:extension base="smdb:${record.extends.name}">\n${body}      </xs:extension>\n    </xs:complexContent>\n`
    : body;
  return `  <xs:complexType name="${record.name}">\n${doc(record.doc + rules, "    ")}${content}  </xs:complexType>\n`;
}

function listXml(list: ListType): string {
  return (
    `  <xs:complexType name="${list.name}">\n${doc(list.doc, "    ")}` +
    `    <xs:sequence>\n` +
    `      <xs:element name="${list.item}" type="smdb:${list.itemType.name}" minOccurs="${list.minItems}" maxOccurs="unbounded"/>\n` +
    `    </xs:sequence>\n  </xs:complexType>\n`
  );
}

function simpleXml(type: SimpleType): string {
  const facets: string[] = [];
  if (type.pattern !== undefined) facets.push(`<xs:pattern value="${escapeAttr(type.pattern)}"/>`);
  if (type.minLength !== undefined) facets.push(`<xs:minLength value="${type.minLength}"/>`);
  if (type.maxLength !== undefined) facets.push(`<xs:maxLength value="${type.maxLength}"/>`);
  for (const value of type.enumeration ?? []) facets.push(`<xs:enumeration value="${escapeAttr(value)}"/>`);
  const rule = type.rule ? ` Rule: ${type.rule.doc}` : "";
  return (
    `  <xs:simpleType name="${type.name}">\n${doc(type.doc + rule, "    ")}` +
    `    <xs:restriction base="${type.base}">${facets.length ? `\n${facets.map((f) => `      ${f}\n`).join("")}    ` : ""}</xs:restriction>\n` +
    `  </xs:simpleType>\n`
  );
}

/** The XSD of the SMDB namespace (served as `GET /{env}/smdb?xsd=1`). */
export function smdbXsd(): string {
  const { records, lists, simples } = collectTypes();
  const elements = Object.entries(OPERATION_MESSAGES)
    .flatMap(([operation, { request, response }]) => [
      `  <xs:element name="${operation}" type="smdb:${request.name}"/>\n`,
      `  <xs:element name="${operation}Response" type="smdb:${response.name}"/>\n`,
    ])
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:smdb="${SMDB_NS}" targetNamespace="${SMDB_NS}" elementFormDefault="qualified" attributeFormDefault="unqualified">\n` +
    doc(
      "Stofmisbrugsdatabasen (SMDB) as simulated by smdb-harness: the Body element of each operation's request and response. The real SMDB WSDL is not public; these names are the harness's own. Generated from src/smdb/schema.ts, which the harness's SMDB also validates requests with.",
      "  ",
    ) +
    `\n  <!-- Operations: the one child of the SOAP 1.2 Body -->\n${elements}` +
    `\n  <!-- Records -->\n${records.map(recordXml).join("")}` +
    `\n  <!-- Lists -->\n${lists.map(listXml).join("")}` +
    `\n  <!-- Simple types -->\n${simples.map(simpleXml).join("")}` +
    `</xs:schema>\n`
  );
}
