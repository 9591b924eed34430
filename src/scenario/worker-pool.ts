/**
 * A small pool of worker threads that run scenarios (src/scenario/worker.ts) in
 * parallel: one scenario per worker at a time, results in the order of the inputs.
 */
import { Worker } from "node:worker_threads";
import type { Scenario } from "./parse.js";
import type { ScenarioResult } from "./result.js";
import type { WorkerReply } from "./worker.js";

export type PoolInput = { file: string } | { scenario: Scenario };

function startWorker(): Worker {
  // Built (dist): worker.js. From source under tsx: worker threads do not inherit tsx's module
  // hooks, so the worker registers them itself before importing worker.ts.
  if (import.meta.url.endsWith(".ts")) {
    const api =
      typeof import.meta.resolve === "function" ? import.meta.resolve("tsx/esm/api") : "tsx/esm/api";
    const worker = new URL("./worker.ts", import.meta.url).href;
    const code = `import(${JSON.stringify(api)}).then((api) => { api.register(); return import(${JSON.stringify(worker)}); });`;
    return new Worker(code, { eval: true });
  }
  return new Worker(new URL("./worker.js", import.meta.url));
}

/**
 * Runs the inputs on `workers` threads. A reply that is an error rejects the whole run (the
 * caller decides what an error means); `onResult` sees each result as it arrives.
 */
export async function runInWorkers(
  inputs: PoolInput[],
  workers: number,
  onResult: (index: number, result: ScenarioResult) => void,
  onError: (index: number, reply: Extract<WorkerReply, { ok: false }>) => Error,
): Promise<void> {
  let next = 0;
  const pool = Array.from({ length: Math.max(1, Math.min(workers, inputs.length)) }, startWorker);
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= inputs.length) return resolve();
              const id = next++;
              worker.postMessage({ id, ...inputs[id]! });
            };
            worker.on("message", (reply: WorkerReply) => {
              if (!reply.ok) return reject(onError(reply.id, reply));
              onResult(reply.id, reply.result);
              send();
            });
            worker.on("error", reject);
            worker.on("exit", (code) => {
              if (code !== 0) reject(new Error(`a scenario worker stopped with exit code ${code}`));
            });
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
}
