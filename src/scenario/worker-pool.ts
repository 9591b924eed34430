/**
 * A small pool that runs scenarios in parallel: `workers` lanes, one scenario per lane at a time,
 * results by the index of their input. One lane is the calling thread itself — it has every module
 * loaded and starts at once, while a worker thread spends about a second loading and warming up
 * before its first result — and the others are worker threads (src/scenario/worker.ts).
 */
import { Worker } from "node:worker_threads";
import type { Scenario } from "./parse.js";
import type { ScenarioResult } from "./result.js";
import { runWorkerRequest, type WorkerReply } from "./worker-job.js";

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
 * Runs the inputs on `workers` lanes (the calling thread and `workers - 1` threads). A reply that
 * is an error rejects the whole run (the caller decides what an error means); `onResult` sees each
 * result as it arrives.
 */
export async function runInWorkers(
  inputs: PoolInput[],
  workers: number,
  onResult: (index: number, result: ScenarioResult) => void,
  onError: (index: number, reply: Extract<WorkerReply, { ok: false }>) => Error,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lanes = Math.max(1, Math.min(workers, inputs.length));
  const pool = Array.from({ length: lanes - 1 }, startWorker);
  const accept = (reply: WorkerReply): void => {
    if (!reply.ok) {
      failed = true;
      throw onError(reply.id, reply);
    }
    onResult(reply.id, reply.result);
  };
  const ownLane = async (): Promise<void> => {
    while (!failed && next < inputs.length) {
      const id = next++;
      accept(await runWorkerRequest({ id, ...inputs[id]! }));
    }
  };
  const threadLane = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      const send = () => {
        if (failed || next >= inputs.length) return resolve();
        const id = next++;
        worker.postMessage({ id, ...inputs[id]! });
      };
      worker.on("message", (reply: WorkerReply) => {
        try {
          accept(reply);
        } catch (error) {
          return reject(error);
        }
        send();
      });
      worker.on("error", reject);
      worker.on("exit", (code) => {
        if (code !== 0) reject(new Error(`a scenario worker stopped with exit code ${code}`));
      });
      send();
    });
  try {
    await Promise.all([ownLane(), ...pool.map(threadLane)]);
  } finally {
    failed = true;
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
}
