/**
 * A split harness (`up --role nemlogin` + `up --role smdb`), each side knowing the other only over
 * HTTPS, as in docker-compose.yml: a client with nemlogin's files gets its token from nemlogin and
 * reports to smdb; an STS signing rotation on nemlogin is followed by smdb (and deliberately not
 * under pin-thumbprint); smdb follows nemlogin's virtual clock; each side refuses what belongs to
 * the other, naming where it is; when nemlogin goes away smdb keeps serving with the trust it had
 * and says so in /health; an smdb with no reachable nemlogin stops with one sentence.
 */
import { copyFile, readFile } from "node:fs/promises";
import { request } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadClientConfig } from "../../src/client/config.js";
import { ClientError } from "../../src/client/errors.js";
import { WscClient } from "../../src/client/wsc-client.js";
import { RemoteControl } from "../../src/control/remote-control.js";
import { RealClock, VirtualClock } from "../../src/core/clock.js";
import { RefusedError } from "../../src/core/errors.js";
import { type RunningService, startService } from "../../src/harness/service.js";
import { runCli } from "../helpers/cli.js";
import { useTempDir } from "../helpers/tmp.js";
import { COURSE } from "../wsp/helpers.js";

let dir: string;
useTempDir("roles-", (path) => {
  dir = path;
});

let nemlogin: RunningService;
let smdb: RunningService;
let nemloginControl: RemoteControl;
let smdbControl: RemoteControl;
const clients: WscClient[] = [];

/** The JSON answers this test reads: /health of the smdb service, or an error. */
interface Answer {
  status?: string;
  nemlogin: { reachable: boolean; note?: string };
  error?: string;
  detail?: string;
}

function fetchJson(url: string, ca: string, method = "GET"): Promise<{ status: number; body: Answer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca }, (res) => {
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

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function client(): Promise<WscClient> {
  const config = await loadClientConfig(join(dir, "nemlogin", "client-production.yaml"));
  const c = await WscClient.fromConfig(config, { clock: new RealClock() });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  nemlogin = await startService({
    role: "nemlogin",
    stateDir: join(dir, "nemlogin"),
    host: "127.0.0.1",
    port: 0,
    http: false,
    clock: new VirtualClock(Date.now()),
    messageClock: new RealClock(),
    faultMode: "verbose",
    allowSha1: false,
    tlsHostnames: [],
  });
  const nemloginCa = join(dir, "nemlogin", "tls-ca.pem");
  smdb = await startService({
    role: "smdb",
    stateDir: join(dir, "smdb"),
    host: "127.0.0.1",
    port: 0,
    http: false,
    clock: new RealClock(),
    faultMode: "verbose",
    allowSha1: false,
    tlsHostnames: [],
    nemlogin: { url: nemlogin.harness.url, caFile: nemloginCa, waitMs: 20_000, intervalMs: 100 },
  });
  nemloginControl = new RemoteControl(nemlogin.harness.url, { ca: await readFile(nemloginCa, "utf8") });
  smdbControl = new RemoteControl(smdb.harness.url, { ca: smdb.harness.tlsCaPem });
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  nemloginControl?.close();
  smdbControl?.close();
  await smdb?.close();
  await nemlogin?.close();
});

