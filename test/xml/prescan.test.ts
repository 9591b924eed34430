/**
 * The pre-scan that enforces parser limits before any DOM is built (src/xml/prescan.ts): hostile
 * shapes just under the 1 MiB cap are refused after looking at a small prefix of the input and
 * without xmldom ever running; real step-1 and step-2 messages pass with room to spare; the
 * tokenizer agrees with xmldom on what is a node (a property test); and an element carrying one
 * expanded attribute name twice is refused (xmldom alone keeps the last value).
 */
import { DOMParser } from "@xmldom/xmldom";
import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { buildSignedRst } from "../../src/client/rst.js";
import { parseXml, REQUEST_LIMITS, XmlParseError } from "../../src/xml/parse.js";
import { prescanXml } from "../../src/xml/prescan.js";
import { ENDPOINTS, type StsFixture, stsFixture, WSP_ID } from "../sts/fixture.js";
import { type Bench, buildRequest, COURSE, createBench, START } from "../wsp/helpers.js";

const MiB = 1024 * 1024;

/** ~140,000 flat empty elements, just under 1 MiB. */
function flatFlood(): string {
  const count = Math.floor((MiB - 20) / 7);
  return `<r>${"<a></a>".repeat(count)}</r>`;
}

/** 10⁵ nested elements, closed (700,000 characters). */
function nestedFlood(): string {
  return `${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}`;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("hostile shapes are refused before any DOM is built", () => {
  it.each([
    ["~140,000 flat elements", flatFlood, /more than 1024 elements/],
    ["10⁵ nested elements", nestedFlood, /deeper than the limit of 64/],
    ["131,000 comments", () => `<r>${"<!--x-->".repeat(131_000)}</r>`, /more than 1024 elements, comments/],
    ["100,000 attributes on one element", () => `<r${' a="1"'.repeat(100_000)}/>`, /more than 64 attributes/],
    ["an element name of 1 MiB", () => `<${"n".repeat(MiB - 10)}/>`, /name longer than 512/],
    [
      "an attribute value of 900 KiB",
      () => `<r v="${"v".repeat(900 * 1024)}"/>`,
      /attribute value of 921600/,
    ],
    ["a text of 900 KiB", () => `<r>${"t".repeat(900 * 1024)}</r>`, /text of 921600 characters in <r>/],
  ])("%s: MALFORMED_REQUEST from a short prefix, xmldom never called", (_name, make, message) => {
    const input = make();
    expect(input.length).toBeLessThan(MiB);
    const parse = vi.spyOn(DOMParser.prototype, "parseFromString");
    let error: unknown;
    try {
      parseXml(input, { label: "request" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XmlParseError);
    expect((error as XmlParseError).reason).toBe("MALFORMED_REQUEST");
    expect((error as Error).message).toMatch(message);
    expect(parse).not.toHaveBeenCalled();
  });

  it("the scan stops at the first limit passed: it reads a prefix, not the whole input", () => {
    const flat = prescanXml(flatFlood(), REQUEST_LIMITS, "request");
    expect(flat.refusal?.kind).toBe("limit");
    expect(flat.nodes).toBe(REQUEST_LIMITS.maxNodes + 1);
    expect(flat.scannedChars).toBeLessThan((REQUEST_LIMITS.maxNodes + 1) * 7 + 10);
    const nested = prescanXml(nestedFlood(), REQUEST_LIMITS, "request");
    expect(nested.refusal?.kind).toBe("limit");
    expect(nested.nodes).toBe(65);
    expect(nested.scannedChars).toBeLessThan(65 * 3 + 10);
  });

  it("markup inside comments, CDATA sections and attribute values is not counted as elements", () => {
    const hidden = "<a><b/></a>".repeat(1000);
    const doc = `<r v="${hidden.replace(/</g, "&lt;")}"><!--${hidden}--><![CDATA[${hidden}]]></r>`;
    const scan = prescanXml(doc, REQUEST_LIMITS);
    expect(scan.refusal).toBeUndefined();
    expect(scan.nodes).toBe(3);
  });
});

describe("real messages pass with room to spare", () => {
  let sts: StsFixture;
  let wsp: Bench;
  beforeAll(async () => {
    sts = await stsFixture();
    wsp = await createBench();
  });

  it("a step-1 RST and step-2 Ping/IndberetForloeb requests use a small part of every limit", () => {
    const rst = buildSignedRst({
      credential: sts.client,
      to: ENDPOINTS.production,
      appliesTo: WSP_ID.production,
      nowMs: sts.clock.nowMs(),
    }).xml;
    wsp.clock.set(START);
    const ping = buildRequest(wsp, "Ping").xml;
    const indberet = buildRequest(wsp, "IndberetForloeb", { payload: COURSE }).xml;
    for (const xml of [rst, ping, indberet]) {
      const scan = prescanXml(xml, REQUEST_LIMITS, "request");
      expect(scan.refusal).toBeUndefined();
      expect(scan.nodes).toBeGreaterThan(10);
      expect(scan.nodes).toBeLessThan(REQUEST_LIMITS.maxNodes / 8);
      expect(() => parseXml(xml)).not.toThrow();
    }
  });
});

describe("the tokenizer agrees with xmldom", () => {
  /** Random well-formed documents: elements, attributes, namespaces, text, comments, CDATA, PIs. */
  const name = fc.constantFrom("a", "b", "p:c", "q:d", "e-f", "g.h");
  const text = fc.string({ unit: fc.constantFrom("x", " ", "&amp;", "&lt;", ">", "'", '"', "\n", "é") });
  type Node = string;
  const { node } = fc.letrec<{ node: Node }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      text,
      text.map((t) => `<!--${t.replace(/-/g, "")}-->`),
      // (xmldom builds no node for an empty CDATA section, so none is generated)
      text.map((t) => `<![CDATA[x${t.replace(/]]>/g, "")}]]>`),
      fc.constant("<?pi data?>"),
      fc
        .tuple(
          name,
          fc.uniqueArray(fc.constantFrom("x", "y", "p:z", "q:z", "xmlns:p", "xmlns:q"), { maxLength: 4 }),
          fc.array(tie("node"), { maxLength: 4 }),
          fc.boolean(),
        )
        .map(([tag, attrs, children, selfClose]) => {
          const attributes = attrs
            .map((a) => ` ${a}="${a.startsWith("xmlns:") ? `urn:${a.slice(6)}` : "v&amp;'"}"`)
            .join("");
          const open = `${tag}${attributes}`;
          return selfClose && children.length === 0 ? `<${open}/>` : `<${open}>${children.join("")}</${tag}>`;
        }),
    ),
  }));
  const document = fc
    .array(node, { maxLength: 5 })
    .map((children) => `<root xmlns:p="urn:p" xmlns:q="urn:q2">${children.join("")}</root>`);

  function domNodes(n: { childNodes?: ArrayLike<unknown>; nodeType: number }): number {
    let count = [1, 4, 7, 8].includes(n.nodeType) ? 1 : 0;
    const children = n.childNodes ?? [];
    for (let i = 0; i < children.length; i++) count += domNodes(children[i] as typeof n);
    return count;
  }

  it("counts exactly the elements, comments, CDATA sections and PIs xmldom builds", () => {
    fc.assert(
      fc.property(document, (xml) => {
        const scan = prescanXml(xml, REQUEST_LIMITS);
        expect(scan.refusal).toBeUndefined();
        const errors: string[] = [];
        const doc = new DOMParser({
          onError: (_level, message) => errors.push(String(message)),
        }).parseFromString(xml, "text/xml");
        expect(errors).toEqual([]);
        expect(scan.nodes).toBe(domNodes(doc as never));
      }),
      { numRuns: 300 },
    );
  });

  it("never throws, whatever the input", () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom("<", ">", "/", "!", "?", "-", "[", "]", '"', "'", "=", " ", "a", ":", "x"),
        }),
        (input) => {
          prescanXml(input, REQUEST_LIMITS);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("one expanded attribute name twice is not namespace-well-formed", () => {
  const twice = '<r xmlns:a="urn:same" xmlns:b="urn:same"><e a:x="1" b:x="2"/></r>';

  it("xmldom alone accepts it and keeps the last value (what the pre-scan is there for)", () => {
    const doc = new DOMParser().parseFromString(twice, "text/xml");
    const e = doc.getElementsByTagName("e")[0]!;
    expect(e.getAttributeNS("urn:same", "x")).toBe("2");
  });

  it("is refused as MALFORMED_REQUEST, also when the prefix is bound on the element itself or inherited", () => {
    for (const xml of [
      twice,
      '<e xmlns:a="urn:n" xmlns:b="urn:n" a:x="1" b:x="2"/>',
      '<r xmlns:a="urn:n"><s xmlns:b="urn:n"><e b:x="1" a:x="2"/></s></r>',
      '<e x="1" x="2"/>',
    ]) {
      expect(() => parseXml(xml), xml).toThrow(/twice/);
    }
  });

  it("distinct expanded names pass: two prefixes for two namespaces, an unprefixed name beside a prefixed one, rebinding in a child", () => {
    for (const xml of [
      '<e xmlns:a="urn:1" xmlns:b="urn:2" a:x="1" b:x="2"/>',
      '<e xmlns:a="urn:1" x="1" a:x="2"/>',
      '<r xmlns:a="urn:1" xmlns:b="urn:2"><e b:x="1" a:x="2"/><s xmlns:b="urn:3"><e b:x="1" a:x="2"/></s></r>',
    ]) {
      expect(() => parseXml(xml), xml).not.toThrow();
    }
  });
});
