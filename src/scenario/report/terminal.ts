/**
 * The terminal reporter: per scenario a verdict line, the description, a readable timeline
 * (failure windows in red when the output is a terminal) and expected against actual.
 */
import { formatDuration } from "../../core/clock.js";
import { relTime, type ScenarioResult } from "../result.js";

export interface TerminalOptions {
  color?: boolean;
  /** Show the merged timeline of every scenario, not only of those that failed. */
  verbose?: boolean;
  width?: number;
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1, cyan: 36 } as const;

function painter(color: boolean) {
  return (style: keyof typeof CODES, text: string) => (color ? `\x1b[${CODES[style]}m${text}\x1b[0m` : text);
}

function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line && line.length + 1 + word.length > width - indent.length) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines.join("\n");
}

/** One scenario, several lines. */
export function formatScenarioResult(result: ScenarioResult, options: TerminalOptions = {}): string {
  const paint = painter(options.color ?? false);
  const width = options.width ?? 100;
  const out: string[] = [];
  const mark = result.error
    ? paint("red", "✖ ERROR")
    : result.passed
      ? paint("green", "✔ PASS")
      : paint("red", "✖ FAIL");
  out.push(
    `${mark} ${paint("bold", result.name)}  ${paint("dim", `(${result.policy}, ${result.environment}, ${result.file})`)}`,
  );
  if (result.description) out.push(paint("dim", wrap(result.description, width, "    ")));
  if (result.error) {
    out.push(paint("red", `    ${result.error}`));
    return out.join("\n");
  }
  const start = result.startMs;
  out.push(
    `    downtime ${result.downtimeMs > 0 ? paint("red", formatDuration(result.downtimeMs)) : paint("green", "0s")}` +
      ` over ${formatDuration(result.endMs - result.startMs)}` +
      paint("dim", ` · ${result.evaluations} real calls · ${result.elapsedMs} ms`),
  );
  if (options.verbose || !result.passed) {
    out.push("    timeline:");
    type Row = { atMs: number; text: string };
    const rows: Row[] = [];
    for (const action of result.actions) {
      const args = Object.entries(action.with)
        .filter(([key]) => key !== "atMs" && key !== "clientMs")
        .map(([key, value]) => `${key}: ${value}`)
        .join(", ");
      const text = `${paint("cyan", action.do)}${args ? ` { ${args} }` : ""}${action.ok ? "" : paint("yellow", ` — rejected: ${action.message}`)}`;
      rows.push({ atMs: action.atMs, text: `▸ ${text}` });
    }
    for (const window of result.failures) {
      rows.push({
        atMs: window.fromMs,
        text: paint(
          "red",
          `█ calls fail until ${relTime(window.toMs, start)} (${formatDuration(window.toMs - window.fromMs)}): step ${window.step} ${window.reason}`,
        ),
      });
    }
    for (const cert of result.certificates) {
      if (cert.notBeforeMs > result.startMs && cert.notBeforeMs < result.endMs) {
        rows.push({ atMs: cert.notBeforeMs, text: paint("dim", `◆ certificate ${cert.name} becomes valid`) });
      }
      if (cert.notAfterMs >= result.startMs && cert.notAfterMs < result.endMs) {
        rows.push({
          atMs: cert.notAfterMs,
          text: paint("yellow", `◆ certificate ${cert.name} expires (its last valid moment)`),
        });
      }
    }
    // Where calls recover.
    for (let i = 1; i < result.intervals.length; i++) {
      const previous = result.intervals[i - 1]!;
      const current = result.intervals[i]!;
      if (!previous.outcome.ok && current.outcome.ok) {
        rows.push({
          atMs: current.fromMs,
          text: paint("green", `✓ calls succeed again (${current.client})`),
        });
      }
    }
    rows.sort((a, b) => a.atMs - b.atMs);
    for (const row of rows) out.push(`      ${relTime(row.atMs, start).padStart(12)}  ${row.text}`);
    out.push(`      ${relTime(result.endMs, start).padStart(12)}  ${paint("dim", "end")}`);
  }
  if (result.expectations.length > 0) {
    out.push("    expectations:");
    for (const e of result.expectations) {
      const sign = e.ok ? paint("green", "✔") : paint("red", "✖");
      const where = e.line ? paint("dim", ` (line ${e.line})`) : "";
      out.push(
        `      ${sign} ${e.label}${where}: expected ${e.expected}${e.ok ? "" : `, actual ${paint("red", e.actual)}`}`,
      );
    }
  } else {
    out.push(paint("yellow", "    no expectations: nothing was checked"));
  }
  return out.join("\n");
}

export function formatSummary(
  results: ScenarioResult[],
  elapsedMs: number,
  options: TerminalOptions = {},
): string {
  const paint = painter(options.color ?? false);
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  const text = `${results.length} scenario${results.length === 1 ? "" : "s"}: ${passed} passed, ${failed} failed (${(elapsedMs / 1000).toFixed(1)} s)`;
  return failed > 0 ? paint("red", text) : paint("green", text);
}

export function terminalReport(
  results: ScenarioResult[],
  elapsedMs: number,
  options: TerminalOptions = {},
): string {
  return `${results.map((r) => formatScenarioResult(r, options)).join("\n\n")}\n\n${formatSummary(results, elapsedMs, options)}\n`;
}
