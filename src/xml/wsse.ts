/**
 * WS-Security 1.0 header pieces (Timestamp, X.509 BinarySecurityToken, SecurityTokenReference)
 * and the verification of a Security header whose signature key is the header's BST.
 */
import type { Element } from "@xmldom/xmldom";
import { Certificate } from "../pki/index.js";
import {
  type IdIndex,
  type PreparedSignature,
  prepareSignature,
  resolveReference,
  SignatureError,
  type SignaturePolicy,
  type VerifiedSignature,
  verifyPreparedSignature,
} from "./dsig.js";
import { escapeAttr, NS, WSS } from "./ns.js";
import { childElements, descendants, XmlParseError } from "./parse.js";

/** xs:dateTime in UTC; `precision` "s" as the NemLog-in rules say, "ms" as the Java client sends. */
export function formatXsdDateTime(ms: number, precision: "s" | "ms" = "s"): string {
  const iso = new Date(ms).toISOString();
  return precision === "ms" ? iso : `${iso.slice(0, 19)}Z`;
}

const XSD_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an xs:dateTime with zone (seconds or fractional precision); undefined when not one. */
export function parseXsdDateTime(text: string): number | undefined {
  const trimmed = text.trim();
  const match = XSD_DATETIME.exec(trimmed);
  if (!match) return undefined;
  // Date.parse rolls a day past the month's end over (30 February → 2 March): not a date.
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) {
    return undefined;
  }
  const ms = Date.parse(trimmed.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(ms) ? undefined : ms;
}

export function timestampXml(
  id: string,
  createdMs: number,
  expiresMs: number,
  precision: "s" | "ms" = "s",
  prefixes: { wsu: string } = { wsu: "wsu" },
): string {
  const u = prefixes.wsu;
  return `<${u}:Timestamp ${u}:Id="${escapeAttr(id)}"><${u}:Created>${formatXsdDateTime(createdMs, precision)}</${u}:Created><${u}:Expires>${formatXsdDateTime(expiresMs, precision)}</${u}:Expires></${u}:Timestamp>`;
}

/** An X.509v3 BinarySecurityToken (wsse and wsu prefixes must be in scope). */
export function binarySecurityTokenXml(id: string, certificate: Certificate): string {
  return `<wsse:BinarySecurityToken ValueType="${WSS.x509v3}" EncodingType="${WSS.base64Binary}" wsu:Id="${escapeAttr(id)}">${certificate.base64}</wsse:BinarySecurityToken>`;
}

/** KeyInfo content: a SecurityTokenReference to the BST with that id (wsse prefix declared here). */
export function strToBstXml(bstId: string): string {
  return `<wsse:SecurityTokenReference xmlns:wsse="${NS.wsse}"><wsse:Reference URI="#${escapeAttr(bstId)}" ValueType="${WSS.x509v3}"></wsse:Reference></wsse:SecurityTokenReference>`;
}

export interface TimestampValue {
  element: Element;
  createdMs?: number;
  expiresMs: number;
}

/** Reads a wsu:Timestamp: Expires required, Created optional; both xs:dateTime. */
export function readTimestamp(timestamp: Element): TimestampValue {
  const created = childElements(timestamp, NS.wsu, "Created");
  const expires = childElements(timestamp, NS.wsu, "Expires");
  if (expires.length !== 1) throw new XmlParseError("wsu:Timestamp must hold exactly one wsu:Expires");
  if (created.length > 1) throw new XmlParseError("wsu:Timestamp holds more than one wsu:Created");
  const expiresMs = parseXsdDateTime(expires[0]!.textContent ?? "");
  if (expiresMs === undefined) {
    throw new XmlParseError(`wsu:Expires "${expires[0]!.textContent}" is not an xs:dateTime with zone`);
  }
  let createdMs: number | undefined;
  if (created.length === 1) {
    createdMs = parseXsdDateTime(created[0]!.textContent ?? "");
    if (createdMs === undefined) {
      throw new XmlParseError(`wsu:Created "${created[0]!.textContent}" is not an xs:dateTime with zone`);
    }
    if (expiresMs <= createdMs) {
      throw new XmlParseError(
        `wsu:Expires (${new Date(expiresMs).toISOString()}) is not after wsu:Created (${new Date(createdMs).toISOString()})`,
      );
    }
  }
  return { element: timestamp, createdMs, expiresMs };
}

export interface SecurityHeader {
  security: Element;
  timestamp: Element;
  bst: Element;
  signature: Element;
  /** The client certificate from the BST (parsed once, cached). */
  certificate: Certificate;
}

/**
 * Finds the parts of the one wsse:Security header: exactly one Timestamp, one BST and one
 * Signature, each a direct child. Throws XmlParseError (MALFORMED_REQUEST) or SignatureError
 * (UNSIGNED_PART when there is no signature).
 */
