/** WS-Addressing 1.0 headers as OIO WS-Trust uses them (each with a wsu:Id so it can be signed). */
import { randomUUID } from "node:crypto";
import type { Element } from "@xmldom/xmldom";
import { escapeAttr, escapeText, NS } from "./ns.js";
import { childElements, XmlParseError } from "./parse.js";

export function newMessageId(): string {
  return `uuid:${randomUUID()}`;
}

/** A wsa header element with a wsu:Id (wsa and wsu prefixes in scope). */
export function wsaHeaderXml(
  name: "Action" | "MessageID" | "To" | "RelatesTo",
  id: string,
  value: string,
): string {
  return `<wsa:${name} wsu:Id="${escapeAttr(id)}">${escapeText(value)}</wsa:${name}>`;
}

/**
 * Longest wsa:MessageID accepted (a real one is a uuid URN of 45 characters): it is kept in every
 * event and in the replay cache, so a megabyte-long one would make each request cost a megabyte
 * of memory for as long as the event log keeps it.
 */
export const MAX_MESSAGE_ID_CHARS = 1024;

/** Throws XmlParseError when the MessageID's text is longer than `MAX_MESSAGE_ID_CHARS`. */
export function checkMessageIdLength(messageId: Element): void {
  const length = (messageId.textContent ?? "").trim().length;
  if (length > MAX_MESSAGE_ID_CHARS) {
    throw new XmlParseError(
      `wsa:MessageID is ${length} characters long; at most ${MAX_MESSAGE_ID_CHARS} are accepted (expected a uuid URN)`,
    );
  }
}

export interface AddressingHeaders {
  action: Element;
  messageId: Element;
  to?: Element;
  relatesTo?: Element;
}

function one(header: Element, name: string, required: boolean): Element | undefined {
  const found = childElements(header, NS.wsa, name);
  if (found.length > 1)
    throw new XmlParseError(`the SOAP header holds ${found.length} wsa:${name} elements; expected one`);
  if (required && found.length === 0) throw new XmlParseError(`the SOAP header has no wsa:${name}`);
  return found[0];
}

/** The addressing headers (elements, so the caller can check they are signed before reading them). */
export function readAddressingHeaders(
  header: Element,
  required: { to?: boolean; relatesTo?: boolean } = {},
): AddressingHeaders {
  return {
    action: one(header, "Action", true)!,
    messageId: one(header, "MessageID", true)!,
    to: one(header, "To", required.to ?? false),
    relatesTo: one(header, "RelatesTo", required.relatesTo ?? false),
  };
}
