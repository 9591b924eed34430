/**
 * The floors of docs/architecture.md hold: no file imports a file of a higher floor, so there is
 * no circle between folders either. Reads the relative imports of every source file.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");
/** From the ground up, as docs/architecture.md draws them. */
const FLOORS = [
  "core",
  "pki",
  "xml",
  "smdb",
  "sts",
  "wsp",
  "client",
  "control",
  "ui",
  "harness",
  "scenario",
  "testcontainers",
  "cli",
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** The floor of a file: its folder under src/, or above all for src/index.ts (the package's face). */
function floorOf(file: string): number {
  const top = relative(SRC, file).split("/")[0]!;
  const floor = FLOORS.indexOf(top);
  return floor === -1 ? FLOORS.length : floor;
}

describe("the architecture's floors", () => {
  it("names every folder of src/", () => {
    const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());
    expect(folders.filter((f) => !FLOORS.includes(f))).toEqual([]);
  });

  it("has no import that climbs to a higher floor", () => {
    const climbing: string[] = [];
    let imports = 0;
    for (const file of sourceFiles(SRC)) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["'](\.{1,2}\/[^"']+)["']/g)) {
        imports++;
        const target = resolve(dirname(file), match[1]!);
        if (floorOf(target) > floorOf(file)) {
          climbing.push(`${relative(SRC, file)} imports ${relative(SRC, target)}`);
        }
      }
    }
    expect(imports).toBeGreaterThan(200);
    expect(climbing).toEqual([]);
  });
});
