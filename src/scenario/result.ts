/**
 * What a scenario run produces, and the pure parts of judging it: merging evaluated intervals
 * into failure windows and lanes, and checking the expectations. The runner fills `intervals`
 * from real calls; everything here only looks at them.
 */

import { formatDuration } from "../core/clock.js";
import type { Environment } from "../core/events.js";
import type { RolloverPolicy } from "../sts/rollover.js";
import type { Scenario } from "./parse.js";

export type StepNumber = 0 | 1 | 2;

/** One real call by the client (steps 1 and 2 with its token cache) at one instant. */
export interface CallOutcome {
  ok: boolean;
  /** The step that failed, or 2 when the call succeeded. */
  step: StepNumber;
  /** `OK` or the reason code of the failure. */
  reason: string;
  message?: string;
  /** Step 1: `ok` (a token was issued), `cached` (a cached token was used), `rejected`, `not-run`. */
  step1: { outcome: "ok" | "cached" | "rejected" | "not-run"; reason: string; certificate?: string };
  /** Step 2: `ok`, `rejected`, `not-run`. */
  step2: { outcome: "ok" | "rejected" | "not-run"; reason: string };
}

/** The outcome of the call evaluated at `fromMs`, which holds until `toMs` (exclusive). */
export interface EvaluatedInterval {
  fromMs: number;
  toMs: number;
  outcome: CallOutcome;
  /** The certificate(s) the client is configured with (scenario names), e.g. `new (fallback old)`. */
  client: string;
  /** NemLog-in's provisioned state for the client's environment, in words. */
  nemlogin: string;
}

export interface FailureWindow {
  fromMs: number;
  toMs: number;
  step: StepNumber;
  reason: string;
  message?: string;
}

export type Tone = "ok" | "fail" | "info" | "none";

export interface LaneSegment {
  fromMs: number;
  toMs: number;
  label: string;
  tone: Tone;
}

export interface ActionRecord {
  atMs: number;
  do: string;
  with: Record<string, unknown>;
  ok: boolean;
  /** What happened, in one sentence (e.g. why an upload was rejected). */
  message: string;
  line: number;
}

export interface ExpectationResult {
  kind: "downtime" | "failure" | "failures" | "call";
  label: string;
  expected: string;
  actual: string;
  ok: boolean;
  line?: number;
}

export interface ScenarioResult {
  name: string;
  description: string;
  file: string;
  policy: RolloverPolicy;
  environment: Environment;
  startMs: number;
  endMs: number;
  /** True when the scenario ran and every expectation held. */
  passed: boolean;
  downtimeMs: number;
  failures: FailureWindow[];
  intervals: EvaluatedInterval[];
  lanes: { nemlogin: LaneSegment[]; client: LaneSegment[]; step1: LaneSegment[]; step2: LaneSegment[] };
  actions: ActionRecord[];
  /** The scenario's certificates as issued (validity and thumbprint). */
  certificates: Array<{
    name: string;
    subject: string;
    sha256: string;
    notBeforeMs: number;
    notAfterMs: number;
  }>;
  expectations: ExpectationResult[];
  /** Real calls made (one per evaluated instant). */
  evaluations: number;
  /**
   * Token cycles repeated without calls: renewals with no change of state since the token before
   * (each repeats the cycle before it; see src/scenario/cycles.ts).
   */
  repeatedCycles: number;
  elapsedMs: number;
  /** Set when the scenario could not run at all. */
  error?: string;
}

/** `+12d`, `+30d1ms`, `+0s`: a time relative to the scenario's start. */
export function relTime(ms: number, startMs: number): string {
  const delta = ms - startMs;
  return delta < 0 ? formatDuration(delta) : `+${formatDuration(delta)}`;
}

