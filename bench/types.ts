/**
 * A benchmark case: one harness operation and, for the ratio, the same RSA operations done with
 * node:crypto alone on the same keys in the same run (docs/contract.md "Benchmarks").
 * `bench/run.ts` discovers every `bench/*.bench.ts` module and runs its cases.
 */
export interface BenchCase {
  /** Stable name, e.g. `sts.issue`, `wsp.call`, `pki.issue.warm`. */
  name: string;
  keyBits: number;
  /** One operation of the harness (what is measured). */
  run(): Promise<void> | void;
  /** The raw node:crypto work of one operation, for `ceilingOpsPerSec`; omit when there is no RSA work. */
  ceiling?(): Promise<void> | void;
  /** Called once after the case has been measured. */
  teardown?(): Promise<void> | void;
  /**
   * How to measure, for cases whose single operation is expensive (e.g. 50 fresh RSA keys).
   * Defaults: warm up for 300 ms, then iterate for 1.5 s and at least 5 times.
   */
  measure?: { warmupMs?: number; seconds?: number; minIterations?: number; maxIterations?: number };
  /**
   * Fields added to the case's line after it has been measured (e.g. a scenario case's wall time
   * and real calls); the contract's fields stay as they are.
   */
  extra?(): Promise<Record<string, number | string>> | Record<string, number | string>;
}

export interface BenchModule {
  cases(): Promise<BenchCase[]>;
}

/** One output line of `npm run bench -- --json`. */
export interface BenchResult {
  name: string;
  opsPerSec: number;
  ceilingOpsPerSec: number | null;
  ratio: number | null;
  p50Ms: number;
  p99Ms: number;
  keyBits: number;
  /** A case's extra fields (BenchCase.extra). */
  [field: string]: number | string | null;
}
