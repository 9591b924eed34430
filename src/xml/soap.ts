/**
 * SOAP 1.1 envelopes and faults (step 1 is SOAP 1.1 over HTTP: faults go with HTTP 500).
 * The `realistic` fault mode reproduces NemLog-in's quirk of wrapping the fault envelope in a
 * second envelope, with WS-Trust's generic fault strings and no harness detail.
 */
import type { Document, Element } from "@xmldom/xmldom";
import { escapeText, NS } from "./ns.js";
import { childElements, requireElementOnlyContent, textOf, XmlParseError } from "./parse.js";

export const SOAP11_CONTENT_TYPE = "text/xml; charset=utf-8";

export type WstFaultCode =
  | "wst:InvalidRequest"
  | "wst:FailedAuthentication"
  | "wst:RequestFailed"
  | "wst:BadRequest"
  | "wst:ExpiredData"
  | "wst:InvalidTimeRange";

/** The fault strings of WS-Trust 1.3 §11, which the real STS sends. */
export const WST_FAULT_STRINGS: Record<WstFaultCode, string> = {
  "wst:InvalidRequest": "The request was invalid or malformed",
  "wst:FailedAuthentication": "Authentication failed",
  "wst:RequestFailed": "The specified request failed",
  "wst:BadRequest": "The specified RequestSecurityToken is not understood.",
  "wst:ExpiredData": "The request data is out-of-date",
  "wst:InvalidTimeRange": "The requested time range is invalid or unsupported",
};

/** SOAP 1.1's own fault codes (§4.4.1) the endpoints send, with the prefix `s` of the fault envelope. */
export type Soap11EnvelopeFaultCode = "s:VersionMismatch" | "s:MustUnderstand";

/** Every faultcode an STS fault (or a SOAP 1.1 fault of the SMDB) carries. */
export type Soap11FaultCode = WstFaultCode | Soap11EnvelopeFaultCode;

/** The fault strings of SOAP 1.1's own codes in `realistic` mode (the texts of the SOAP 1.2 examples). */
const SOAP_FAULT_STRINGS: Record<Soap11EnvelopeFaultCode, string> = {
  "s:VersionMismatch": "Version Mismatch",
  "s:MustUnderstand": "One or more mandatory SOAP header blocks not understood",
};

export type FaultMode = "verbose" | "realistic";

export interface Soap11FaultOptions {
  code: Soap11FaultCode;
  /** Harness reason code (verbose detail). */
  reason: string;
  /** One sentence for a developer (verbose faultstring and detail). */
  message: string;
  mode: FaultMode;
  /** Header blocks for the fault message (e.g. SOAP 1.2's Upgrade block in a VersionMismatch). */
  headerXml?: string;
}

/**
 * A complete SOAP 1.1 fault message. In `realistic` mode a WS-Trust fault comes wrapped in a
 * second envelope as NemLog-in sends it; SOAP's own VersionMismatch and MustUnderstand come
 * from the SOAP stack before the STS, unwrapped.
 */
export function soap11Fault(options: Soap11FaultOptions): string {
  const header = options.headerXml ? `<s:Header>${options.headerXml}</s:Header>` : "";
  const open = `<s:Envelope xmlns:s="${NS.soap11}">${header}<s:Body><s:Fault><faultcode xmlns:wst="${NS.wst}">${options.code}</faultcode>`;
  if (options.mode === "realistic") {
    if (options.code === "s:VersionMismatch" || options.code === "s:MustUnderstand") {
      return `${open}<faultstring xml:lang="en-US">${escapeText(SOAP_FAULT_STRINGS[options.code])}</faultstring></s:Fault></s:Body></s:Envelope>`;
    }
    const inner = `<s:Envelope xmlns:s="${NS.soap11}"><s:Body><s:Fault><faultcode xmlns:wst="${NS.wst}">${options.code}</faultcode><faultstring xml:lang="en-US">${escapeText(WST_FAULT_STRINGS[options.code])}</faultstring></s:Fault></s:Body></s:Envelope>`;
    return `<s:Envelope xmlns:s="${NS.soap11}">${header}<s:Body>${inner}</s:Body></s:Envelope>`;
  }
  return `${open}<faultstring xml:lang="en">${escapeText(`${options.reason}: ${options.message}`)}</faultstring><detail><h:HarnessFault xmlns:h="${NS.harness}"><h:Reason>${escapeText(options.reason)}</h:Reason><h:Message>${escapeText(options.message)}</h:Message></h:HarnessFault></detail></s:Fault></s:Body></s:Envelope>`;
}

