import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Timeouts catch a hang, never slowness: no test asserts a duration (`npm run bench` measures
    // them), and on a loaded 2-core machine a test that spawns CLIs can take several times as long
    // as on an idle one.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // RSA work dominates; two cores, so keep the pool small and predictable.
    pool: "forks",
    maxWorkers: 2,
  },
});
