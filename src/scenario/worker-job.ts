/**
 * One scenario job as a worker runs it: a file to parse and run, or a parsed scenario (the
 * explorer's); the result, or the scenario's input errors, as a message. The pool's threads and
 * its lane on the calling thread both run jobs through this, so they answer alike.
 */
import { type Scenario, ScenarioError } from "./parse.js";
import type { ScenarioResult } from "./result.js";
import { runScenario } from "./runner.js";

export type WorkerRequest = { id: number; file: string } | { id: number; scenario: Scenario };
export type WorkerReply =
  | { id: number; ok: true; result: ScenarioResult }
  | { id: number; ok: false; problems?: ScenarioError["problems"]; message: string };

export async function runWorkerRequest(request: WorkerRequest): Promise<WorkerReply> {
  try {
    return {
      id: request.id,
      ok: true,
      result: await runScenario("file" in request ? request.file : request.scenario),
    };
  } catch (error) {
    return {
      id: request.id,
      ok: false,
      problems: error instanceof ScenarioError ? error.problems : undefined,
      message: error instanceof Error ? error.message : String(error),
    };
  }
}
