import { describe, expect, it } from "vitest";
import { parseScenarioText, ScenarioError, type ScenarioProblem } from "../../src/scenario/parse.js";
import { DESIGN_EXAMPLE_SCENARIO as GOOD, yamlAliasBomb } from "../helpers/fixtures.js";

const DAY = 86_400_000;

function problemsOf(text: string): ScenarioProblem[] {
  try {
    parseScenarioText(text, { file: "bad.yaml" });
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).problems;
  }
  throw new Error("expected the scenario to be rejected");
}

/** Replaces one line (1-based) of GOOD. */
function withLine(line: number, text: string): string {
  const lines = GOOD.split("\n");
  lines[line - 1] = text;
  return lines.join("\n");
}

describe("scenario parser", () => {
  it("refuses a YAML alias bomb with the file named, before expanding it", () => {
    const problems = problemsOf(`${yamlAliasBomb("lol")}\nname: bomb\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "bad.yaml", line: 1 });
    expect(problems[0]!.message).toMatch(/YAML refused: .*alias/);
  });

  it("parses the contract's example (docs/contract.md) and resolves times relative to start", () => {
    const s = parseScenarioText(GOOD, { file: "good.yaml" });
    const start = Date.parse("2026-01-01T00:00:00Z");
    expect(s.startMs).toBe(start);
    expect(s.steps.map((step) => [step.do, (step.atMs - start) / DAY])).toEqual([
      ["nemlogin.upload", 10],
      ["nemlogin.save", 10],
      ["nemlogin.provision", 11],
      ["client.deploy", 12],
    ]);
    expect(s.steps[0]!.with).toMatchObject({ slot: "next", cert: "new", environment: "production" });
    expect(s.certificates.find((c) => c.key === "old")!.notBeforeMs).toBe(start - 1090 * DAY);
    // Default end: 30 days after the last action.
    expect(s.endMs).toBe(start + 42 * DAY);
    expect(s.expect.downtime).toEqual({ exactMs: 18 * DAY, precisionMs: 1000 });
    expect(s.expect.failures).toEqual([
      {
        fromMs: start + 12 * DAY,
        toMs: start + 30 * DAY,
        step: 1,
        reason: "CERT_NOT_YET_ACTIVE",
        line: 18,
        precisionMs: 1000,
      },
    ]);
    expect(s.client).toMatchObject({ cert: "old", findBy: "thumbprint", stsEnvironment: "production" });
  });

  it("accepts compound durations with milliseconds and {min, max} downtime", () => {
    const text = GOOD.replace("downtime: 18d", "downtime: { min: 1d12h, max: 18d0.5s }").replace(
      "at: +12d,",
      "at: +12d1h30m1ms,",
    );
    const s = parseScenarioText(text);
    // A value with a sub-second part is compared to the millisecond; otherwise to the second.
    expect(s.expect.downtime).toEqual({ minMs: 1.5 * DAY, maxMs: 18 * DAY + 500, precisionMs: 1 });
    expect(s.steps[3]!.atMs - s.startMs).toBe(12 * DAY + 90 * 60_000 + 1);
  });

  it("reports an unknown action with its line and the allowed actions", () => {
    const [p] = problemsOf(withLine(13, "  - { at: +10d, do: nemlogin.gem }"));
    expect(p).toMatchObject({ file: "bad.yaml", line: 13, field: "steps[1].do" });
    expect(p!.message).toContain('"nemlogin.gem" is not allowed');
    expect(p!.message).toContain('"nemlogin.save"');
  });

  it("reports an unknown certificate name with its line and the defined names", () => {
    const [p] = problemsOf(withLine(15, "  - { at: +12d, do: client.deploy, with: { cert: newer } }"));
    expect(p).toMatchObject({ line: 15, field: "steps[3].with.cert" });
    expect(p!.message).toContain('unknown certificate "newer"');
    expect(p!.message).toContain("old, new");
  });

  it("reports a time before start", () => {
    const [p] = problemsOf(withLine(14, "  - { at: -1d, do: nemlogin.provision }"));
    expect(p).toMatchObject({ line: 14, field: "steps[2].at" });
    expect(p!.message).toContain("before the scenario's start");
  });

  it("reports malformed durations and times, all at once", () => {
    const problems = problemsOf(
      GOOD.replace("notAfter: +1095d", "notAfter: +1095q").replace("downtime: 18d", "downtime: 18 days"),
    );
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [7, "certificates.new.notAfter"],
      [17, "expect.downtime"],
    ]);
    expect(problems[0]!.message).toContain("+1095q");
    expect(problems[1]!.message).toMatch(/units s, m, h, d, y/);
  });

  it("reports a scenario with no client, pointing at setup", () => {
    const [p] = problemsOf(withLine(10, ""));
    expect(p).toMatchObject({ line: 8, field: "setup.client" });
    expect(p!.message).toContain("a scenario needs a client");
  });

  it("reports YAML syntax errors with their line", () => {
    const [p] = problemsOf(
      withLine(12, "  - { at: +10d, do: nemlogin.upload, with: { slot: next, cert: new }"),
    );
    expect(p!.line).toBeGreaterThanOrEqual(12);
    expect(p!.line).toBeLessThanOrEqual(13);
    expect(p!.message).toMatch(/^YAML syntax error/);
  });

  it("reports an unknown field with what is allowed there", () => {
    const [p] = problemsOf(
      withLine(15, "  - { at: +12d, do: client.deploy, with: { cert: new, fallbak: old } }"),
    );
    expect(p).toMatchObject({ line: 15, field: "steps[3].with.fallbak" });
    expect(p!.message).toContain("allowed here: cert, fallback, findValue");
  });

  it("reports a wrong enum value and a wrong type", () => {
    const problems = problemsOf(
      GOOD.replace("policy: at-expiry", "policy: at-once").replace("step: 1,", 'step: "one",'),
    );
    expect(problems.find((p) => p.field === "policy")).toMatchObject({ line: 2 });
    expect(problems.find((p) => p.field === "policy")!.message).toContain('"overlap"');
    expect(problems.find((p) => p.field === "expect.failures[0].step")).toMatchObject({ line: 18 });
  });

  it("refuses an unknown reason code with its line, the closest code and the step's codes", () => {
    const [p, ...rest] = problemsOf(GOOD.replace("reason: CERT_NOT_YET_ACTIVE", "reason: CERT_NOT_ACTIVE"));
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ file: "bad.yaml", line: 18, field: "expect.failures[0].reason" });
    expect(p!.message).toContain("CERT_NOT_ACTIVE is not a reason code of step 1");
    expect(p!.message).toContain("did you mean CERT_NOT_YET_ACTIVE?");
    // The allowed codes are step 1's: the STS's and the client's for the STS's answer.
    expect(p!.message).toContain("CERT_SUPERSEDED");
    expect(p!.message).toContain("STS_RESPONSE_UNTRUSTED");
    expect(p!.message).not.toContain("PRIVILEGE_MISSING");
    expect(p!.message).not.toContain("CLIENT_CERT_NOT_FOUND");
  });

  it("refuses a reason of another step, saying which step has it", () => {
    const [p] = problemsOf(
      GOOD.replace("step: 1, reason: CERT_NOT_YET_ACTIVE", "step: 2, reason: CERT_NOT_YET_ACTIVE"),
    );
    expect(p).toMatchObject({ line: 18, field: "expect.failures[0].reason" });
    expect(p!.message).toContain("CERT_NOT_YET_ACTIVE is not a reason of step 2; it is one of step 1");
    expect(p!.message).toContain("PRIVILEGE_MISSING");
  });

  it("suggests a code for a reason written in lower case", () => {
    const [p] = problemsOf(GOOD.replace("reason: CERT_NOT_YET_ACTIVE", "reason: cert_not_yet_active"));
    expect(p).toMatchObject({ line: 18, field: "expect.failures[0].reason" });
    expect(p!.message).toContain("did you mean CERT_NOT_YET_ACTIVE?");
  });

  it("checks the reasons of expect.calls: against the step when given, else against every step", () => {
    const calls = (list: string) => `${GOOD}  calls: [ ${list} ]\n`;
    const s = parseScenarioText(
      calls(
        "{ at: +13d, outcome: fail, reason: CERT_NOT_YET_ACTIVE }, { at: +13d, outcome: fail, step: 1, reason: CERT_NOT_YET_ACTIVE }",
      ),
    );
    expect(s.expect.calls?.map((c) => c.reason)).toEqual(["CERT_NOT_YET_ACTIVE", "CERT_NOT_YET_ACTIVE"]);

    const problems = problemsOf(
      calls(
        "{ at: +13d, outcome: fail, reason: TOKEN_EXPIRD }, { at: +13d, outcome: fail, step: 0, reason: TOKEN_EXPIRED }",
      ),
    );
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [19, "expect.calls[0].reason"],
      [19, "expect.calls[1].reason"],
    ]);
    expect(problems[0]!.message).toContain("TOKEN_EXPIRD is not a reason code; did you mean TOKEN_EXPIRED?");
    expect(problems[0]!.message).toMatch(/step 0 .*step 1 .*step 2 /);
    expect(problems[1]!.message).toContain("not a reason of step 0; it is one of step 2");
  });

  it("the message of a ScenarioError names file, line and field", () => {
    try {
      parseScenarioText(withLine(13, "  - { at: +10d, do: nemlogin.gem }"), { file: "x/y.yaml" });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/^x\/y\.yaml:13:\d+: steps\[1\]\.do: /);
    }
  });
});
