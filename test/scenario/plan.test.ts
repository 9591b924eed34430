/**
 * The rotation planner: bad input is refused with one sentence; the schedule follows the policy's
 * rules; and for a certificate expiring on a given day, under each policy, every moment of the plan
 * is confirmed by the real engine (verifyPlan runs the scenarios), a day late costs what it costs,
 * and the check on integration answers as the plan says.
 */
import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/core/clock.js";
import { parseScenarioObject } from "../../src/scenario/parse.js";
import {
  checkPlanInput,
  OCES3_VALIDITY_MS,
  type PlanInput,
  PlanInputError,
  proposeSchedule,
} from "../../src/scenario/plan.js";
import { planIcs, planJson, planText } from "../../src/scenario/plan-report.js";
import { verifyPlan } from "../../src/scenario/plan-verify.js";
import { runScenario } from "../../src/scenario/runner.js";

const DAY = 86_400_000;
/** A certificate expiring on 15 March 2027 (only the day given: 00:00:00 UTC). */
const EXPIRY = Date.parse("2027-03-15T00:00:00Z");

function input(changes: Partial<PlanInput> = {}): PlanInput {
  const newNotBeforeMs = Date.parse("2027-02-01T00:00:00Z");
  return {
    oldNotAfterMs: EXPIRY,
    oldExact: false,
    newNotBeforeMs,
    newNotAfterMs: newNotBeforeMs + OCES3_VALIDITY_MS,
    newExists: false,
    environments: ["integration", "production"],
    policy: "at-expiry",
    fallback: false,
    todayMs: Date.parse("2027-01-10T08:00:00Z"),
    ...changes,
  };
}

function refusal(changes: Partial<PlanInput>): string {
  try {
    checkPlanInput(input(changes));
  } catch (error) {
    expect(error).toBeInstanceOf(PlanInputError);
    return (error as Error).message;
  }
  return "accepted";
}

describe("plan input", () => {
  it("refuses, in one sentence, a new certificate that expires first, starts after the old one, or belongs to another CVR", () => {
    expect(refusal({ newNotAfterMs: EXPIRY - DAY })).toBe(
      "the new certificate expires at 2027-03-14T00:00:00Z, not after the old one (2027-03-15T00:00:00Z), so it cannot replace it: order one that is valid longer",
    );
    expect(refusal({ newNotBeforeMs: EXPIRY + 1000 })).toBe(
      "the new certificate is valid only from 2027-03-15T00:00:01Z, after the old one expires (2027-03-15T00:00:00Z), so no certificate would be valid in between: order the new one to start before 2027-03-15T00:00:00Z",
    );
    expect(refusal({ oldCvr: "91234567", newCvr: "92345678" })).toMatch(
      /^the new certificate belongs to CVR 92345678 and the old one to CVR 91234567: NemLog-in takes only/,
    );
    expect(refusal({ todayMs: EXPIRY + 1 })).toMatch(
      /^the old certificate expired at 2027-03-15T00:00:00Z, before the plan's start/,
    );
    for (const message of [
      refusal({ newNotAfterMs: EXPIRY - DAY }),
      refusal({ newNotBeforeMs: EXPIRY + 1000 }),
    ]) {
      expect(message.split("\n")).toHaveLength(1);
    }
    expect(refusal({})).toBe("accepted");
  });
});

