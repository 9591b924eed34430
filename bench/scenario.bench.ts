/**
 * Scenario engine benchmarks (issue 9): one line each with the wall time of a run (`wallMs`,
 * also as p50Ms/p99Ms), the CPU time the process spent on it in all its threads (`cpuMs`: on a
 * shared machine the wall time also counts waiting for a core) and its real calls
 * (`evaluations`); no node:crypto ceiling (the work is
 * many real token and SMDB calls, each already measured by sts.issue and wsp.call).
 *
 * - `scenario.builtins`: the built-in scenarios, as `scenario run` runs them (worker threads).
 * - `scenario.long`: three years with 5-minute tokens (bench/scenarios/long-3y-5m-tokens.yaml);
 *   also the peak RSS of a fresh process that runs it (`maxRssMb`) and what its imports alone take.
 * - `scenario.long40d`: forty days, 5-minute tokens, four actions (long-40d-5m-tokens.yaml).
 * - `scenario.explore`: `scenario explore --policy at-expiry` (all 112 orderings, worker threads).
 *
 * Each is measured after one warm-up run (certificates issued, code compiled), as a CI run that
 * runs more than one scenario sees it.
 */
import { spawnSync } from "node:child_process";
import { readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { exploreOrderings } from "../src/scenario/explore.js";
import type { ScenarioResult } from "../src/scenario/result.js";
import { runScenarioFiles } from "../src/scenario/run-many.js";
import { runScenario } from "../src/scenario/runner.js";
import type { BenchCase, BenchModule } from "./types.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const ONCE = { warmupMs: 1, seconds: 0, minIterations: 3 };

/** What the last measured run did. */
interface Work {
  wallMs: number;
  cpuMs: number;
  evaluations: number;
  [field: string]: number;
}

/** Runs `fn`, timing it on the wall clock and in CPU time (all of the process's threads). */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return {
    value,
    wallMs: Math.round(performance.now() - started),
    cpuMs: Math.round((used.user + used.system) / 1000),
  };
}

function failed(results: ScenarioResult[]): string | undefined {
  const bad = results.filter((r) => !r.passed);
  return bad.length
    ? bad.map((r) => `${r.name}: ${r.error ?? "expectations did not hold"}`).join("; ")
    : undefined;
}

function scenarioCase(name: string, file: string, extra?: () => Record<string, number>): BenchCase {
  let work: Work = { wallMs: 0, cpuMs: 0, evaluations: 0 };
  return {
    name,
    keyBits: 3072,
    measure: ONCE,
    async run() {
      const { value: result, wallMs, cpuMs } = await timed(() => runScenario(file));
      const problem = failed([result]);
      if (problem) throw new Error(problem);
      work = {
        wallMs,
        cpuMs,
        evaluations: result.evaluations,
        repeatedCycles: result.repeatedCycles,
      };
    },
    extra: () => ({ ...work, ...(extra ? extra() : {}) }),
  };
}

/** Peak RSS of a fresh process that runs `file` (and of one that only loads the code), in MB. */
function freshProcessRss(file: string): Record<string, number> {
  const loader = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
  const runner = pathToFileURL(join(root, "src", "scenario", "runner.ts")).href;
  const script = (run: boolean) =>
    `const { runScenario } = await import(${JSON.stringify(runner)});` +
    (run ? `const r = await runScenario(${JSON.stringify(file)}); if (!r.passed) process.exit(3);` : "") +
    "console.log(process.resourceUsage().maxRSS);";
  const measure = (run: boolean) => {
    const child = spawnSync(
      process.execPath,
      ["--import", loader, "--input-type=module", "-e", script(run)],
      {
        encoding: "utf8",
        cwd: root,
      },
    );
    if (child.status !== 0)
      throw new Error(`fresh process for ${file}: exit ${child.status}: ${child.stderr}`);
    return Math.round(Number(child.stdout.trim()) / 1024);
  };
  return { maxRssMb: measure(true), importsRssMb: measure(false) };
}

const module: BenchModule = {
  async cases(): Promise<BenchCase[]> {
    const builtins = join(root, "scenarios");
    const files = (await readdir(builtins))
      .filter((n) => n.endsWith(".yaml"))
      .sort()
      .map((n) => join(builtins, n));
    let suite: Work = { wallMs: 0, cpuMs: 0, evaluations: 0 };
    let explore: Work = { wallMs: 0, cpuMs: 0, evaluations: 0 };
    const long = join(here, "scenarios", "long-3y-5m-tokens.yaml");
    let rss: Record<string, number> | undefined;
    return [
      {
        name: "scenario.builtins",
        keyBits: 3072,
        measure: ONCE,
        async run() {
          const { value: results, wallMs, cpuMs } = await timed(() => runScenarioFiles(files));
          const problem = failed(results);
          if (problem) throw new Error(problem);
          suite = {
            wallMs,
            cpuMs,
            evaluations: results.reduce((n, r) => n + r.evaluations, 0),
            scenarios: results.length,
          };
        },
        extra: () => suite,
      },
      scenarioCase("scenario.long", long, () => {
        rss ??= freshProcessRss(long);
        return rss;
      }),
      scenarioCase("scenario.long40d", join(here, "scenarios", "long-40d-5m-tokens.yaml")),
      {
        name: "scenario.explore",
        keyBits: 3072,
        measure: ONCE,
        async run() {
          const {
            value: result,
            wallMs,
            cpuMs,
          } = await timed(() => exploreOrderings({ policy: "at-expiry" }));
          explore = {
            wallMs,
            cpuMs,
            evaluations: result.evaluations,
            runs: result.runs,
            orderings: result.orderings.length,
          };
        },
        extra: () => explore,
      },
    ];
  },
};

export default module;
