/**
 * `npm run load -- --clients N --seconds T [--kill-every S] [--pace-ms MS] [--mix indberet,hent,ping]`
 *
 * Builds the CLI, starts `smdb-harness up --http` (dist/cli/main.js, as users run it) as a child process on a fresh state dir, runs N concurrent
 * reference clients (WscClient: step 1 once per token, step 2 per call) for T seconds, each
 * calling IndberetForloeb (a new course every time), HentForloeb (a course it was told was
 * stored) and Ping in a fixed mix, and prints one JSON object:
 *
 *   {clients, seconds, killEvery, restarts, calls: {op: n}, ok: {op: n}, errors: {reason: n},
 *    latencyMs: {op: {p50, p99}}, maxRssMb, records: {acknowledged, readBack, lost}}
 *
 * With --kill-every S the harness is killed with SIGKILL every S seconds and restarted on the same
 * state dir and port; calls meanwhile fail (WSP_UNREACHABLE…, counted under errors). At the end
 * every acknowledged IndberetForloeb is read back with HentForloeb: `lost` must be 0. Max RSS is
 * the child's VmRSS, sampled every 250 ms. Only 127.0.0.1 is contacted; the run stops by itself.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadClientConfig } from "../src/client/config.js";
import { ClientError } from "../src/client/errors.js";
import { WscClient } from "../src/client/wsc-client.js";
import { RealClock } from "../src/core/clock.js";
import type { HentResult, IndberetResult } from "../src/smdb/operations.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The harness as users run it (`npx smdb-harness up`, the container): the built CLI, built first. */
const MAIN = join(ROOT, "dist", "cli", "main.js");

interface Args {
  clients: number;
  seconds: number;
  killEvery?: number;
  /** Each client starts a call at most every this many ms (0: back to back, a closed loop). */
  paceMs: number;
  mix: { indberet: number; hent: number; ping: number };
}

function usage(message?: string): never {
  if (message) process.stderr.write(`load: ${message}\n`);
  process.stderr.write(
    "usage: npm run load -- --clients N --seconds T [--kill-every S] [--pace-ms MS] [--mix INDBERET,HENT,PING]\n" +
      "  --clients     concurrent reference clients (default 50)\n" +
      "  --seconds     how long to run (default 60)\n" +
      "  --kill-every  SIGKILL and restart the harness every S seconds (durability test)\n" +
      "  --pace-ms     each client starts a call at most every MS ms (default 0: back to back)\n" +
      "  --mix         relative weights of IndberetForloeb, HentForloeb, Ping (default 5,3,2)\n",
  );
  process.exit(message ? 2 : 0);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { clients: 50, seconds: 60, paceMs: 0, mix: { indberet: 5, hent: 3, ping: 2 } };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    const number = () => {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) usage(`${flag} needs a positive number, got "${value}"`);
      i++;
      return n;
    };
    if (flag === "--clients") args.clients = Math.floor(number());
    else if (flag === "--seconds") args.seconds = number();
    else if (flag === "--kill-every") args.killEvery = number();
    else if (flag === "--pace-ms") args.paceMs = number();
    else if (flag === "--mix") {
      const parts = (value ?? "").split(",").map(Number);
      if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0)) usage(`--mix "${value}"`);
      args.mix = { indberet: parts[0]!, hent: parts[1]!, ping: parts[2]! };
      i++;
    } else if (flag === "--help" || flag === "-h") usage();
    else usage(`unknown argument "${flag}"`);
  }
  return args;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** The harness child process: started, killed, restarted on the same state dir and port. */
class Harness {
  child: ChildProcess | undefined;
  restarts = 0;
  maxRssKb = 0;
  readonly #sampler: NodeJS.Timeout;

  constructor(
    readonly stateDir: string,
    readonly port: number,
  ) {
    this.#sampler = setInterval(() => void this.#sampleRss(), 250);
  }

  async start(): Promise<void> {
    const child = spawn(
      process.execPath,
      [MAIN, "up", "--http", "--port", String(this.port), "--state-dir", this.stateDir],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    let out = "";
    let err = "";
    child.stderr!.on("data", (c: Buffer) => {
      err += c.toString();
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`up did not start in 120 s\n${out}\n${err}`)), 120_000);
      child.stdout!.on("data", (c: Buffer) => {
        out += c.toString();
        if (out.includes("Press Ctrl+C to stop.")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`up exited (${code ?? signal}) while starting\n${out}\n${err}`));
      });
    });
  }

  async killAndRestart(): Promise<void> {
    const child = this.child!;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    this.restarts++;
    await this.start();
  }

  async #sampleRss(): Promise<void> {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      this.maxRssKb = Math.max(this.maxRssKb, kb);
    } catch {
      // between a kill and a restart
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#sampler);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
  }
}

type Operation = "IndberetForloeb" | "HentForloeb" | "Ping";

class Stats {
  readonly calls: Record<string, number> = {};
  readonly ok: Record<string, number> = {};
  readonly errors: Record<string, number> = {};
  readonly latencies: Record<string, number[]> = {};

  record(operation: Operation, ms: number, error?: string): void {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
    if (error) this.errors[error] = (this.errors[error] ?? 0) + 1;
    else {
      this.ok[operation] = (this.ok[operation] ?? 0) + 1;
      const list = this.latencies[operation] ?? [];
      list.push(ms);
      this.latencies[operation] = list;
    }
  }

