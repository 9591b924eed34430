/**
 * The ordering explorer: which orderings it enumerates, and — through real runs of a subset —
 * that it tells the safe orders from the unsafe ones under each policy, with the reason.
 */
import { describe, expect, it } from "vitest";
import { exploreOrderings, orderCode, rotationVariants } from "../../src/scenario/explore.js";
import { runCli } from "../helpers/cli.js";

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

  it("at-expiry: switching before expiry fails without fallback, is safe with it, and switching 1 ms after expiry is safe", async () => {
    const result = await exploreOrderings({ policy: "at-expiry", match: "U-PI-PP-", workers: 1 });
    expect(result.policy).toBe("at-expiry");
    const find = (order: string, fallback: boolean, timing: "spaced" | "together") =>
      result.orderings.find((o) => o.order === order && o.fallback === fallback && o.timing === timing)!;
    const early = find("U → PI → PP → D → E", false, "spaced");
    expect(early).toMatchObject({
      safe: false,
      firstFailureReason: "CERT_NOT_YET_ACTIVE",
      firstFailureStep: 1,
    });
    // Deploy at +1d12h (9 h after provisioning production at +1d3h); the old one expires at +1d21h.
    expect(early.downtimeMs).toBe(9 * 3_600_000 + 1);
    expect(early.steps).toEqual([
      "+9h upload+save",
      "+18h provision integration",
      "+1d3h provision production",
      "+1d12h client deploy new",
      "+1d21h old certificate expires",
    ]);
    expect(find("U → PI → PP → D → E", true, "spaced")).toMatchObject({ safe: true, downtimeMs: 0 });
    expect(find("U → PI → PP → E → D", false, "together")).toMatchObject({ safe: true, downtimeMs: 0 });
    const late = find("U → PI → PP → E → D", false, "spaced");
    expect(late).toMatchObject({ safe: false, firstFailureReason: "CERT_EXPIRED" });
    // The cached token carries the client past the expiry for a while, not through the whole gap.
    expect(late.downtimeMs).toBeGreaterThan(0);
    expect(late.downtimeMs).toBeLessThan(9 * 3_600_000);
  });

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
  });

  it("scenario explore --json prints {policy, orderings: [{steps, downtimeMs, safe, firstFailureReason}]}", async () => {
    const run = await runCli([
      "scenario",
      "explore",
      "--policy",
      "immediate",
      "--match",
      "U-PI-PP-D-E",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as {
      policy: string;
      orderings: Array<{
        steps: string[];
        downtimeMs: number;
        safe: boolean;
        firstFailureReason: string | null;
      }>;
    };
    expect(json.policy).toBe("immediate");
    expect(json.orderings.length).toBe(4);
    for (const o of json.orderings) {
      expect(o.steps).toHaveLength(5);
      expect(typeof o.downtimeMs).toBe("number");
      expect(o.safe).toBe(o.downtimeMs === 0);
      expect(o.safe ? o.firstFailureReason : typeof o.firstFailureReason).toBe(o.safe ? null : "string");
    }
    // Under immediate, provisioning replaces the old certificate at once: the client must deploy then.
    expect(json.orderings.filter((o) => o.safe)).toHaveLength(2);

    const bad = await runCli(["scenario", "explore", "--match", "X-Y"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no ordering matches "X-Y"');
  });
});
