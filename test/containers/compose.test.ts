/**
 * docker-compose.yml from the host, as README tells a vendor: `docker compose up`, copy the files
 * README names out of the nemlogin service, and with only those (and a client configuration
 * pointing at 127.0.0.1) get a token from `nemlogin` and call Ping, IndberetForloeb and HentForloeb
 * on `smdb` over HTTPS. An STS signing rotation on nemlogin is followed by smdb; the demo client
 * goes red when it is not told; `docker compose kill` and `restart` lose nothing acknowledged; smdb
 * says in /health when nemlogin is away.
 *
 * Runs only with a Docker engine (and then always in CI: SMDB_HARNESS_REQUIRE_DOCKER).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { loadClientConfig } from "../../src/client/config.js";
import { WscClient } from "../../src/client/wsc-client.js";
import { RemoteControl } from "../../src/control/remote-control.js";
import { RealClock } from "../../src/core/clock.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { containerTestsRun, harnessImage, run, runOk } from "../helpers/docker.js";
import { useTempDir } from "../helpers/tmp.js";
import { COURSE } from "../wsp/helpers.js";

let dir: string;
useTempDir("compose-", (path) => {
  dir = path;
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function getJson(url: string, ca: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => {
        text += c.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe.runIf(containerTestsRun("test/containers/compose.test.ts"))(
  "docker compose: nemlogin and smdb",
  () => {
    const project = `smdbtest${randomBytes(3).toString("hex")}`;
    let env: Record<string, string>;
    let files: string;
    let nemloginUrl: string;
    let smdbUrl: string;
    const compose = (...args: string[]) =>
      run("docker", ["compose", "-p", project, "-f", join(REPO_ROOT, "docker-compose.yml"), ...args], {
        env,
      });
    const composeOk = async (...args: string[]) => {
      const result = await compose(...args);
      if (result.code !== 0) throw new Error(`docker compose ${args.join(" ")}: ${result.stderr}`);
      return result;
    };
    const healthy = async (service: string) => {
      const id = (await composeOk("ps", "-q", service)).stdout.trim();
      const status = await run("docker", ["inspect", "-f", "{{.State.Health.Status}}", id]);
      return status.stdout.trim() === "healthy";
    };
    /** README's command: the files a client needs, copied out of the nemlogin service. */
    const copyClientFiles = () =>
      runOk("sh", [
        "-c",
        `docker compose -p ${project} -f ${join(REPO_ROOT, "docker-compose.yml")} exec -T nemlogin tar -C /var/lib/smdb-harness -cf - tls-ca.pem sts-production.pem wsp-production.pem client/demo-client.p12 demo.json | tar -xf - -C ${files}`,
      ]);
    const client = async () =>
      WscClient.fromConfig(await loadClientConfig(join(files, "client-production.yaml")), {
        clock: new RealClock(),
      });

    beforeAll(async () => {
      const image = await harnessImage();
      const [nemloginPort, smdbPort] = [await freePort(), await freePort()];
      env = { SMDB_HARNESS_IMAGE: image, NEMLOGIN_PORT: String(nemloginPort), SMDB_PORT: String(smdbPort) };
      nemloginUrl = `https://127.0.0.1:${nemloginPort}`;
      smdbUrl = `https://127.0.0.1:${smdbPort}`;
      files = join(dir, "harness");
      await mkdir(files, { recursive: true });
      const started = Date.now();
      await composeOk("--profile", "demo", "up", "-d", "--no-build");
      await until(
        "both services healthy",
        async () => (await healthy("nemlogin")) && (await healthy("smdb")),
      );
      console.log(
        `docker compose up -d to both services healthy: ${Date.now() - started} ms (fresh volumes)`,
      );
    }, 600_000);

    afterAll(async () => {
      if (env) await compose("--profile", "demo", "down", "-v", "--remove-orphans");
    }, 120_000);

    it("serves a host client with only the files README names: token from nemlogin, all three operations on smdb", async () => {
      await copyClientFiles();
      const demo = JSON.parse(await readFile(join(files, "demo.json"), "utf8")) as { password: string };
      // README's client configuration for the host.
      await writeFile(
        join(files, "client-production.yaml"),
        YAML.stringify({
          environment: "production",
          stsUrl: `${nemloginUrl}/production/SecurityTokenService.svc`,
          stsEndpointReference: "https://signature.sts.nemlog-in.dk/",
          stsCertificate: "sts-production.pem",
          wspUrl: `${smdbUrl}/production/smdb`,
          wspEntityId: "https://smdb.dst.dk/production",
          wspCertificate: "wsp-production.pem",
          clientCertificate: { file: "client/demo-client.p12", password: demo.password },
          tls: { ca: "tls-ca.pem" },
        }),
      );
      const wsc = await client();
      try {
        expect((await wsc.call("Ping")).result).toMatchObject({ cvr: "90112233", environment: "production" });
        expect(
          (await wsc.call("IndberetForloeb", { ...COURSE, forloebId: "COMPOSE-1" })).result,
        ).toMatchObject({
          status: "created",
        });
        const got = await wsc.call("HentForloeb", { forloebId: "COMPOSE-1" });
        expect((got.result as { forloeb: unknown[] }).forloeb).toHaveLength(1);
      } finally {
        wsc.close();
      }
      // The demo profile's client pings with the files nemlogin wrote for the compose network.
      await until(
        "the demo client's first Ping",
        async () => (await compose("logs", "client")).stdout.includes("OK   Ping"),
        60_000,
      );
    });

    it("follows an STS signing rotation from nemlogin to smdb; the demo client, not told, goes red", async () => {
      const ca = await readFile(join(files, "tls-ca.pem"), "utf8");
      const nemlogin = new RemoteControl(nemloginUrl, { ca });
      const smdb = new RemoteControl(smdbUrl, { ca });
      try {
        const rotation = await nemlogin.rotateStsSigningCertificate("production");
        await until(
          "smdb to learn it",
          async () => {
            return (await smdb.environment("production")).stsCertificateSha256 === rotation.currentSha256;
          },
          30_000,
        );
        // The vendor fetches the new STS certificate, as README says, and carries on.
        await copyClientFiles();
        const wsc = await client();
        try {
          expect((await wsc.call("Ping")).operation).toBe("Ping");
          expect((await wsc.getToken()).stsCertificate.sha256).toBe(rotation.currentSha256);
        } finally {
          wsc.close();
        }
        await until(
          "the demo client to fail on the STS's new certificate",
          async () => (await compose("logs", "client")).stdout.includes("STS_RESPONSE_UNTRUSTED"),
          60_000,
        );
        // Seen; it need not keep the machine busy for the rest of the file.
        await composeOk("stop", "client");
      } finally {
        nemlogin.close();
        smdb.close();
      }
    });

    it("loses nothing acknowledged on docker compose kill and restart, and smdb says when nemlogin is away", async () => {
      const ca = await readFile(join(files, "tls-ca.pem"), "utf8");
      const wsc = await client();
      const nemlogin = new RemoteControl(nemloginUrl, { ca });
      try {
        expect((await wsc.call("IndberetForloeb", { ...COURSE, forloebId: "KILL-1" })).result).toMatchObject({
          status: "created",
        });
        await nemlogin.createSystemUser({ id: "kept", name: "Kept", cvr: "95555555", entityId: "urn:kept" });
      } finally {
        wsc.close();
        nemlogin.close();
      }

      // nemlogin killed: smdb keeps serving and says so.
      await composeOk("kill", "nemlogin");
      await until(
        "smdb to notice",
        async () => {
          const health = await getJson(`${smdbUrl}/health`, ca);
          return (health.body.nemlogin as { reachable: boolean }).reachable === false;
        },
        30_000,
      );
      const away = await getJson(`${smdbUrl}/health`, ca);
      expect(away.status).toBe(200);
      expect((away.body.nemlogin as { note: string }).note).toMatch(
        /has not answered since .*; SMDB keeps serving/,
      );

      await composeOk("kill", "smdb");
      await composeOk("start", "nemlogin", "smdb");
      await until(
        "both healthy after kill",
        async () => (await healthy("nemlogin")) && (await healthy("smdb")),
      );
      expect((await compose("logs", "smdb")).stdout).toContain("took over the state dir's lock");
      const afterKill = await client();
      try {
        const got = await afterKill.call("HentForloeb", { forloebId: "KILL-1" });
        expect((got.result as { forloeb: Array<{ forloebId: string }> }).forloeb[0]).toMatchObject({
          forloebId: "KILL-1",
        });
      } finally {
        afterKill.close();
      }
      const again = new RemoteControl(nemloginUrl, { ca });
      try {
        expect((await again.systemUser("kept")).name).toBe("Kept");
      } finally {
        again.close();
      }

      await composeOk("restart");
      await until(
        "both healthy after restart",
        async () => (await healthy("nemlogin")) && (await healthy("smdb")),
      );
      const afterRestart = await client();
      try {
        const got = await afterRestart.call("HentForloeb", { forloebId: "KILL-1" });
        expect((got.result as { forloeb: unknown[] }).forloeb).toHaveLength(1);
        const first = await afterRestart.call("HentForloeb", { forloebId: "COMPOSE-1" });
        expect((first.result as { forloeb: unknown[] }).forloeb).toHaveLength(1);
      } finally {
        afterRestart.close();
      }
    }, 600_000);
  },
);
