/**
 * `npm run bench [-- --json] [-- --filter NAME]`: discovers every `bench/*.bench.ts` module, runs
 * each of its cases and the case's node:crypto ceiling the same way (warm-up, then iterations for
 * about 1.5 s), and reports ops/s, p50/p99 latency and ratio = opsPerSec / ceilingOpsPerSec.
 * With --json: one JSON object per line (docs/contract.md); otherwise a table.
 */
import { readdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchCase, BenchModule, BenchResult } from "./types.js";

interface Measurement {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  iterations: number;
}

const DEFAULTS = { warmupMs: 300, seconds: 1.5, minIterations: 5, maxIterations: 1_000_000 };

async function measure(
  fn: () => Promise<void> | void,
  options: BenchCase["measure"] = {},
): Promise<Measurement> {
  const { warmupMs, seconds, minIterations, maxIterations } = { ...DEFAULTS, ...options };
  if (warmupMs > 0) {
    const warmupEnd = performance.now() + warmupMs;
    do await fn();
    while (performance.now() < warmupEnd);
  }
  const durations: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  while (durations.length < maxIterations && (durations.length < minIterations || performance.now() < end)) {
    const t0 = performance.now();
    await fn();
    durations.push(performance.now() - t0);
  }
  const total = performance.now() - start;
  durations.sort((a, b) => a - b);
  const quantile = (q: number) =>
    durations[Math.min(durations.length - 1, Math.ceil(q * durations.length) - 1)]!;
  return {
    opsPerSec: durations.length / (total / 1000),
    p50Ms: quantile(0.5),
    p99Ms: quantile(0.99),
    iterations: durations.length,
  };
}

function round(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 6)));
}

async function discover(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(".bench.ts")).sort();
}

function parseArgs(argv: string[]): { json: boolean; filter?: string; dir?: string } {
  let json = false;
  let filter: string | undefined;
  let dir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--json") json = true;
    else if (arg === "--filter") filter = argv[++i];
    else if (arg.startsWith("--filter=")) filter = arg.slice("--filter=".length);
    else if (arg === "--dir") dir = argv[++i];
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(
        "usage: npm run bench [-- --json] [-- --filter SUBSTRING] [-- --dir DIR]\n\n" +
          "Runs every case of every bench/*.bench.ts module and its node:crypto ceiling.\n" +
          "  --json     one JSON object per line: {name, opsPerSec, ceilingOpsPerSec, ratio, p50Ms, p99Ms, keyBits}\n" +
          "  --filter   only cases whose name contains SUBSTRING (e.g. --filter pki.issue50.warm)\n" +
          "  --dir      look for *.bench.ts modules in DIR instead of bench/\n",
      );
      process.exit(0);
    } else {
      process.stderr.write(`bench: unknown argument "${arg}" (use --json, --filter NAME)\n`);
      process.exit(2);
    }
  }
  return { json, ...(filter === undefined ? {} : { filter }), ...(dir === undefined ? {} : { dir }) };
}

const CONTRACT_FIELDS = new Set([
  "name",
  "opsPerSec",
  "ceilingOpsPerSec",
  "ratio",
  "p50Ms",
  "p99Ms",
  "keyBits",
]);

function table(results: BenchResult[]): string {
  const rows = [
    ["case", "ops/s", "ceiling ops/s", "ratio", "p50 ms", "p99 ms", "key bits", "more"],
    ...results.map((r) => [
      r.name,
      String(r.opsPerSec),
      r.ceilingOpsPerSec === null ? "-" : String(r.ceilingOpsPerSec),
      r.ratio === null ? "-" : String(r.ratio),
      String(r.p50Ms),
      String(r.p99Ms),
      String(r.keyBits),
      Object.entries(r)
        .filter(([key]) => !CONTRACT_FIELDS.has(key))
        .map(([key, value]) => `${key}=${value}`)
        .join(" "),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return `${rows
    .map((row) =>
      row
        .map((cell, c) =>
          c === 0 || c === row.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!),
        )
        .join("  ")
        .trimEnd(),
    )
    .join("\n")}\n`;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const { json, filter } = args;
  const dir = args.dir === undefined ? dirname(fileURLToPath(import.meta.url)) : resolve(args.dir);
  const results: BenchResult[] = [];
  let failed = false;
  for (const file of await discover(dir)) {
    let cases: BenchCase[];
    try {
      const module = (await import(pathToFileURL(join(dir, file)).href)) as { default: BenchModule };
      cases = await module.default.cases();
    } catch (error) {
      process.stderr.write(`bench: ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
      failed = true;
      continue;
    }
    for (const benchCase of cases) {
      if (filter !== undefined && !benchCase.name.includes(filter)) {
        await benchCase.teardown?.();
        continue;
      }
      if (!json) process.stderr.write(`measuring ${benchCase.name} …\n`);
      try {
        const run = await measure(() => benchCase.run(), benchCase.measure);
        const ceiling = benchCase.ceiling
          ? await measure(() => benchCase.ceiling!(), benchCase.measure)
          : null;
        const result: BenchResult = {
          name: benchCase.name,
          opsPerSec: round(run.opsPerSec),
          ceilingOpsPerSec: ceiling ? round(ceiling.opsPerSec) : null,
          ratio: ceiling ? round(run.opsPerSec / ceiling.opsPerSec) : null,
          p50Ms: round(run.p50Ms),
          p99Ms: round(run.p99Ms),
          keyBits: benchCase.keyBits,
          ...(benchCase.extra ? await benchCase.extra() : {}),
        };
        results.push(result);
        if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
      } catch (error) {
        process.stderr.write(
          `bench: ${benchCase.name}: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        failed = true;
      } finally {
        await benchCase.teardown?.();
      }
    }
  }
  if (!json) process.stdout.write(table(results));
  return failed ? 1 : 0;
}

process.exitCode = await main();
