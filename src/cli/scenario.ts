/**
 * `smdb-harness scenario run [FILE…]` and `smdb-harness scenario explore`: rotation scenarios on
 * a virtual clock. Exit codes: 0 every expectation held; 1 some did not; 2 bad input.
 */
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Command, Option } from "commander";
import { formatDuration } from "../core/clock.js";
import { HarnessError } from "../core/errors.js";
import { fileErrorSentence } from "../core/file-errors.js";
import { type ExploreResult, exploreOrderings, formatExploreTable } from "../scenario/explore.js";
import { ScenarioError } from "../scenario/parse.js";
import {
  formatScenarioResult,
  junitInputErrorReport,
  REPORTERS,
  type ReporterName,
  renderReport,
} from "../scenario/report/index.js";
import { runScenarioFiles } from "../scenario/run-many.js";
import { checkRemoteTarget, type RemoteTarget } from "../scenario/runner.js";
import { parseShard, type Shard, shardFiles } from "../scenario/shard.js";
import { DEFAULT_ROLLOVER_POLICY, ROLLOVER_POLICIES, type RolloverPolicy } from "../sts/rollover.js";
import { action, CliError } from "./common.js";

/** The directory of the built-in scenarios (the same relative place from src/ and dist/). */
export function builtInScenarioDir(): string {
  return fileURLToPath(new URL("../../scenarios/", import.meta.url));
}

export async function builtInScenarioFiles(): Promise<string[]> {
  const dir = builtInScenarioDir();
  const names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  return names.map((name) => `${dir}${name}`);
}

/** The files to run: each directory stands for the YAML files in it (sorted), like the built-in ones. */
export async function expandScenarioPaths(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const isDir = await stat(path).then(
      (s) => s.isDirectory(),
      () => false, // a missing file is reported by the parser, with its name
    );
    if (!isDir) {
      files.push(path);
      continue;
    }
    const names = (await readdir(path)).filter((name) => /\.ya?ml$/.test(name)).sort();
    if (names.length === 0) throw new CliError(`${path}: a directory without scenario files (*.yaml, *.yml)`);
    files.push(...names.map((name) => join(path, name)));
  }
  return files;
}

/** Writes a report file, making its directory; an unwritable path is one line naming it. */
async function writeReport(out: string, report: string): Promise<void> {
  try {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, report);
  } catch (error) {
    throw new CliError(`--out ${out}: ${fileErrorSentence("the report", error, "written")}`);
  }
}

/** `--workers N`: a whole number of at least 1 (`--workers 0` would run nothing). */
export function workersOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const workers = Number(text);
  if (!(Number.isInteger(workers) && workers >= 1)) {
    throw new CliError(
      `--workers must be a whole number of at least 1 (scenarios run at once: this thread and N-1 worker threads), got "${text}"`,
    );
  }
  return workers;
}

/** `--shard i/n`, or one sentence and exit 2. */
function shardOption(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  try {
    return parseShard(text);
  } catch (error) {
    if (error instanceof RangeError) throw new CliError(error.message);
    throw error;
  }
}

/** `--target URL [--target-ca FILE]`, checked before anything runs: one sentence and exit 2 if unusable. */
async function targetOption(
  url: string | undefined,
  caFile: string | undefined,
): Promise<RemoteTarget | undefined> {
  if (url === undefined) {
    if (caFile !== undefined) throw new CliError("--target-ca needs --target");
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--target must be the harness's base URL, e.g. http://127.0.0.1:8080; got "${url}"`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new CliError(`--target must be an http:// or https:// URL; got "${url}"`);
  }
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = await readFile(caFile, "utf8");
    } catch (error) {
      throw new CliError(`--target-ca ${caFile}: cannot be read (${(error as Error).message})`);
    }
  }
  const target: RemoteTarget = { url, ...(ca !== undefined ? { ca } : {}) };
  try {
    await checkRemoteTarget(target);
  } catch (error) {
    if (error instanceof HarnessError) throw new CliError(`--target: ${error.message}`);
    throw error;
  }
  return target;
}

