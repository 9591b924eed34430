/**
 * Property-based fuzzing of both endpoints (issue 10), shared by test/security/fuzz.test.ts
 * (1,000 mutations in `npm test`) and `npm run fuzz` (10,000, with timings): fast-check mutates
 * legitimate step-1 (RST) and step-2 (Ping / IndberetForloeb) messages — characters changed,
 * inserted or deleted inside signed content, markup snippets inserted, ranges deleted, duplicated
 * or swapped — and posts each mutant to a running harness over HTTP.
 *
 * Properties of every answer: no mutant is accepted unless it is the same message (everything a
 * signature covers is canonically the same as in the original: the change was white space inside
 * a tag, another quote character, an unsigned attribute on ds:Signature, the markup of a
 * SecurityTokenReference signed through the STR-Transform, which covers the token instead…);
 * no HTTP 5xx without a SOAP fault; every refusal is a SOAP fault of the endpoint's version; the
 * server never crashes (every request is answered). Each answer's time is recorded, for `npm run
 * fuzz` to report; tests do not assert it.
 */
import type { Element } from "@xmldom/xmldom";
import fc from "fast-check";
import { buildSignedRst } from "../src/client/rst.js";
import type { Harness } from "../src/harness/harness.js";
import type { Credential } from "../src/pki/index.js";
import { requestAction, requestBodyXml } from "../src/smdb/operations.js";
import { canonicalize } from "../src/xml/c14n.js";
import { buildIdwsRequest } from "../src/xml/idws.js";
import { NS } from "../src/xml/ns.js";
import { childElements, parseXml } from "../src/xml/parse.js";
import { rawEncryptedAssertion } from "../src/xml/wstrust.js";

export interface FuzzTarget {
  harness: Harness;
  client: Credential;
}

export interface FuzzAnswer {
  step: 1 | 2;
  status: number;
  ms: number;
  problem?: string;
  equivalentAccepted?: boolean;
}

export interface FuzzReport {
  mutations: number;
  accepted: number;
  equivalentAccepted: number;
  http5xxWithoutFault: number;
  notSoapFault: number;
  crashes: number;
  byStatus: Record<string, number>;
  ms: { p50: number; p99: number; max: number };
  problems: string[];
}

/** Characters and snippets a mutation inserts. */
const SNIPPETS = [
  "<",
  ">",
  "&",
  "&amp;",
  "&#0;",
  "&#x1F;",
  '"',
  "'",
  "=",
  "/",
  ":",
  "]]>",
  "<!--x-->",
  "<![CDATA[x]]>",
  "<?pi x?>",
  "<!DOCTYPE x>",
  '<x:A xmlns:x="urn:x"/>',
  ' xmlns:d1="urn:d" xmlns:d2="urn:d" d1:a="1" d2:a="2"',
  "<a>".repeat(80),
  "\u0000",
  "\uFFFE",
  "é",
  "0",
  "Z",
];

type Mutation =
  | { kind: "replace-char"; at: number; char: string }
  | { kind: "insert"; at: number; text: string }
  | { kind: "delete"; at: number; length: number }
  | { kind: "duplicate"; at: number; length: number; to: number }
  | { kind: "swap"; at: number; length: number; to: number };

/** A position in the message, uniform over its length (a fraction in [0, 1)). */
const position = fc.nat({ max: 2 ** 30 - 1 }).map((n) => n / 2 ** 30);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("replace-char" as const),
    at: position,
    char: fc.constantFrom("0", "1", "a", "Z", "=", "+", "/", "<", ">", "&", '"', " "),
  }),
  fc.record({ kind: fc.constant("insert" as const), at: position, text: fc.constantFrom(...SNIPPETS) }),
  fc.record({ kind: fc.constant("delete" as const), at: position, length: fc.integer({ min: 1, max: 400 }) }),
  fc.record({
    kind: fc.constant("duplicate" as const),
    at: position,
    length: fc.integer({ min: 1, max: 2000 }),
    to: position,
  }),
  fc.record({
    kind: fc.constant("swap" as const),
    at: position,
    length: fc.integer({ min: 1, max: 300 }),
    to: position,
  }),
);

