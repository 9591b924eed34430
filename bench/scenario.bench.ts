/**
 * Rotation scenarios: `scenario.builtins` runs every built-in scenario (scenarios/*.yaml) the way
 * `smdb-harness scenario run` does — parsed, then run in worker threads, one per core — through the
 * real STS, SMDB and client on virtual clocks. One operation is the whole suite, so ops/s is its
 * inverse and p50Ms its wall time (the tests assert what the scenarios do, never how long they
 * take; the target is well under 10 s on an idle 2-core machine). No ceiling: the RSA work of a
 * scenario depends on its steps.
 */
import { builtInScenarioFiles } from "../src/cli/scenario.js";
import { runScenarioFiles } from "../src/scenario/run-many.js";
import type { BenchCase, BenchModule } from "./types.js";

const scenarioBench: BenchModule = {
  async cases(): Promise<BenchCase[]> {
    const files = await builtInScenarioFiles();
    return [
      {
        name: "scenario.builtins",
        keyBits: 3072,
        measure: { warmupMs: 0, seconds: 0, minIterations: 3 },
        run: async () => {
          const results = await runScenarioFiles(files);
          const failed = results.filter((result) => !result.passed).map((result) => result.name);
          if (failed.length > 0) throw new Error(`built-in scenarios failed: ${failed.join(", ")}`);
        },
      },
    ];
  },
};

export default scenarioBench;
