/**
 * A linear pre-scan of XML text that enforces size limits before any DOM is built: the number
 * of markup nodes (elements, comments, CDATA sections, processing instructions), element depth,
 * attributes per element, name length, attribute value length and text length — and refuses an
 * element that carries the same expanded attribute name twice (e.g. `a:x` and `b:x` with `a` and
 * `b` bound to one namespace: not namespace-well-formed, which libxml2, .NET and Java refuse and
 * xmldom would silently resolve by keeping the last).
 *
 * Why not only the DOM parser: xmldom builds the whole tree first (and compiles a RegExp per end
 * tag), so a 1 MiB body of 10⁵ elements costs it seconds before any limit can be checked. This
 * scan stops at the first limit passed, touches each character at most a few times, and
 * allocates only per element on the path to the current one.
 *
 * It is a tokenizer, not a parser: it finds tag, comment, CDATA and PI boundaries the way XML
 * does (so markup inside a comment or an attribute value is not counted as elements), refuses
 * what it cannot tokenize, and leaves every other well-formedness rule (matching end tags,
 * entity references, characters) to the DOM parser that runs after it.
 */

import { NS } from "./ns.js";

export interface XmlLimits {
  /** Most markup nodes: elements, comments, CDATA sections and processing instructions together. */
  maxNodes: number;
  /** Deepest element nesting (the root is depth 1). */
  maxDepth: number;
  /** Most attributes (namespace declarations included) on one element. */
  maxAttributes: number;
  /** Longest element or attribute name, prefix included. */
  maxNameChars: number;
  /** Longest attribute value, as written. */
  maxAttributeValueChars: number;
  /** Longest run of text (or CDATA section, or comment) between two pieces of markup, as written. */
  maxTextChars: number;
}

/** What an incoming SOAP request may hold: far more than any real step-1 or step-2 message needs. */
export const REQUEST_LIMITS: Readonly<XmlLimits> = {
  maxNodes: 1024,
  maxDepth: 64,
  maxAttributes: 64,
  maxNameChars: 512,
  maxAttributeValueChars: 64 * 1024,
  maxTextChars: 512 * 1024,
};

/**
 * For documents the harness builds itself (to sign them) and for answers up to 16 MiB that the
 * reference client reads: only the depth limit and the byte limit matter there.
 */
export const LARGE_DOCUMENT_LIMITS: Readonly<XmlLimits> = {
  maxNodes: 16 * 1024 * 1024,
  maxDepth: 64,
  maxAttributes: 4096,
  maxNameChars: 16 * 1024 * 1024,
  maxAttributeValueChars: 16 * 1024 * 1024,
  maxTextChars: 16 * 1024 * 1024,
};

/** A refusal: `kind` says which rule, `message` says why in a sentence for a person. */
export interface PrescanRefusal {
  kind: "limit" | "not-well-formed" | "duplicate-attribute" | "doctype";
  message: string;
}

export interface PrescanResult {
  refusal?: PrescanRefusal;
  /** Markup nodes counted before the scan ended. */
  nodes: number;
  /** Characters of the input the scan looked at: all of them when nothing was refused. */
  scannedChars: number;
}

const XMLNS_NS = NS.xmlns;
const XML_NS = NS.xml;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOS = 0x27;
const BANG = 0x21;
const QUESTION = 0x3f;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Ends a name: white space, `=`, `/`, `>`, `<`, a quote, or the end of input (NaN). */
function endsName(c: number): boolean {
  return (
    Number.isNaN(c) ||
    isSpace(c) ||
    c === EQUALS ||
    c === SLASH ||
    c === GT ||
    c === LT ||
    c === QUOTE ||
    c === APOS
  );
}

/** A name, clipped and made printable, for messages. */
function quoteName(name: string): string {
  const clipped = name.length > 60 ? `${name.slice(0, 60)}…` : name;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
  return clipped.replace(/[\u0000-\u001F\u007F-\u009F]/g, "?");
}

class Refused extends Error {
  constructor(readonly refusal: PrescanRefusal) {
    super(refusal.message);
  }
}

/**
 * Scans `text` against `limits`. Returns the first refusal, or none; never throws for any input.
 * `label` names the input in messages ("request", "decrypted assertion", ...).
 */
export function prescanXml(text: string, limits: XmlLimits, label = "XML input"): PrescanResult {
  const scanner = new Scanner(text, limits, label);
  try {
    scanner.run();
    return { nodes: scanner.nodes, scannedChars: text.length };
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    return { refusal: error.refusal, nodes: scanner.nodes, scannedChars: scanner.pos };
  }
}

interface OpenElement {
  name: string;
  /** Prefixes this element declares (their bindings are popped when it ends). */
  declared: string[];
}

