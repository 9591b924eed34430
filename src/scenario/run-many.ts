/**
 * Runs several scenario files: all parsed first (bad input stops everything, exit 2), then run
 * in parallel worker threads (one per core, at most one per file), reporting progress.
 */
import { availableParallelism } from "node:os";
import { parseScenarioFile, ScenarioError, type ScenarioProblem } from "./parse.js";
import type { ScenarioResult } from "./result.js";
import { type RunOptions, runScenario } from "./runner.js";
import { runInWorkers } from "./worker-pool.js";

export interface RunManyOptions {
  /** Worker threads to use; default: the number of cores, at most the number of files. */
  workers?: number;
  /** Passed to every run (e.g. a remote `target`: then the scenarios run one after the other). */
  run?: RunOptions;
  /** Called after each scenario finished. */
  onResult?: (result: ScenarioResult, done: number, total: number) => void;
}

/** Checks every file first; throws one ScenarioError with the problems of all files. */
export async function checkScenarioFiles(files: string[]): Promise<void> {
  const problems: ScenarioProblem[] = [];
  for (const file of files) {
    try {
      await parseScenarioFile(file);
    } catch (error) {
      if (error instanceof ScenarioError) problems.push(...error.problems);
      else throw error;
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
}

/** Runs the files and returns their results in the order given. */
export async function runScenarioFiles(
  files: string[],
  options: RunManyOptions = {},
): Promise<ScenarioResult[]> {
  await checkScenarioFiles(files);
  const results: ScenarioResult[] = new Array(files.length);
  const total = files.length;
  let done = 0;
  const finish = (index: number, result: ScenarioResult) => {
    results[index] = result;
    done++;
    options.onResult?.(result, done, total);
  };
  // One remote harness has one clock: its scenarios cannot overlap.
  const workers = options.run?.target
    ? 1
    : Math.max(1, Math.min(options.workers ?? availableParallelism(), files.length));
  if (workers === 1) {
    for (const [index, file] of files.entries()) finish(index, await runScenario(file, options.run));
    return results;
  }
  await runInWorkers(
    files.map((file) => ({ file })),
    workers,
    finish,
    (index, reply) =>
      reply.problems ? new ScenarioError(reply.problems) : new Error(`${files[index]}: ${reply.message}`),
  );
  return results;
}
