/**
 * A worker thread that runs scenarios (files, or parsed scenarios) sent to it, one at a time, and
 * posts back each result (or the scenario's input errors); see worker-pool.ts.
 */
import { parentPort } from "node:worker_threads";
import { runWorkerRequest, type WorkerRequest } from "./worker-job.js";

export type { WorkerReply, WorkerRequest } from "./worker-job.js";

parentPort!.on("message", async (request: WorkerRequest) => {
  parentPort!.postMessage(await runWorkerRequest(request));
});
