/**
 * The harness image through `smdb-harness/testcontainers`, one container: `writeClientFiles` gives
 * a client outside the container everything it needs, for the demo systembruger (copied out of the
 * container) and for one made by `withSystemUser` (all three operations, library and CLI); built-in
 * scenarios run against the container (`runScenario(file, {target})`, i.e. `scenario run --target`)
 * give the in-process results to the millisecond (a representative set here: the container adds
 * the image and HTTPS to what test/scenario/remote-target.test.ts shows for all of them); `await
 * using` removes the container.
 *
 * Runs only with a Docker engine (and then always in CI: SMDB_HARNESS_REQUIRE_DOCKER).
 */

import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadClientConfig } from "../../src/client/config.js";
import { WscClient } from "../../src/client/wsc-client.js";
import { RealClock } from "../../src/core/clock.js";
import type { ScenarioResult } from "../../src/scenario/result.js";
import { runScenario } from "../../src/scenario/runner.js";
import { SmdbHarnessContainer, type StartedSmdbHarnessContainer } from "../../src/testcontainers/index.js";
import { clientCall } from "../helpers/cli.js";
import { containerTestsRun, harnessImage, run } from "../helpers/docker.js";
import { useTempDir } from "../helpers/tmp.js";
import { COURSE } from "../wsp/helpers.js";

const SCENARIOS = resolve(import.meta.dirname, "../../scenarios");
/** One of each kind: environments crossed, client too early, overlap, STS rotation with a pinning SMDB, revocation, clock skew. */
const REPRESENTATIVE = [
  "client-environments-crossed.yaml",
  "client-switched-before-sts.yaml",
  "correct-rotation-overlap.yaml",
  "sts-signing-rotated-pinned.yaml",
  "revoked-certificate.yaml",
  "clock-skew.yaml",
];

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

let dir: string;
useTempDir("testcontainers-", (path) => {
  dir = path;
});

describe.runIf(containerTestsRun("test/containers/testcontainers.test.ts"))(
  "smdb-harness/testcontainers",
  () => {
    let harness: StartedSmdbHarnessContainer;
    let disposed = false;

    beforeAll(async () => {
      const image = await harnessImage();
      const started = Date.now();
      // A virtual clock at the machine's time, frozen: clients on the real clock work until the
      // scenarios take the clock over; message timestamps on harness time, as scenarios need.
      harness = await new SmdbHarnessContainer(image)
        .withVirtualClock(new Date())
        .withMessageClock("harness")
        .withPolicy("overlap")
        .withFaultMode("verbose")
        .withSystemUser({ name: "Testkommune", cvr: "91234567", entityId: "https://testkommune.example/wsc" })
        .start();
      console.log(
        `harness container healthy ${Date.now() - started} ms after start() (cold: its keys are made in it)`,
      );
    }, 600_000);

    afterAll(async () => {
      if (!disposed) await harness?.stop();
    });

    it("gives a client outside the container the demo systembruger's files", async () => {
      const out = join(dir, "demo");
      await mkdir(out, { recursive: true });
      const files = await harness.writeClientFiles(out, "integration", { systemUser: "demo" });
      expect(files.tlsCa).toBe(join(out, "tls-ca.pem"));
      const config = await loadClientConfig(files.config);
      expect(config.stsUrl).toBe(harness.stsUrl("integration"));
      expect(config.wspUrl).toBe(harness.wspUrl("integration"));
      const wsc = await WscClient.fromConfig(config, { clock: new RealClock() });
      try {
        expect((await wsc.call("Ping")).result).toMatchObject({
          cvr: "90112233",
          environment: "integration",
        });
      } finally {
        wsc.close();
      }
    });

    it("makes the systembruger of withSystemUser and writes its client files: all three operations from outside", async () => {
      const own = harness.systemUsers[0]!;
      const made = await harness.control.systemUser(own.id);
      expect(made).toMatchObject({ name: "Testkommune", cvr: "91234567" });
      expect(made.status.production.acceptedSha256).toEqual([own.credential.certificate.sha256]);
      expect(await harness.control.settings()).toMatchObject({
        policy: "overlap",
        faultMode: "verbose",
        messageClock: "harness",
      });

      const out = join(dir, "own");
      await mkdir(out, { recursive: true });
      const files = await harness.writeClientFiles(out, "production");
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

    it("runs built-in scenarios against the container with the in-process results, to the millisecond", async () => {
      const target = { url: harness.url, ca: harness.tlsCaPem! };
      const started = Date.now();
      for (const name of REPRESENTATIVE) {
        const file = join(SCENARIOS, name);
        const local = await runScenario(file);
        const inContainer = await runScenario(file, { target });
        expect(essence(inContainer), name).toEqual(essence(local));
        expect(inContainer.passed, name).toBe(true);
      }
      console.log(
        `${REPRESENTATIVE.length} scenarios in-process and against the container: ${Date.now() - started} ms`,
      );
    }, 600_000);

    it("is removed by await using", async () => {
      const id = harness.getId();
      {
        await using disposing = harness;
        expect((await disposing.control.clock()).virtual).toBe(true);
      }
      disposed = true;
      const inspect = await run("docker", ["inspect", id]);
      expect(inspect.code).not.toBe(0);
    });
  },
);
