/**
 * Repeating a token cycle (src/scenario/cycles.ts): the copies cover the time from the cycle's end
 * to the last renewal before the next change (or to the end of the scenario), shifted by whole
 * periods, and a copied failure says which real call it repeats.
 */
import { describe, expect, it } from "vitest";
import { appendMerged, repeatCycle, sameAnswer } from "../../src/scenario/cycles.js";
import type { CallOutcome, EvaluatedInterval } from "../../src/scenario/result.js";

const OK: CallOutcome = {
  ok: true,
  step: 2,
  reason: "OK",
  step1: { outcome: "ok", reason: "OK", certificate: "old" },
  step2: { outcome: "ok", reason: "OK" },
};
const EXPIRED: CallOutcome = {
  ok: false,
  step: 2,
  reason: "TOKEN_EXPIRED",
  message: "the token expired at 1970-01-01T00:00:00.004Z",
  step1: { outcome: "cached", reason: "OK", certificate: "old" },
  step2: { outcome: "rejected", reason: "TOKEN_EXPIRED" },
};

function interval(fromMs: number, toMs: number, outcome: CallOutcome): EvaluatedInterval {
  return { fromMs, toMs, outcome, client: "old", nemlogin: "accepts old" };
}

const span = (intervals: EvaluatedInterval[]) => intervals.map((i) => [i.fromMs, i.toMs, i.outcome.reason]);

describe("repeatCycle", () => {
  it("a cycle of one interval: its copies are one interval up to the last renewal before the change", () => {
    const cycle = { startMs: 0, endMs: 10, intervals: [interval(0, 10, OK)] };
    const repeat = repeatCycle(cycle, 35, false);
    // Renewals at 10, 20, 30 come before the change at 35; the one at 30 is called for real.
    expect(span(repeat.copies)).toEqual([[10, 30, "OK"]]);
    expect(repeat.resumeMs).toBe(30);
    expect(repeat.cycles).toBe(2);
    expect(repeat.copies[0]!.outcome).toBe(OK);
  });

  it("at the end of the scenario the last copy is cut off there and no call is needed", () => {
    const repeat = repeatCycle({ startMs: 0, endMs: 10, intervals: [interval(0, 10, OK)] }, 35, true);
    expect(span(repeat.copies)).toEqual([[10, 35, "OK"]]);
    expect(repeat.resumeMs).toBe(35);
    expect(repeat.cycles).toBe(3);
  });

  it("a cycle of several intervals is copied interval by interval, shifted by whole periods", () => {
    const cycle = {
      startMs: 100,
      endMs: 110,
      intervals: [interval(100, 104, OK), interval(104, 110, EXPIRED)],
    };
    const repeat = repeatCycle(cycle, 135, false);
    expect(span(repeat.copies)).toEqual([
      [110, 114, "OK"],
      [114, 120, "TOKEN_EXPIRED"],
      [120, 124, "OK"],
      [124, 130, "TOKEN_EXPIRED"],
    ]);
    expect(repeat.resumeMs).toBe(130);
    const atEnd = repeatCycle(cycle, 132, true);
    expect(span(atEnd.copies).slice(-1)).toEqual([[130, 132, "OK"]]);
  });

  it("no copies when the next change comes within two periods: the renewal is called for real", () => {
    const repeat = repeatCycle({ startMs: 0, endMs: 10, intervals: [interval(0, 10, OK)] }, 20, false);
    expect(repeat.copies).toEqual([]);
    expect(repeat.resumeMs).toBe(10);
    expect(repeat.cycles).toBe(0);
  });

  it("a copied failure keeps its step and reason, and its message names the call it repeats", () => {
    const cycle = { startMs: 0, endMs: 10, intervals: [interval(0, 4, OK), interval(4, 10, EXPIRED)] };
    const [, failure] = repeatCycle(cycle, 25, false).copies;
    expect(failure!.outcome).toMatchObject({ ok: false, step: 2, reason: "TOKEN_EXPIRED" });
    expect(failure!.outcome.message).toBe(
      "the token expired at 1970-01-01T00:00:00.004Z (as at 1970-01-01T00:00:00.004Z: the token cycle repeats every 10ms)",
    );
    expect(sameAnswer(failure!.outcome, EXPIRED)).toBe(true);
    expect(sameAnswer(OK, EXPIRED)).toBe(false);
  });

  it("refuses a cycle without length", () => {
    expect(() => repeatCycle({ startMs: 5, endMs: 5, intervals: [] }, 10, false)).toThrow(RangeError);
  });
});

describe("appendMerged", () => {
  it("merges a continuation of the same evaluation, keeps anything else apart", () => {
    const list = [interval(0, 10, OK)];
    appendMerged(list, interval(10, 20, OK));
    expect(span(list)).toEqual([[0, 20, "OK"]]);
    appendMerged(list, interval(20, 30, { ...OK }));
    appendMerged(list, { ...interval(30, 40, OK), nemlogin: "accepts new" });
    appendMerged(list, interval(45, 50, OK));
    expect(list).toHaveLength(4);
  });
});
