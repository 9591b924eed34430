/**
 * Checking a rotation plan with the real engine: each moment the plan prints becomes a scenario
 * (the plan's steps at their moments, one of them moved to the moment being checked) that runs
 * through the real STS, SMDB and client; a plan is verified when every recommended, earliest and
 * latest moment gives no downtime and the check on integration answers as the plan says. The
 * downtime of a step a day late (or early) is what those runs measure.
 */
import { availableParallelism } from "node:os";
import { formatDuration } from "../core/clock.js";
import type { Environment } from "../core/events.js";
import { parseScenarioObject, type Scenario } from "./parse.js";
import {
  movedStep,
  OCES3_VALIDITY_MS,
  type Party,
  type PlanInput,
  type PlanStepId,
  type RunMoments,
  type Schedule,
  STEP_PARTY,
} from "./plan.js";
import { outcomeAt, type ScenarioResult } from "./result.js";
import { runScenario } from "./runner.js";
import { runInWorkers } from "./worker-pool.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How late (or early) a step is taken to be for "downtime if late". */
export const LATE_BY_MS = DAY;

/** What a call on integration with the new certificate answers at the test, per policy. */
export interface IntegrationCheck {
  atMs: number;
  /** `ok`, or the step-1 refusal that proves the certificate is registered and waits for the expiry. */
  expected: { ok: true } | { ok: false; step: 1; reason: "CERT_NOT_YET_ACTIVE" };
  /** The answer the engine gave at that moment (and at the test's earliest and latest moments). */
  verified: boolean;
  actual: string;
}

export interface Consequence {
  atMs: number;
  downtimeMs: number;
  reason: string | null;
}

export interface PlannedStep {
  id: PlanStepId;
  party: Party;
  recommendedMs: number;
  earliestMs: number;
  latestMs: number;
  /** Under `immediate`, for the provisioning of the target environment: the scheduled activation. */
  activationMs?: number;
  /** The step a day after its latest moment (the later steps following at once). */
  late?: Consequence;
  /** The step a day before its earliest moment, where that is a bound of its own (not just "when the certificate is at hand"). */
  early?: Consequence;
  /** Recommended, earliest and latest gave no downtime in the engine. */
  verified: boolean;
}

