/**
 * The harness image through `smdb-harness/testcontainers`: every built-in scenario run against the
 * container (`runScenario(file, {target})`, i.e. `scenario run --target`) gives the in-process
 * result to the millisecond; `writeClientFiles` gives a client outside the container everything it
 * needs, for the demo systembruger (copied out of the container) and for one made by
 * `withSystemUser`; `await using` removes the container.
 *
 * Runs only with a Docker engine (and then always in CI: SMDB_HARNESS_REQUIRE_DOCKER).
 */

import { readdirSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadClientConfig } from "../../src/client/config.js";
import { WscClient } from "../../src/client/wsc-client.js";
import { RealClock, VirtualClock } from "../../src/core/clock.js";
import type { ScenarioResult } from "../../src/scenario/result.js";
import { runScenario } from "../../src/scenario/runner.js";
import { SmdbHarnessContainer, type StartedSmdbHarnessContainer } from "../../src/testcontainers/index.js";
import { clientCall } from "../helpers/cli.js";
import { containerTestsRun, harnessImage, run } from "../helpers/docker.js";
import { useTempDir } from "../helpers/tmp.js";
import { COURSE } from "../wsp/helpers.js";

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

const T0 = "2026-01-01T00:00:00Z";
let dir: string;
useTempDir("testcontainers-", (path) => {
  dir = path;
});

describe.runIf(containerTestsRun("test/containers/testcontainers.test.ts"))(
  "smdb-harness/testcontainers",
  () => {
    let scenarios: StartedSmdbHarnessContainer;
    let own: StartedSmdbHarnessContainer;
    let ownDisposed = false;

    beforeAll(async () => {
      const image = await harnessImage();
      const started = Date.now();
      [scenarios, own] = await Promise.all([
        new SmdbHarnessContainer(image).withVirtualClock(T0).withMessageClock("harness").start(),
        new SmdbHarnessContainer(image)
          .withPolicy("overlap")
          .withFaultMode("realistic")
          .withSystemUser({
            name: "Testkommune",
            cvr: "91234567",
            entityId: "https://testkommune.example/wsc",
          })
          .start(),
      ]);
      console.log(
        `two harness containers healthy ${Date.now() - started} ms after start() (cold: keys made in each)`,
      );
    }, 600_000);

    afterAll(async () => {
      await scenarios?.stop();
      if (!ownDisposed) await own?.stop();
    });

    it("gives a client outside the container the demo systembruger's files", async () => {
      const out = join(dir, "demo");
      await mkdir(out, { recursive: true });
      const files = await scenarios.writeClientFiles(out, "integration");
      expect(files.tlsCa).toBe(join(out, "tls-ca.pem"));
      const config = await loadClientConfig(files.config);
      expect(config.stsUrl).toBe(scenarios.stsUrl("integration"));
      expect(config.wspUrl).toBe(scenarios.wspUrl("integration"));
      // The container checks message timestamps on its virtual clock: the client stamps with it too.
      const clock = new VirtualClock((await scenarios.control.clock()).nowMs);
      const wsc = await WscClient.fromConfig(config, { clock });
      try {
        expect((await wsc.call("Ping")).result).toMatchObject({
          cvr: "90112233",
          environment: "integration",
        });
      } finally {
        wsc.close();
      }
    });

    it("runs every built-in scenario against the container with the in-process results, to the millisecond", async () => {
      expect(files.length).toBeGreaterThanOrEqual(15);
      const target = { url: scenarios.url, ca: scenarios.tlsCaPem! };
      const started = Date.now();
      for (const file of files) {
        const local = await runScenario(file);
        const inContainer = await runScenario(file, { target });
        expect(essence(inContainer), file).toEqual(essence(local));
        expect(inContainer.passed, file).toBe(true);
      }
      console.log(
        `${files.length} scenarios in-process and against the container: ${Date.now() - started} ms`,
      );
    }, 900_000);

    it("makes the systembruger of withSystemUser and writes its client files: all three operations from outside", async () => {
      const users = await own.control.systemUsers();
      const made = users.find((u) => u.id === own.systemUsers[0]!.id)!;
      expect(made).toMatchObject({ name: "Testkommune", cvr: "91234567" });
      expect(made.status.production.acceptedSha256).toEqual([
        own.systemUsers[0]!.credential.certificate.sha256,
      ]);
      expect((await own.control.settings()).policy).toBe("overlap");

      const out = join(dir, "own");
      await mkdir(out, { recursive: true });
      const files = await own.writeClientFiles(out, "production");
      const wsc = await WscClient.fromConfig(await loadClientConfig(files.config), {
        clock: new RealClock(),
      });
      try {
        expect((await wsc.call("Ping")).result).toMatchObject({ cvr: "91234567" });
        expect((await wsc.call("IndberetForloeb", { ...COURSE, forloebId: "TC-1" })).result).toMatchObject({
          status: "created",
        });
        const got = await wsc.call("HentForloeb", { forloebId: "TC-1" });
        expect((got.result as { forloeb: unknown[] }).forloeb).toHaveLength(1);
      } finally {
        wsc.close();
      }
      // The command line too, with nothing but the written configuration.
      const cli = await clientCall(files.config, "Ping");
      expect(cli.code, cli.stderr).toBe(0);
    });

    it("is removed by await using", async () => {
      const id = own.getId();
      {
        await using harness = own;
        expect((await harness.control.clock()).virtual).toBe(false);
      }
      ownDisposed = true;
      const inspect = await run("docker", ["inspect", id]);
      expect(inspect.code).not.toBe(0);
    });
  },
);