  latencySummary(): Record<string, { p50: number; p99: number; n: number }> {
    const out: Record<string, { p50: number; p99: number; n: number }> = {};
    for (const [operation, values] of Object.entries(this.latencies)) {
      const sorted = [...values].sort((a, b) => a - b);
      const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
      out[operation] = {
        p50: Math.round(q(0.5) * 10) / 10,
        p99: Math.round(q(0.99) * 10) / 10,
        n: sorted.length,
      };
    }
    return out;
  }
}

const course = (forloebId: string) => ({
  forloebId,
  cpr: "0101901234",
  kommunekode: "101",
  behandlingssted: "Rusmiddelcenter Belastning",
  behandlingstype: "social",
  startdato: "2026-02-01",
  stoffer: ["cannabis"],
});

function reasonOf(error: unknown): string {
  if (error instanceof ClientError) return error.reason;
  return `UNEXPECTED: ${error instanceof Error ? error.message.slice(0, 80) : String(error)}`;
}

/** `npm run build` (incremental, seconds), so the harness measured is the current source. */
async function buildCli(): Promise<void> {
  process.stderr.write("load: building the CLI (npm run build)…\n");
  const child = spawn(
    process.execPath,
    [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`load: npm run build failed (exit ${code}); the harness cannot be started`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  await buildCli();
  const stateDir = await mkdtemp(join(tmpdir(), "smdb-load-"));
  const port = await freePort();
  const harness = new Harness(stateDir, port);
  const stats = new Stats();
  /** forloebId → acknowledged (IndberetForloeb answered created/updated/unchanged). */
  const acknowledged: string[] = [];
  let clients: WscClient[] = [];
  try {
    await harness.start();
    const config = await loadClientConfig(join(stateDir, "client-production.yaml"));
    const clock = new RealClock();
    clients = await Promise.all(
      Array.from({ length: args.clients }, () => WscClient.fromConfig(config, { clock })),
    );
    const endAt = Date.now() + args.seconds * 1000;
    let killer: NodeJS.Timeout | undefined;
    let killing: Promise<void> = Promise.resolve();
    if (args.killEvery) {
      killer = setInterval(() => {
        killing = killing.then(() => harness.killAndRestart());
      }, args.killEvery * 1000);
    }
    const weights = args.mix;
    const total = weights.indberet + weights.hent + weights.ping;
    await Promise.all(
      clients.map(async (client, c) => {
        let n = 0;
        // Spread the clients' first calls over one pace interval.
        if (args.paceMs > 0) await new Promise((r) => setTimeout(r, Math.random() * args.paceMs));
        while (Date.now() < endAt) {
          const slotEnds = Date.now() + args.paceMs;
          const pick = Math.random() * total;
          const operation: Operation =
            pick < weights.indberet
              ? "IndberetForloeb"
              : pick < weights.indberet + weights.hent && acknowledged.length > 0
                ? "HentForloeb"
                : pick < weights.indberet + weights.hent
                  ? "IndberetForloeb"
                  : "Ping";
          const forloebId =
            operation === "IndberetForloeb"
              ? `L-${c}-${n++}`
              : acknowledged[Math.floor(Math.random() * acknowledged.length)];
          const payload =
            operation === "IndberetForloeb"
              ? course(forloebId!)
              : operation === "HentForloeb"
                ? { forloebId }
                : {};
          const started = performance.now();
          try {
            const answer = await client.call(operation, payload);
            stats.record(operation, performance.now() - started);
            if (operation === "IndberetForloeb")
              acknowledged.push((answer.result as IndberetResult).forloebId);
          } catch (error) {
            stats.record(operation, performance.now() - started, reasonOf(error));
            // While the harness restarts, do not spin.
            if (error instanceof ClientError && /UNREACHABLE/.test(error.reason)) {
              await new Promise((r) => setTimeout(r, 200));
            }
          }
          const rest = slotEnds - Date.now();
          if (rest > 0) await new Promise((r) => setTimeout(r, rest));
        }
      }),
    );
    if (killer) clearInterval(killer);
    await killing;
    // Read back every acknowledged record (through the harness, after any restart).
    let readBack = 0;
    const lostIds: string[] = [];
    const reader = clients[0]!;
    for (const forloebId of acknowledged) {
      let found = false;
      for (let attempt = 0; attempt < 3 && !found; attempt++) {
        try {
          const answer = await reader.call("HentForloeb", { forloebId });
          found = (answer.result as HentResult).forloeb.some((f) => f.forloebId === forloebId);
          if (!found) break;
        } catch {
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      if (found) readBack++;
      else lostIds.push(forloebId);
    }
    const result = {
      clients: args.clients,
      seconds: args.seconds,
      killEvery: args.killEvery ?? null,
      paceMs: args.paceMs,
      restarts: harness.restarts,
      calls: stats.calls,
      ok: stats.ok,
      errors: stats.errors,
      latencyMs: stats.latencySummary(),
      maxRssMb: Math.round(harness.maxRssKb / 1024),
      records: {
        acknowledged: acknowledged.length,
        readBack,
        lost: lostIds.length,
        lostIds: lostIds.slice(0, 10),
      },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exitCode = lostIds.length === 0 ? 0 : 1;
  } finally {
    for (const client of clients) client.close();
    await harness.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`load: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
