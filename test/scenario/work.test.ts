/**
 * The engine's work grows with the number of changes, not with the scenario's length divided by
 * the token lifetime: the same rotation over 40 or 400 days, with 5-minute or 8-hour tokens,
 * takes the same number of real calls; each extra action adds a few. (How long that takes is
 * shown by `npm run bench`, not asserted here.)
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/scenario/runner.js";

/** A rotation with four actions: NemLog-in ready in time, the client deploys 2 h after expiry. */
function rotation(options: { end: string; tokenLifetime: string; extra?: Array<Record<string, unknown>> }) {
  return {
    name: "work",
    policy: "at-expiry",
    start: "2026-03-01T00:00:00Z",
    end: options.end,
    certificates: {
      old: { notBefore: "-1075d", notAfter: "+20d" },
      new: { notBefore: "-1d", notAfter: "+1094d" },
    },
    setup: {
      systemUser: { cert: "old", provisioned: ["integration", "production"] },
      client: { cert: "old", tokenLifetime: options.tokenLifetime },
    },
    steps: [
      { at: "+5d", do: "nemlogin.upload", with: { slot: "next", cert: "new" } },
      { at: "+5d", do: "nemlogin.save" },
      { at: "+6d", do: "nemlogin.provision" },
      { at: "+20d2h", do: "client.deploy", with: { cert: "new" } },
      ...(options.extra ?? []),
    ],
  };
}

describe("work grows with the changes, not with length ÷ token lifetime", () => {
  it("40 or 400 days, 5-minute or 8-hour tokens: the same real calls; the token cycles are repeated", async () => {
    const short = await runScenario(rotation({ end: "+40d", tokenLifetime: "5m" }));
    const long = await runScenario(rotation({ end: "+400d", tokenLifetime: "5m" }));
    const longTokens = await runScenario(rotation({ end: "+400d", tokenLifetime: "8h" }));
    for (const result of [short, long, longTokens]) expect(result.error).toBeUndefined();
    // The same downtime: the last 5-minute token before the expiry, then CERT_EXPIRED until the deploy.
    expect(short.downtimeMs).toBe(long.downtimeMs);
    expect(short.failures.map((f) => f.reason)).toEqual(["CERT_EXPIRED"]);
    expect(long.evaluations).toBe(short.evaluations);
    expect(short.evaluations).toBeLessThanOrEqual(longTokens.evaluations + 2);
    // A handful of calls per change (start, three action times, the expiry), not one per renewal.
    expect(short.evaluations).toBeLessThanOrEqual(3 * 5);
    // Renewals every 4 minutes: 40 days hold 14 400, 400 days ten times as many — all repeated.
    expect(short.repeatedCycles).toBeGreaterThan(14_000);
    expect(long.repeatedCycles).toBeGreaterThan(10 * 14_000);
    expect(long.intervals.length).toBe(short.intervals.length);
  }, 300_000);

  it("each further action adds calls", async () => {
    const base = await runScenario(rotation({ end: "+40d", tokenLifetime: "5m" }));
    const more = await runScenario(
      rotation({
        end: "+40d",
        tokenLifetime: "5m",
        extra: [
          { at: "+8d", do: "nemlogin.provision", with: { environment: "integration" } },
          { at: "+30d", do: "nemlogin.setPrivileges", with: { privileges: ["hent"] } },
        ],
      }),
    );
    expect(more.error).toBeUndefined();
    expect(more.evaluations).toBeGreaterThan(base.evaluations);
    expect(more.evaluations).toBeLessThanOrEqual(base.evaluations + 2 * 3);
    // Without the privilege to report, every call after the change fails at SMDB.
    expect(more.failures.map((f) => f.reason)).toEqual(["CERT_EXPIRED", "PRIVILEGE_MISSING"]);
  }, 300_000);
});
