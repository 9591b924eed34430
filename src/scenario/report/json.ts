/** The JSON reporter: every result in full, times as ISO 8601 and relative to start. */
import { relTime, type ScenarioResult } from "../result.js";

function times(startMs: number, fromMs: number, toMs: number) {
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    fromRel: relTime(fromMs, startMs),
    toRel: relTime(toMs, startMs),
  };
}

export function toJsonResult(result: ScenarioResult) {
  const start = result.startMs;
  return {
    name: result.name,
    description: result.description,
    file: result.file,
    policy: result.policy,
    environment: result.environment,
    passed: result.passed,
    error: result.error,
    start: new Date(result.startMs).toISOString(),
    end: new Date(result.endMs).toISOString(),
    downtimeMs: result.downtimeMs,
    failures: result.failures.map((w) => ({
      ...times(start, w.fromMs, w.toMs),
      durationMs: w.toMs - w.fromMs,
      step: w.step,
      reason: w.reason,
      message: w.message,
    })),
    expectations: result.expectations,
    actions: result.actions.map((a) => ({
      at: new Date(a.atMs).toISOString(),
      atRel: relTime(a.atMs, start),
      do: a.do,
      with: Object.fromEntries(Object.entries(a.with).filter(([k]) => k !== "atMs" && k !== "clientMs")),
      ok: a.ok,
      message: a.message,
    })),
    certificates: result.certificates.map((c) => ({
      name: c.name,
      subject: c.subject,
      sha256: c.sha256,
      notBefore: new Date(c.notBeforeMs).toISOString(),
      notAfter: new Date(c.notAfterMs).toISOString(),
    })),
    intervals: result.intervals.map((i) => ({
      ...times(start, i.fromMs, i.toMs),
      ...i.outcome,
      client: i.client,
      nemlogin: i.nemlogin,
    })),
    evaluations: result.evaluations,
    repeatedCycles: result.repeatedCycles,
    elapsedMs: result.elapsedMs,
  };
}

export function jsonReport(results: ScenarioResult[], elapsedMs: number, shard?: string): string {
  const passed = results.filter((r) => r.passed).length;
  return `${JSON.stringify(
    {
      summary: {
        scenarios: results.length,
        passed,
        failed: results.length - passed,
        elapsedMs,
        ...(shard ? { shard } : {}),
      },
      results: results.map(toJsonResult),
    },
    null,
    2,
  )}\n`;
}
