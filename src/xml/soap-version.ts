/**
 * What SOAP 1.1 (step 1, the STS) and SOAP 1.2 (step 2, the SMDB) require of every message before
 * its content is looked at, as pure checks that throw typed errors:
 *
 * - the envelope's namespace is the endpoint's SOAP version, else a VersionMismatch fault
 *   (SOAP 1.1 §4.4.1; SOAP 1.2 part 1 §5.4.7 and appendix A: a SOAP 1.2 node answers a SOAP 1.1
 *   message with a SOAP 1.1 fault carrying an `Upgrade` header block);
 * - the HTTP Content-Type is the binding's media type (`text/xml` for SOAP 1.1,
 *   `application/soap+xml` for SOAP 1.2);
 * - every header block targeted at the endpoint with `mustUnderstand` true is one the endpoint
 *   understands, else a MustUnderstand fault (SOAP 1.1 §4.2.3; SOAP 1.2 part 1 §2.4, §5.4.8, with a
 *   `NotUnderstood` header block per block in SOAP 1.2).
 */
import type { Document, Element } from "@xmldom/xmldom";
import { HarnessError } from "../core/errors.js";
import { escapeAttr, NS } from "./ns.js";
import { childElements, XmlParseError } from "./parse.js";

export type SoapVersion = "1.1" | "1.2";

export const SOAP_ENVELOPE_NS: Readonly<Record<SoapVersion, string>> = {
  "1.1": NS.soap11,
  "1.2": NS.soap12,
};

/** The media type of each version's HTTP binding. */
export const SOAP_MEDIA_TYPE: Readonly<Record<SoapVersion, string>> = {
  "1.1": "text/xml",
  "1.2": "application/soap+xml",
};

/** The SOAP version of an Envelope in either namespace; undefined for anything else. */
export function soapVersionOf(el: Element): SoapVersion | undefined {
  if (el.localName !== "Envelope") return undefined;
  if (el.namespaceURI === NS.soap11) return "1.1";
  if (el.namespaceURI === NS.soap12) return "1.2";
  return undefined;
}

/**
 * The request's envelope is not of the endpoint's SOAP version: MALFORMED_REQUEST, answered with
 * the VersionMismatch fault. `received` is the version the request was, when it was a SOAP one.
 */
export class VersionMismatchError extends HarnessError {
  override readonly name = "VersionMismatchError";
  constructor(
    message: string,
    readonly received: SoapVersion | undefined,
  ) {
    super("MALFORMED_REQUEST", message);
  }
}

/**
 * Checks the root of `doc` against the endpoint's SOAP version: an `Envelope` in another
 * namespace (the other SOAP version's, or any other) is a version mismatch (SOAP 1.1 §4.4.1; the
 * namespace case of SOAP 1.2 §5.4.7). A root that is no `Envelope` at all is no SOAP message; the
 * envelope check refuses it as malformed (`env:Sender`). `who` names the endpoint in the message.
 */
export function checkEnvelopeVersion(doc: Document, expected: SoapVersion, who: string): void {
  const root = doc.documentElement!;
  if (root.localName !== "Envelope" || root.namespaceURI === SOAP_ENVELOPE_NS[expected]) return;
  const received = soapVersionOf(root);
  throw new VersionMismatchError(
    received
      ? `the request is a SOAP ${received} envelope; ${who} speaks SOAP ${expected} (${SOAP_ENVELOPE_NS[expected]})`
      : `the request's Envelope is in namespace "${root.namespaceURI ?? ""}"; ${who} speaks SOAP ${expected} (${SOAP_ENVELOPE_NS[expected]})`,
    received,
  );
}

/** The media type of a Content-Type header value (`type/subtype`, lower case), without parameters. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/** Checks the HTTP Content-Type against the version's binding. Throws MALFORMED_REQUEST. */
export function checkContentType(contentType: string | undefined, expected: SoapVersion, who: string): void {
  const type = mediaTypeOf(contentType);
  if (type === SOAP_MEDIA_TYPE[expected]) return;
  const other = (Object.keys(SOAP_MEDIA_TYPE) as SoapVersion[]).find((v) => SOAP_MEDIA_TYPE[v] === type);
  const found =
    contentType === undefined ? "has no Content-Type" : `is sent as Content-Type "${contentType}"`;
  throw new XmlParseError(
    `the request ${found}${other ? ` (the media type of SOAP ${other})` : ""}; ${who} speaks SOAP ${expected}: send ${SOAP_MEDIA_TYPE[expected]}; charset=utf-8`,
  );
}