export function readSecurityHeader(header: Element): SecurityHeader {
  const securities = childElements(header, NS.wsse, "Security");
  if (securities.length !== 1) {
    throw new XmlParseError(
      `the SOAP header holds ${securities.length} wsse:Security elements; expected exactly one`,
    );
  }
  const security = securities[0]!;
  const timestamps = descendants(security, NS.wsu, "Timestamp");
  if (timestamps.length !== 1 || timestamps[0]!.parentNode !== security) {
    throw new XmlParseError(
      `wsse:Security holds ${timestamps.length} wsu:Timestamp elements; expected exactly one, directly in the header`,
    );
  }
  const bsts = descendants(security, NS.wsse, "BinarySecurityToken");
  if (bsts.length !== 1 || bsts[0]!.parentNode !== security) {
    throw new XmlParseError(
      `wsse:Security holds ${bsts.length} wsse:BinarySecurityToken elements; expected exactly one, directly in the header`,
    );
  }
  const signatures = descendants(security, NS.ds, "Signature");
  if (signatures.length === 0) {
    throw new SignatureError(
      "UNSIGNED_PART",
      "wsse:Security holds no ds:Signature: the message is not signed",
    );
  }
  if (signatures.length !== 1 || signatures[0]!.parentNode !== security) {
    throw new XmlParseError(
      `wsse:Security holds ${signatures.length} ds:Signature elements; expected exactly one, directly in the header`,
    );
  }
  const bst = bsts[0]!;
  const valueType = bst.getAttribute("ValueType");
  if (valueType !== WSS.x509v3) {
    throw new XmlParseError(`the BinarySecurityToken's ValueType is "${valueType}"; expected ${WSS.x509v3}`);
  }
  const encodingType = bst.getAttribute("EncodingType");
  if (encodingType && encodingType !== WSS.base64Binary) {
    throw new XmlParseError(
      `the BinarySecurityToken's EncodingType is "${encodingType}"; expected ${WSS.base64Binary}`,
    );
  }
  const base64 = (bst.textContent ?? "").replace(/\s+/g, "");
  let certificate: Certificate;
  try {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw new Error("not base64");
    certificate = Certificate.fromBase64(base64);
  } catch {
    throw new XmlParseError("the BinarySecurityToken does not hold an X.509 certificate (base64 DER)");
  }
  return { security, timestamp: timestamps[0]!, bst, signature: signatures[0]!, certificate };
}

/**
 * The signature's KeyInfo is exactly a SecurityTokenReference to the header's BST: the key comes
 * from the BST only (a certificate or key value in KeyInfo is refused). Throws SIGNATURE_INVALID.
 */
export function checkKeyInfoNamesBst(parts: SecurityHeader, index: IdIndex): void {
  const keyInfos = childElements(parts.signature, NS.ds, "KeyInfo");
  if (keyInfos.length !== 1) {
    throw new SignatureError(
      "SIGNATURE_INVALID",
      `ds:Signature has ${keyInfos.length} ds:KeyInfo elements; expected one with a SecurityTokenReference to the BinarySecurityToken`,
    );
  }
  const keyInfoChildren = childElements(keyInfos[0]!);
  const str = keyInfoChildren[0];
  if (
    keyInfoChildren.length !== 1 ||
    !str ||
    str.namespaceURI !== NS.wsse ||
    str.localName !== "SecurityTokenReference"
  ) {
    throw new SignatureError(
      "SIGNATURE_INVALID",
      "ds:KeyInfo must hold only a wsse:SecurityTokenReference to the BinarySecurityToken (no X509Data or key values)",
    );
  }
  const refs = childElements(str);
  const ref = refs[0];
  if (refs.length !== 1 || !ref || ref.namespaceURI !== NS.wsse || ref.localName !== "Reference") {
    throw new SignatureError(
      "SIGNATURE_INVALID",
      "the SecurityTokenReference must hold exactly one wsse:Reference",
    );
  }
  const target = resolveReference(index, ref.getAttribute("URI") ?? "", "SecurityTokenReference");
  if (target !== parts.bst) {
    throw new SignatureError(
      "SIGNATURE_INVALID",
      "the SecurityTokenReference does not point at the BinarySecurityToken of the Security header",
    );
  }
}

/** The header's signature with the key of its BST, its algorithms checked (`prepareSignature`). */
export function prepareSecurityHeaderSignature(
  parts: SecurityHeader,
  policy: SignaturePolicy,
): PreparedSignature {
  return prepareSignature(parts.signature, parts.certificate.publicKey, policy);
}

/**
 * Verifies the header's signature with the key of its BST: algorithms first
 * (UNSUPPORTED_ALGORITHM), then that KeyInfo names the BST, the digests and the SignatureValue.
 */
export function verifySecurityHeaderSignature(
  parts: SecurityHeader,
  index: IdIndex,
  policy: SignaturePolicy,
): VerifiedSignature {
  const prepared = prepareSecurityHeaderSignature(parts, policy);
  checkKeyInfoNamesBst(parts, index);
  return verifyPreparedSignature(prepared, index);
}
