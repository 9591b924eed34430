/**
 * Property-based fuzzing of both endpoints (bench/fuzz-engine.ts): 1,000 mutations of legitimate
 * step-1 and step-2 messages against a running harness — none accepted unless it is the same
 * message, no HTTP 5xx without a SOAP fault, every refusal a SOAP fault, no crash. Timings are
 * `npm run fuzz`'s (10,000 mutations), not asserted here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzz } from "../../bench/fuzz-engine.js";
import type { Harness } from "../../src/harness/harness.js";
import type { Credential } from "../../src/pki/index.js";
import { harnessWithSystemUser } from "../helpers/harness.js";

let h: Harness;
let old: Credential;

beforeAll(async () => {
  ({ harness: h, old } = await harnessWithSystemUser({
    name: "Kommune fuzz",
    entityId: "https://fuzz.example/wsc",
  }));
});

afterAll(async () => {
  await h?.close();
});

describe("fuzzing step 1 and step 2", () => {
  it("1,000 mutations: 0 accepted, 0 HTTP 5xx without a SOAP fault, 0 crashes", async () => {
    const report = await fuzz({ harness: h, client: old }, 1000);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ accepted: 0, http5xxWithoutFault: 0, notSoapFault: 0, crashes: 0 });
    expect(report.mutations).toBeGreaterThan(950);
  }, 600_000);
});
