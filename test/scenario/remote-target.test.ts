/**
 * Scenarios against a running harness (`scenario run --target URL`): the built-in scenarios run
 * through `RemoteControl` against a harness in this process but reached only over HTTP give the
 * same downtime and failure windows, to the millisecond, as in-process runs. A harness on the real
 * clock, or one checking message timestamps on the machine's clock, is refused with what to do.
 */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HarnessError } from "../../src/core/errors.js";
import { type Harness, HarnessBuilder } from "../../src/harness/harness.js";
import type { ScenarioResult } from "../../src/scenario/result.js";
import { checkRemoteTarget, runScenario } from "../../src/scenario/runner.js";

const SCENARIOS = resolve(import.meta.dirname, "../../scenarios");
const files = readdirSync(SCENARIOS)
  .filter((name) => name.endsWith(".yaml"))
  .sort()
  .map((name) => join(SCENARIOS, name));

/** What must be identical: the verdict, the downtime, each failure window and each action's outcome. */
function essence(result: ScenarioResult) {
  return {
    name: result.name,
    error: result.error,
    passed: result.passed,
    downtimeMs: result.downtimeMs,
    failures: result.failures.map((f) => ({
      fromMs: f.fromMs,
      toMs: f.toMs,
      step: f.step,
      reason: f.reason,
    })),
    actions: result.actions.map((a) => ({ atMs: a.atMs, do: a.do, ok: a.ok })),
  };
}

let remote: Harness;

beforeAll(async () => {
  remote = await new HarnessBuilder()
    .withVirtualClock("2026-01-01T00:00:00Z")
    .withMessageClock("harness")
    .withHttp()
    .start();
});

afterAll(async () => {
  await remote?.close();
});

describe("scenario run --target", () => {
  it("gives the in-process results for every built-in scenario, to the millisecond", async () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const file of files) {
      const local = await runScenario(file);
      const viaHttp = await runScenario(file, { target: { url: remote.url } });
      expect(essence(viaHttp), file).toEqual(essence(local));
      expect(viaHttp.passed, file).toBe(true);
    }
  }, 600_000);

  it("refuses a harness on the real clock, and one that checks timestamps on the machine's clock", async () => {
    const real = await new HarnessBuilder().withHttp().start();
    const machineTime = await new HarnessBuilder()
      .withVirtualClock("2026-01-01T00:00:00Z")
      .withMessageClock("real")
      .withHttp()
      .start();
    try {
      const refusal = (url: string) =>
        checkRemoteTarget({ url }).then(
          () => undefined,
          (error: unknown) => error,
        );
      const onRealClock = await refusal(real.url);
      expect(onRealClock).toBeInstanceOf(HarnessError);
      expect((onRealClock as HarnessError).reason).toBe("TARGET_NOT_VIRTUAL");
      expect((onRealClock as Error).message).toMatch(/--virtual-clock/);
      const onMachineTime = await refusal(machineTime.url);
      expect((onMachineTime as HarnessError).reason).toBe("TARGET_MESSAGE_CLOCK");
      expect((onMachineTime as Error).message).toMatch(/--message-clock harness/);
    } finally {
      await real.close();
      await machineTime.close();
    }
  });
});