export function register(program: Command): void {
  const scenario = program
    .command("scenario")
    .description("run certificate-rotation scenarios on a virtual clock, and explore step orderings")
    .addHelpText(
      "after",
      `
The scenario format (YAML): docs/scenarios.md; the built-in scenarios are in ${builtInScenarioDir()}.

Examples:
  smdb-harness scenario run                                   the built-in scenarios
  smdb-harness scenario run my-rotation.yaml --verbose        yours, with its timeline
  smdb-harness scenario explore --policy all                  which orders of the steps cause downtime`,
    );

  scenario
    .command("run")
    .summary("run rotation scenarios (YAML) and check their expectations")
    .description(
      "Run scenario files (YAML; none given: the built-in scenarios) through the real STS and SMDB on a " +
        "virtual clock and check their expectations. Exit 0: all held; 1: some did not; 2: bad input.",
    )
    .argument("[files...]", "scenario files (YAML), or directories of them")
    .addOption(new Option("--reporter <name>", "output format").choices([...REPORTERS]).default("terminal"))
    .option("--out <file>", "write the report to this file instead of standard output")
    .option("--verbose", "terminal: show the timeline of passing scenarios too")
    .option(
      "--workers <n>",
      "scenarios run at once: this thread and N-1 worker threads (default: one per core)",
    )
    .option(
      "--shard <i/n>",
      "run only shard i of n (e.g. 2/4): every n-th file of the run sorted by path; the n shards together run every file once",
    )
    .option(
      "--target <url>",
      "drive this running harness (e.g. a container) instead of one in-process; it must run with " +
        "--virtual-clock and --message-clock harness; scenarios then run one after the other",
    )
    .option("--target-ca <file>", "the target's TLS CA (its tls-ca.pem), for an https:// --target")
    .addHelpText(
      "after",
      `
The format (names, certificates, setup, steps, expectations): docs/scenarios.md; start from a
built-in scenario, e.g. ${builtInScenarioDir()}client-switched-before-sts.yaml.

Examples:
  smdb-harness scenario run                                   all built-in scenarios
  smdb-harness scenario run my-rotation.yaml --verbose
  smdb-harness scenario run rotations/                        every *.yaml in a directory
  smdb-harness scenario run scenarios/*.yaml --reporter junit --out junit.xml
  smdb-harness scenario run --reporter html --out rotation.html   a page for trainers
  smdb-harness scenario run --target http://127.0.0.1:8080    against a running harness
  smdb-harness scenario run rotations/ --shard 2/4 --reporter junit --out junit-2.xml   one CI job of four`,
    )
    .action(
      action(
        async (
          files: string[],
          options: {
            reporter: ReporterName;
            out?: string;
            verbose?: boolean;
            workers?: string;
            shard?: string;
            target?: string;
            targetCa?: string;
          },
        ) => {
          const workers = workersOption(options.workers);
          const shard = shardOption(options.shard);
          const all = files.length > 0 ? await expandScenarioPaths(files) : await builtInScenarioFiles();
          if (all.length === 0) throw new CliError("no scenario files given and no built-in scenarios found");
          const list = shard ? shardFiles(all, shard) : all;
          const shardLabel = shard ? `${shard.index}/${shard.total}` : undefined;
          if (shard) {
            process.stderr.write(
              `shard ${shardLabel}: ${list.length} of ${all.length} scenario file${all.length === 1 ? "" : "s"}\n`,
            );
          }
          const target = await targetOption(options.target, options.targetCa);
          const color =
            !options.out &&
            options.reporter === "terminal" &&
            process.stdout.isTTY === true &&
            !process.env.NO_COLOR;
          const progress = list.length > 1 && process.stderr.isTTY === true;
          const started = performance.now();
          let results: Awaited<ReturnType<typeof runScenarioFiles>>;
          try {
            results = await runScenarioFiles(list, {
              workers,
              ...(target ? { run: { target } } : {}),
              onResult: (result, done, total) => {
                if (progress) {
                  const mark = result.passed ? "✔" : "✖";
                  process.stderr.write(
                    `[${done}/${total}] ${mark} ${result.name} (${result.elapsedMs} ms)\n`,
                  );
                }
              },
            });
          } catch (error) {
            if (error instanceof ScenarioError) {
              // CI reads the JUnit file: say there why nothing ran, rather than leaving none.
              if (options.reporter === "junit" && options.out) {
                await writeReport(
                  options.out,
                  junitInputErrorReport(
                    error.problems,
                    shardLabel ? { suite: `smdb-harness scenarios (shard ${shardLabel})` } : {},
                  ),
                );
              }
              throw new CliError(`bad scenario input:\n${error.message}`, 2);
            }
            throw error;
          }
          const elapsed = Math.round(performance.now() - started);
          const report = renderReport(options.reporter, results, elapsed, {
            color,
            verbose: options.verbose,
            ...(shardLabel ? { shard: shardLabel } : {}),
          });
          if (options.out) {
            await writeReport(options.out, report);
            process.stderr.write(
              `${results.filter((r) => r.passed).length}/${results.length} scenarios as expected; report written to ${options.out}\n`,
            );
            if (options.reporter !== "terminal") {
              for (const r of results.filter((x) => !x.passed))
                process.stderr.write(`${formatScenarioResult(r)}\n`);
            }
          } else {
            process.stdout.write(report);
          }
          if (results.some((r) => r.error)) return 2;
          return results.every((r) => r.passed) ? 0 : 1;
        },
      ),
    );

  scenario
    .command("explore")
    .summary("show which orderings of the rotation steps cause downtime under a policy")
    .description(
      "Run every ordering (and relative timing) of the rotation steps — upload+save, provision per " +
        "environment, client deploy, old certificate expiry; client with and without fallback — through " +
        "the real STS and SMDB, and show which cause downtime under a rollover policy, when (relative to " +
        "the old certificate's expiry) the client can deploy without downtime, and how far each step can move.",
    )
    .addOption(
      new Option("--policy <policy>", "rollover policy, or all")
        .choices([...ROLLOVER_POLICIES, "all"])
        .default(DEFAULT_ROLLOVER_POLICY),
    )
    .option(
      "--json",
      "print {policy, orderings: [{steps, fromExpiry, downtimeMs, safe, firstFailureReason, deployWindow, …}], sequences: [{order, fallback, safe, deployWindow, slack}]} (an array for --policy all)",
    )
    .option("--match <code>", "only orderings whose code contains this, e.g. U-PP-D (codes: U, PI, PP, D, E)")
    .option(
      "--workers <n>",
      "scenarios run at once: this thread and N-1 worker threads (default: one per core)",
    )
    .addHelpText(
      "after",
      `
Examples:
  smdb-harness scenario explore                          at-expiry, a table
  smdb-harness scenario explore --policy all
  smdb-harness scenario explore --policy overlap --json
  smdb-harness scenario explore --match U-PP-D           orderings that provision production, then deploy`,
    )
    .action(
      action(
        async (options: {
          policy: RolloverPolicy | "all";
          json?: boolean;
          workers?: string;
          match?: string;
        }) => {
          const policies = options.policy === "all" ? [...ROLLOVER_POLICIES] : [options.policy];
          const workers = workersOption(options.workers);
          const results: ExploreResult[] = [];
          for (const policy of policies) {
            const started = performance.now();
            let result: ExploreResult;
            try {
              result = await exploreOrderings({
                policy,
                workers,
                ...(options.match !== undefined ? { match: options.match } : {}),
                onProgress: (done, total) => {
                  if (process.stderr.isTTY) process.stderr.write(`\r${policy}: ${done}/${total} orderings`);
                },
              });
            } catch (error) {
              if (error instanceof RangeError) throw new CliError(error.message, 2);
              throw error;
            }
            if (process.stderr.isTTY) process.stderr.write("\n");
            results.push(result);
            if (!options.json) {
              process.stdout.write(
                formatExploreTable(result, { color: process.stdout.isTTY === true && !process.env.NO_COLOR }),
              );
              process.stdout.write(
                `explored ${result.orderings.length} orderings in ${formatDuration(Math.round(performance.now() - started))}\n\n`,
              );
            }
          }
          if (options.json) {
            process.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
          }
          return 0;
        },
      ),
    );
}
