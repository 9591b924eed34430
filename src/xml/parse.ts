/**
 * Safe XML parsing for everything that comes in over the wire: no DOCTYPE (so no entity
 * expansion and no external entities), no processing instructions, a size limit, a depth limit,
 * exactly one root element, only XML 1.0 characters, namespace declarations as Namespaces in XML
 * allows them. Any parse error is an error, never a
 * best-effort document: xmldom's warnings (an unquoted attribute value, an attribute without a
 * value) are errors here too. Messages quote at most a short, printable piece of the input.
 */
import { DOMParser, type Document, type Element, type Node } from "@xmldom/xmldom";
import { HarnessError } from "../core/errors.js";
import "./xmldom-regexp-cache.js";
import { NS } from "./ns.js";
import { prescanXml, REQUEST_LIMITS, type XmlLimits } from "./prescan.js";

export { LARGE_DOCUMENT_LIMITS, REQUEST_LIMITS, type XmlLimits } from "./prescan.js";

export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;
export const DEFAULT_MAX_XML_DEPTH = 64;

export interface ParseOptions {
  /** Largest accepted input in bytes (default 1 MiB). */
  maxBytes?: number;
  /** Deepest accepted element nesting (default 64); the same as `limits.maxDepth`. */
  maxDepth?: number;
  /**
   * Limits checked by a linear pre-scan before any DOM is built (default `REQUEST_LIMITS`, sized
   * for hostile requests; a caller parsing a large trusted answer raises them).
   */
  limits?: Partial<XmlLimits>;
  /** What the input is, for messages ("request", "STS response", ...). */
  label?: string;
}

