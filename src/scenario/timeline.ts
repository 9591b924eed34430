/**
 * The evaluation loop: where on the scenario's time line the runner makes a real call, and what
 * each call's outcome covers.
 *
 * The outcome of a call can change only at a change of state — an action, a certificate bound, a
 * rollover moment — or when the client's token reaches an age at which it is renewed or refused.
 * The loop makes one real call at each such instant, and lets the outcome hold until the next.
 * A token renewal with no change of state since the token was obtained repeats the cycle before it
 * (src/scenario/cycles.ts): the loop copies the cycle up to the last renewal before the next
 * change, and calls for real again there. So the number of real calls grows with the number of
 * changes, not with the scenario's length divided by the token lifetime.
 */
import { appendMerged, repeatable, repeatCycle, sameAnswer } from "./cycles.js";
import type { ScenarioStep } from "./parse.js";
import type { CallOutcome, EvaluatedInterval } from "./result.js";

/** What the loop needs of a running scenario. */
export interface TimelineHost {
  /** Moves harness time (and the client's clock with it) to `ms`. */
  setTime(ms: number): Promise<void>;
  /** Performs one scenario action at the current time. */
  apply(step: ScenarioStep): Promise<void>;
  /** One real call by the client (steps 1 and 2, with its token cache). */
  call(): Promise<CallOutcome>;
  /** The state labels for the report, and the next rollover moment the STS reports (if any). */
  state(): Promise<{ client: string; nemlogin: string; nextRolloverMs: number | undefined }>;
  /** Instants after which the client's token is renewed or refused (harness time). */
  tokenInstants(): number[];
  /** When the client asks for a new token whatever happens (its refresh moment), if it holds one. */
  renewalAt(): number | undefined;
}

export interface TimelineOptions {
  startMs: number;
  endMs: number;
  /** The scenario's actions, in the order they run. */
  steps: ScenarioStep[];
  /** Instants where an input changes that do not depend on the client (actions, certificate bounds, …). */
  changeInstants: number[];
  /** Tests only: one call every this many ms instead of the exact instants. */
  sampleEveryMs?: number;
  /** Tests only: make a real call at every token renewal instead of copying cycles (the reference). */
  everyRenewal?: boolean;
}

export interface Timeline {
  intervals: EvaluatedInterval[];
  /** Real calls made. */
  evaluations: number;
  /** Token cycles copied instead of called (each would have been at least one real call). */
  repeatedCycles: number;
}

/** The first of the sorted `instants` after `t`, or `fallback`. */
function firstAfter(instants: number[], t: number, fallback: number): number {
  let lo = 0;
  let hi = instants.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (instants[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo < instants.length ? Math.min(instants[lo]!, fallback) : fallback;
}

export async function evaluateTimeline(host: TimelineHost, options: TimelineOptions): Promise<Timeline> {
  const { startMs, endMs } = options;
  const changes = [...new Set(options.changeInstants)]
    .filter((t) => t > startMs && t < endMs)
    .sort((a, b) => a - b);
  const intervals: EvaluatedInterval[] = [];
  let pending = options.steps.filter((step) => step.atMs < endMs);
  let evaluations = 0;
  let repeatedCycles = 0;
  const copying = !options.sampleEveryMs && !options.everyRenewal;
  /** The real call that obtained the client's current token, when nothing changed since. */
  let cycleStart: { atMs: number; index: number } | undefined;
  /** The first change of state after the previous call. */
  let changeAhead = endMs;
  /** After copying cycles: the call there must obtain a token as the copied cycle began. */
  let resumeOf: CallOutcome | undefined;
  let t = startMs;
  for (;;) {
    // Actions due by now, each at its own time (in sampling mode they may lie between samples).
    while (pending.length > 0 && pending[0]!.atMs <= t) {
      await host.setTime(pending[0]!.atMs);
      await host.apply(pending[0]!);
      pending = pending.slice(1);
    }
    if (t >= changeAhead) cycleStart = undefined;
    await host.setTime(t);
    const outcome = await host.call();
    evaluations++;
    if (resumeOf && !sameAnswer(resumeOf, outcome)) {
      throw new Error(
        `the token cycle copied up to ${new Date(t).toISOString()} did not repeat there (${outcome.reason} instead of ${resumeOf.reason}); please report this scenario`,
      );
    }
    resumeOf = undefined;
    const state = await host.state();
    intervals.push({ fromMs: t, toMs: endMs, outcome, client: state.client, nemlogin: state.nemlogin });
    // The next change of state: an instant from the list, the next action, or a rollover moment.
    let nextChange = firstAfter(changes, t, endMs);
    if (pending.length > 0) nextChange = Math.min(nextChange, pending[0]!.atMs);
    if (state.nextRolloverMs !== undefined && state.nextRolloverMs > t) {
      nextChange = Math.min(nextChange, state.nextRolloverMs);
    }
    changeAhead = nextChange;
    const fetched = outcome.step1.outcome === "ok";

    if (options.sampleEveryMs) {
      const next = Math.min(endMs, t + options.sampleEveryMs);
      intervals[intervals.length - 1]!.toMs = next;
      if (next >= endMs) break;
      t = next;
      continue;
    }

    // A renewal seen by a real call (e.g. SMDB refused the cached token and the client got a new
    // one): the cycle since the previous token repeats when that call answered as its first did.
    if (
      copying &&
      fetched &&
      cycleStart &&
      repeatable(cycleStart.atMs, t) &&
      sameAnswer(intervals[cycleStart.index]!.outcome, outcome)
    ) {
      const cycle = {
        startMs: cycleStart.atMs,
        endMs: t,
        intervals: intervals.slice(cycleStart.index, -1),
      };
      const repeat = repeatCycle(cycle, nextChange, nextChange >= endMs);
      if (repeat.cycles > 0 || repeat.resumeMs >= endMs) {
        intervals.pop();
        for (const copy of repeat.copies) appendMerged(intervals, copy);
        repeatedCycles += repeat.cycles;
        cycleStart = undefined;
        if (repeat.resumeMs >= endMs) break;
        resumeOf = outcome;
        t = repeat.resumeMs;
        continue;
      }
    }
    if (fetched) cycleStart = { atMs: t, index: intervals.length - 1 };

    let next = nextChange;
    const renewal = host.renewalAt();
    // A token due for renewal as soon as it arrives is never used twice: every call asks for a
    // new one, so the answer can change only at a change of state.
    const tokenless = !options.everyRenewal && renewal !== undefined && renewal <= t;
    if (!tokenless)
      for (const instant of host.tokenInstants()) if (instant > t) next = Math.min(next, instant);

    // A renewal the client will make whatever SMDB says, before any change: no call is needed to
    // know that it starts the same cycle again.
    if (
      copying &&
      cycleStart &&
      renewal !== undefined &&
      renewal === next &&
      next < nextChange &&
      repeatable(cycleStart.atMs, next)
    ) {
      intervals[intervals.length - 1]!.toMs = next;
      const cycle = {
        startMs: cycleStart.atMs,
        endMs: next,
        intervals: intervals.slice(cycleStart.index),
      };
      const repeat = repeatCycle(cycle, nextChange, nextChange >= endMs);
      for (const copy of repeat.copies) appendMerged(intervals, copy);
      repeatedCycles += repeat.cycles;
      if (repeat.resumeMs >= endMs) break;
      resumeOf = intervals[cycleStart.index]!.outcome;
      cycleStart = undefined;
      t = repeat.resumeMs;
      continue;
    }

    intervals[intervals.length - 1]!.toMs = next;
    if (next >= endMs) break;
    t = next;
  }
  return { intervals, evaluations, repeatedCycles };
}
