/**
 * Repeating a token cycle (src/scenario/cycles.ts): the copies cover the time from the cycle's end
 * to the last renewal before the next change (or to the end of the scenario), shifted by whole
 * periods, and a copied failure says which real call it repeats.
 */
import { describe, expect, it } from "vitest";
import { appendMerged, repeatable, repeatCycle, sameAnswer } from "../../src/scenario/cycles.js";
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
  message: "the token expired at 1970-01-01T00:00:04.000Z",
  step1: { outcome: "cached", reason: "OK", certificate: "old" },
  step2: { outcome: "rejected", reason: "TOKEN_EXPIRED" },
};

function interval(fromMs: number, toMs: number, outcome: CallOutcome): EvaluatedInterval {
  return { fromMs, toMs, outcome, client: "old", nemlogin: "accepts old" };
}

const span = (intervals: EvaluatedInterval[]) => intervals.map((i) => [i.fromMs, i.toMs, i.outcome.reason]);

describe("repeatCycle", () => {
  it("a cycle of one interval: its copies are one interval up to the last renewal before the change", () => {
    const cycle = { startMs: 0, endMs: 10000, intervals: [interval(0, 10000, OK)] };
    const repeat = repeatCycle(cycle, 35000, false);
    // Renewals at 10, 20, 30 come before the change at 35; the one at 30 is called for real.
    expect(span(repeat.copies)).toEqual([[10000, 30000, "OK"]]);
    expect(repeat.resumeMs).toBe(30000);
    expect(repeat.cycles).toBe(2);
    expect(repeat.copies[0]!.outcome).toBe(OK);
  });

  it("at the end of the scenario the last copy is cut off there and no call is needed", () => {
    const repeat = repeatCycle(
      { startMs: 0, endMs: 10000, intervals: [interval(0, 10000, OK)] },
      35000,
      true,
    );
    expect(span(repeat.copies)).toEqual([[10000, 35000, "OK"]]);
    expect(repeat.resumeMs).toBe(35000);
    expect(repeat.cycles).toBe(3);
  });

  it("a cycle of several intervals is copied interval by interval, shifted by whole periods", () => {
    const cycle = {
      startMs: 100_000,
      endMs: 110_000,
      intervals: [interval(100000, 104000, OK), interval(104000, 110000, EXPIRED)],
    };
    const repeat = repeatCycle(cycle, 135000, false);
    expect(span(repeat.copies)).toEqual([
      [110000, 114000, "OK"],
      [114000, 120000, "TOKEN_EXPIRED"],
      [120000, 124000, "OK"],
      [124000, 130000, "TOKEN_EXPIRED"],
    ]);
    expect(repeat.resumeMs).toBe(130000);
    const atEnd = repeatCycle(cycle, 132000, true);
    expect(span(atEnd.copies).slice(-1)).toEqual([[130000, 132000, "OK"]]);
  });

  it("no copies when the next change comes within two periods: the renewal is called for real", () => {
    const repeat = repeatCycle(
      { startMs: 0, endMs: 10000, intervals: [interval(0, 10000, OK)] },
      20000,
      false,
    );
    expect(repeat.copies).toEqual([]);
    expect(repeat.resumeMs).toBe(10000);
    expect(repeat.cycles).toBe(0);
  });

  it("a copied failure keeps its step and reason, and its message names the call it repeats", () => {
    const cycle = {
      startMs: 0,
      endMs: 10000,
      intervals: [interval(0, 4000, OK), interval(4000, 10000, EXPIRED)],
    };
    const [, failure] = repeatCycle(cycle, 25000, false).copies;
    expect(failure!.outcome).toMatchObject({ ok: false, step: 2, reason: "TOKEN_EXPIRED" });
    expect(failure!.outcome.message).toBe(
      "the token expired at 1970-01-01T00:00:04.000Z (as at 1970-01-01T00:00:04.000Z: the token cycle repeats every 10s)",
    );
    expect(sameAnswer(failure!.outcome, EXPIRED)).toBe(true);
    expect(sameAnswer(OK, EXPIRED)).toBe(false);
  });

  it("repeats only cycles of whole seconds (times in messages are written to the second)", () => {
    expect(repeatable(1_500, 4_500)).toBe(true);
    expect(repeatable(1_500, 4_000)).toBe(false);
    expect(repeatable(5_000, 5_000)).toBe(false);
    expect(() => repeatCycle({ startMs: 0, endMs: 2_500, intervals: [] }, 10_000, false)).toThrow(RangeError);
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
