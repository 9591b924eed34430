import { defineConfig } from "vitest/config";

/** The tests that start containers or install the packed tarball: they run after all others. */
const LAST = ["test/containers/**/*.test.ts", "test/package/**/*.test.ts"];

export default defineConfig({
  test: {
    // Timeouts catch a hang, never slowness: no test asserts a duration (`npm run bench` measures
    // them), and on a loaded 2-core machine a test that spawns CLIs can take several times as long
    // as on an idle one.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // RSA work dominates; two cores, so keep the pool small and predictable.
    pool: "forks",
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: "suite", include: ["test/**/*.test.ts"], exclude: LAST, sequence: { groupOrder: 0 } },
      },
      {
        // Docker images and npm installs: alone on the machine once the rest has finished, so that
        // neither slows the other into a timeout.
        extends: true,
        test: { name: "containers", include: LAST, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
