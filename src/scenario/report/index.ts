/** The reporters: terminal, json, junit, html. */
import type { ScenarioResult } from "../result.js";
import { htmlReport } from "./html.js";
import { jsonReport } from "./json.js";
import { junitReport } from "./junit.js";
import { type TerminalOptions, terminalReport } from "./terminal.js";

export { htmlReport } from "./html.js";
export { jsonReport, toJsonResult } from "./json.js";
export { type JunitOptions, junitInputErrorReport, junitReport } from "./junit.js";
export { formatScenarioResult, formatSummary, terminalReport } from "./terminal.js";

export const REPORTERS = ["terminal", "json", "junit", "html"] as const;
export type ReporterName = (typeof REPORTERS)[number];

export interface ReportOptions extends TerminalOptions {
  /** The run is one shard of several (`--shard 2/4`): named in the JUnit suite and the JSON summary. */
  shard?: string;
}

export function renderReport(
  reporter: ReporterName,
  results: ScenarioResult[],
  elapsedMs: number,
  options: ReportOptions = {},
): string {
  switch (reporter) {
    case "terminal":
      return terminalReport(results, elapsedMs, options);
    case "json":
      return jsonReport(results, elapsedMs, options.shard);
    case "junit":
      return junitReport(
        results,
        elapsedMs,
        options.shard ? { suite: `smdb-harness scenarios (shard ${options.shard})` } : {},
      );
    case "html":
      return htmlReport(results, elapsedMs);
  }
}
