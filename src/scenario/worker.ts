/**
 * A worker thread that runs scenarios (files, or parsed scenarios) sent to it, one at a time, and posts back each
 * result (or the scenario's input errors). Used by `runScenarioFiles` to run several files in
 * parallel.
 */
import { parentPort } from "node:worker_threads";
import { type Scenario, ScenarioError } from "./parse.js";
import { runScenario } from "./runner.js";

/** A file to parse and run, or an already parsed scenario (the explorer's). */
export type WorkerRequest = { id: number; file: string } | { id: number; scenario: Scenario };
export type WorkerReply =
  | { id: number; ok: true; result: Awaited<ReturnType<typeof runScenario>> }
  | { id: number; ok: false; problems?: ScenarioError["problems"]; message: string };

parentPort!.on("message", async (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = {
      id: request.id,
      ok: true,
      result: await runScenario("file" in request ? request.file : request.scenario),
    };
  } catch (error) {
    reply = {
      id: request.id,
      ok: false,
      problems: error instanceof ScenarioError ? error.problems : undefined,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  parentPort!.postMessage(reply);
});
