/** README.md as the tests read it: its shell examples, by section. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./cli.js";

export function readme(): string {
  return readFileSync(join(REPO_ROOT, "README.md"), "utf8");
}

/** The `sh` code blocks of the README section with this `## ` heading (all of them without one). */
export function readmeShellBlocks(heading?: string): string[] {
  const text = readme();
  let section = text;
  if (heading !== undefined) {
    const start = text.indexOf(`\n## ${heading}\n`);
    if (start < 0) throw new Error(`README.md has no section "## ${heading}"`);
    const end = text.indexOf("\n## ", start + 1);
    section = text.slice(start, end < 0 ? undefined : end);
  }
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The JSON value that starts at `index` in `text` (which may go on with more output). */
export function jsonAt(text: string, index: number): unknown {
  let depth = 0;
  let inString = false;
  for (let i = index; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return JSON.parse(text.slice(index, i + 1));
    }
  }
  throw new Error(`no complete JSON value at ${index}`);
}
