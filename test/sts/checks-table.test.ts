/**
 * docs/sts.md's check table is the STS's list of checks (`STS_CHECKS`): the same steps in the same
 * order, each with the same reason codes and the fault code each reason gets.
 */
import { describe, expect, it } from "vitest";
import { STS_REASONS } from "../../src/core/reason-codes.js";
import { STS_CHECKS, stsFaultCode } from "../../src/sts/checks.js";
import { documentedSteps } from "../helpers/check-table.js";

const documented = documentedSteps("sts.md", "## Checks, in order, and what each failure sends");

describe("docs/sts.md's check table", () => {
  it("lists STS_CHECKS: names, order, reasons and fault codes", () => {
    expect(documented.map((row) => row.number)).toEqual(STS_CHECKS.map((_, i) => String(i + 1)));
    expect(documented.map(({ name, reasons, faults }) => ({ name, reasons, faults }))).toEqual(
      STS_CHECKS.map((step) => ({
        name: step.name,
        reasons: [...step.reasons],
        faults: step.reasons.map((reason) => stsFaultCode(step, reason)),
      })),
    );
  });

  it("gives every STS reason code a step, except the internal error", () => {
    const stepped = new Set(STS_CHECKS.flatMap((step) => step.reasons));
    expect(STS_REASONS.filter((reason) => !stepped.has(reason))).toEqual(["STS_INTERNAL_ERROR"]);
  });
});
