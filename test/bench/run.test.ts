import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

const LOADER = pathToFileURL(join(REPO_ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

function runBench(args: string[]) {
  const result = spawnSync(
    process.execPath,
    ["--import", LOADER, join(REPO_ROOT, "bench", "run.ts"), ...args],
    {
      encoding: "utf8",
      cwd: REPO_ROOT,
    },
  );
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

describe("bench/run.ts", () => {
  it("discovers *.bench.ts modules and prints one JSON line per case with the contract's fields", async () => {
    const dir = await mkdtemp(join(tmpdir(), "smdb-bench-"));
    const counts = join(dir, "counts.json");
    // The toy case counts how often its operation and its ceiling ran (the work, which unlike the
    // timings does not depend on how busy the machine is).
    await writeFile(
      join(dir, "toy.bench.ts"),
      `import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
const data = Buffer.alloc(1 << 16, 1);
const calls = { run: 0, ceiling: 0 };
export default {
  async cases() {
    return [
      {
        name: "toy.hash-twice",
        keyBits: 0,
        measure: { warmupMs: 50, seconds: 0.4 },
        run() { calls.run++; createHash("sha256").update(data).digest(); createHash("sha256").update(data).digest(); },
        ceiling() { calls.ceiling++; createHash("sha256").update(data).digest(); },
        teardown() { writeFileSync(${JSON.stringify(counts)}, JSON.stringify(calls)); },
      },
      { name: "toy.no-ceiling", keyBits: 0, measure: { warmupMs: 0, seconds: 0.05 }, run() {} },
    ];
  },
};
`,
    );
    await writeFile(join(dir, "not-a-bench.ts"), "throw new Error('must not be loaded');\n");
    const result = runBench(["--json", "--dir", dir]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.name)).toEqual(["toy.hash-twice", "toy.no-ceiling"]);
    const [hash, noCeiling] = lines;
    expect(Object.keys(hash).sort()).toEqual(
      ["ceilingOpsPerSec", "keyBits", "name", "opsPerSec", "p50Ms", "p99Ms", "ratio"].sort(),
    );
    expect(hash.opsPerSec).toBeGreaterThan(0);
    expect(hash.ceilingOpsPerSec).toBeGreaterThan(0);
    expect(hash.ratio).toBeCloseTo(hash.opsPerSec / hash.ceilingOpsPerSec, 2);
    expect(hash.p50Ms).toBeGreaterThan(0);
    expect(hash.p99Ms).toBeGreaterThanOrEqual(hash.p50Ms);
    // Both were measured, each at least the minimum number of iterations (5) after its warm-up.
    const calls = JSON.parse(await readFile(counts, "utf8")) as { run: number; ceiling: number };
    expect(calls.run).toBeGreaterThanOrEqual(5);
    expect(calls.ceiling).toBeGreaterThanOrEqual(5);
    expect(noCeiling.ceilingOpsPerSec).toBeNull();
    expect(noCeiling.ratio).toBeNull();

    const filtered = runBench(["--json", "--dir", dir, "--filter", "no-ceiling"]);
    expect(filtered.stdout.trim().split("\n")).toHaveLength(1);
    const table = runBench(["--dir", dir]);
    expect(table.stdout).toMatch(/^case\s+ops\/s\s+ceiling ops\/s\s+ratio/);
    expect(runBench(["--bogus"]).code).toBe(2);
  });
});