class Scanner {
  pos = 0;
  nodes = 0;
  readonly #open: OpenElement[] = [];
  /** prefix → stack of namespace URIs in scope ("" is the default namespace). */
  readonly #bindings = new Map<string, string[]>([
    ["xml", [XML_NS]],
    ["xmlns", [XMLNS_NS]],
  ]);

  constructor(
    readonly text: string,
    readonly limits: XmlLimits,
    readonly label: string,
  ) {}

  run(): void {
    const { text } = this;
    while (this.pos < text.length) {
      const lt = text.indexOf("<", this.pos);
      const textEnd = lt === -1 ? text.length : lt;
      this.#checkText(textEnd - this.pos, "text");
      if (lt === -1) return;
      this.pos = lt;
      const next = text.charCodeAt(lt + 1);
      if (next === BANG) this.#bang();
      else if (next === QUESTION) this.#processingInstruction();
      else if (next === SLASH) this.#endTag();
      else this.#startTag();
    }
  }

  #refuse(kind: PrescanRefusal["kind"], message: string): never {
    throw new Refused({ kind, message: `the ${this.label} ${message}` });
  }

  #where(): string {
    const current = this.#open[this.#open.length - 1];
    return current ? ` in <${quoteName(current.name)}>` : "";
  }

  #checkText(length: number, what: string): void {
    if (length > this.limits.maxTextChars) {
      this.#refuse(
        "limit",
        `has a ${what} of ${length} characters${this.#where()}; the limit is ${this.limits.maxTextChars}`,
      );
    }
  }

  #countNode(): void {
    if (++this.nodes > this.limits.maxNodes) {
      this.#refuse(
        "limit",
        `has more than ${this.limits.maxNodes} elements, comments, CDATA sections and processing instructions (the limit)`,
      );
    }
  }

  /** Skips to just after `terminator`, which must come; returns where it starts. */
  #skipTo(terminator: string, what: string): number {
    const end = this.text.indexOf(terminator, this.pos);
    if (end === -1) this.#refuse("not-well-formed", `is not well-formed XML: a ${what} is never closed`);
    this.pos = end + terminator.length;
    return end;
  }

  /** `<!--`, `<![CDATA[`, or a declaration (DOCTYPE, ENTITY, ...), which is refused. */
  #bang(): void {
    const { text } = this;
    const start = this.pos;
    if (text.startsWith("<!--", start)) {
      this.#countNode();
      this.pos = start + 4;
      const end = this.#skipTo("-->", "comment");
      this.#checkText(end - start - 4, "comment");
    } else if (text.startsWith("<![CDATA[", start)) {
      this.#countNode();
      this.pos = start + 9;
      const end = this.#skipTo("]]>", "CDATA section");
      this.#checkText(end - start - 9, "CDATA section");
    } else {
      this.#refuse(
        "doctype",
        "contains a DOCTYPE or another markup declaration; these are not accepted (no DTDs, no entity expansion)",
      );
    }
  }

  #processingInstruction(): void {
    this.#countNode();
    const start = this.pos;
    this.pos += 2;
    const end = this.#skipTo("?>", "processing instruction");
    this.#checkText(end - start - 2, "processing instruction");
  }

  #readName(what: string): string {
    const { text } = this;
    const start = this.pos;
    while (!endsName(text.charCodeAt(this.pos))) {
      this.pos++;
      if (this.pos - start > this.limits.maxNameChars) {
        this.#refuse("limit", `has ${what} longer than ${this.limits.maxNameChars} characters (the limit)`);
      }
    }
    if (this.pos === start) {
      this.#refuse(
        "not-well-formed",
        `is not well-formed XML: ${what} expected at offset ${start}${this.#where()}`,
      );
    }
    return text.slice(start, this.pos);
  }

  #skipSpace(): boolean {
    const start = this.pos;
    while (isSpace(this.text.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  #endTag(): void {
    this.pos += 2;
    this.#readName("an end tag name");
    this.#skipSpace();
    if (this.text.charCodeAt(this.pos) !== GT) {
      this.#refuse(
        "not-well-formed",
        `is not well-formed XML: an end tag is not closed by ">"${this.#where()}`,
      );
    }
    this.pos++;
    const element = this.#open.pop();
    // An end tag without a start tag (or a mismatched one) is for the DOM parser to report.
    if (element) this.#leave(element);
  }

  #startTag(): void {
    this.pos++;
    const name = this.#readName("an element name");
    this.#countNode();
    if (this.#open.length + 1 > this.limits.maxDepth) {
      this.#refuse("limit", `nests elements deeper than the limit of ${this.limits.maxDepth}`);
    }
    const attributes: Array<[string, string]> = [];
    const { text } = this;
    for (;;) {
      const spaced = this.#skipSpace();
      const c = text.charCodeAt(this.pos);
      if (c === GT || (c === SLASH && text.charCodeAt(this.pos + 1) === GT)) {
        this.pos += c === GT ? 1 : 2;
        const element = this.#enter(name, attributes);
        if (c === GT) this.#open.push(element);
        else this.#leave(element);
        return;
      }
      if (Number.isNaN(c))
        this.#refuse(
          "not-well-formed",
          `is not well-formed XML: the tag <${quoteName(name)}> is never closed`,
        );
      if (!spaced) {
        this.#refuse(
          "not-well-formed",
          `is not well-formed XML: attributes of <${quoteName(name)}> must be separated by white space`,
        );
      }
      const attrName = this.#readName(`an attribute name in <${quoteName(name)}>`);
      if (attributes.length + 1 > this.limits.maxAttributes) {
        this.#refuse(
          "limit",
          `has more than ${this.limits.maxAttributes} attributes on one element, <${quoteName(name)}> (the limit)`,
        );
      }
      this.#skipSpace();
      if (text.charCodeAt(this.pos) !== EQUALS) {
        this.#refuse(
          "not-well-formed",
          `is not well-formed XML: attribute ${quoteName(attrName)} of <${quoteName(name)}> has no value`,
        );
      }
      this.pos++;
      this.#skipSpace();
      const quote = text.charCodeAt(this.pos);
      if (quote !== QUOTE && quote !== APOS) {
        this.#refuse(
          "not-well-formed",
          `is not well-formed XML: the value of attribute ${quoteName(attrName)} of <${quoteName(name)}> is not quoted`,
        );
      }
      const valueStart = this.pos + 1;
      const valueEnd = text.indexOf(quote === QUOTE ? '"' : "'", valueStart);
      if (valueEnd === -1) {
        this.#refuse(
          "not-well-formed",
          `is not well-formed XML: the value of attribute ${quoteName(attrName)} is never closed`,
        );
      }
      if (valueEnd - valueStart > this.limits.maxAttributeValueChars) {
        this.#refuse(
          "limit",
          `has an attribute value of ${valueEnd - valueStart} characters (${quoteName(attrName)} on <${quoteName(name)}>); the limit is ${this.limits.maxAttributeValueChars}`,
        );
      }
      attributes.push([attrName, text.slice(valueStart, valueEnd)]);
      this.pos = valueEnd + 1;
    }
  }

  /** Binds the element's namespace declarations and checks its attributes' expanded names. */
  #enter(name: string, attributes: Array<[string, string]>): OpenElement {
    const declared: string[] = [];
    for (const [attrName, value] of attributes) {
      const prefix =
        attrName === "xmlns" ? "" : attrName.startsWith("xmlns:") ? attrName.slice(6) : undefined;
      if (prefix === undefined) continue;
      declared.push(prefix);
      let stack = this.#bindings.get(prefix);
      if (!stack) {
        stack = [];
        this.#bindings.set(prefix, stack);
      }
      // Entity references in a namespace name are rare; compared as written, they only make two
      // equal names look different (a duplicate the DOM parser then keeps), never the reverse.
      stack.push(value);
    }
    const element: OpenElement = { name, declared };
    if (attributes.length < 2) return element;
    const seen = new Map<string, string>();
    for (const [attrName] of attributes) {
      const colon = attrName.indexOf(":");
      let expanded: string;
      if (attrName === "xmlns" || attrName.startsWith("xmlns:"))
        expanded = `${XMLNS_NS} ${attrName.slice(6)}`;
      else if (colon <= 0) expanded = ` ${attrName}`;
      else {
        const prefix = attrName.slice(0, colon);
        const stack = this.#bindings.get(prefix);
        // An unbound prefix is the DOM parser's to report; keep the qualified name apart.
        const ns = stack && stack.length > 0 ? stack[stack.length - 1]! : `unbound:${prefix}`;
        expanded = `${ns} ${attrName.slice(colon + 1)}`;
      }
      const earlier = seen.get(expanded);
      if (earlier !== undefined) {
        this.#leave(element);
        this.#refuse(
          "duplicate-attribute",
          `is not namespace-well-formed: <${quoteName(name)}> has the attribute ${quoteName(expanded.slice(expanded.indexOf(" ") + 1))}${expanded.startsWith(" ") ? "" : ` of namespace ${quoteName(expanded.slice(0, expanded.indexOf(" ")))}`} twice (as ${quoteName(earlier)} and ${quoteName(attrName)})`,
        );
      }
      seen.set(expanded, attrName);
    }
    return element;
  }

  #leave(element: OpenElement): void {
    for (const prefix of element.declared) this.#bindings.get(prefix)!.pop();
  }
}