export interface Soap11Parts {
  envelope: Element;
  header: Element | undefined;
  body: Element;
}

/** Envelope, Header (optional, at most one, before Body) and Body of a SOAP 1.1 message. */
export function readSoap11Envelope(doc: Document): Soap11Parts {
  const envelope = doc.documentElement!;
  if (envelope.namespaceURI !== NS.soap11 || envelope.localName !== "Envelope") {
    throw new XmlParseError(
      `the root element is {${envelope.namespaceURI ?? ""}}${envelope.localName}; expected a SOAP 1.1 Envelope (${NS.soap11})`,
    );
  }
  const children = childElements(envelope);
  const headers = children.filter((c) => c.namespaceURI === NS.soap11 && c.localName === "Header");
  const bodies = children.filter((c) => c.namespaceURI === NS.soap11 && c.localName === "Body");
  if (bodies.length !== 1)
    throw new XmlParseError(`the Envelope holds ${bodies.length} Body elements; expected one`);
  if (headers.length > 1)
    throw new XmlParseError(`the Envelope holds ${headers.length} Header elements; expected one`);
  const expected = headers.length === 1 ? [headers[0], bodies[0]] : [bodies[0]];
  if (children.length !== expected.length || children.some((c, i) => c !== expected[i])) {
    throw new XmlParseError(
      "the Envelope must hold an optional Header followed by the Body and nothing else",
    );
  }
  requireElementOnlyContent(envelope, "SOAP Envelope");
  if (headers[0]) requireElementOnlyContent(headers[0], "SOAP Header");
  requireElementOnlyContent(bodies[0]!, "SOAP Body");
  return { envelope, header: headers[0], body: bodies[0]! };
}

/** The single element in the Body. */
export function bodyPayload(body: Element): Element {
  const children = childElements(body);
  if (children.length !== 1) {
    throw new XmlParseError(`the SOAP Body holds ${children.length} elements; expected exactly one`);
  }
  return children[0]!;
}

export interface ParsedFault {
  faultcode: string;
  faultstring: string;
  /** Harness reason code from the verbose detail, when present. */
  reason?: string;
  message?: string;
  /** The fault came wrapped in a second envelope (NemLog-in's quirk). */
  doubleEnvelope: boolean;
}

/** Reads a SOAP 1.1 fault, also when wrapped in a second envelope; undefined when the body is no fault. */
export function readSoap11Fault(doc: Document): ParsedFault | undefined {
  let body = readSoap11Envelope(doc).body;
  let doubleEnvelope = false;
  let payload = childElements(body)[0];
  if (payload && payload.namespaceURI === NS.soap11 && payload.localName === "Envelope") {
    doubleEnvelope = true;
    const inner = childElements(payload, NS.soap11, "Body")[0];
    if (!inner) return undefined;
    body = inner;
    payload = childElements(body)[0];
  }
  if (!payload || payload.namespaceURI !== NS.soap11 || payload.localName !== "Fault") return undefined;
  const code = childElements(payload, "", "faultcode")[0];
  const string = childElements(payload, "", "faultstring")[0];
  const detail = childElements(payload, "", "detail")[0];
  const harness = detail ? childElements(detail, NS.harness, "HarnessFault")[0] : undefined;
  const reason = harness ? childElements(harness, NS.harness, "Reason")[0] : undefined;
  const message = harness ? childElements(harness, NS.harness, "Message")[0] : undefined;
  return {
    faultcode: code ? textOf(code) : "",
    faultstring: string ? textOf(string) : "",
    reason: reason ? textOf(reason) : undefined,
    message: message ? textOf(message) : undefined,
    doubleEnvelope,
  };
}
