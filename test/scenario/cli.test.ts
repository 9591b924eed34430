/**
 * The `scenario` command as a user runs it: every built-in scenario passes, each deliberately
 * wrong expectation makes the run exit 1, bad input exits 2 with file and line. (How long the
 * built-in scenarios take is measured by `npm run bench -- --filter scenario`.)
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../helpers/cli.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smdb-scenario-cli-"));
});
afterAll(() => {});

const scenarioFile = (name: string) => join(REPO_ROOT, "scenarios", `${name}.yaml`);

interface JsonReport {
  summary: { scenarios: number; passed: number; failed: number; elapsedMs: number };
  results: Array<{
    name: string;
    passed: boolean;
    downtimeMs: number;
    evaluations: number;
    actions: unknown[];
    certificates: unknown[];
    error?: string;
    expectations: Array<{ kind: string; label: string; expected: string; actual: string; ok: boolean }>;
  }>;
}

describe("smdb-harness scenario run", () => {
  it("runs every built-in scenario and all of them hold, with a few real calls per change", async () => {
    const run = await runCli(["scenario", "run", "--reporter", "json"], { timeoutMs: 300_000 });
    expect(run.stderr).toBe("");
    const report = JSON.parse(run.stdout) as JsonReport;
    const failing = report.results.filter((r) => !r.passed);
    expect(
      failing.map((r) => ({ name: r.name, error: r.error, bad: r.expectations.filter((e) => !e.ok) })),
    ).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.summary.scenarios).toBeGreaterThanOrEqual(12);
    for (const result of report.results) {
      // Every built-in checks something.
      expect(result.expectations.length, result.name).toBeGreaterThan(0);
      // The work follows the changes (actions, certificate bounds, the start): at most three
      // real calls per change (docs/scenarios.md "How downtime is computed").
      const changes = 1 + result.actions.length + 2 * result.certificates.length;
      expect(result.evaluations, result.name).toBeLessThanOrEqual(3 * changes);
    }
    process.stdout.write(
      `built-in scenarios: ${report.summary.scenarios}, ${report.results.reduce((n, r) => n + r.evaluations, 0)} real calls, ${report.summary.elapsedMs} ms running\n`,
    );
  }, 300_000);

  it("exits 1 and shows expected against actual for each deliberately wrong expectation", async () => {
    const wrong: Array<{ base: string; name: string; edit: (text: string) => string; label: string }> = [
      {
        base: "client-switched-before-sts",
        name: "wrong-exact-downtime",
        edit: (t) => t.replace(/downtime: .*/, "downtime: 1d1h"),
        label: "downtime",
      },
      {
        // Written with milliseconds, so compared to the millisecond: 1d is not 1d1ms.
        base: "client-switched-before-sts",
        name: "wrong-exact-downtime-ms",
        edit: (t) => t.replace(/downtime: .*/, "downtime: 1d0ms"),
        label: "downtime",
      },
      {
        base: "correct-rotation-overlap",
        name: "wrong-downtime-range",
        edit: (t) => t.replace(/downtime: .*/, "downtime: { min: 1h, max: 2h }"),
        label: "downtime",
      },
      {
        base: "client-switched-before-sts",
        name: "wrong-failure-reason",
        edit: (t) => t.replace("reason: CERT_NOT_YET_ACTIVE", "reason: CERT_SUPERSEDED"),
        label: "failure window",
      },
      {
        base: "client-switched-before-sts",
        name: "wrong-failure-time",
        edit: (t) => t.replace("from: +1d,", "from: +1d1h,"),
        label: "failure window",
      },
      {
        base: "saved-not-provisioned",
        name: "failure-not-listed",
        edit: (t) => t.replace(/ {2}downtime: .*\n/, "").replace(/ {2}failures: .*/, "  failures: []"),
        label: "no other failure windows",
      },
      {
        base: "fallback-rides-through-at-expiry",
        name: "wrong-call",
        edit: (t) =>
          t.replace(
            "{ at: +2d12h, outcome: ok, certificate: new }",
            "{ at: +2d12h, outcome: ok, certificate: old }",
          ),
        label: "call at +2d12h",
      },
      {
        base: "correct-rotation-at-expiry",
        name: "wrong-step",
        edit: (t) =>
          t.replace(
            "failures: []",
            "failures: [ { from: +1d, to: +2d, step: 2, reason: PRIVILEGE_MISSING } ]",
          ),
        label: "failure window",
      },
    ];
    const files: string[] = [];
    for (const w of wrong) {
      const text = await readFile(scenarioFile(w.base), "utf8");
      const edited = w.edit(text).replace(/^name: .*/m, `name: ${w.name}`);
      expect(edited, w.name).not.toBe(text.replace(/^name: .*/m, `name: ${w.name}`));
      const file = join(dir, `${w.name}.yaml`);
      await writeFile(file, edited);
      files.push(file);
    }
    const run = await runCli(["scenario", "run", "--reporter", "json", ...files], { timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    for (const w of wrong) {
      const result = report.results.find((r) => r.name === w.name)!;
      expect(result.passed, w.name).toBe(false);
      const bad = result.expectations.filter((e) => !e.ok);
      expect(
        bad.map((e) => e.label),
        w.name,
      ).toContain(w.label);
      for (const e of bad) expect(e.expected).not.toBe(e.actual);
    }
    // One wrong scenario among good ones is enough for exit 1, and the terminal report says why.
    const mixed = await runCli(["scenario", "run", scenarioFile("correct-rotation-overlap"), files[0]!]);
    expect(mixed.code).toBe(1);
    expect(mixed.stdout).toContain("✖ FAIL wrong-exact-downtime");
    expect(mixed.stdout).toMatch(/downtime: expected 1d1h, actual 1d1ms/);
    expect(mixed.stdout).toContain("✔ PASS correct-rotation-overlap");
  }, 300_000);

  it("exits 2 for bad input, naming file, line and field, and runs nothing", async () => {
    const bad = join(dir, "bad.yaml");
    const text = (await readFile(scenarioFile("client-switched-before-sts"), "utf8")).replace(
      "do: nemlogin.save",
      "do: nemlogin.gem",
    );
    await writeFile(bad, text);
    const line = text.split("\n").findIndex((l) => l.includes("nemlogin.gem")) + 1;
    const run = await runCli(["scenario", "run", scenarioFile("correct-rotation-overlap"), bad]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`${bad}:${line}:`);
    expect(run.stderr).toContain('"nemlogin.gem" is not allowed');

    // Valid YAML, but NemLog-in refuses the starting point: the certificate expired before start.
    const expired = join(dir, "expired-at-start.yaml");
    const expiredText = (await readFile(scenarioFile("saved-not-provisioned"), "utf8")).replace(
      "old: { notBefore: -1093d, notAfter: +2d }",
      "old: { notBefore: -1093d, notAfter: -2d }",
    );
    await writeFile(expired, expiredText);
    const setupLine = expiredText.split("\n").findIndex((l) => l.includes("systemUser:")) + 1;
    const refused = await runCli(["scenario", "run", expired]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${expired}:${setupLine}:`);
    expect(refused.stderr).toContain("setup.systemUser: NemLog-in refuses this setup");
    expect(refused.stderr).toContain("expired");

    const missing = await runCli(["scenario", "run", join(dir, "does-not-exist.yaml")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("does-not-exist.yaml");
  }, 300_000);

  it("exits 2 for a misspelt reason code, naming file, line, field and the closest code", async () => {
    const typo = join(dir, "typo-reason.yaml");
    const text = (await readFile(scenarioFile("client-switched-before-sts"), "utf8")).replace(
      "reason: CERT_NOT_YET_ACTIVE",
      "reason: CERT_NOT_ACTIVE",
    );
    await writeFile(typo, text);
    const line = text.split("\n").findIndex((l) => l.includes("CERT_NOT_ACTIVE")) + 1;
    expect(line).toBeGreaterThan(0);
    const run = await runCli(["scenario", "run", scenarioFile("correct-rotation-overlap"), typo]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`${typo}:${line}:`);
    expect(run.stderr).toContain("expect.failures[0].reason: CERT_NOT_ACTIVE is not a reason code of step 1");
    expect(run.stderr).toContain("did you mean CERT_NOT_YET_ACTIVE?");
    expect(run.stderr).toContain("CERT_SUPERSEDED");

    // With --reporter junit --out, CI still finds a JUnit file that says why nothing ran.
    const out = join(dir, "bad-input", "junit.xml");
    const junit = await runCli(["scenario", "run", typo, "--reporter", "junit", "--out", out]);
    expect(junit.code, junit.stderr).toBe(2);
    const xml = await readFile(out, "utf8");
    expect(xml).toContain('errors="1"');
    expect(xml).toContain(`<testcase name="${typo}" classname="smdb-harness.scenario.input"`);
    expect(xml).toMatch(
      new RegExp(`<error message="[^"]*:${line}:[^"]*CERT_NOT_ACTIVE is not a reason code of step 1`),
    );
    const { DOMParser } = await import("@xmldom/xmldom");
    const parsed = new DOMParser().parseFromString(xml, "text/xml");
    expect(parsed.getElementsByTagName("error")).toHaveLength(1);
  }, 300_000);

  it("writes JUnit and HTML reports to a file", async () => {
    const out = join(dir, "junit.xml");
    const run = await runCli([
      "scenario",
      "run",
      scenarioFile("client-switched-before-sts"),
      "--reporter",
      "junit",
      "--out",
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const xml = await readFile(out, "utf8");
    expect(xml).toContain('<testcase name="client-switched-before-sts"');
  }, 300_000);
});
