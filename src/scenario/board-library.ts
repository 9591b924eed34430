/**
 * The scenarios the trainer board can play ("Afspil scenarie"): the YAML files of a directory
 * (the built-in `scenarios/` for `up`), parsed by this floor and handed to the board through its
 * `ScenarioLibrary` port (src/control/board/scenario-player.ts), so that the control floor never
 * imports the scenario floor. A parsed `Scenario` is already the shape the player plays.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { ScenarioLibrary, ScenarioSummary } from "../control/board/scenario-player.js";
import { RefusedError } from "../core/errors.js";
import { parseScenarioFile, type Scenario, ScenarioError } from "./parse.js";

/** The scenarios in `dir` (`*.yaml`, `*.yml`); files that do not parse are left out of the list. */
export function scenarioLibrary(dir: string): ScenarioLibrary {
  const parseAll = async (): Promise<Scenario[]> => {
    const names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
    const parsed: Scenario[] = [];
    for (const name of names) {
      try {
        parsed.push(await parseScenarioFile(join(dir, name)));
      } catch (error) {
        if (!(error instanceof ScenarioError)) throw error;
      }
    }
    return parsed;
  };
  return {
    async list(): Promise<ScenarioSummary[]> {
      return (await parseAll()).map((s) => ({
        name: s.name,
        description: s.description,
        policy: s.policy,
        environment: s.environment,
        steps: s.steps.length,
      }));
    },
    async load(name: string) {
      const found = (await parseAll()).find((s) => s.name === name);
      if (!found) {
        throw new RefusedError(
          "not-found",
          "UNKNOWN_SCENARIO",
          `there is no scenario "${name}"; GET /admin/api/board/scenarios lists the ones there are`,
        );
      }
      return found;
    },
  };
}