/** Applies `m` to `xml` inside the Envelope's Header and Body (between the first `<` after the root and the root's end tag). */
function apply(xml: string, m: Mutation): string {
  const start = xml.indexOf(">", xml.indexOf("Envelope")) + 1;
  const end = xml.lastIndexOf("</");
  const span = end - start;
  const at = start + Math.floor(m.at * span);
  switch (m.kind) {
    case "replace-char":
      return xml.slice(0, at) + m.char + xml.slice(at + 1);
    case "insert":
      return xml.slice(0, at) + m.text + xml.slice(at);
    case "delete":
      return xml.slice(0, at) + xml.slice(Math.min(end, at + m.length));
    case "duplicate": {
      const piece = xml.slice(at, Math.min(end, at + m.length));
      const to = start + Math.floor(m.to * span);
      return xml.slice(0, to) + piece + xml.slice(to);
    }
    case "swap": {
      const a = at;
      const b = start + Math.floor(m.to * span);
      const [lo, hi] = a < b ? [a, b] : [b, a];
      const len = Math.min(m.length, hi - lo, end - hi);
      if (len <= 0) return xml;
      return (
        xml.slice(0, lo) +
        xml.slice(hi, hi + len) +
        xml.slice(lo + len, hi) +
        xml.slice(lo, lo + len) +
        xml.slice(hi + len)
      );
    }
  }
}

/**
 * What the signature protects, in canonical form: every element carrying an id (Body, Timestamp,
 * wsa headers, the BST or the token, …) and every SignedInfo and SignatureValue; undefined when
 * the message does not parse. Two messages with the same form differ only in parts no signature
 * covers and the endpoints do not read (an unsigned attribute on ds:Signature, white space in a
 * tag): accepting such a mutant is accepting the original message.
 */
function signedForm(xml: string): string | undefined {
  let root: Element;
  try {
    root = parseXml(xml).documentElement!;
  } catch {
    return undefined;
  }
  const parts: string[] = [];
  const walk = (el: Element) => {
    if (el.namespaceURI === NS.ds && el.localName === "Signature") {
      // Its own Id and KeyInfo are not signed: what counts is SignedInfo and the value.
      for (const child of childElements(el)) {
        if (child.localName === "SignedInfo") parts.push(`SI=${canonicalize(child)}`);
        if (child.localName === "SignatureValue")
          parts.push(`SV=${(child.textContent ?? "").replace(/\s+/g, "")}`);
      }
      return;
    }
    // A reference signed through the STR-Transform: the digest covers the token it points to
    // (included through its own id), not the reference's own markup.
    if (el.namespaceURI === NS.wsse && el.localName === "SecurityTokenReference") return;
    const attrs = el.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const attr = attrs.item(i)!;
      if (attr.localName === "Id" || attr.localName === "ID") parts.push(`${attr.value}=${canonicalize(el)}`);
    }
    for (let child = el.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 1) walk(child as unknown as Element);
    }
  };
  walk(root);
  return parts.sort().join("\n");
}

function isSoapFault(body: string, step: 1 | 2): boolean {
  try {
    const root = parseXml(body).documentElement!;
    const ns = step === 1 ? NS.soap11 : NS.soap12;
    if (root.namespaceURI !== ns || root.localName !== "Envelope") return false;
    return /<(\w+:)?Fault[\s>]/.test(body);
  } catch {
    return false;
  }
}

async function post(
  url: string,
  contentType: string,
  body: string,
): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": contentType }, body });
  return { status: res.status, body: await res.text() };
}

/** Legitimate originals: signed RSTs, and step-2 requests carrying a real token from the STS. */
export async function originals(target: FuzzTarget): Promise<{ step1: string[]; step2: string[] }> {
  const { harness: h, client } = target;
  const env = h.state.environment("production");
  const rst = () =>
    buildSignedRst({
      credential: client,
      to: env.stsEndpointReference,
      appliesTo: env.wspEntityId,
      nowMs: h.clock.nowMs(),
    }).xml;
  const tokenAnswer = await post(h.stsUrl("production"), "text/xml; charset=utf-8", rst());
  if (tokenAnswer.status !== 200) throw new Error(`no token for the fuzz originals: ${tokenAnswer.body}`);
  const token = rawEncryptedAssertion(tokenAnswer.body)!;
  const step2 = (operation: "Ping" | "IndberetForloeb", payload: unknown) =>
    buildIdwsRequest({
      action: requestAction(operation),
      to: h.wspUrl("production"),
      createdMs: h.clock.nowMs(),
      encryptedAssertionXml: token,
      bodyXml: requestBodyXml(operation, payload),
      privateKey: client.key.privateKey,
    }).xml;
  const course = {
    forloebId: "F-FUZZ-1",
    cpr: "0101901234",
    kommunekode: "101",
    behandlingssted: "Rusmiddelcenter",
    behandlingstype: "social",
    startdato: "2026-01-01",
    stoffer: ["cannabis"],
  };
  return {
    step1: Array.from({ length: 4 }, rst),
    step2: [...Array.from({ length: 4 }, () => step2("Ping", {})), step2("IndberetForloeb", course)],
  };
}

