/**
 * SOAP 1.2 envelopes and faults for step 2 (OIO IDWS SOAP binding). Faults are `env:Sender`
 * with a WS-Security subcode; the SOAP 1.2 HTTP binding sends them with HTTP 400.
 */
import type { Element } from "@xmldom/xmldom";

export const SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope";
export const SOAP12_CONTENT_TYPE = "application/soap+xml; charset=utf-8";
export const WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
export const HARNESS_FAULT_NS = "urn:smdb-harness:fault";
export const WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

export type Soap12Subcode =
  | "wsse:InvalidSecurity"
  | "wsse:FailedCheck"
  | "wsse:InvalidSecurityToken"
  | "wsse:FailedAuthentication"
  | "wsu:MessageExpired";

/**
 * SOAP 1.2's fault codes the SMDB sends: `env:Sender` (HTTP 400), `env:Receiver` (the service's own
 * failures), `env:VersionMismatch` and `env:MustUnderstand` (HTTP 500, part 2 §7.5.2.2).
 */
export type Soap12FaultCode = "env:Sender" | "env:Receiver" | "env:VersionMismatch" | "env:MustUnderstand";

export interface Soap12FaultInfo {
  /** Default `env:Sender`. */
  code?: Soap12FaultCode;
  /** Undefined for a fault without a WS-Security subcode (e.g. a business validation error). */
  subcode?: Soap12Subcode;
  /** `env:Reason/env:Text`. */
  reason: string;
  /** Raw XML placed inside `env:Detail` (must declare its own namespaces). */
  detailXml?: string;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;",
  );
}

/** The `env:Fault` element (for a Body). */
export function soap12FaultElement(fault: Soap12FaultInfo): string {
  const subcode = fault.subcode
    ? `<env:Subcode><env:Value xmlns:wsse="${WSSE_NS}" xmlns:wsu="${WSU_NS}">${fault.subcode}</env:Value></env:Subcode>`
    : "";
  return (
    `<env:Fault xmlns:env="${SOAP12_NS}"><env:Code><env:Value>${fault.code ?? "env:Sender"}</env:Value>${subcode}</env:Code>` +
    `<env:Reason><env:Text xml:lang="en">${escapeXml(fault.reason)}</env:Text></env:Reason>` +
    (fault.detailXml ? `<env:Detail>${fault.detailXml}</env:Detail>` : "") +
    "</env:Fault>"
  );
}

/** The harness's fault detail (same element as the STS's SOAP 1.1 detail): reason code, sentence, bad fields. */
export function harnessFaultDetailXml(
  reason: string,
  message: string,
  fields: Array<{ field: string; message: string }> = [],
): string {
  return (
    `<h:HarnessFault xmlns:h="${HARNESS_FAULT_NS}"><h:Reason>${escapeXml(reason)}</h:Reason><h:Message>${escapeXml(message)}</h:Message>` +
    fields.map((f) => `<h:Field name="${escapeXml(f.field)}">${escapeXml(f.message)}</h:Field>`).join("") +
    "</h:HarnessFault>"
  );
}

/** Reads the harness fault detail, when there is one. */
export function readHarnessFaultDetail(
  detail: Element | undefined,
): { reason: string; message: string; fields: Array<{ field: string; message: string }> } | undefined {
  const fault = detail && firstChild(detail, HARNESS_FAULT_NS, "HarnessFault");
  if (!fault) return undefined;
  const fields: Array<{ field: string; message: string }> = [];
  for (let node = fault.firstChild; node; node = node.nextSibling) {
    const el = node as Element;
    if (node.nodeType === 1 && el.namespaceURI === HARNESS_FAULT_NS && el.localName === "Field") {
      fields.push({ field: el.getAttribute("name") ?? "", message: el.textContent ?? "" });
    }
  }
  return {
    reason: firstChild(fault, HARNESS_FAULT_NS, "Reason")?.textContent ?? "",
    message: firstChild(fault, HARNESS_FAULT_NS, "Message")?.textContent ?? "",
    fields,
  };
}

/** A complete, unsigned SOAP 1.2 fault envelope. */
export function soap12FaultEnvelope(fault: Soap12FaultInfo, headerXml = ""): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${SOAP12_NS}">` +
    (headerXml ? `<env:Header>${headerXml}</env:Header>` : "") +
    `<env:Body>${soap12FaultElement(fault)}</env:Body></env:Envelope>`
  );
}

export interface ParsedSoap12Fault {
  code: string;
  subcode?: string;
  reason: string;
  detail?: Element;
}

function firstChild(parent: Element, ns: string, local: string): Element | undefined {
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (
      node.nodeType === 1 &&
      (node as Element).namespaceURI === ns &&
      (node as Element).localName === local
    ) {
      return node as Element;
    }
  }
  return undefined;
}

/** Reads an `env:Fault` element (`subcode` keeps the prefix as sent, e.g. `wsse:FailedCheck`). */
export function readSoap12Fault(fault: Element): ParsedSoap12Fault {
  const code = fault && firstChild(fault, SOAP12_NS, "Code");
  const value = code && firstChild(code, SOAP12_NS, "Value");
  const sub = code && firstChild(code, SOAP12_NS, "Subcode");
  const subValue = sub && firstChild(sub, SOAP12_NS, "Value");
  const reason = fault && firstChild(fault, SOAP12_NS, "Reason");
  const text = reason && firstChild(reason, SOAP12_NS, "Text");
  const detail = fault && firstChild(fault, SOAP12_NS, "Detail");
  const out: ParsedSoap12Fault = {
    code: value?.textContent?.trim() ?? "",
    reason: text?.textContent ?? "",
  };
  if (subValue) out.subcode = subValue.textContent?.trim() ?? "";
  if (detail) out.detail = detail;
  return out;
}
