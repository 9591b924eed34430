/**
 * Token cycles: between two changes of state, a client's calls repeat with each token it gets.
 *
 * Everything a call depends on is either a change of state (an action, a certificate bound, a
 * rollover moment: the runner lists them) or the age of the client's token. Between two changes,
 * a token obtained at `t` behaves at `t + d` exactly as a token obtained at `t0` behaved at
 * `t0 + d`: the STS issues the same token (same certificate, same lifetime, same privileges) and
 * SMDB judges it the same way at the same age. So once the runner has seen one whole cycle — from
 * one token request to the next, with real calls at every instant inside it where the answer can
 * change — the cycles that follow until the next change are copies of it, shifted by its period.
 * This module computes those copies; it makes no calls. docs/scenarios.md gives the argument.
 *
 * One refinement: messages write most times to the second (the requested wst:Lifetime, the
 * WS-Security timestamps), so a call answers alike only when shifted by whole seconds. A cycle
 * whose length is not a whole number of seconds (e.g. the first one after an action at a
 * millisecond instant) is therefore not copied; the one after it is.
 */
import { formatDuration } from "../core/clock.js";
import type { CallOutcome, EvaluatedInterval } from "./result.js";

/** Times in messages are written to the second: calls repeat under shifts by multiples of this. */
export const SHIFT_RESOLUTION_MS = 1000;

/** Whether a cycle from `startMs` to `endMs` can be repeated: its length is a whole number of seconds. */
export function repeatable(startMs: number, endMs: number): boolean {
  return endMs > startMs && (endMs - startMs) % SHIFT_RESOLUTION_MS === 0;
}

export interface ObservedCycle {
  /** When the client obtained the token the cycle begins with (a real call). */
  startMs: number;
  /** When it next asks for a token: the cycle's length is `endMs - startMs`. */
  endMs: number;
  /** The evaluated intervals of the cycle, covering [startMs, endMs) without gaps. */
  intervals: EvaluatedInterval[];
}

export interface CycleRepeat {
  /** Copies of the cycle's intervals, in time order, covering [cycle.endMs, resumeMs). */
  copies: EvaluatedInterval[];
  /**
   * Where real calls resume: the last token request before `nextChangeMs`, whose token may live
   * past the change (so it must be a real one) — or `nextChangeMs` itself when that is the end of
   * the scenario, where nothing follows and the last copy is cut off instead.
   */
  resumeMs: number;
  /** How many whole or partial cycles the copies stand for. */
  cycles: number;
}

/**
 * The copies of `cycle` from its end until the next change of state. `isEnd`: the next change is
 * the end of the scenario (nothing after it counts, so no real call is needed there).
 */
export function repeatCycle(cycle: ObservedCycle, nextChangeMs: number, isEnd: boolean): CycleRepeat {
  const period = cycle.endMs - cycle.startMs;
  if (!repeatable(cycle.startMs, cycle.endMs)) {
    throw new RangeError(`a token cycle must last a positive whole number of seconds, got ${period} ms`);
  }
  // Cycle starts before the change: startMs + k·period < nextChangeMs for k = 0 … last.
  const last = Math.ceil((nextChangeMs - cycle.startMs) / period) - 1;
  // Copies k = 1 … last - 1 always; at the end of the scenario copy k = last too, cut off there.
  const lastCopy = isEnd ? last : last - 1;
  const copies: EvaluatedInterval[] = [];
  const template = cycle.intervals.map((interval) => ({
    ...interval,
    outcome: copiedOutcome(interval, period),
  }));
  if (lastCopy >= 1 && template.length === 1) {
    // One interval per cycle: its copies make one interval with the same outcome throughout.
    copies.push({
      ...template[0]!,
      fromMs: cycle.endMs,
      toMs: Math.min(cycle.endMs + lastCopy * period, nextChangeMs),
    });
  } else {
    for (let k = 1; k <= lastCopy; k++) {
      const shift = k * period;
      for (const interval of template) {
        const fromMs = interval.fromMs + shift;
        if (fromMs >= nextChangeMs) break;
        appendMerged(copies, { ...interval, fromMs, toMs: Math.min(interval.toMs + shift, nextChangeMs) });
      }
    }
  }
  const resumeMs = isEnd ? nextChangeMs : cycle.startMs + last * period;
  return { copies, resumeMs, cycles: Math.max(0, lastCopy) };
}

/**
 * Appends an interval, merged into the last one when it continues it with the same outcome (the
 * same evaluation, copied) and the same state labels.
 */
export function appendMerged(intervals: EvaluatedInterval[], interval: EvaluatedInterval): void {
  const last = intervals[intervals.length - 1];
  if (
    last &&
    last.toMs === interval.fromMs &&
    last.outcome === interval.outcome &&
    last.client === interval.client &&
    last.nemlogin === interval.nemlogin
  ) {
    last.toMs = interval.toMs;
    return;
  }
  intervals.push(interval);
}

/**
 * The outcome a copy of `interval` carries: the same, except that a failure's message (which may
 * name times of the call it comes from) says which call it repeats.
 */
function copiedOutcome(interval: EvaluatedInterval, periodMs: number): CallOutcome {
  const { outcome } = interval;
  if (outcome.ok || outcome.message === undefined) return outcome;
  return {
    ...outcome,
    message: `${outcome.message} (as at ${new Date(interval.fromMs).toISOString()}: the token cycle repeats every ${formatDuration(periodMs)})`,
  };
}

/** Whether two calls answered alike (the same steps, outcomes and reasons; messages may name times). */
export function sameAnswer(a: CallOutcome, b: CallOutcome): boolean {
  return (
    a.ok === b.ok &&
    a.step === b.step &&
    a.reason === b.reason &&
    a.step1.outcome === b.step1.outcome &&
    a.step1.reason === b.step1.reason &&
    a.step1.certificate === b.step1.certificate &&
    a.step2.outcome === b.step2.outcome &&
    a.step2.reason === b.step2.reason
  );
}
