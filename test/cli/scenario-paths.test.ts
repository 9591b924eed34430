/**
 * `scenario run DIR`: a directory stands for the scenario files in it, as check-expiry takes
 * directories too; an empty one is bad input (exit 2) with its name.
 */
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