/** Runs `runs` mutations (half per step) against `target`; never throws for a finding, reports it. */
export async function fuzz(target: FuzzTarget, runs: number, seed?: number): Promise<FuzzReport> {
  const { harness: h } = target;
  const base = await originals(target);
  const canonical = new Map<string, string | undefined>();
  for (const xml of [...base.step1, ...base.step2]) canonical.set(xml, signedForm(xml));
  const answers: FuzzAnswer[] = [];
  const problems: string[] = [];
  const caseArb = fc.record({
    step: fc.constantFrom(1 as const, 2 as const),
    original: fc.nat(),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
  });
  await fc.assert(
    fc.asyncProperty(caseArb, async ({ step, original, mutations }) => {
      const pool = step === 1 ? base.step1 : base.step2;
      const source = pool[original % pool.length]!;
      const mutant = mutations.reduce(apply, source);
      if (mutant === source) return;
      const url = step === 1 ? h.stsUrl("production") : h.wspUrl("production");
      const contentType = step === 1 ? "text/xml; charset=utf-8" : "application/soap+xml; charset=utf-8";
      const started = performance.now();
      let answer: { status: number; body: string };
      try {
        answer = await post(url, contentType, mutant);
      } catch (error) {
        answers.push({ step, status: 0, ms: performance.now() - started, problem: "crash" });
        problems.push(
          `step ${step}: no answer (${(error as Error).message}) to ${JSON.stringify(mutations)}`,
        );
        return;
      }
      const ms = performance.now() - started;
      const record: FuzzAnswer = { step, status: answer.status, ms };
      if (answer.status === 200) {
        const same = signedForm(mutant) === canonical.get(source);
        if (same) record.equivalentAccepted = true;
        else {
          record.problem = "accepted";
          problems.push(
            `step ${step}: accepted a changed message after ${JSON.stringify(mutations)}: ${difference(source, mutant)}`,
          );
        }
      } else if (!isSoapFault(answer.body, step)) {
        record.problem = answer.status >= 500 ? "5xx-without-fault" : "not-soap-fault";
        problems.push(
          `step ${step}: HTTP ${answer.status} without a SOAP ${step === 1 ? "1.1" : "1.2"} fault: ${answer.body.slice(0, 200)}`,
        );
      }
      answers.push(record);
    }),
    { numRuns: runs, ...(seed === undefined ? {} : { seed }), endOnFailure: false },
  );
  // Still serving: /health answers and a legitimate call goes through.
  const health = await fetch(`${h.url}/health`).catch(() => undefined);
  if (health?.status !== 200) problems.push("/health does not answer 200 after the fuzzing");
  const times = answers.map((a) => a.ms).sort((a, b) => a - b);
  const q = (p: number) =>
    times.length ? times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]! : 0;
  const byStatus: Record<string, number> = {};
  for (const a of answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
  return {
    mutations: answers.length,
    accepted: answers.filter((a) => a.problem === "accepted").length,
    equivalentAccepted: answers.filter((a) => a.equivalentAccepted).length,
    http5xxWithoutFault: answers.filter((a) => a.problem === "5xx-without-fault").length,
    notSoapFault: answers.filter((a) => a.problem === "not-soap-fault").length,
    crashes: answers.filter((a) => a.problem === "crash").length,
    byStatus,
    ms: { p50: round(q(0.5)), p99: round(q(0.99)), max: round(times.at(-1) ?? 0) },
    problems: problems.slice(0, 20),
  };
}

/** Where two messages first differ, with some context of each. */
function difference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 80);
  return `at ${i}: …${a.slice(from, i + 40)}… became …${b.slice(from, i + 40)}…`;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