/** A header block's expanded name. */
export interface HeaderName {
  namespaceURI: string;
  localName: string;
}

/** Header blocks that had to be understood and were not: HEADER_NOT_UNDERSTOOD, a MustUnderstand fault. */
export class MustUnderstandError extends HarnessError {
  override readonly name = "MustUnderstandError";
  constructor(
    message: string,
    readonly headers: readonly HeaderName[],
  ) {
    super("HEADER_NOT_UNDERSTOOD", message);
  }
}

/** The role/actor values that address the endpoint, which is always the ultimate receiver. */
const OWN_ROLES: Readonly<Record<SoapVersion, readonly string[]>> = {
  "1.1": ["http://schemas.xmlsoap.org/soap/actor/next"],
  "1.2": [
    "http://www.w3.org/2003/05/soap-envelope/role/next",
    "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver",
  ],
};

/** Whether a header block is targeted at the endpoint (no role/actor, or one the endpoint plays). */
function targetedHere(block: Element, version: SoapVersion): boolean {
  const ns = SOAP_ENVELOPE_NS[version];
  const attribute = version === "1.1" ? "actor" : "role";
  if (!block.hasAttributeNS(ns, attribute)) return true;
  return OWN_ROLES[version].includes((block.getAttributeNS(ns, attribute) ?? "").trim());
}

/** The block's mustUnderstand (SOAP 1.1 "1"/"0"; SOAP 1.2 xs:boolean; "true" accepted for 1.1 too). */
function mustUnderstand(block: Element, version: SoapVersion): boolean {
  const ns = SOAP_ENVELOPE_NS[version];
  if (!block.hasAttributeNS(ns, "mustUnderstand")) return false;
  const value = (block.getAttributeNS(ns, "mustUnderstand") ?? "").trim();
  if (value === "1" || value === "true") return true;
  if (value === "0" || value === "false") return false;
  throw new XmlParseError(
    `the header block <${block.tagName}> has mustUnderstand="${value}"; expected "1" or "0"${version === "1.2" ? ' ("true" or "false")' : ""}`,
  );
}

/**
 * Refuses the message when a header block targeted at the endpoint must be understood and
 * `understood` says it is not (MustUnderstandError naming every such block, in document order).
 * A mustUnderstand value that is no boolean is MALFORMED_REQUEST.
 */
export function checkMustUnderstand(
  header: Element | undefined,
  version: SoapVersion,
  understood: (block: Element) => boolean,
  who: string,
): void {
  const notUnderstood = (header ? childElements(header) : []).filter(
    (block) => mustUnderstand(block, version) && targetedHere(block, version) && !understood(block),
  );
  if (notUnderstood.length === 0) return;
  const names = notUnderstood.map((block) => `{${block.namespaceURI ?? ""}}${block.localName}`);
  throw new MustUnderstandError(
    `the header block${names.length === 1 ? "" : "s"} ${names.join(", ")} ${names.length === 1 ? "is" : "are"} marked mustUnderstand, and ${who} does not understand ${names.length === 1 ? "it" : "them"}; it understands wsse:Security and the WS-Addressing headers (remove the block, or send it without mustUnderstand)`,
    notUnderstood.map((block) => ({ namespaceURI: block.namespaceURI ?? "", localName: block.localName! })),
  );
}

/** What both endpoints understand: wsse:Security and every WS-Addressing 1.0 header. */
export function isSecurityOrAddressingHeader(block: Element): boolean {
  return (block.namespaceURI === NS.wsse && block.localName === "Security") || block.namespaceURI === NS.wsa;
}

/** SOAP 1.2's `Upgrade` header block: the envelope versions the endpoint supports (SOAP 1.2 only). */
export function upgradeHeaderXml(): string {
  return `<upg:Upgrade xmlns:upg="${NS.soap12}"><upg:SupportedEnvelope qname="ns1:Envelope" xmlns:ns1="${NS.soap12}"/></upg:Upgrade>`;
}

/** SOAP 1.2's `NotUnderstood` header blocks, one per header block not understood. */
export function notUnderstoodHeadersXml(headers: readonly HeaderName[]): string {
  return headers
    .map((h) =>
      h.namespaceURI
        ? `<env:NotUnderstood xmlns:env="${NS.soap12}" qname="nu:${h.localName}" xmlns:nu="${escapeAttr(h.namespaceURI)}"/>`
        : `<env:NotUnderstood xmlns:env="${NS.soap12}" qname="${h.localName}"/>`,
    )
    .join("");
}
