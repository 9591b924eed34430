/**
 * An endpoint's checks as data: an ordered list of named steps, each declaring the reason codes it
 * may refuse with (and, where the protocol prescribes another fault than the endpoint's usual one
 * for a reason, that fault). docs/sts.md and docs/smdb.md show these lists as tables, and a test
 * compares the tables with the lists. The first step that refuses ends the request.
 *
 * A step refuses by throwing a `HarnessError` with a reason it declares. Any other reason is a bug
 * of the harness (the documented table would be wrong): it surfaces as an `UndeclaredReasonError`,
 * which each endpoint answers as its internal error, naming the step and the reason.
 */
import { HarnessError } from "./errors.js";

export interface CheckStep<Ctx, Reason extends string = string, Fault extends string = string> {
  /** Short stable name (kebab-case), as in the docs' table. */
  readonly name: string;
  /** The reason codes this step may refuse with, in the docs' order. */
  readonly reasons: readonly Reason[];
  /** A fault other than the endpoint's usual one for a reason (e.g. SOAP's VersionMismatch). */
  readonly faults?: Readonly<Partial<Record<Reason, Fault>>>;
  readonly run: (ctx: Ctx) => void | Promise<void>;
}

/** A step's refusal: the step, and the error it threw (reason, message, anything else it carries). */
export class StepRefusal extends HarnessError {
  override readonly name = "StepRefusal";
  constructor(
    readonly step: string,
    readonly error: HarnessError,
    /** The step's own fault for this reason, when it declares one. */
    readonly fault: string | undefined,
  ) {
    super(error.reason, error.message, error.detail);
  }
}

/** A step refused with a reason it does not declare: a harness bug, not the client's fault. */
export class UndeclaredReasonError extends Error {
  override readonly name = "UndeclaredReasonError";
  constructor(step: string, reason: string, declared: readonly string[], message: string) {
    super(
      `check "${step}" refused with ${reason}, which it does not declare (it declares ${declared.join(", ") || "none"}): ${message}`,
    );
  }
}

function refusal<Ctx>(step: CheckStep<Ctx>, error: unknown): unknown {
  if (!(error instanceof HarnessError) || error instanceof StepRefusal) return error;
  if (!step.reasons.includes(error.reason)) {
    return new UndeclaredReasonError(step.name, error.reason, step.reasons, error.message);
  }
  return new StepRefusal(step.name, error, step.faults?.[error.reason]);
}

/** Runs synchronous steps in order; throws the first refusal as a `StepRefusal`. */
export function runSteps<Ctx>(steps: readonly CheckStep<Ctx>[], ctx: Ctx): void {
  for (const step of steps) {
    try {
      const result = step.run(ctx);
      if (result instanceof Promise) {
        result.catch(() => {});
        throw new Error(`check "${step.name}" is asynchronous; use runStepsAsync`);
      }
    } catch (error) {
      throw refusal(step, error);
    }
  }
}

/** Runs steps in order, awaiting each; throws the first refusal as a `StepRefusal`. */
export async function runStepsAsync<Ctx>(steps: readonly CheckStep<Ctx>[], ctx: Ctx): Promise<void> {
  for (const step of steps) {
    try {
      await step.run(ctx);
    } catch (error) {
      throw refusal(step, error);
    }
  }
}
