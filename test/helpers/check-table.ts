/**
 * Reads a check table of docs/sts.md or docs/smdb.md: the markdown table under a heading, one row
 * per step. Cells hold code in backticks: the step's name, its reason codes, its fault codes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./cli.js";

export interface DocumentedStep {
  number: string;
  name: string;
  reasons: string[];
  faults: string[];
}

function backticked(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/** The rows of the first table after `heading` in `docs/<file>`; columns #, step, check, reason, fault. */
export function documentedSteps(file: string, heading: string): DocumentedStep[] {
  const text = readFileSync(join(REPO_ROOT, "docs", file), "utf8");
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`docs/${file} has no heading "${heading}"`);
  const lines = text.slice(at).split("\n");
  const start = lines.findIndex((line) => line.startsWith("|"));
  const rows: string[] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith("|")) break;
    rows.push(line);
  }
  const [header, separator, ...body] = rows;
  const columns = header!
    .split("|")
    .slice(1, -1)
    .map((c) => c.trim());
  if (
    columns.join(",") !== "#,step,check,reason,fault code" &&
    columns.join(",") !== "#,step,check,reason,fault"
  ) {
    throw new Error(`docs/${file}: unexpected columns ${columns.join(", ")}`);
  }
  if (!/^\|(\s*-+\s*\|)+$/.test(separator!)) throw new Error(`docs/${file}: no table separator`);
  return body.map((row) => {
    const cells = row
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length !== 5) throw new Error(`docs/${file}: a row has ${cells.length} cells: ${row}`);
    const names = backticked(cells[1]!);
    if (names.length !== 1) throw new Error(`docs/${file}: row ${cells[0]} names ${names.length} steps`);
    return {
      number: cells[0]!,
      name: names[0]!,
      reasons: backticked(cells[3]!),
      faults: backticked(cells[4]!),
    };
  });
}
