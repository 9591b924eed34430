/**
 * The scenario of docs/contract.md, verbatim, runs and holds: 18 days of CERT_NOT_YET_ACTIVE from the
 * client's switch at +12d until the old certificate expires at +30d. The STS takes the next
 * certificate from the first millisecond after the old one's notAfter, so the exact window ends
 * at +30d1ms; expectations written to the second match to the second, and ones written with
 * milliseconds match to the millisecond.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseScenarioText } from "../../src/scenario/parse.js";
import { runScenario } from "../../src/scenario/runner.js";
import { DESIGN_EXAMPLE_SCENARIO as DESIGN_EXAMPLE } from "../helpers/fixtures.js";

const DAY = 86_400_000;

describe("the scenario example of docs/contract.md", () => {
  it("runs through the real STS and SMDB and its expectations hold (given as an object, as from a user's test)", async () => {
    const result = await runScenario(parse(DESIGN_EXAMPLE) as Record<string, unknown>);
    expect(result.error).toBeUndefined();
    expect(result.expectations.map((e) => [e.label, e.ok, e.actual])).toEqual([
      ["downtime", true, "18d1ms"],
      ["failure window", true, "+12d → +30d1ms step 1 CERT_NOT_YET_ACTIVE"],
    ]);
    expect(result.passed).toBe(true);
    expect(result.downtimeMs).toBe(18 * DAY + 1);
    // Default end: 30 days after the last action.
    expect(result.endMs - result.startMs).toBe(42 * DAY);
  });

  it("an expectation written with milliseconds is compared to the millisecond", async () => {
    const exact = parseScenarioText(
      DESIGN_EXAMPLE.replace("downtime: 18d", "downtime: 18d1ms").replace("to: +30d,", "to: +30d1ms,"),
    );
    const wrong = parseScenarioText(DESIGN_EXAMPLE.replace("downtime: 18d", "downtime: 18d0ms"));
    const [ok, bad] = [await runScenario(exact), await runScenario(wrong)];
    expect(ok.passed).toBe(true);
    expect(bad.passed).toBe(false);
    expect(bad.expectations.find((e) => e.label === "downtime")).toMatchObject({
      ok: false,
      expected: "18d (to the ms)",
    });
  });
});

describe("runScenario with an object", () => {
  it("reports bad input with the field, like a file", async () => {
    const object = parse(DESIGN_EXAMPLE) as { steps: Array<Record<string, unknown>> };
    object.steps[3]!.do = "client.restart";
    await expect(runScenario(object)).rejects.toThrow(
      /<object>:1:1: steps\[3\]\.do: "client\.restart" is not allowed/,
    );
  });
});
