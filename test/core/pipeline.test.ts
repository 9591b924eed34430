/**
 * The check runner behind STS_CHECKS and WSP_CHECKS: steps run in order, the first refusal ends
 * the run and names its step, a step's own fault is attached, and a reason the step does not
 * declare is a harness bug rather than a refusal.
 */
import { describe, expect, it } from "vitest";
import { HarnessError } from "../../src/core/errors.js";
import {
  type CheckStep,
  runSteps,
  runStepsAsync,
  StepRefusal,
  UndeclaredReasonError,
} from "../../src/core/pipeline.js";

type Ctx = { seen: string[] };

function step(name: string, reasons: string[], run: (ctx: Ctx) => void, faults?: Record<string, string>) {
  return { name, reasons, run, ...(faults ? { faults } : {}) } satisfies CheckStep<Ctx>;
}

const pass = (name: string) => step(name, ["A"], (ctx) => void ctx.seen.push(name));

function caught(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("runSteps", () => {
  it("runs every step in order when none refuses", () => {
    const ctx: Ctx = { seen: [] };
    runSteps([pass("one"), pass("two"), pass("three")], ctx);
    expect(ctx.seen).toEqual(["one", "two", "three"]);
  });

  it("stops at the first refusal, naming the step, the reason, the message and the error", () => {
    const ctx: Ctx = { seen: [] };
    const original = new HarnessError("B", "two says no");
    const refusing = step("two", ["A", "B"], () => {
      throw original;
    });
    const error = caught(() => runSteps([pass("one"), refusing, pass("three")], ctx));
    expect(error).toBeInstanceOf(StepRefusal);
    expect(error).toMatchObject({ step: "two", reason: "B", message: "two says no", error: original });
    expect((error as StepRefusal).fault).toBeUndefined();
    expect(ctx.seen).toEqual(["one"]);
  });

  it("attaches the step's own fault for the reason", () => {
    const refusing = step(
      "version",
      ["A"],
      () => {
        throw new HarnessError("A", "other version");
      },
      { A: "s:VersionMismatch" },
    );
    expect(caught(() => runSteps([refusing], { seen: [] }))).toMatchObject({ fault: "s:VersionMismatch" });
  });

  it("a reason the step does not declare is an UndeclaredReasonError naming step, reason and the declared ones", () => {
    const refusing = step("two", ["A"], () => {
      throw new HarnessError("Z", "surprise");
    });
    const error = caught(() => runSteps([refusing], { seen: [] }));
    expect(error).toBeInstanceOf(UndeclaredReasonError);
    expect(error).not.toBeInstanceOf(HarnessError);
    expect((error as Error).message).toBe(
      'check "two" refused with Z, which it does not declare (it declares A): surprise',
    );
  });

  it("an error that is no HarnessError passes through unchanged (the endpoint's internal error)", () => {
    const bug = new TypeError("undefined is not a function");
    const failing = step("two", ["A"], () => {
      throw bug;
    });
    expect(caught(() => runSteps([failing], { seen: [] }))).toBe(bug);
  });

  it("refuses a step that returns a promise", () => {
    const asynchronous: CheckStep<Ctx> = { name: "later", reasons: ["A"], run: async () => {} };
    expect(() => runSteps([asynchronous], { seen: [] })).toThrow(/asynchronous; use runStepsAsync/);
  });
});

describe("runStepsAsync", () => {
  it("awaits each step before the next, and refuses as runSteps does", async () => {
    const ctx: Ctx = { seen: [] };
    const slow: CheckStep<Ctx> = {
      name: "slow",
      reasons: ["A"],
      run: async (c) => {
        await new Promise((resolve) => setImmediate(resolve));
        c.seen.push("slow");
      },
    };
    const refusing: CheckStep<Ctx> = {
      name: "late",
      reasons: ["A"],
      run: async () => {
        throw new HarnessError("A", "no");
      },
    };
    await expect(runStepsAsync([slow, pass("next"), refusing, pass("never")], ctx)).rejects.toMatchObject({
      step: "late",
      reason: "A",
    });
    expect(ctx.seen).toEqual(["slow", "next"]);
  });
});
