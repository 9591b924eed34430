/**
 * Client lanes: how the explorer gets every deploy time from three runs.
 *
 * The explorer's client asks for a new token for every call (its tokens live no longer than its
 * refresh margin), so what a call answers depends only on the harness's state and on the
 * certificate(s) the client is configured with at that moment — never on earlier calls. A client
 * deployed with the new certificate at `D` therefore answers, from `D` on, exactly as a client that
 * had the new certificate from the start, and before `D` exactly as one that kept the old one. For
 * one sequence of NemLog-in steps the runner makes three real runs — a client on the old
 * certificate, one on the new, one on the new with the old as fallback (the *lanes*) — and the
 * outcome of a deploy at any instant is the old lane up to it and the chosen lane from it. These
 * functions do that combining; they make no calls. (`exploreOrderings({verify: true})` also runs
 * each deploy as a scenario of its own and checks that both agree.)
 */
import type { EvaluatedInterval, FailureWindow } from "./result.js";
import { failureWindows, totalDowntime } from "./result.js";

/** The intervals of a lane run. */
export type Lane = EvaluatedInterval[];

/** The outcome over time of a client that switches from `before` to `after` at `deployMs`. */
export function combineLanes(before: Lane, after: Lane, deployMs: number): EvaluatedInterval[] {
  const out: EvaluatedInterval[] = [];
  for (const interval of before) {
    if (interval.fromMs >= deployMs) break;
    out.push({ ...interval, toMs: Math.min(interval.toMs, deployMs) });
  }
  for (const interval of after) {
    if (interval.toMs <= deployMs) continue;
    out.push({ ...interval, fromMs: Math.max(interval.fromMs, deployMs) });
  }
  return out;
}

/** Failure windows and downtime of a client that switches lanes at `deployMs`. */
export function deployOutcome(
  before: Lane,
  after: Lane,
  deployMs: number,
): { failures: FailureWindow[]; downtimeMs: number } {
  const failures = failureWindows(combineLanes(before, after, deployMs));
  return { failures, downtimeMs: totalDowntime(failures) };
}

/**
 * Every deploy instant that causes no downtime: from the end of the last failure of the `after`
 * lane to the start of the first failure of the `before` lane (both included), or null when the
 * two do not meet. Lanes cover [startMs, endMs).
 */
export function safeDeployWindow(
  before: Lane,
  after: Lane,
  startMs: number,
  endMs: number,
): { fromMs: number; toMs: number } | null {
  const firstFailure = before.find((interval) => !interval.outcome.ok && interval.toMs > interval.fromMs);
  let lastFailure: EvaluatedInterval | undefined;
  for (const interval of after)
    if (!interval.outcome.ok && interval.toMs > interval.fromMs) lastFailure = interval;
  const fromMs = lastFailure ? lastFailure.toMs : startMs;
  const toMs = firstFailure ? firstFailure.fromMs : endMs;
  return fromMs <= toMs ? { fromMs, toMs } : null;
}
