/**
 * The rotation planner (`smdb-harness plan`): from the old certificate's expiry, the new
 * certificate's validity, the environments and the rollover policy, a dated plan for the three
 * parties — the NemID administrator (orders the certificate in MitID Erhverv), the NemLog-in
 * administrator (uploads, saves, provisions) and the vendor's developers (test on integration,
 * deploy in the client) — with, per step, the recommended moment, the earliest and latest safe
 * moments, and the downtime if it is a day late (or early).
 *
 * This module holds the input checks and the schedule, pure functions of the input and the policy's
 * rules; every moment the plan prints is then checked by running the corresponding scenario
 * through the real engine (real STS, real SMDB, real client; plan-verify.ts). The client in those
 * runs asks for a new token for every call, so the dates hold whatever the token timing.
 */
import { HarnessError } from "../core/errors.js";
import type { Environment } from "../core/events.js";
import type { RolloverPolicy } from "../sts/rollover.js";

export const PLAN_STEPS = [
  "order",
  "upload",
  "provisionIntegration",
  "testIntegration",
  "provisionProduction",
  "deploy",
] as const;
export type PlanStepId = (typeof PLAN_STEPS)[number];

export type Party = "nemid-admin" | "nemlogin-admin" | "vendor";

export const STEP_PARTY: Record<PlanStepId, Party> = {
  order: "nemid-admin",
  upload: "nemlogin-admin",
  provisionIntegration: "nemlogin-admin",
  testIntegration: "vendor",
  provisionProduction: "nemlogin-admin",
  deploy: "vendor",
};

export interface PlanInput {
  /** The old certificate's notAfter (its last valid moment). */
  oldNotAfterMs: number;
  /** False when only a day was given (the plan then assumes 00:00:00 UTC and says so). */
  oldExact: boolean;
  oldCvr?: string | null;
  /** The new certificate's validity (notAfter: three years less a second when only notBefore is known). */
  newNotBeforeMs: number;
  newNotAfterMs: number;
  newCvr?: string | null;
  /** True when the new certificate itself was given (it exists: no ordering needed). */
  newExists: boolean;
  environments: Environment[];
  policy: RolloverPolicy;
  /** The client keeps the old certificate as fallback (`fallbackCertificate`). */
  fallback: boolean;
  /** When the plan starts (now). */
  todayMs: number;
}

/** Bad input for a plan: one sentence, exit 2. */
export class PlanInputError extends HarnessError {
  override readonly name = "PlanInputError";
}

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** OCES3 system certificates are valid three years less a second. */
export const OCES3_VALIDITY_MS = 3 * 365 * DAY - SECOND;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/** Throws PlanInputError for input no plan can work with. */
export function checkPlanInput(input: PlanInput): void {
  const e = input.oldNotAfterMs;
  if (input.oldCvr && input.newCvr && input.oldCvr !== input.newCvr) {
    throw new PlanInputError(
      "PLAN_CVR_MISMATCH",
      `the new certificate belongs to CVR ${input.newCvr} and the old one to CVR ${input.oldCvr}: NemLog-in takes only the organisation's own certificates for its systembruger, so order the new one for CVR ${input.oldCvr}`,
    );
  }
  if (input.newNotAfterMs <= e) {
    throw new PlanInputError(
      "PLAN_NEW_EXPIRES_FIRST",
      `the new certificate expires at ${iso(input.newNotAfterMs)}, not after the old one (${iso(e)}), so it cannot replace it: order one that is valid longer`,
    );
  }
  if (input.newNotBeforeMs > e) {
    throw new PlanInputError(
      "PLAN_NEW_STARTS_AFTER_OLD",
      `the new certificate is valid only from ${iso(input.newNotBeforeMs)}, after the old one expires (${iso(e)}), so no certificate would be valid in between: order the new one to start before ${iso(e)}`,
    );
  }
  if (input.todayMs > e) {
    throw new PlanInputError(
      "PLAN_OLD_EXPIRED",
      `the old certificate expired at ${iso(e)}, before the plan's start (${iso(input.todayMs)}): a plan cannot avoid downtime any more; upload, save, provision and deploy the new certificate at once`,
    );
  }
  if (input.environments.length === 0) {
    throw new PlanInputError(
      "PLAN_NO_ENVIRONMENT",
      "give at least one environment (integration, production)",
    );
  }
}

/** A step's moments. */
export interface StepTimes {
  recommendedMs: number;
  earliestMs: number;
  latestMs: number;
}

export interface Schedule {
  /** The steps that apply, in order (no ordering when the new certificate exists, no integration steps without it). */
  steps: PlanStepId[];
  times: Partial<Record<PlanStepId, StepTimes>>;
  /** Under `immediate`: when the new certificate becomes the active one (the scheduled activation). */
  activationMs?: number;
  /** The environment the client reports to: production when planned, else integration. */
  target: Environment;
  /** When the new certificate is first at hand: max(today, its notBefore). */
  readyMs: number;
}

/** 09:00 UTC on the day of `ms`, or the next day's when that has passed. */
function morningFrom(ms: number): number {
  const day = Math.floor(ms / DAY) * DAY + 9 * HOUR;
  return day >= ms ? day : day + DAY;
}

