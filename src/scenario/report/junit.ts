/**
 * The JUnit XML reporter: one testsuite, one testcase per scenario; a scenario whose
 * expectations did not hold is a <failure> listing expected against actual; one that could not
 * run is an <error>. The timeline goes to <system-out>.
 */
import { formatDuration } from "../../core/clock.js";
import type { ScenarioProblem } from "../parse.js";
import { relTime, type ScenarioResult } from "../result.js";

function escapeXml(text: string): string {
  return (
    text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      // Characters XML 1.0 does not allow at all (ANSI colour codes among them).
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "")
  );
}

function timeline(result: ScenarioResult): string {
  const start = result.startMs;
  const lines = [
    `downtime ${formatDuration(result.downtimeMs)}`,
    ...result.actions.map(
      (a) => `${relTime(a.atMs, start)} ${a.do}${a.ok ? "" : ` (rejected: ${a.message})`}`,
    ),
    ...result.failures.map(
      (w) => `${relTime(w.fromMs, start)} → ${relTime(w.toMs, start)} FAIL step ${w.step} ${w.reason}`,
    ),
  ];
  return lines.join("\n");
}

export interface JunitOptions {
  /** The suite's name (default `smdb-harness scenarios`), e.g. with the shard: `… (shard 2/4)`. */
  suite?: string;
}

const DEFAULT_SUITE = "smdb-harness scenarios";

export function junitReport(
  results: ScenarioResult[],
  elapsedMs: number,
  options: JunitOptions = {},
): string {
  const failures = results.filter((r) => !r.passed && !r.error).length;
  const errors = results.filter((r) => r.error).length;
  const cases = results.map((result) => {
    const attrs = `name="${escapeXml(result.name)}" classname="smdb-harness.scenario.${escapeXml(result.policy)}" file="${escapeXml(result.file)}" time="${(result.elapsedMs / 1000).toFixed(3)}"`;
    let body = "";
    if (result.error) {
      body += `\n      <error message="${escapeXml(result.error.split("\n")[0]!)}" type="ScenarioError">${escapeXml(result.error)}</error>`;
    } else if (!result.passed) {
      const bad = result.expectations.filter((e) => !e.ok);
      const message = bad.map((e) => `${e.label}: expected ${e.expected}, actual ${e.actual}`).join("; ");
      const detail = result.expectations
        .map(
          (e) =>
            `${e.ok ? "ok  " : "FAIL"} ${e.label}${e.line ? ` (line ${e.line})` : ""}\n     expected: ${e.expected}\n     actual:   ${e.actual}`,
        )
        .join("\n");
      body += `\n      <failure message="${escapeXml(message || "no expectation held")}" type="ExpectationFailed">${escapeXml(detail)}</failure>`;
    }
    body += `\n      <system-out>${escapeXml(timeline(result))}</system-out>`;
    return `    <testcase ${attrs}>${body}\n    </testcase>`;
  });
  return junitDocument(cases, failures, errors, elapsedMs, options.suite ?? DEFAULT_SUITE);
}

/** The one-testsuite JUnit document around rendered testcases. */
function junitDocument(
  cases: string[],
  failures: number,
  errors: number,
  elapsedMs: number,
  suite: string,
): string {
  const counts = `tests="${cases.length}" failures="${failures}" errors="${errors}"`;
  const time = `time="${(elapsedMs / 1000).toFixed(3)}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="${escapeXml(suite)}" ${counts} ${time}>
  <testsuite name="${escapeXml(suite)}" ${counts} skipped="0" ${time}>
${cases.join("\n")}
  </testsuite>
</testsuites>
`;
}

/**
 * A JUnit document for scenario files that could not be run at all (bad input): one testcase per
 * file with an `<error>` listing its problems, so that a CI job that reads the JUnit file shows
 * why, instead of finding no file.
 */
export function junitInputErrorReport(problems: ScenarioProblem[], options: JunitOptions = {}): string {
  const byFile = new Map<string, ScenarioProblem[]>();
  for (const problem of problems) byFile.set(problem.file, [...(byFile.get(problem.file) ?? []), problem]);
  const cases = [...byFile].map(([file, list]) => {
    const lines = list.map(
      (p) => `${p.file}:${p.line}:${p.column}: ${p.field || "(scenario)"}: ${p.message}`,
    );
    return `    <testcase name="${escapeXml(file)}" classname="smdb-harness.scenario.input" file="${escapeXml(file)}" time="0.000">
      <error message="${escapeXml(lines[0]!)}" type="ScenarioError">${escapeXml(lines.join("\n"))}</error>
    </testcase>`;
  });
  return junitDocument(cases, 0, cases.length, 0, options.suite ?? DEFAULT_SUITE);
}
