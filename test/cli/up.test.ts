import { copyFile, readFile, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { loadClientConfig } from "../../src/client/config.js";
import { ClientError } from "../../src/client/errors.js";
import { buildSignedRst } from "../../src/client/rst.js";
import { WscClient } from "../../src/client/wsc-client.js";
import { RealClock } from "../../src/core/clock.js";
import { loadCredentialFile } from "../../src/pki/load.js";
import { clientCall, killRunningUps, runCli, startUp } from "../helpers/cli.js";
import { realClockHarness } from "../helpers/harness.js";
import { useTempDir } from "../helpers/tmp.js";

function fetchWithCa(
  url: string,
  options: { ca?: string; method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: options.method ?? "GET",
        headers: options.headers ?? {},
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

let dir: string;
useTempDir("up-", (path) => {
  dir = path;
});

afterAll(() => {
  killRunningUps();
});

describe("smdb-harness up, as a real process", () => {
  it("serves HTTPS with the exported TLS CA, issues a token with only the files it printed, and keeps state across a restart", async () => {
    const stateDir = join(dir, "state");
    /** The configuration `up` wrote for `env`. */
    const configOf = (env: "integration" | "production") => join(stateDir, `client-${env}.yaml`);
    /** The reference client (the library `client call` runs), given only `env`'s configuration file. */
    const clientOf = async (env: "integration" | "production") =>
      WscClient.fromConfig(await loadClientConfig(configOf(env)), { clock: new RealClock() });
    /** The ClientError a call by `env`'s client fails with (fails the test when the call works). */
    const refusal = async (
      call: (client: WscClient) => Promise<unknown>,
      env: "integration" | "production",
    ) => {
      const client = await clientOf(env);
      try {
        await call(client);
      } catch (error) {
        if (error instanceof ClientError) return error;
        throw error;
      } finally {
        client.close();
      }
      throw new Error(`the ${env} client's call worked`);
    };
    const first = await startUp(["--state-dir", stateDir]);
    expect(first.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(first.url).not.toMatch(/:0$/);
    const out = first.stdout();
    const tlsCaPath = join(stateDir, "tls-ca.pem");
    for (const path of [
      tlsCaPath,
      join(stateDir, "sts-integration.pem"),
      join(stateDir, "sts-production.pem"),
      join(stateDir, "wsp-integration.pem"),
      join(stateDir, "wsp-production.pem"),
      join(stateDir, "client", "demo-client.p12"),
      join(stateDir, "client-integration.yaml"),
      join(stateDir, "client-production.yaml"),
    ]) {
      expect(out).toContain(path);
    }
    const password = /password: (\S+);/.exec(out)![1]!;
    const ca = await readFile(tlsCaPath, "utf8");

    const health = await fetchWithCa(`${first.url}/health`, { ca });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body).status).toBe("ok");
    // Without the CA the TLS certificate is not trusted.
    await expect(fetchWithCa(`${first.url}/health`)).rejects.toThrow();

    // A client that has only the printed files: the configuration, the .p12, the STS and TLS CA files.
    const config = YAML.parse(await readFile(join(stateDir, "client-production.yaml"), "utf8"));
    expect(config).toMatchObject({
      environment: "production",
      stsUrl: `${first.url}/production/SecurityTokenService.svc`,
      stsEndpointReference: "https://signature.sts.nemlog-in.dk/",
      wspUrl: `${first.url}/production/smdb`,
      wspEntityId: "https://smdb.dst.dk/production",
      stsCertificate: [join("client", "trusted-sts-production.pem")],
      wspCertificate: [join("client", "trusted-wsp-production.pem")],
      clientCertificate: { file: join("client", "demo-client.p12"), password },
      tls: { ca: "tls-ca.pem" },
    });
    // Paths are relative to the configuration file.
    const loaded = await loadCredentialFile(join(stateDir, config.clientCertificate.file), { password });
    const credential = { certificate: loaded.certificates[0]!, key: loaded.key!, chain: [] };
    const rst = buildSignedRst({
      credential,
      to: config.stsEndpointReference,
      appliesTo: config.wspEntityId,
      nowMs: Date.now(),
    });
    const token = await fetchWithCa(config.stsUrl, {
      ca: await readFile(join(stateDir, config.tls.ca), "utf8"),
      method: "POST",
      body: rst.xml,
      headers: {
        "content-type": "text/xml; charset=utf-8",
        soapaction: '"http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"',
      },
    });
    expect(token.status, token.body).toBe(200);
    expect(token.body).toContain("EncryptedAssertion");

    // The client's copy of the SMDB certificate is the one the SMDB signs with (wsp-production.pem).
    expect(await readFile(join(stateDir, config.wspCertificate[0]), "utf8")).toBe(
      await readFile(join(stateDir, "wsp-production.pem"), "utf8"),
    );
    // The client library, given only the configuration file: token (response signature checked
    // against sts-production.pem) and a call to SMDB (response signer checked against the client's
    // copy of wsp-production.pem), over HTTPS with tls-ca.pem.
    const client = await clientOf("production");
    try {
      const issued = await client.getToken();
      expect(issued.messageId).toBeTruthy();
      const ping = await client.call("Ping");
      expect(ping).toMatchObject({ operation: "Ping", certSha256: credential.certificate.sha256 });
      expect(ping.result).toMatchObject({ cvr: "90112233" });
    } finally {
      client.close();
    }

    // The CLI, given only the configuration file: steps 1 and 2, and step 1 alone. (The CLI's
    // refusal lines are test/cli/client-call.test.ts's; here the library stands in for the
    // further calls, so that this test starts no more processes than it needs.)
    const cliCall = await clientCall(configOf("production"), "Ping");
    expect(cliCall.code, cliCall.stderr).toBe(0);
    expect(JSON.parse(cliCall.stdout)).toMatchObject({ environment: "production", cvr: "90112233" });
    const cliToken = await runCli(["client", "token", "--config", configOf("production")]);
    expect(cliToken.code, cliToken.stderr).toBe(0);
    expect(JSON.parse(cliToken.stdout)).toMatchObject({
      environment: "production",
      clientCertificateSha256: credential.certificate.sha256,
    });

    // The integration configuration trusts the integration SMDB only: given the production
    // certificate instead, its SMDB answers are refused by the client.
    const integrationWsp = join(stateDir, "client", "trusted-wsp-integration.pem");
    const integrationCopy = await readFile(integrationWsp, "utf8");
    await copyFile(join(stateDir, "wsp-production.pem"), integrationWsp);
    const untrusted = await refusal((c) => c.call("Ping"), "integration");
    expect(untrusted).toMatchObject({ step: 2, reason: "WSP_RESPONSE_UNTRUSTED" });
    expect(untrusted.message).toMatch(/wspCertificate/);
    await writeFile(integrationWsp, integrationCopy);
    const integrationClient = await clientOf("integration");
    try {
      expect((await integrationClient.call("Ping")).result).toMatchObject({ environment: "integration" });
    } finally {
      integrationClient.close();
    }

    // An STS rotation: the client's copy of the STS certificate is stale until it is replaced.
    const rotation = await fetchWithCa(`${first.url}/admin/api/sts/production/rotate-signing-certificate`, {
      ca,
      method: "POST",
    });
    expect(rotation.status).toBe(200);
    const stale = await refusal((c) => c.getToken(), "production");
    expect(stale).toMatchObject({ step: 1, reason: "STS_RESPONSE_UNTRUSTED" });
    await copyFile(
      join(stateDir, "sts-production.pem"),
      join(stateDir, "client", "trusted-sts-production.pem"),
    );
    const renewedTrust = await clientOf("production");
    try {
      expect((await renewedTrust.getToken()).messageId).toBeTruthy();
    } finally {
      renewedTrust.close();
    }

    const created = await fetchWithCa(`${first.url}/admin/api/system-users`, {
      ca,
      method: "POST",
      body: JSON.stringify({
        name: "Persisted",
        cvr: "95555555",
        entityId: "urn:persisted",
        id: "persisted",
      }),
      headers: { "content-type": "application/json" },
    });
    expect(created.status, created.body).toBe(201);
    const stsPem = await readFile(join(stateDir, "sts-production.pem"), "utf8");

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    const second = await startUp([
      "--state-dir",
      stateDir,
      "--http",
      "--virtual-clock",
      "2027-01-01T00:00:00Z",
    ]);
    expect(second.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(second.stdout()).toContain(`password: ${password};`);
    expect(await readFile(join(stateDir, "sts-production.pem"), "utf8")).toBe(stsPem);
    const users = JSON.parse((await fetchWithCa(`${second.url}/admin/api/system-users`)).body).systemUsers;
    expect(users.map((u: { id: string }) => u.id).sort()).toEqual(["demo", "persisted"]);
    const demo = users.find((u: { id: string }) => u.id === "demo");
    expect(demo.provisioned.integration.current.sha256).toBe(credential.certificate.sha256);
    expect(demo.provisioned.production.current.sha256).toBe(credential.certificate.sha256);
    const clock = JSON.parse((await fetchWithCa(`${second.url}/admin/api/clock`)).body);
    expect(clock).toMatchObject({ virtual: true, now: "2027-01-01T00:00:00.000Z" });
    const rewritten = YAML.parse(await readFile(join(stateDir, "client-integration.yaml"), "utf8"));
    expect(rewritten.stsUrl).toBe(`${second.url}/integration/SecurityTokenService.svc`);
    expect(rewritten.tls).toBeUndefined();
    expect(second.stdout()).not.toContain("warning: the demo client certificate");

    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);

    // A later start far past the demo certificate's validity says so before "Press Ctrl+C".
    const third = await startUp([
      "--state-dir",
      stateDir,
      "--http",
      "--virtual-clock",
      "2035-01-01T00:00:00Z",
    ]);
    expect(third.stdout()).toMatch(
      /warning: the demo client certificate \(.*demo-client\.pem\) expired at \S+, but harness time is 2035-01-01T00:00:00\.000Z: .*new --state-dir.*\nPress Ctrl\+C to stop\./,
    );
    third.child.kill("SIGINT");
    expect(await third.exited).toBe(0);
    // A new state dir makes its CA with fresh RSA 3072 keys (never the key pool): room on a busy machine.
  }, 180_000);

  it("refuses bad flags with one line and exit code 2", async () => {
    const port = await runCli(["up", "--port", "eighty", "--state-dir", join(dir, "bad")]);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port must be a port number/);
    const clock = await runCli(["up", "--virtual-clock", "tomorrow", "--state-dir", join(dir, "bad")]);
    expect(clock.code).toBe(2);
    expect(clock.stderr).toMatch(/--virtual-clock/);
    const occupied = await realClockHarness().start();
    try {
      const busy = await runCli(["up", "--port", String(occupied.port), "--state-dir", join(dir, "busy")]);
      expect(busy.code).toBe(2);
      expect(busy.stderr).toMatch(new RegExp(`port ${occupied.port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      await occupied.close();
    }
    const policy = await runCli(["up", "--policy", "sometimes", "--state-dir", join(dir, "bad")]);
    expect(policy.code).not.toBe(0);
    expect(policy.stderr).toMatch(/sometimes/);
    // A new state dir makes its CA with fresh RSA 3072 keys (never the key pool): room on a busy machine.
  }, 180_000);
});
