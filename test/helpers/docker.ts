/**
 * What the container tests share: whether a Docker engine is there (they skip, saying so, only
 * when none is; with SMDB_HARNESS_REQUIRE_DOCKER=1, as in CI, they fail instead), the harness image
 * (SMDB_HARNESS_IMAGE when CI built it, else built here from the repository), and running
 * `docker` / `docker compose` with their output.
 */
import { spawn, spawnSync } from "node:child_process";
import { REPO_ROOT } from "./cli.js";

/** Whether `docker info` answers: a Docker engine is reachable. */
export function dockerAvailable(): boolean {
  const result = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], {
    timeout: 20_000,
    encoding: "utf8",
  });
  return result.status === 0;
}

/**
 * Whether the container tests of `file` run: true with a Docker engine; without one they skip and
 * print so, unless SMDB_HARNESS_REQUIRE_DOCKER is set (CI), where that is an error.
 */
export function containerTestsRun(file: string): boolean {
  if (dockerAvailable()) return true;
  if (process.env.SMDB_HARNESS_REQUIRE_DOCKER) {
    throw new Error(
      `${file}: no Docker engine answers \`docker info\`, and SMDB_HARNESS_REQUIRE_DOCKER is set: the container tests must run here (.ci/setup-docker.sh starts one)`,
    );
  }
  console.log(`${file}: SKIPPED — no Docker engine answers \`docker info\`; the container tests did not run`);
  return false;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (default limit 10 minutes); never throws for a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 600_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Like `run`, but a non-zero exit throws with the output. */
export async function runOk(
  command: string,
  args: string[],
  options: Parameters<typeof run>[2] = {},
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

let image: Promise<string> | undefined;

/**
 * The harness image to test: SMDB_HARNESS_IMAGE (built by .ci/run from this checkout), else
 * `smdb-harness:test` built now from the repository (layers are cached between runs).
 */
export function harnessImage(): Promise<string> {
  image ??= (async () => {
    const given = process.env.SMDB_HARNESS_IMAGE;
    if (given) {
      await runOk("docker", ["image", "inspect", given]);
      return given;
    }
    const tag = "smdb-harness:test";
    const started = Date.now();
    // The classic builder works offline with a local FROM image on every engine; BuildKit needs buildx.
    await runOk("docker", ["build", "-q", "-t", tag, "."], {
      env: { DOCKER_BUILDKIT: process.env.DOCKER_BUILDKIT ?? "0" },
    });
    console.log(`built ${tag} in ${Date.now() - started} ms`);
    return tag;
  })();
  return image;
}
