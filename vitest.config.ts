import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // RSA work dominates; two cores, so keep the pool small and predictable.
    pool: "forks",
    maxWorkers: 2,
  },
});
