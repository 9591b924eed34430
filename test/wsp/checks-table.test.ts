/**
 * docs/smdb.md's check table is the SMDB's list of checks (`WSP_CHECKS`): the same steps in the
 * same order, each with the same reason codes and the fault (code, then subcode) each reason gets.
 */
import { describe, expect, it } from "vitest";
import { WSP_REASONS } from "../../src/core/reason-codes.js";
import { WSP_CHECKS } from "../../src/wsp/checks.js";
import { wspFault } from "../../src/wsp/faults.js";
import { documentedSteps } from "../helpers/check-table.js";

const documented = documentedSteps("smdb.md", "## Checks, reason codes, faults");

describe("docs/smdb.md's check table", () => {
  it("lists WSP_CHECKS: names, order, reasons and faults", () => {
    expect(documented.map((row) => row.number)).toEqual(WSP_CHECKS.map((_, i) => String(i + 1)));
    expect(documented.map(({ name, reasons, faults }) => ({ name, reasons, faults }))).toEqual(
      WSP_CHECKS.map((step) => ({
        name: step.name,
        reasons: [...step.reasons],
        faults: step.reasons.flatMap((reason) => {
          const fault = wspFault(reason, step.faults?.[reason]);
          return fault.subcode ? [fault.code, fault.subcode] : [fault.code];
        }),
      })),
    );
  });

  it("gives every WSP reason code a step, except the internal error", () => {
    const stepped = new Set(WSP_CHECKS.flatMap((step) => step.reasons));
    expect(WSP_REASONS.filter((reason) => !stepped.has(reason))).toEqual(["INTERNAL_ERROR"]);
  });
});
