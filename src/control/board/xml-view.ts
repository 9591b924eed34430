/**
 * A message as the inspector shows it: indented, one element per line, with the lines of the
 * element a refusal is about marked. Pure; parses with the project's safe parser, and shows text
 * that is not XML (or not well-formed) as it is, unmarked.
 */
import type { Element, Node } from "@xmldom/xmldom";
import { parseXml } from "../../xml/parse.js";
import type { ElementName } from "./failing-element.js";

/** A line range, both ends included (0-based). */
export interface LineRange {
  from: number;
  to: number;
}

export interface XmlView {
  lines: string[];
  /** The element the refusal is about. */
  highlight: LineRange | null;
  /** A SOAP Fault in the message. */
  fault: LineRange | null;
}

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;
const INDENT = "  ";

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
function escapeAttr(text: string): string {
  return escapeText(text).replace(/"/g, "&quot;");
}

function matches(el: Element, name: ElementName): boolean {
  return (el.namespaceURI ?? "") === name.ns && el.localName === name.local;
}

function openTag(el: Element): string {
  const attrs: string[] = [];
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    attrs.push(` ${a.name}="${escapeAttr(a.value)}"`);
  }
  return `<${el.tagName}${attrs.join("")}`;
}

/** The element's own text when it has no child elements (whitespace-only text counts as none). */
function simpleText(el: Element): string | null {
  let text = "";
  for (let child: Node | null = el.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === ELEMENT) return null;
    if (child.nodeType === TEXT || child.nodeType === CDATA)
      text += (child as unknown as { data: string }).data;
  }
  return text.trim();
}

/**
 * `xml` indented for reading; `target` (optionally inside `within`) and the first Fault among
 * `faults` get their line ranges.
 */
export function xmlView(
  xml: string,
  target: { element: ElementName; within?: ElementName } | null = null,
  faults: readonly ElementName[] = [],
): XmlView {
  let root: Element;
  try {
    root = parseXml(xml, { maxBytes: 4 * 1024 * 1024, label: "message" }).documentElement!;
  } catch {
    return { lines: xml.split(/\r?\n/), highlight: null, fault: null };
  }
  const lines: string[] = [];
  let highlight: LineRange | null = null;
  let fault: LineRange | null = null;
  // Iterative, so that deeply nested input cannot overflow the stack.
  type Frame = { el: Element; depth: number; insideWithin: boolean; closing?: true; start?: number };
  const stack: Frame[] = [{ el: root, depth: 0, insideWithin: false }];
  const startOf = new Map<Element, { start: number; isTarget: boolean; isFault: boolean }>();
  const finish = (el: Element, end: number) => {
    const info = startOf.get(el);
    if (!info) return;
    if (info.isTarget && !highlight) highlight = { from: info.start, to: end };
    if (info.isFault && !fault) fault = { from: info.start, to: end };
  };
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { el, depth } = frame;
    const pad = INDENT.repeat(depth);
    if (frame.closing) {
      lines.push(`${pad}</${el.tagName}>`);
      finish(el, lines.length - 1);
      continue;
    }
    const isTarget =
      target !== null && matches(el, target.element) && (!target.within || frame.insideWithin) && !highlight;
    const isFault = faults.some((f) => matches(el, f)) && !fault;
    const start = lines.length;
    startOf.set(el, { start, isTarget, isFault });
    const text = simpleText(el);
    if (text !== null) {
      lines.push(
        text === "" ? `${pad}${openTag(el)}/>` : `${pad}${openTag(el)}>${escapeText(text)}</${el.tagName}>`,
      );
      finish(el, start);
      continue;
    }
    lines.push(`${pad}${openTag(el)}>`);
    const insideWithin = frame.insideWithin || (target?.within !== undefined && matches(el, target.within));
    stack.push({ el, depth, insideWithin, closing: true });
    const children: Element[] = [];
    for (let child: Node | null = el.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === ELEMENT) children.push(child as Element);
    }
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push({ el: children[i]!, depth: depth + 1, insideWithin });
    }
  }
  return { lines, highlight, fault };
}
