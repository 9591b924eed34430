/**
 * The repository is self-contained: a fresh clone with nothing beside it passes `npm test`, and a
 * reader needs no file outside it. No test, doc, source or bench file refers to a folder beside
 * the repository or to a design file that users do not have; the docs' links and the repository
 * paths they name exist; the reference material the tests read is in test/fixtures/reference/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";
import { REFERENCE_FIXTURES } from "../helpers/fixtures.js";

/** Text files under `dir` (recursively), as paths relative to the repository. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(REPO_ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (/\.(ts|js|mjs|md|json|ya?ml|html|css|txt)$/.test(entry.name)) out.push(path);
  }
  return out;
}

const SCANNED = [
  ...["test", "docs", "src", "bench", ".ci"].flatMap(filesUnder),
  ".ci/run",
  "README.md",
  "package.json",
  "vitest.config.ts",
];
// Spelt in pieces so that this file does not name them itself.
const OUTSIDE = [["..", "shared"].join("/"), ["shared", "fixtures"].join("/"), ["DESIGN", "md"].join(".")];

/**
 * Where the relative paths in a source file lead: string literals starting with `../`, and
 * `join`/`resolve` calls from the file's own folder (`import.meta.dirname`, `__dirname`) with
 * literal segments. Returns the repository-relative result of each.
 */
function relativeTargets(file: string, text: string): string[] {
  const dir = dirname(join(REPO_ROOT, file));
  const targets: string[] = [];
  for (const match of text.matchAll(/["'`]((?:\.\.\/)+[^"'`$]*)["'`]/g))
    targets.push(resolve(dir, match[1]!));
  for (const match of text.matchAll(/(?:import\.meta\.dirname|__dirname)((?:\s*,\s*"[^"]*")+)/g)) {
    const segments = [...match[1]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    targets.push(resolve(dir, ...segments));
  }
  return targets.map((target) => relative(REPO_ROOT, target));
}

describe("the repository refers to nothing outside it", () => {
  it("scans the tests, docs, sources, benchmarks, CI script and README", () => {
    for (const dir of ["test", "docs", "src", "bench"]) {
      expect(
        SCANNED.some((file) => file.startsWith(`${dir}/`)),
        dir,
      ).toBe(true);
    }
    expect(SCANNED).toContain("test/helpers/fixtures.ts");
  });

  it("no file names a folder beside the repository or a design file users do not have", () => {
    const found: string[] = [];
    for (const file of SCANNED) {
      const lines = readFileSync(join(REPO_ROOT, file), "utf8").split("\n");
      lines.forEach((line, index) => {
        for (const needle of OUTSIDE) {
          if (line.includes(needle)) found.push(`${file}:${index + 1}: ${needle}: ${line.trim()}`);
        }
      });
    }
    expect(found).toEqual([]);
  });

  it("no relative path in a test, source or benchmark climbs out of the repository", () => {
    const escaping: string[] = [];
    let seen = 0;
    for (const file of SCANNED.filter((f) => f.endsWith(".ts"))) {
      for (const target of relativeTargets(file, readFileSync(join(REPO_ROOT, file), "utf8"))) {
        seen++;
        if (target.startsWith("..") || target === "") escaping.push(`${file}: ${target || "."}`);
      }
    }
    expect(seen).toBeGreaterThan(100); // the imports alone
    expect(escaping).toEqual([]);
    // The check itself (examples built in pieces, so that this file does not trip it): a path one
    // folder too far up is caught, an import from a nested test folder is not.
    const up = '"..", ';
    const tooFar = `join(import.meta.${"dirname"}, ${up.repeat(3)}"other")`;
    expect(relativeTargets("test/pki/x.ts", tooFar)).toEqual([join("..", "other")]);
    const nested = `from "${"../".repeat(3)}src/core/clock.js"`;
    expect(relativeTargets("test/sts/registry/x.ts", nested)).toEqual([join("src", "core", "clock.js")]);
  });

  it("the reference material the tests read is in the repository, each file listed in its README", () => {
    expect(relative(REPO_ROOT, REFERENCE_FIXTURES)).toBe(join("test", "fixtures", "reference"));
    const readme = readFileSync(join(REFERENCE_FIXTURES, "README.md"), "utf8");
    const files = readdirSync(REFERENCE_FIXTURES).filter((name) => name !== "README.md");
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      expect(readme, name).toContain(`\`${name}\``);
      expect(statSync(join(REFERENCE_FIXTURES, name)).size, name).toBeGreaterThan(0);
    }
    // Every file is read by some test (through test/helpers/fixtures.ts), so none is dead weight.
    const tests = filesUnder("test")
      .filter((file) => file.endsWith(".ts"))
      .map((file) => readFileSync(join(REPO_ROOT, file), "utf8"))
      .join("\n");
    for (const name of files) expect(tests, `no test reads ${name}`).toContain(name);
  });

  it("every relative link in the READMEs and docs/*.md, and every repository path they name, exists", () => {
    const missing: string[] = [];
    const readmes = ["README.md", join("test", "fixtures", "reference", "README.md")];
    for (const file of [...readmes, ...filesUnder("docs").filter((f) => f.endsWith(".md"))]) {
      const text = readFileSync(join(REPO_ROOT, file), "utf8");
      for (const match of text.matchAll(/\]\(([^)#:\s]+)(#[^)]*)?\)/g)) {
        const target = resolve(REPO_ROOT, dirname(file), match[1]!);
        if (!existsSync(target)) missing.push(`${file}: link ${match[1]}`);
      }
      // Paths in code spans that start at a top-level folder of the repository, e.g.
      // `test/fixtures/reference/dotnet-wsc-rst-issue-request.xml` or src/core/reason-codes.ts.
      for (const match of text.matchAll(/(?<![\w./-])((?:src|test|docs|bench|scenarios)\/[\w./-]+\.\w+)/g)) {
        const path = match[1]!.replace(/[.,;:]$/, "");
        if (!existsSync(join(REPO_ROOT, path))) missing.push(`${file}: path ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
