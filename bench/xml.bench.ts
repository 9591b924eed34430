/**
 * Parser limits before the DOM (issue 10): how long `parseXml` takes to refuse hostile inputs just
 * under the 1 MiB request cap — ~140,000 flat elements and 10⁵ nested ones — and to accept the
 * largest document the request limits let through (1,024 elements; the longest a hostile request
 * that passes the pre-scan keeps the event loop). For comparison, `xml.xmldom-only.*` is what
 * building the DOM first costs on the same inputs (the parser before the pre-scan).
 * `xml.hostile.<shape>` covers each parser-exhausting shape of test/security/parser.test.ts, 1 MiB
 * each: the test asserts that each is refused; this measures that it stays cheap — a bound no test
 * can assert on a loaded machine. No RSA work, so no ceiling.
 */
import { DOMParser } from "@xmldom/xmldom";
import { parseXml, REQUEST_LIMITS, XmlParseError } from "../src/xml/parse.js";
import type { BenchCase, BenchModule } from "./types.js";

const MiB = 1024 * 1024;
const flat = `<r>${"<a></a>".repeat(Math.floor((MiB - 20) / 7))}</r>`;
const nested = `${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}`;
/** As many elements as the request limits allow, each with two attributes and some text. */
const atLimit = `<r>${'<a x="1" y="2">t</a>'.repeat(REQUEST_LIMITS.maxNodes - 1)}</r>`;

function hostileShapes(): Record<string, string> {
  const depth = Math.floor((MiB - 10) / 7);
  let attrs = "";
  for (let i = 0; attrs.length < MiB - 100; i++) attrs += ` a${i}="1"`;
  let namespaces = "";
  for (let i = 0; namespaces.length < MiB / 2; i++) namespaces += ` xmlns:p${i}="urn:p${i}"`;
  const children = "<c/>".repeat(Math.floor((MiB / 2 - 100) / 4));
  const longName = "n".repeat(MiB - 100);
  return {
    "nesting-unclosed": "<a>".repeat(Math.floor((MiB - 10) / 3)),
    "nesting-closed": `${"<a>".repeat(depth)}${"</a>".repeat(depth)}`,
    attributes: `<r${attrs}/>`,
    namespaces: `<r${namespaces}>${children}</r>`,
    "long-element-name": `<${longName}/>`,
    "long-attribute-name": `<r ${longName}="1"/>`,
    comments: `<r>${"<!--x-->".repeat(Math.floor((MiB - 10) / 8))}</r>`,
  };
}

function refuse(input: string | Buffer): void {
  try {
    parseXml(input, { label: "request" });
  } catch (error) {
    if (!(error instanceof XmlParseError)) throw error;
    return;
  }
  throw new Error("the input was accepted");
}

function xmldomOnly(input: string): void {
  new DOMParser({ onError: () => {} }).parseFromString(input, "text/xml");
}

const slow = { warmupMs: 0, seconds: 1, minIterations: 2 };

const xmlBench: BenchModule = {
  async cases(): Promise<BenchCase[]> {
    return [
      { name: "xml.refuse.flat140k", keyBits: 0, run: () => refuse(flat) },
      { name: "xml.refuse.nested1e5", keyBits: 0, run: () => refuse(nested) },
      { name: "xml.parse.at-node-limit", keyBits: 0, run: () => void parseXml(atLimit) },
      { name: "xml.xmldom-only.flat140k", keyBits: 0, measure: slow, run: () => xmldomOnly(flat) },
      { name: "xml.xmldom-only.nested1e5", keyBits: 0, measure: slow, run: () => xmldomOnly(nested) },
      ...Object.entries(hostileShapes()).map(([shape, text]) => {
        const bytes = Buffer.from(text, "utf8");
        return { name: `xml.hostile.${shape}`, keyBits: 0, run: () => refuse(bytes) };
      }),
    ];
  },
};

export default xmlBench;