/**
 * The steps of a plan and their moments, by the policy's rules:
 *  - at-expiry: the STS takes the new certificate from the old one's notAfter + 1 ms, so the
 *    target environment must be provisioned by the expiry and a client without fallback must
 *    switch at that very moment; with the old one as fallback it can switch any time before.
 *  - overlap: both are accepted while valid: the client switches after the target environment is
 *    provisioned (any time, with fallback) and at the latest 1 ms after the old one expires.
 *  - immediate: provisioning replaces the old certificate at a scheduled activation; the client
 *    switches at the activation (any time before it, with fallback). The activation may be as late
 *    as 1 ms after the old certificate expires.
 * Recommended: upload and save the morning the new certificate is at hand, provision integration
 * an hour later, test on integration the next morning, provision production the morning after,
 * deploy the morning after that — never past a deadline. Earliest: when the new certificate is at
 * hand (the later steps following at once). Latest: the last moment without downtime when the
 * later steps follow at once.
 */
export function proposeSchedule(input: PlanInput): Schedule {
  const e = input.oldNotAfterMs;
  const afterExpiry = e + 1;
  const withIntegration = input.environments.includes("integration");
  const target: Environment = input.environments.includes("production") ? "production" : "integration";
  const checkOnIntegration = withIntegration && target === "production";
  const steps: PlanStepId[] = input.newExists ? ["upload"] : ["order", "upload"];
  if (withIntegration) steps.push("provisionIntegration");
  if (checkOnIntegration) steps.push("testIntegration");
  if (target === "production") steps.push("provisionProduction");
  steps.push("deploy");
  const provisionDeadline = input.policy === "immediate" ? afterExpiry : e;
  const strictDeploy = input.policy === "at-expiry" && !input.fallback;
  const ready = Math.max(input.todayMs, input.newNotBeforeMs);

  const recommended = new Map<PlanStepId, number>();
  const first = morningFrom(ready);
  recommended.set("order", input.newNotBeforeMs);
  recommended.set("upload", first);
  recommended.set("provisionIntegration", first + HOUR);
  recommended.set("testIntegration", first + DAY);
  recommended.set("provisionProduction", first + (checkOnIntegration ? 2 : 1) * DAY);
  const lastProvisionRecommended = recommended.get(
    target === "production" ? "provisionProduction" : "provisionIntegration",
  )!;
  recommended.set("deploy", strictDeploy ? afterExpiry : morningFrom(lastProvisionRecommended + DAY));
  // Never past a deadline, and each step no earlier than the one before it.
  let previous = Number.NEGATIVE_INFINITY;
  for (const step of steps) {
    const deadline =
      step === "deploy" ? afterExpiry : step === "order" ? Number.POSITIVE_INFINITY : provisionDeadline;
    let at = Math.min(recommended.get(step)!, deadline);
    if (step !== "order") at = Math.max(at, previous);
    recommended.set(step, at);
    if (step !== "order") previous = at;
  }
  const activationMs = input.policy === "immediate" ? recommended.get("deploy")! : undefined;

  const times: Partial<Record<PlanStepId, StepTimes>> = {};
  for (const step of steps) {
    const rec = recommended.get(step)!;
    let earliest = step === "order" ? input.todayMs : ready;
    let latest = provisionDeadline;
    if (step === "deploy") {
      earliest = strictDeploy ? afterExpiry : ready;
      latest = input.policy === "immediate" && input.fallback ? activationMs! : afterExpiry;
    }
    times[step] = {
      recommendedMs: rec,
      earliestMs: Math.min(earliest, rec),
      latestMs: Math.max(latest, rec),
    };
  }
  return { steps, times, ...(activationMs !== undefined ? { activationMs } : {}), target, readyMs: ready };
}

/** The moments of one verification run: every step of the schedule, and the activation under `immediate`. */
export interface RunMoments {
  at: Partial<Record<PlanStepId, number>>;
  activationMs?: number;
}

/**
 * The recommended moments with `step` moved to `atMs`: the steps before it no later, the steps after
 * it no earlier (they follow at once), so the order stays. Under `immediate` the activation is the
 * deploy without fallback (the client must switch then); with fallback it stays where planned,
 * unless provisioning comes later.
 */
export function movedStep(
  input: PlanInput,
  schedule: Schedule,
  step?: PlanStepId,
  atMs?: number,
): RunMoments {
  const at: Partial<Record<PlanStepId, number>> = {};
  const index = step === undefined ? -1 : schedule.steps.indexOf(step);
  schedule.steps.forEach((s, i) => {
    const rec = schedule.times[s]!.recommendedMs;
    if (index < 0 || atMs === undefined) at[s] = rec;
    else if (i < index) at[s] = Math.min(rec, atMs);
    else if (i > index) at[s] = Math.max(rec, atMs);
    else at[s] = atMs;
  });
  if (input.policy !== "immediate") return { at };
  const provision = at[schedule.target === "production" ? "provisionProduction" : "provisionIntegration"]!;
  const activationMs = input.fallback ? Math.max(schedule.activationMs!, provision) : at.deploy!;
  return { at, activationMs };
}