describe("nemlogin and smdb as separate services", () => {
  it("serves a client with nemlogin's files: token from nemlogin, all three operations on smdb", async () => {
    // nemlogin describes SMDB as SMDB registered itself: its URL, certificate and TLS CA.
    const view = await nemloginControl.environment("production");
    expect(view.wspUrl).toBe(`${smdb.harness.url}/production/smdb`);
    expect(view.wspCertificateSha256).toBe(
      smdb.harness.state.environment("production").wsp.certificate.sha256,
    );
    expect(view.tlsCaPem).toContain(smdb.harness.tlsCaPem.trim().split("\n")[1]);
    expect(await readFile(join(dir, "nemlogin", "wsp-production.pem"), "utf8")).toBe(
      smdb.harness.state.environment("production").wsp.certificate.pem,
    );
    // smdb knows the STS only as nemlogin told it.
    const learned = await smdbControl.environment("production");
    expect(learned.stsCertificateSha256).toBe(view.stsCertificateSha256);
    expect(learned.stsUrl).toBe(view.stsUrl);
    expect(await readFile(join(dir, "smdb", "sts-production.pem"), "utf8")).toBe(view.stsCertificatePem);

    const wsc = await client();
    expect((await wsc.call("Ping")).result).toMatchObject({ cvr: "90112233" });
    expect((await wsc.call("IndberetForloeb", { ...COURSE, forloebId: "SPLIT-1" })).result).toMatchObject({
      forloebId: "SPLIT-1",
      status: "created",
    });
    const got = await wsc.call("HentForloeb", { forloebId: "SPLIT-1" });
    expect((got.result as { forloeb: unknown[] }).forloeb).toHaveLength(1);
    // The token came from nemlogin's STS, the calls were decided by smdb.
    expect(
      (await nemloginControl.events()).events.some((e) => e.component === "sts" && e.reason === "OK"),
    ).toBe(true);
    const smdbEvents = (await smdbControl.events()).events.filter((e) => e.component === "wsp");
    expect(smdbEvents.map((e) => e.reason)).toEqual(["OK", "OK", "OK"]);
  });

  it("follows an STS signing rotation, and does not under pin-thumbprint", async () => {
    const before = await nemloginControl.environment("production");
    const rotation = await nemloginControl.rotateStsSigningCertificate("production");
    await until("smdb to learn the rotated STS certificate", async () => {
      return (await smdbControl.environment("production")).stsCertificateSha256 === rotation.currentSha256;
    });
    // The vendor installs the new STS certificate in its client, as after a real rotation.
    const stateDir = join(dir, "nemlogin");
    await copyFile(
      join(stateDir, "sts-production.pem"),
      join(stateDir, "client", "trusted-sts-production.pem"),
    );
    const wsc = await client();
    expect((await wsc.call("Ping")).operation).toBe("Ping");
    expect((await wsc.getToken()).stsCertificate.sha256).toBe(rotation.currentSha256);
    expect(
      (await smdbControl.events()).events.some(
        (e) => e.reason === "STS_CERTIFICATE_LEARNED" && e.certSha256 === rotation.currentSha256,
      ),
    ).toBe(true);

    // An SMDB that pins the thumbprint it trusts does not follow the next rotation.
    await smdbControl.setWspTrust("production", {
      mode: "pin-thumbprint",
      thumbprints: [rotation.currentSha256],
    });
    const next = await nemloginControl.rotateStsSigningCertificate("production");
    await until("smdb to learn the next STS certificate", async () => {
      return (await smdbControl.environment("production")).stsCertificateSha256 === next.currentSha256;
    });
    await copyFile(
      join(stateDir, "sts-production.pem"),
      join(stateDir, "client", "trusted-sts-production.pem"),
    );
    const pinned = await (await client()).call("Ping").catch((e: unknown) => e);
    expect(pinned).toBeInstanceOf(ClientError);
    expect(pinned).toMatchObject({ step: 2, reason: "TOKEN_ISSUER_UNTRUSTED" });
    await smdbControl.setWspTrust("production", { mode: "current" });
    expect((await (await client()).call("Ping")).operation).toBe("Ping");
    expect(before.stsCertificateSha256).not.toBe(next.currentSha256);
  });

  it("follows nemlogin's virtual clock", async () => {
    const moved = await nemloginControl.advanceClock("10d");
    await until("smdb to follow the clock", async () => (await smdbControl.clock()).nowMs === moved.nowMs);
    // Tokens issued on the moved clock are valid on smdb's.
    expect((await (await client()).call("Ping")).operation).toBe("Ping");
  });

  it("refuses on each side what belongs to the other, naming where it is", async () => {
    const onSmdb = await smdbControl.systemUsers().catch((e: unknown) => e);
    expect(onSmdb).toBeInstanceOf(RefusedError);
    expect(onSmdb).toMatchObject({ kind: "not-found", reason: "NOT_THIS_SERVICE" });
    expect((onSmdb as Error).message).toContain(`belongs to the nemlogin service at ${nemlogin.harness.url}`);
    const clockOnSmdb = await smdbControl.advanceClock("1d").catch((e: unknown) => e);
    expect(clockOnSmdb).toMatchObject({ reason: "NOT_THIS_SERVICE" });
    const trustOnNemlogin = await nemloginControl.wspTrust("production").catch((e: unknown) => e);
    expect(trustOnNemlogin).toMatchObject({ reason: "NOT_THIS_SERVICE" });
    expect((trustOnNemlogin as Error).message).toContain(`set on the smdb service at ${smdb.harness.url}`);
    const smdbAtNemlogin = await fetchJson(
      `${nemlogin.harness.url}/production/smdb`,
      await readFile(join(dir, "nemlogin", "tls-ca.pem"), "utf8"),
      "POST",
    );
    expect(smdbAtNemlogin).toEqual({
      status: 404,
      body: {
        error: "NOT_THIS_SERVICE",
        detail: `this is the nemlogin service (role nemlogin); SMDB is served by the smdb service at ${smdb.harness.url}`,
      },
    });
  });

  it("tells an smdb that does not trust nemlogin's TLS certificate to give its CA", async () => {
    const result = await runCli([
      "up",
      "--role",
      "smdb",
      "--port",
      "0",
      "--state-dir",
      join(dir, "distrustful"),
      "--nemlogin-url",
      nemlogin.harness.url,
      "--nemlogin-wait",
      "1s",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^smdb-harness: the nemlogin service at https:\/\/127\.0\.0\.1:\d+ could not be reached within 1 s \(.*not trusted.*\); give the CA of its TLS certificate \(its tls-ca\.pem\) with --nemlogin-ca \(SMDB_HARNESS_NEMLOGIN_CA\)$/,
    );
  });

  it("keeps serving with the trust it had when nemlogin goes away, and says so in /health", async () => {
    const wsc = await client();
    await wsc.getToken();
    await nemlogin.close();
    const health = `${smdb.harness.url}/health`;
    await until(
      "smdb to notice",
      async () => (await fetchJson(health, smdb.harness.tlsCaPem)).body.nemlogin.reachable === false,
    );
    const answer = await fetchJson(health, smdb.harness.tlsCaPem);
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe("ok");
    expect(answer.body.nemlogin.note).toMatch(
      /^the nemlogin service at https:\/\/127\.0\.0\.1:\d+ has not answered since .+; SMDB keeps serving with the STS certificates it learned then$/,
    );
    // A client with a token from before still reports.
    expect((await wsc.call("Ping")).operation).toBe("Ping");
    expect((await smdbControl.events()).events.some((e) => e.reason === "NEMLOGIN_UNREACHABLE")).toBe(true);
  });

  it("stops with one sentence when no nemlogin answers at start", async () => {
    const result = await runCli([
      "up",
      "--role",
      "smdb",
      "--port",
      "0",
      "--state-dir",
      join(dir, "lonely"),
      "--nemlogin-url",
      "https://127.0.0.1:1",
      "--nemlogin-wait",
      "1s",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^smdb-harness: the nemlogin service at https:\/\/127\.0\.0\.1:1 could not be reached within 1 s \(.*ECONNREFUSED.*\); start it first, or give its URL with --nemlogin-url \(SMDB_HARNESS_NEMLOGIN_URL\)$/,
    );
  });
});