/** Merges adjacent failing intervals with the same step and reason into windows. */
export function failureWindows(intervals: EvaluatedInterval[]): FailureWindow[] {
  const windows: FailureWindow[] = [];
  for (const interval of intervals) {
    if (interval.outcome.ok || interval.toMs <= interval.fromMs) continue;
    const last = windows[windows.length - 1];
    if (
      last &&
      last.toMs === interval.fromMs &&
      last.step === interval.outcome.step &&
      last.reason === interval.outcome.reason
    ) {
      last.toMs = interval.toMs;
    } else {
      windows.push({
        fromMs: interval.fromMs,
        toMs: interval.toMs,
        step: interval.outcome.step,
        reason: interval.outcome.reason,
        message: interval.outcome.message,
      });
    }
  }
  return windows;
}

export function totalDowntime(windows: FailureWindow[]): number {
  return windows.reduce((sum, window) => sum + (window.toMs - window.fromMs), 0);
}

/** Merges adjacent segments with the same label. */
function mergeSegments(segments: LaneSegment[]): LaneSegment[] {
  const out: LaneSegment[] = [];
  for (const segment of segments) {
    if (segment.toMs <= segment.fromMs) continue;
    const last = out[out.length - 1];
    if (last && last.toMs === segment.fromMs && last.label === segment.label && last.tone === segment.tone) {
      last.toMs = segment.toMs;
    } else {
      out.push({ ...segment });
    }
  }
  return out;
}

export function buildLanes(intervals: EvaluatedInterval[]): ScenarioResult["lanes"] {
  const lane = (pick: (interval: EvaluatedInterval) => { label: string; tone: Tone }) =>
    mergeSegments(
      intervals.map((interval) => ({ fromMs: interval.fromMs, toMs: interval.toMs, ...pick(interval) })),
    );
  return {
    nemlogin: lane((i) => ({ label: i.nemlogin, tone: "info" })),
    client: lane((i) => ({ label: i.client, tone: "info" })),
    step1: lane(({ outcome: { step1 } }) => {
      switch (step1.outcome) {
        case "ok":
          return { label: `token issued${step1.certificate ? ` (${step1.certificate})` : ""}`, tone: "ok" };
        case "cached":
          return { label: "cached token", tone: "ok" };
        case "rejected":
          return { label: step1.reason, tone: "fail" };
        case "not-run":
          return {
            label: step1.reason === "OK" ? "not run" : step1.reason,
            tone: step1.reason === "OK" ? "none" : "fail",
          };
      }
    }),
    step2: lane(({ outcome: { step2 } }) => {
      switch (step2.outcome) {
        case "ok":
          return { label: "OK", tone: "ok" };
        case "rejected":
          return { label: step2.reason, tone: "fail" };
        case "not-run":
          return { label: "not reached", tone: "none" };
      }
    }),
  };
}

function describeWindow(
  window: { fromMs: number; toMs: number; step: number; reason: string },
  startMs: number,
) {
  return `${relTime(window.fromMs, startMs)} → ${relTime(window.toMs, startMs)} step ${window.step} ${window.reason}`;
}

/** The outcome at `atMs`: the interval containing it (the last one for `atMs` = end). */
export function outcomeAt(intervals: EvaluatedInterval[], atMs: number): EvaluatedInterval | undefined {
  for (const interval of intervals) {
    if (atMs >= interval.fromMs && atMs < interval.toMs) return interval;
  }
  const last = intervals[intervals.length - 1];
  return last && atMs === last.toMs ? last : undefined;
}

/** Whether an actual time or duration matches an expected one at the expectation's precision. */
function near(actual: number, expected: number, precisionMs: number): boolean {
  return precisionMs <= 1 ? actual === expected : Math.abs(actual - expected) < precisionMs;
}

