/**
 * `scenario run --target` against a harness over HTTPS (as a container runs by default): the
 * scenario's client trusts the TLS CA the harness names for its endpoints, so the results are
 * the in-process ones. (Before, every call of the scenario's client failed as STS_UNREACHABLE.)
 */
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HarnessBuilder } from "../../src/harness/harness.js";
import { runScenario } from "../../src/scenario/runner.js";

const SCENARIOS = resolve(import.meta.dirname, "../../scenarios");
let remote: Harness;

beforeAll(async () => {
  remote = await new HarnessBuilder()
    .withVirtualClock("2026-01-01T00:00:00Z")
    .withMessageClock("harness")
    .start();
});
afterAll(async () => {
  await remote?.close();
});

describe("scenario run --target over HTTPS", () => {
  it("gives the in-process results, reached by a host name the TLS certificate names", async () => {
    expect(remote.protocol).toBe("https");
    const target = { url: remote.url.replace("127.0.0.1", "localhost"), ca: remote.tlsCaPem };
    for (const name of ["client-environments-crossed.yaml", "sts-signing-rotated-pinned.yaml"]) {
      const file = join(SCENARIOS, name);
      const local = await runScenario(file);
      const viaHttps = await runScenario(file, { target });
      expect(
        viaHttps.failures.map((f) => [f.fromMs, f.toMs, f.step, f.reason]),
        name,
      ).toEqual(local.failures.map((f) => [f.fromMs, f.toMs, f.step, f.reason]));
      expect(viaHttps.downtimeMs, name).toBe(local.downtimeMs);
      expect(viaHttps.passed, name).toBe(true);
    }
  }, 300_000);
});
