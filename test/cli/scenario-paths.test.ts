/**
 * `scenario run DIR`: a directory stands for the scenario files in it, as check-expiry takes
 * directories too; an empty one is bad input (exit 2) with its name.
 */
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../helpers/cli.js";
import { useTempDir } from "../helpers/tmp.js";

let dir: string;
useTempDir("smdb-scenario-paths-", (path) => {
  dir = path;
});

describe("scenario run with a directory", () => {
  it("runs every *.yaml in it (and nothing else)", async () => {
    const rotations = join(dir, "rotations");
    await mkdir(rotations);
    await copyFile(
      join(REPO_ROOT, "scenarios", "saved-not-provisioned.yaml"),
      join(rotations, "saved-not-provisioned.yaml"),
    );
    await writeFile(join(rotations, "notes.txt"), "not a scenario");
    const res = await runCli(["scenario", "run", rotations, "--reporter", "json", "--workers", "1"]);
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout);
    const names = report.results.map((r: { name: string }) => r.name);
    expect(names).toEqual(["saved-not-provisioned"]);
  });

  it("a directory without scenario files is bad input, named", async () => {
    const empty = join(dir, "empty");
    await mkdir(empty);
    const res = await runCli(["scenario", "run", empty]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${empty}: a directory without scenario files`);
  });
});

describe("scenario --help", () => {
  it("points at the format and at a built-in scenario to start from, with examples", async () => {
    const group = await runCli(["scenario", "--help"]);
    expect(group.code).toBe(0);
    expect(group.stdout).toContain("docs/scenarios.md");
    expect(group.stdout).toContain("Examples:");
    const run = await runCli(["scenario", "run", "--help"]);
    expect(run.stdout).toContain("docs/scenarios.md");
    const example = /start from a\s+built-in scenario, e\.g\. (\S+\.yaml)\./.exec(run.stdout)?.[1];
    expect(example).toBeDefined();
    expect(existsSync(example ?? "")).toBe(true);
  });
});

describe("scenario run --out", () => {
  it("makes the report's directory (reports/junit.xml in CI)", async () => {
    const out = join(dir, "reports", "ci", "junit.xml");
    const res = await runCli([
      "scenario",
      "run",
      join(REPO_ROOT, "scenarios", "saved-not-provisioned.yaml"),
      "--reporter",
      "junit",
      "--out",
      out,
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toContain('<testcase name="saved-not-provisioned"');
  });
  it("a report that cannot be written is one line naming --out, exit 2", async () => {
    const blocker = join(dir, "blocker");
    await writeFile(blocker, "a file, not a directory");
    const res = await runCli([
      "scenario",
      "run",
      join(REPO_ROOT, "scenarios", "saved-not-provisioned.yaml"),
      "--out",
      join(blocker, "junit.xml"),
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      /^smdb-harness: --out .*blocker\/junit\.xml: the report cannot be written: a part of the path is a file, not a directory\n$/,
    );
  });
});

describe("scenario explore --match", () => {
  it("takes the ordering code in any case (u-pp-d is U-PP-D)", async () => {
    const res = await runCli(["scenario", "explore", "--match", "u-pp-d", "--json", "--workers", "1"], {
      timeoutMs: 120_000,
    });
    expect(res.code, res.stderr).toBe(0);
    const orderings = JSON.parse(res.stdout).orderings as { steps: string[] }[];
    expect(orderings.length).toBeGreaterThan(0);
  });
});
