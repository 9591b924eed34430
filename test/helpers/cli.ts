/**
 * Runs the `smdb-harness` CLI from source (`node --import tsx src/cli/main.ts …`) as a child
 * process, the way a user runs it, and collects its exit code and output; `startUp` runs the
 * long-lived `smdb-harness up` the same way.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MAIN = join(REPO_ROOT, "src", "cli", "main.ts");
// An absolute loader URL, so that the CLI also runs with a cwd outside the repository.
const TSX_LOADER = pathToFileURL(join(REPO_ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

/** How long a CLI may take before it is taken to hang (a loaded machine is slow, not stuck). */
const CLI_TIMEOUT_MS = 180_000;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  cwd?: string;
  /** Added to (and overriding) the parent's environment. */
  env?: Record<string, string | undefined>;
  /** Written to the CLI's stdin, which is then closed. */
  input?: string | Buffer;
  /**
   * Kill the CLI after this many milliseconds (default 180 s: a hang, not slowness, on a loaded
   * machine); the result's code is then -1.
   */
  timeoutMs?: number;
}

export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX_LOADER, MAIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? CLI_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** `smdb-harness client call --config CONFIG --operation OPERATION [--payload FILE] [--dump-dir DIR]`. */
export function clientCall(
  config: string,
  operation: string,
  options: { payload?: string; dumpDir?: string } = {},
): Promise<CliResult> {
  return runCli([
    "client",
    "call",
    "--config",
    config,
    "--operation",
    operation,
    ...(options.payload ? ["--payload", options.payload] : []),
    ...(options.dumpDir ? ["--dump-dir", options.dumpDir] : []),
  ]);
}

export interface RunningUp {
  child: ChildProcessWithoutNullStreams;
  /** The base URL `up` printed (`listening on …`). */
  url: string;
  /** Everything `up` printed on stdout so far. */
  stdout: () => string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

const runningUps = new Set<ChildProcessWithoutNullStreams>();

/**
 * Starts `smdb-harness up --port 0 …args` and resolves once it has printed its summary; rejects
 * with its output when it exits first or does not start within CLI_TIMEOUT_MS. Stop it with a signal
 * and await `exited`; `killRunningUps()` (afterAll) kills whatever is left.
 */
export function startUp(args: string[]): Promise<RunningUp> {
  const child = spawn(process.execPath, ["--import", TSX_LOADER, MAIN, "up", "--port", "0", ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: "1" },
  });
  runningUps.add(child);
  let out = "";
  let err = "";
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      runningUps.delete(child);
      resolve(code);
    }),
  );
  child.stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`up did not start in time\n${out}\n${err}`)),
      CLI_TIMEOUT_MS,
    );
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match && out.includes("Press Ctrl+C to stop.")) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stdout: () => out, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`up exited with ${code}\n${out}\n${err}`));
    });
  });
}

/** Kills (SIGKILL) every `up` started by `startUp` that is still running. */
export function killRunningUps(): void {
  for (const child of runningUps) child.kill("SIGKILL");
}