describe("proposed schedule", () => {
  it("at-expiry without fallback: the client switches 1 ms after the expiry; everything else before it, in order", () => {
    const schedule = proposeSchedule(input());
    expect(schedule.steps).toEqual([
      "order",
      "upload",
      "provisionIntegration",
      "testIntegration",
      "provisionProduction",
      "deploy",
    ]);
    expect(schedule.times.deploy).toEqual({
      recommendedMs: EXPIRY + 1,
      earliestMs: EXPIRY + 1,
      latestMs: EXPIRY + 1,
    });
    expect(schedule.times.provisionProduction!.latestMs).toBe(EXPIRY);
    const recommended = schedule.steps.slice(1).map((s) => schedule.times[s]!.recommendedMs);
    expect([...recommended].sort((a, b) => a - b)).toEqual(recommended);
  });

  it("with fallback, overlap and immediate the client may switch earlier; immediate activates at the switch", () => {
    const fallback = proposeSchedule(input({ fallback: true }));
    expect(fallback.times.deploy!.earliestMs).toBe(Date.parse("2027-02-01T00:00:00Z"));
    expect(fallback.times.deploy!.recommendedMs).toBeLessThan(EXPIRY);
    const immediate = proposeSchedule(input({ policy: "immediate" }));
    expect(immediate.activationMs).toBe(immediate.times.deploy!.recommendedMs);
    expect(immediate.times.provisionProduction!.latestMs).toBe(EXPIRY + 1);
    const productionOnly = proposeSchedule(input({ environments: ["production"], newExists: true }));
    expect(productionOnly.steps).toEqual(["upload", "provisionProduction", "deploy"]);
  });
});

describe("verified plans for a certificate expiring on 15 March 2027", () => {
  const cases: Array<{ label: string; changes: Partial<PlanInput>; lateDeploy: number; check: string }> = [
    { label: "at-expiry", changes: {}, lateDeploy: DAY, check: "step 1 CERT_NOT_YET_ACTIVE" },
    {
      label: "at-expiry with fallback",
      changes: { fallback: true },
      lateDeploy: DAY,
      check: "step 1 CERT_NOT_YET_ACTIVE",
    },
    { label: "overlap", changes: { policy: "overlap" }, lateDeploy: DAY, check: "OK" },
    { label: "immediate", changes: { policy: "immediate" }, lateDeploy: DAY, check: "OK" },
  ];
  for (const c of cases) {
    it(`${c.label}: every moment confirmed by the engine, a day late costs a day`, async () => {
      const planInput = input(c.changes);
      const plan = await verifyPlan(planInput, proposeSchedule(planInput), { workers: 1 });
      expect(plan.verification.problems).toEqual([]);
      expect(plan.verification.verified).toBe(true);
      expect(plan.steps.every((s) => s.verified)).toBe(true);
      // Real runs: the recommended plan, each step at its earliest, latest and a day late, and the check.
      expect(plan.verification.runs).toBeGreaterThanOrEqual(1 + 3 * 5 + 3);
      expect(plan.verification.evaluations).toBeGreaterThan(plan.verification.runs);
      const deploy = plan.steps.find((s) => s.id === "deploy")!;
      expect(formatDuration(deploy.late!.downtimeMs)).toBe(formatDuration(c.lateDeploy));
      expect(plan.integrationCheck!.actual).toBe(c.check);
      expect(plan.integrationCheck!.verified).toBe(true);
      // The recommended plan as a scenario passes on its own.
      const result = await runScenario(parseScenarioObject(plan.scenario, { file: "<plan>" }));
      expect(result.passed, result.error).toBe(true);
      expect(result.downtimeMs).toBe(0);
      // Text, JSON and calendar.
      expect(planText(plan, "da")).toContain(
        "efterprøvet ved at køre de tilsvarende scenarier gennem den rigtige motor",
      );
      expect(planText(plan, "en")).toContain(
        "verified by running the corresponding scenario through the real engine",
      );
      const json = planJson(plan) as { steps: Array<{ id: string; latest: string }> };
      expect(json.steps.map((s) => s.id)).toEqual(plan.steps.map((s) => s.id));
      expect(planIcs(plan)).toContain("TRIGGER:-P14D");
    }, 300_000);
  }

  it("at-expiry without fallback: a day early is a day of CERT_NOT_YET_ACTIVE", async () => {
    const planInput = input({ environments: ["production"], newExists: true });
    const plan = await verifyPlan(planInput, proposeSchedule(planInput), { workers: 1 });
    const deploy = plan.steps.find((s) => s.id === "deploy")!;
    expect(deploy.early).toMatchObject({ downtimeMs: DAY, reason: "CERT_NOT_YET_ACTIVE" });
    expect(plan.integrationCheck).toBeUndefined();
    expect(planText(plan, "en")).toContain("No check on integration");
  }, 300_000);
});