export interface RotationPlan {
  input: PlanInput;
  target: Environment;
  steps: PlannedStep[];
  integrationCheck?: IntegrationCheck;
  /** The scenario of the recommended plan (YAML-shaped; `--scenario` writes it). */
  scenario: Record<string, unknown>;
  verification: {
    runs: number;
    /** Real calls made through the STS and SMDB. */
    evaluations: number;
    verified: boolean;
    /** What did not hold, one sentence each. */
    problems: string[];
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A client token of one minute is due at once: the client asks for a token for every call. */
const STRICT_TOKEN_LIFETIME = "1m";

/**
 * The scenario of one set of moments, YAML-shaped: a client on `environment` (the target, or
 * integration for the check) starting with `cert` — the old one (with the new one deployed as
 * planned, the old one kept as fallback when the plan says so), or for the check on integration
 * the new one alone, as a test asks the STS for a token with exactly that certificate.
 */
export function planScenario(
  input: PlanInput,
  schedule: Schedule,
  moments: RunMoments,
  options: {
    name: string;
    environment: Environment;
    cert: "old" | "new";
    deploy: boolean;
    calls?: unknown[];
  },
): Record<string, unknown> {
  const at = moments.at;
  const times = Object.values(at) as number[];
  const startMs = Math.min(input.todayMs, ...times) - HOUR;
  const endMs = Math.max(input.oldNotAfterMs + 1, ...times, moments.activationMs ?? 0) + DAY;
  const newFrom = at.order ?? input.newNotBeforeMs;
  const steps: Array<Record<string, unknown>> = [];
  const envs = input.environments;
  if (at.upload !== undefined) {
    for (const environment of envs) {
      steps.push({
        at: iso(at.upload),
        do: "nemlogin.upload",
        with: { slot: "next", cert: "new", environment },
      });
    }
    steps.push({ at: iso(at.upload), do: "nemlogin.save" });
  }
  for (const [step, environment] of [
    ["provisionIntegration", "integration"],
    ["provisionProduction", "production"],
  ] as const) {
    const when = at[step];
    if (when === undefined) continue;
    const scheduled =
      environment === schedule.target && moments.activationMs !== undefined && moments.activationMs > when;
    steps.push({
      at: iso(when),
      do: "nemlogin.provision",
      with: { environment, ...(scheduled ? { at: iso(moments.activationMs!) } : {}) },
    });
  }
  if (options.deploy && at.deploy !== undefined) {
    steps.push({
      at: iso(at.deploy),
      do: "client.deploy",
      with: { cert: "new", fallback: input.fallback ? "old" : null },
    });
  }
  // Actions at one instant run in file order: the order of the plan.
  steps.sort((a, b) => Date.parse(a.at as string) - Date.parse(b.at as string));
  return {
    name: options.name,
    description:
      "A systembruger certificate rotation as planned by `smdb-harness plan`: upload and save, provision, " +
      "deploy — every call by a client that asks for a new token each time succeeds.",
    policy: input.policy,
    environment: options.environment,
    start: iso(startMs),
    end: iso(endMs),
    certificates: {
      old: {
        notBefore: iso(Math.min(startMs - DAY, input.oldNotAfterMs - OCES3_VALIDITY_MS)),
        notAfter: iso(input.oldNotAfterMs),
      },
      new: { notBefore: iso(newFrom), notAfter: iso(Math.max(input.newNotAfterMs, newFrom + DAY)) },
    },
    setup: {
      systemUser: { cert: "old", provisioned: ["integration", "production"] },
      client: {
        cert: options.cert,
        tokenLifetime: STRICT_TOKEN_LIFETIME,
      },
    },
    steps,
    expect: options.calls ? { calls: options.calls } : { downtime: "0s" },
  };
}

interface Job {
  kind: "recommended" | "earliest" | "latest" | "late" | "early" | "check";
  step?: PlanStepId;
  atMs?: number;
  scenario: Scenario;
}

function firstReason(result: ScenarioResult): string | null {
  return result.failures[0]?.reason ?? null;
}

/** Runs the jobs, in worker threads when there are several cores. */
async function runJobs(jobs: Job[], workers: number): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = new Array(jobs.length);
  if (workers <= 1) {
    for (const [index, job] of jobs.entries()) results[index] = await runScenario(job.scenario);
    return results;
  }
  await runInWorkers(
    jobs.map((job) => ({ scenario: job.scenario })),
    workers,
    (index, result) => {
      results[index] = result;
    },
    (index, reply) => new Error(`plan check ${jobs[index]!.scenario.name}: ${reply.message}`),
  );
  return results;
}

/** The expected answer of the check on integration under the policy, at `atMs`. */
function expectedCheck(input: PlanInput, atMs: number): IntegrationCheck["expected"] {
  return input.policy === "at-expiry" && atMs <= input.oldNotAfterMs
    ? { ok: false, step: 1, reason: "CERT_NOT_YET_ACTIVE" }
    : { ok: true };
}

/** Runs every check of the plan and puts the plan together. */
export async function verifyPlan(
  input: PlanInput,
  schedule: Schedule,
  options: { workers?: number } = {},
): Promise<RotationPlan> {
  const target = schedule.target;
  const jobs: Job[] = [];
  const production = (name: string, moments: RunMoments) =>
    parseScenarioObject(
      planScenario(input, schedule, moments, { name, environment: target, cert: "old", deploy: true }),
      {
        file: `<plan ${name}>`,
      },
    );
  const recommended = movedStep(input, schedule);
  const recommendedScenario = planScenario(input, schedule, recommended, {
    name: "rotation-plan",
    environment: target,
    cert: "old",
    deploy: true,
    calls: undefined,
  });
  jobs.push({ kind: "recommended", scenario: parseScenarioObject(recommendedScenario, { file: "<plan>" }) });
  const strictDeploy = input.policy === "at-expiry" && !input.fallback;
  for (const step of schedule.steps) {
    if (step === "testIntegration") continue;
    const t = schedule.times[step]!;
    jobs.push({
      kind: "earliest",
      step,
      atMs: t.earliestMs,
      scenario: production(`plan-${step}-earliest`, movedStep(input, schedule, step, t.earliestMs)),
    });
    jobs.push({
      kind: "latest",
      step,
      atMs: t.latestMs,
      scenario: production(`plan-${step}-latest`, movedStep(input, schedule, step, t.latestMs)),
    });
    const late = t.latestMs + LATE_BY_MS;
    jobs.push({
      kind: "late",
      step,
      atMs: late,
      scenario: production(`plan-${step}-late`, movedStep(input, schedule, step, late)),
    });
    if (step === "deploy" && strictDeploy) {
      const early = t.earliestMs - LATE_BY_MS;
      jobs.push({
        kind: "early",
        step,
        atMs: early,
        scenario: production(`plan-${step}-early`, movedStep(input, schedule, step, early)),
      });
    }
  }
  // The check on integration: a client there with the new certificate, at the test's moments.
  const test = schedule.times.testIntegration;
  if (test) {
    for (const [kind, atMs] of [
      ["check", test.recommendedMs],
      ["check", test.earliestMs],
      ["check", test.latestMs],
    ] as const) {
      const moments = movedStep(input, schedule, "testIntegration", atMs);
      const expected = expectedCheck(input, atMs);
      const calls = [
        expected.ok
          ? { at: iso(atMs), outcome: "ok", certificate: "new" }
          : { at: iso(atMs), outcome: "fail", step: 1, reason: expected.reason },
      ];
      const scenario = planScenario(input, schedule, moments, {
        name: "plan-integration-check",
        environment: "integration",
        cert: "new",
        deploy: false,
        calls,
      });
      jobs.push({
        kind,
        step: "testIntegration",
        atMs,
        scenario: parseScenarioObject(scenario, { file: "<plan check>" }),
      });
    }
  }

  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), jobs.length));
  const results = await runJobs(jobs, workers);
  const problems: string[] = [];
  for (const [index, result] of results.entries()) {
    if (result.error) problems.push(`${jobs[index]!.scenario.name}: ${result.error}`);
  }
  const describe = (job: Job, result: ScenarioResult) =>
    `${job.step ?? "plan"} at ${iso(job.atMs ?? 0)} (${job.kind}): the engine found ${formatDuration(result.downtimeMs)} downtime (${firstReason(result) ?? "—"})`;

  const steps: PlannedStep[] = schedule.steps.map((id) => {
    const t = schedule.times[id]!;
    const mine = jobs
      .map((job, index) => ({ job, result: results[index]! }))
      .filter(({ job }) => job.step === id);
    let verified = true;
    let late: Consequence | undefined;
    let early: Consequence | undefined;
    for (const { job, result } of mine) {
      if (job.kind === "late" || job.kind === "early") {
        const consequence = { atMs: job.atMs!, downtimeMs: result.downtimeMs, reason: firstReason(result) };
        if (job.kind === "late") late = consequence;
        else early = consequence;
      } else if (!result.passed) {
        verified = false;
        problems.push(
          job.kind === "check"
            ? `the check on integration at ${iso(job.atMs!)} did not answer as planned`
            : describe(job, result),
        );
      }
    }
    return {
      id,
      party: STEP_PARTY[id],
      recommendedMs: t.recommendedMs,
      earliestMs: t.earliestMs,
      latestMs: t.latestMs,
      ...(id === (target === "production" ? "provisionProduction" : "provisionIntegration") &&
      schedule.activationMs !== undefined
        ? { activationMs: schedule.activationMs }
        : {}),
      ...(late ? { late } : {}),
      ...(early ? { early } : {}),
      verified,
    };
  });
  const recommendedResult = results[0]!;
  if (!recommendedResult.passed) problems.unshift(describe(jobs[0]!, recommendedResult));
  let integrationCheck: IntegrationCheck | undefined;
  if (test) {
    const index = jobs.findIndex((job) => job.kind === "check");
    const result = results[index]!;
    const call = outcomeAt(result.intervals, test.recommendedMs)?.outcome;
    integrationCheck = {
      atMs: test.recommendedMs,
      expected: expectedCheck(input, test.recommendedMs),
      verified: steps.find((s) => s.id === "testIntegration")!.verified,
      actual: call ? (call.ok ? "OK" : `step ${call.step} ${call.reason}`) : "no call",
    };
  }
  return {
    input,
    target,
    steps,
    ...(integrationCheck ? { integrationCheck } : {}),
    scenario: recommendedScenario,
    verification: {
      runs: results.length,
      evaluations: results.reduce((sum, r) => sum + r.evaluations, 0),
      verified: problems.length === 0,
      problems,
    },
  };
}
