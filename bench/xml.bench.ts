/**
 * Parser limits before the DOM (issue 10): how long `parseXml` takes to refuse hostile inputs just
 * under the 1 MiB request cap — ~140,000 flat elements and 10⁵ nested ones — and to accept the
 * largest document the request limits let through (1,024 elements; the longest a hostile request
 * that passes the pre-scan keeps the event loop). For comparison, `xml.xmldom-only.*` is what
 * building the DOM first costs on the same inputs (the parser before the pre-scan). No RSA work,
 * so no ceiling.
 */
import { DOMParser } from "@xmldom/xmldom";
import { parseXml, REQUEST_LIMITS } from "../src/xml/parse.js";
import type { BenchCase, BenchModule } from "./types.js";

const MiB = 1024 * 1024;
const flat = `<r>${"<a></a>".repeat(Math.floor((MiB - 20) / 7))}</r>`;
const nested = `${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}`;
/** As many elements as the request limits allow, each with two attributes and some text. */
const atLimit = `<r>${'<a x="1" y="2">t</a>'.repeat(REQUEST_LIMITS.maxNodes - 1)}</r>`;

function refuse(input: string): void {
  try {
    parseXml(input, { label: "request" });
  } catch {
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
    ];
  },
};

export default xmlBench;
