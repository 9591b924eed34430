/**
 * CI fan-out: `scenario run --shard i/n` runs a deterministic part of the files — the union of the
 * shards is the whole run, each file in exactly one — with a JUnit file per shard; `--workers`
 * and `--shard` refuse nonsense with one sentence and exit 2.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseShard, shardFiles } from "../../src/scenario/shard.js";
import { REPO_ROOT, runCli } from "../helpers/cli.js";

describe("shards", () => {
  const files = Array.from({ length: 11 }, (_, i) => `/s/${String.fromCharCode(107 - i)}.yaml`);

  it("split the files by sorted path: every file in exactly one shard, whatever the order given", () => {
    for (const total of [1, 2, 3, 4, 11, 15]) {
      const shards = Array.from({ length: total }, (_, i) => shardFiles(files, { index: i + 1, total }));
      expect(shards.flat().sort()).toEqual([...files].sort());
      const reversed = Array.from({ length: total }, (_, i) =>
        shardFiles([...files].reverse(), { index: i + 1, total }),
      );
      expect(reversed.map((s) => [...s].sort())).toEqual(shards.map((s) => [...s].sort()));
      // Balanced: sizes differ by at most one.
      const sizes = shards.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    // Within a shard, the order given is kept.
    const half = shardFiles(files, { index: 1, total: 2 });
    expect(shardFiles([...files].reverse(), { index: 1, total: 2 })).toEqual([...half].reverse());
  });

  it("are written i/n, with 1 ≤ i ≤ n", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, total: 4 });
    expect(parseShard(" 1 / 1 ")).toEqual({ index: 1, total: 1 });
    expect(() => parseShard("0/4")).toThrow("--shard 0/4: the shard index must be between 1 and 4");
    expect(() => parseShard("5/4")).toThrow("--shard 5/4: the shard index must be between 1 and 4");
    expect(() => parseShard("1/0")).toThrow("--shard 1/0: the number of shards must be at least 1");
    expect(() => parseShard("two/4")).toThrow(
      '--shard must be written i/n (e.g. 2/4: the second of four shards), got "two/4"',
    );
  });
});

describe("scenario run --shard and --workers", () => {
  it("three shards with a JUnit file each run every built-in scenario exactly once", async () => {
    const dir = await mkdtemp(join(tmpdir(), "smdb-shards-"));
    const names: string[] = [];
    for (const index of [1, 2, 3]) {
      const out = join(dir, `junit-${index}.xml`);
      const run = await runCli(
        [
          "scenario",
          "run",
          join(REPO_ROOT, "scenarios"),
          "--shard",
          `${index}/3`,
          "--workers",
          "1",
          "--reporter",
          "junit",
          "--out",
          out,
        ],
        { timeoutMs: 300_000 },
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(new RegExp(`^shard ${index}/3: 5 of 15 scenario files`));
      const xml = await readFile(out, "utf8");
      expect(xml).toContain(
        `<testsuite name="smdb-harness scenarios (shard ${index}/3)" tests="5" failures="0" errors="0"`,
      );
      names.push(...[...xml.matchAll(/<testcase name="([^"]+)"/g)].map((m) => m[1]!));
    }
    expect(names).toHaveLength(15);
    expect(new Set(names).size).toBe(15);
  }, 300_000);

  it("refuses a shard out of range and --workers 0 with one sentence, exit 2, before running anything", async () => {
    const shard = await runCli(["scenario", "run", "--shard", "4/3"]);
    expect(shard.code).toBe(2);
    expect(shard.stderr).toBe("smdb-harness: --shard 4/3: the shard index must be between 1 and 3\n");
    const workers = await runCli(["scenario", "run", "--workers", "0"]);
    expect(workers.code).toBe(2);
    expect(workers.stderr).toBe(
      'smdb-harness: --workers must be a whole number of at least 1 (scenarios run at once: this thread and N-1 worker threads), got "0"\n',
    );
    const explore = await runCli(["scenario", "explore", "--workers", "0"]);
    expect(explore.code).toBe(2);
    expect(explore.stderr).toContain("--workers must be a whole number of at least 1");
  }, 300_000);
});