/** A rejected XML input. `reason` is always `MALFORMED_REQUEST`. */
export class XmlParseError extends HarnessError {
  override readonly name = "XmlParseError";
  constructor(message: string) {
    super("MALFORMED_REQUEST", message);
  }
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const PROCESSING_INSTRUCTION_NODE = 7;
const COMMENT_NODE = 8;
const DOCUMENT_TYPE_NODE = 10;

/** Longest parser message passed on (xmldom lists every unclosed tag: megabytes for hostile input). */
const MAX_MESSAGE_CHARS = 300;

/** Characters XML 1.0 does not allow (Char production), also when written as character references. */
const NON_XML_CHAR =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding the characters XML forbids is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const XMLNS_NS = NS.xmlns;
const XML_NS = NS.xml;

/**
 * Namespaces in XML 1.0 §3: `xmlns:xmlns` is never declared, `xml` only to its own namespace, no
 * other prefix (nor the default) to the xml or xmlns namespace, and a prefix never to "".
 */
function isAllowedDeclaration(prefix: string | null, localName: string | null, value: string): boolean {
  const declared = prefix === "xmlns" ? localName : null;
  if (declared === "xmlns") return false;
  if (declared === "xml") return value === XML_NS;
  if (value === XMLNS_NS || value === XML_NS) return false;
  return declared === null || value !== "";
}

/** A parser message made short and printable, for faults and events. */
function shortMessage(message: string): string {
  const line = message.split("\n")[0]!;
  const clipped = line.length > MAX_MESSAGE_CHARS ? `${line.slice(0, MAX_MESSAGE_CHARS)}…` : line;
  return clipped.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
    /[\u0000-\u001F\u007F-\u009F\uFFFE\uFFFF\uD800-\uDFFF]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * Parses `input` (bytes as UTF-8, or a string) into a DOM document. Throws `XmlParseError`.
 */
export function parseXml(input: Buffer | Uint8Array | string, options: ParseOptions = {}): Document {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const maxDepth = options.maxDepth ?? options.limits?.maxDepth ?? DEFAULT_MAX_XML_DEPTH;
  const limits: XmlLimits = { ...REQUEST_LIMITS, ...options.limits, maxDepth };
  const label = options.label ?? "XML input";
  let text: string;
  if (typeof input === "string") {
    if (input.length > maxBytes || Buffer.byteLength(input, "utf8") > maxBytes) {
      throw new XmlParseError(`the ${label} is larger than the limit of ${maxBytes} bytes`);
    }
    text = input;
  } else {
    if (input.byteLength > maxBytes) {
      throw new XmlParseError(`the ${label} is ${input.byteLength} bytes; the limit is ${maxBytes} bytes`);
    }
    const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
    try {
      text = decoder.decode(input);
    } catch {
      throw new XmlParseError(`the ${label} is not valid UTF-8`);
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") throw new XmlParseError(`the ${label} is empty; expected an XML document`);
  const declaration = /^<\?xml\s[^>]*?encoding\s*=\s*["']([^"']+)["']/.exec(text);
  if (declaration && !/^utf-?8$/i.test(declaration[1]!) && typeof input !== "string") {
    throw new XmlParseError(`the ${label} declares encoding "${declaration[1]}"; only UTF-8 is accepted`);
  }
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new XmlParseError(
      `the ${label} contains a DOCTYPE or entity declaration; these are not accepted (no DTDs, no entity expansion)`,
    );
  }
  // Limits before the DOM: xmldom would build the whole tree before any of them could be checked.
  const scan = prescanXml(text, limits, label);
  if (scan.refusal) throw new XmlParseError(shortMessage(scan.refusal.message));
  const errors: string[] = [];
  const parser = new DOMParser({
    onError: (level, message) => {
      const text = shortMessage(String(message));
      // The one warning that is not about broken markup: U+FFFD is a legal character.
      if (level !== "warning" || !/replacement character/.test(text)) errors.push(text);
      if (level === "fatalError") throw new XmlParseError(`the ${label} is not well-formed XML: ${text}`);
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, "text/xml");
  } catch (error) {
    if (error instanceof XmlParseError) throw error;
    const message = shortMessage(error instanceof Error ? error.message : String(error));
    throw new XmlParseError(`the ${label} is not well-formed XML: ${message}`);
  }
  if (errors.length > 0) throw new XmlParseError(`the ${label} is not well-formed XML: ${errors[0]}`);
  let roots = 0;
  for (let child = doc.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === ELEMENT_NODE) roots++;
    else if (child.nodeType === DOCUMENT_TYPE_NODE) {
      throw new XmlParseError(`the ${label} contains a DOCTYPE; it is not accepted`);
    } else if (child.nodeType === PROCESSING_INSTRUCTION_NODE) {
      const target = (child as unknown as { target: string }).target;
      if (target.toLowerCase() !== "xml") {
        throw new XmlParseError(
          `the ${label} contains a processing instruction <?${target}?>; it is not accepted`,
        );
      }
    }
  }
  if (roots !== 1 || !doc.documentElement) {
    throw new XmlParseError(`the ${label} has ${roots} root elements; expected exactly one`);
  }
  checkTree(doc.documentElement, maxDepth, label);
  return doc;
}

/**
 * Depth limit, no processing instructions inside the tree, only XML characters in text and
 * attribute values; iterative, so deep input cannot overflow the stack.
 */
function checkTree(root: Element, maxDepth: number, label: string): void {
  const stack: Array<[Element, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [el, depth] = stack.pop()!;
    if (depth > maxDepth) {
      throw new XmlParseError(`the ${label} nests elements deeper than the limit of ${maxDepth}`);
    }
    const attrs = el.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const attr = attrs.item(i)!;
      if (NON_XML_CHAR.test(attr.value)) {
        throw new XmlParseError(`the ${label} has a character XML does not allow in an attribute value`);
      }
      if (attr.namespaceURI === XMLNS_NS && !isAllowedDeclaration(attr.prefix, attr.localName, attr.value)) {
        throw new XmlParseError(
          `the ${label} has the namespace declaration ${shortMessage(attr.name)}="${shortMessage(attr.value)}", which Namespaces in XML forbids (reserved prefix or namespace, or an empty prefixed namespace)`,
        );
      }
    }
    for (let child = el.firstChild; child; child = child.nextSibling) {
      const type = child.nodeType;
      if (type === ELEMENT_NODE) stack.push([child as Element, depth + 1]);
      else if (type === PROCESSING_INSTRUCTION_NODE) {
        throw new XmlParseError(`the ${label} contains a processing instruction; it is not accepted`);
      } else if (
        (type === TEXT_NODE || type === CDATA_SECTION_NODE || type === COMMENT_NODE) &&
        NON_XML_CHAR.test((child as unknown as { data: string }).data)
      ) {
        throw new XmlParseError(`the ${label} has a character XML does not allow (e.g. a control character)`);
      }
    }
  }
}

/** Child elements of `parent`, optionally only those with the given namespace and local name. */
export function childElements(parent: Node, ns?: string, localName?: string): Element[] {
  const out: Element[] = [];
  for (let child = parent.firstChild; child; child = child.nextSibling) {
    if (child.nodeType !== ELEMENT_NODE) continue;
    const el = child as Element;
    if (ns !== undefined && (el.namespaceURI ?? "") !== ns) continue;
    if (localName !== undefined && el.localName !== localName) continue;
    out.push(el);
  }
  return out;
}

/** The single child element with that name, or undefined; more than one throws. */
export function optionalChild(
  parent: Node,
  ns: string,
  localName: string,
  what?: string,
): Element | undefined {
  const found = childElements(parent, ns, localName);
  if (found.length > 1) {
    throw new XmlParseError(`${what ?? localName} occurs ${found.length} times; expected at most once`);
  }
  return found[0];
}

/** The single child element with that name; none or more than one throws `XmlParseError`. */
export function requiredChild(parent: Node, ns: string, localName: string, what?: string): Element {
  const found = childElements(parent, ns, localName);
  if (found.length !== 1) {
    const where = (parent as Element).localName ?? "document";
    throw new XmlParseError(
      found.length === 0
        ? `${what ?? localName} is missing in ${where}`
        : `${what ?? localName} occurs ${found.length} times in ${where}; expected exactly once`,
    );
  }
  return found[0]!;
}

/** All descendant elements (document order) with the given namespace and local name. */
export function descendants(root: Node, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  const walk = (node: Node) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType !== ELEMENT_NODE) continue;
      const el = child as Element;
      if (el.localName === localName && (el.namespaceURI ?? "") === ns) out.push(el);
      walk(el);
    }
  };
  walk(root);
  return out;
}

/**
 * Refuses character data other than white space directly in `el` (SOAP 1.1 and 1.2: the
 * Envelope, Header and Body hold elements only; text there is not a SOAP message).
 */
export function requireElementOnlyContent(el: Element, what: string): void {
  for (let child = el.firstChild; child; child = child.nextSibling) {
    if (
      (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) &&
      /\S/.test((child as unknown as { data: string }).data)
    ) {
      throw new XmlParseError(`the ${what} holds text; it may hold only elements (and white space)`);
    }
  }
}

/** Text content with surrounding whitespace removed. */
export function textOf(el: Element): string {
  return (el.textContent ?? "").trim();
}

export function isElement(node: Node | null | undefined): node is Element {
  return !!node && node.nodeType === ELEMENT_NODE;
}
