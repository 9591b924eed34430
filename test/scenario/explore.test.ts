/**
 * The ordering explorer: which orderings it enumerates, and — through real runs — that it tells
 * the safe orders from the unsafe ones under each policy, with the reason, the deploy window to
 * the millisecond and each step's slack. `verify` runs every ordering as a scenario of its own
 * too and fails when that differs from what the three client lanes give.
 */
import { describe, expect, it } from "vitest";
import { exploreOrderings, orderCode, rotationVariants } from "../../src/scenario/explore.js";
import { runCli } from "../helpers/cli.js";

const HOUR = 3_600_000;

describe("ordering explorer", () => {
  it("enumerates every order with upload+save before both provisionings, with and without fallback", () => {
    const spaced = rotationVariants(false);
    expect(spaced).toHaveLength(80);
    const codes = new Set(spaced.map((v) => `${orderCode(v.order)}/${v.fallback}`));
    expect(codes.size).toBe(80);
    for (const v of spaced) {
      expect(v.order.indexOf("upload")).toBeLessThan(v.order.indexOf("provisionIntegration"));
      expect(v.order.indexOf("upload")).toBeLessThan(v.order.indexOf("provisionProduction"));
    }
    // With timings: the deploy also at the same instant as a provisioning of production or 1 ms after expiry.
    const all = rotationVariants(true);
    const together = all.filter((v) => v.timing === "together");
    expect(together.length).toBe(all.length - 80);
    for (const v of together) {
      expect(["provisionProduction", "expiry"]).toContain(v.order[v.order.indexOf("deploy") - 1]);
    }
  });

  it("at-expiry: the lanes agree with running each ordering on its own; before expiry only with fallback, after it exactly at 1 ms", async () => {
    const result = await exploreOrderings({
      policy: "at-expiry",
      match: "U-PI-PP-",
      workers: 1,
      verify: true,
    });
    expect(result.policy).toBe("at-expiry");
    // Two NemLog-in orders, three lanes each, and every one of the 14 orderings run on its own.
    expect(result.orderings).toHaveLength(14);
    expect(result.runs).toBe(6 + 14);
    const find = (order: string, fallback: boolean, timing: "spaced" | "together") =>
      result.orderings.find((o) => o.order === order && o.fallback === fallback && o.timing === timing)!;
    const early = find("U → PI → PP → D → E", false, "spaced");
    expect(early).toMatchObject({
      safe: false,
      firstFailureReason: "CERT_NOT_YET_ACTIVE",
      firstFailureStep: 1,
    });
    // Deploy at +7h, halfway between provisioning production (+6h) and the expiry (+8h): refused
    // until the first millisecond after the expiry.
    expect(early.downtimeMs).toBe(HOUR + 1);
    expect(early.steps).toEqual([
      "+2h upload+save",
      "+4h provision integration",
      "+6h provision production",
      "+7h client deploy new",
      "+8h old certificate expires",
    ]);
    expect(early.fromExpiry).toEqual([
      "-6h upload+save",
      "-4h provision integration",
      "-2h provision production",
      "-1h client deploy new",
      "0s old certificate expires",
    ]);
    expect(find("U → PI → PP → D → E", true, "spaced")).toMatchObject({ safe: true, downtimeMs: 0 });
    expect(find("U → PI → PP → E → D", false, "together")).toMatchObject({ safe: true, downtimeMs: 0 });
    const late = find("U → PI → PP → E → D", false, "spaced");
    // An hour late: refused from the first millisecond after the expiry until the deploy.
    expect(late).toMatchObject({ safe: false, firstFailureReason: "CERT_EXPIRED", downtimeMs: HOUR - 1 });
    // The deploy window of that NemLog-in order: one exact instant without fallback, hours with it.
    expect(late.deployWindow).toMatchObject({ fromExpiryMs: 1, toExpiryMs: 1, slackMs: 0 });
    expect(find("U → PI → PP → D → E", true, "spaced").deployWindow).toMatchObject({
      from: "+0s",
      fromExpiryMs: -8 * HOUR,
      toExpiryMs: 1,
    });
    // After the expiry nothing saves the rotation: the old certificate cannot be provisioned any more.
    const afterExpiry = result.sequences.filter((s) => s.order === "E → U → PI → PP");
    expect(afterExpiry.map((s) => s.safe)).toEqual([false, false]);
  }, 300_000);

  it("overlap: safe exactly when the client has a provisioned certificate at every moment", async () => {
    const result = await exploreOrderings({ policy: "overlap", match: "-U-PP-", workers: 1, timings: false });
    expect(result.orderings.length).toBe(12);
    expect(result.orderings.some((o) => o.safe)).toBe(true);
    expect(result.orderings.some((o) => !o.safe)).toBe(true);
    for (const o of result.orderings) {
      const steps = o.order.split(" → ");
      const [pp, d, e] = ["PP", "D", "E"].map((code) => steps.indexOf(code)) as [number, number, number];
      // Without fallback the new certificate must be provisioned before the deploy; with the old
      // one as fallback it is enough that it is provisioned before the old one expires. Either
      // way the deploy must come before the expiry.
      const safe = o.fallback ? d < e && pp < e : pp < d && d < e;
      expect(o.safe, `${o.order}, fallback ${o.fallback}`).toBe(safe);
      if (!o.safe) expect(o.firstFailureReason).toMatch(/^CERT_(EXPIRED|NOT_PROVISIONED|NOT_REGISTERED)$/);
    }
  }, 300_000);

  it("at-expiry, every order: the steps' slack follows from which orders are safe", async () => {
    const result = await exploreOrderings({ policy: "at-expiry", workers: 1 });
    expect(result.orderings).toHaveLength(112);
    expect(result.runs).toBe(8 * 3);
    // Safe NemLog-in orders: provision production before the expiry (3 of 8), with or without fallback.
    const safe = result.sequences
      .filter((s) => s.safe)
      .map((s) => `${s.order}${s.fallback ? " +fallback" : ""}`);
    expect(safe.sort()).toEqual(
      [
        "U → PI → PP → E",
        "U → PP → PI → E",
        "U → PP → E → PI",
        "U → PI → PP → E +fallback",
        "U → PP → PI → E +fallback",
        "U → PP → E → PI +fallback",
      ].sort(),
    );
    const sequence = result.sequences.find((s) => s.order === "U → PP → E → PI" && !s.fallback)!;
    expect(sequence.deployWindow).toMatchObject({ slackMs: 0, fromExpiryMs: 1 });
    const slack = Object.fromEntries(sequence.slack.map((s) => [s.step, `${s.earliest}; ${s.latest}`]));
    // Integration does not matter to a production client; production must be provisioned before the expiry.
    expect(slack).toEqual({
      "upload+save": "from the start; before provision production",
      "provision production": "after upload+save; before old certificate expires",
      "provision integration": "after upload+save; until the end",
    });
  }, 300_000);

  it("the client's key size changes no result: 2048-bit keys (the default) on two lanes equal 3072-bit keys on one", async () => {
    // Two lanes: the calling thread and a worker thread, sharing one queue of runs.
    const small = await exploreOrderings({ policy: "immediate", workers: 2 });
    const large = await exploreOrderings({ policy: "immediate", workers: 1, clientKeyBits: 3072 });
    expect(small.runs).toBe(24);
    expect(small.orderings).toHaveLength(112);
    expect(small.orderings).toEqual(large.orderings);
    expect(small.sequences).toEqual(large.sequences);
    expect(small.evaluations).toBe(large.evaluations);
  }, 300_000);

  it("scenario explore --json prints {policy, orderings: [{steps, downtimeMs, safe, firstFailureReason}]}", async () => {
    const run = await runCli([
      "scenario",
      "explore",
      "--policy",
      "immediate",
      "--match",
      "U-PI-PP-D-E",
      "--json",
      "--workers",
      "1",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as {
      policy: string;
      orderings: Array<{
        steps: string[];
        fromExpiry: string[];
        downtimeMs: number;
        safe: boolean;
        firstFailureReason: string | null;
        timing: string;
      }>;
      sequences: Array<{ order: string; safe: boolean }>;
    };
    expect(json.policy).toBe("immediate");
    expect(json.orderings.length).toBe(4);
    for (const o of json.orderings) {
      expect(o.steps).toHaveLength(5);
      expect(o.fromExpiry).toHaveLength(5);
      expect(typeof o.downtimeMs).toBe("number");
      expect(o.safe).toBe(o.downtimeMs === 0);
      expect(o.safe ? o.firstFailureReason : typeof o.firstFailureReason).toBe(o.safe ? null : "string");
    }
    // Under immediate, provisioning replaces the old certificate at once: the client must deploy then.
    expect(json.orderings.filter((o) => o.safe).map((o) => o.timing)).toEqual(["together", "together"]);
    expect(json.sequences.map((s) => s.order)).toEqual(["U → PI → PP → E", "U → PI → PP → E"]);

    const bad = await runCli(["scenario", "explore", "--match", "X-Y"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no ordering matches "X-Y"');
  }, 300_000);
});