/** Checks the scenario's expectations against what happened. */
export function checkExpectations(
  scenario: Scenario,
  windows: FailureWindow[],
  downtimeMs: number,
  intervals: EvaluatedInterval[],
): ExpectationResult[] {
  const results: ExpectationResult[] = [];
  const start = scenario.startMs;
  const { downtime, failures, calls } = scenario.expect;
  if (downtime) {
    const actual = formatDuration(downtimeMs);
    if (downtime.exactMs !== undefined) {
      results.push({
        kind: "downtime",
        label: "downtime",
        expected: `${formatDuration(downtime.exactMs)}${downtime.precisionMs === 1 ? " (to the ms)" : ""}`,
        actual,
        ok: near(downtimeMs, downtime.exactMs, downtime.precisionMs),
      });
    } else {
      const min = downtime.minMs ?? 0;
      const max = downtime.maxMs ?? Number.POSITIVE_INFINITY;
      results.push({
        kind: "downtime",
        label: "downtime",
        expected: `between ${formatDuration(min)} and ${max === Number.POSITIVE_INFINITY ? "∞" : formatDuration(max)}${downtime.precisionMs === 1 ? " (to the ms)" : ""}`,
        actual,
        ok:
          (downtimeMs >= min || near(downtimeMs, min, downtime.precisionMs)) &&
          (downtimeMs <= max || near(downtimeMs, max, downtime.precisionMs)),
      });
    }
  }
  if (failures) {
    const matched = new Set<number>();
    for (const expected of failures) {
      const index = windows.findIndex(
        (w, i) =>
          !matched.has(i) &&
          near(w.fromMs, expected.fromMs, expected.precisionMs) &&
          near(w.toMs, expected.toMs, expected.precisionMs) &&
          w.step === expected.step &&
          w.reason === expected.reason,
      );
      if (index >= 0) matched.add(index);
      // For a miss, show the actual window that overlaps it most, to make the difference plain.
      const nearest =
        index >= 0
          ? windows[index]
          : windows
              .map((w) => ({
                w,
                overlap: Math.min(w.toMs, expected.toMs) - Math.max(w.fromMs, expected.fromMs),
              }))
              .filter((x) => x.overlap > 0)
              .sort((a, b) => b.overlap - a.overlap)[0]?.w;
      results.push({
        kind: "failure",
        label: `failure window`,
        expected: `${describeWindow(expected, start)}${expected.precisionMs === 1 ? " (to the ms)" : ""}`,
        actual: nearest ? describeWindow(nearest, start) : "no failure then",
        ok: index >= 0,
        line: expected.line,
      });
    }
    const unexpected = windows.filter((_, i) => !matched.has(i));
    if (unexpected.length > 0) {
      results.push({
        kind: "failures",
        label: "no other failure windows",
        expected: "none",
        actual: unexpected.map((w) => describeWindow(w, start)).join("; "),
        ok: false,
      });
    }
  }
  if (calls) {
    for (const call of calls) {
      const at = outcomeAt(intervals, call.atMs);
      const expected =
        call.outcome === "ok"
          ? `ok${call.certificate ? ` with ${call.certificate}` : ""}`
          : `fail${call.step !== undefined ? ` at step ${call.step}` : ""}${call.reason ? ` ${call.reason}` : ""}`;
      if (!at) {
        results.push({
          kind: "call",
          label: `call at ${relTime(call.atMs, start)}`,
          expected,
          actual: "outside the scenario's time span",
          ok: false,
          line: call.line,
        });
        continue;
      }
      const o = at.outcome;
      const usedCert = o.step1.certificate;
      const actual = o.ok ? `ok${usedCert ? ` with ${usedCert}` : ""}` : `fail at step ${o.step} ${o.reason}`;
      const ok =
        call.outcome === "ok"
          ? o.ok && (call.certificate === undefined || call.certificate === usedCert)
          : !o.ok &&
            (call.step === undefined || call.step === o.step) &&
            (call.reason === undefined || call.reason === o.reason);
      results.push({
        kind: "call",
        label: `call at ${relTime(call.atMs, start)}`,
        expected,
        actual,
        ok,
        line: call.line,
      });
    }
  }
  return results;
}
