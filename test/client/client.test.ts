/**
 * The WSC library and `client token` against a real harness over HTTPS (virtual clock): config
 * files, certificate sources (p12, PEM pair, store with FindBy…), the token cache, trust in
 * the STS signing certificate, fallback, and the CLI with --dump-dir.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCertificateSource } from "../../src/client/certificate-source.js";
import { type FindType, loadClientConfig, parseClientConfig } from "../../src/client/config.js";
import { ClientError } from "../../src/client/errors.js";
import { WscClient } from "../../src/client/wsc-client.js";
import type { VirtualClock } from "../../src/core/clock.js";
import type { Harness } from "../../src/harness/harness.js";
import { writeCredentialFiles } from "../../src/pki/export.js";
import type { Credential } from "../../src/pki/index.js";
import { runCli } from "../helpers/cli.js";
import { yamlAliasBomb } from "../helpers/fixtures.js";
import { provisionSystemUser, realClockHarness, testHarness } from "../helpers/harness.js";
import { useTempDir } from "../helpers/tmp.js";

const DAY = 86_400_000;
const START = "2026-05-01T08:00:00Z";
let harness: Harness;
let clock: VirtualClock;
let dir: string;
useTempDir("wsc-client-", (path) => {
  dir = path;
});
let current: Credential;

async function expectClientError(promise: Promise<unknown>, step: number, reason: string, pattern?: RegExp) {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).reason, (error as Error).message).toBe(reason);
    expect((error as ClientError).step).toBe(step);
    if (pattern) expect((error as Error).message).toMatch(pattern);
    return error as ClientError;
  }
  throw new Error(`expected ClientError ${reason}`);
}

function configYaml(extra: Record<string, string> = {}): string {
  const fields: Record<string, string> = {
    environment: "production",
    stsUrl: harness.stsUrl("production"),
    stsEndpointReference: harness.state.environment("production").stsEndpointReference,
    stsCertificate: "sts.pem",
    wspUrl: harness.wspUrl("production"),
    wspEntityId: harness.state.environment("production").wspEntityId,
    clientCertificate: "{ file: certs/current.p12, password: pw }",
    tls: "{ ca: tls-ca.pem }",
    ...extra,
  };
  return Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");
}

function writeConfig(name: string, extra: Record<string, string> = {}): string {
  const path = join(dir, name);
  writeFileSync(path, configYaml(extra));
  return path;
}

/** A client from a configuration file written with `extra` fields, on the test's virtual clock. */
async function clientFrom(name: string, extra: Record<string, string> = {}): Promise<WscClient> {
  return WscClient.fromConfig(await loadClientConfig(writeConfig(name, extra)), { clock });
}

beforeAll(async () => {
  const started = await testHarness(START).withHttp(false).start();
  harness = started;
  clock = started.clock;
  const now = clock.nowMs();
  current = await harness.state.ca.issue({
    profile: "oces3-system",
    cvr: "91111111",
    name: "Kommune SMDB",
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 300 * DAY),
  });
  await writeCredentialFiles(current, join(dir, "certs", "current"), { password: "pw" });
  writeFileSync(join(dir, "sts.pem"), harness.state.environment("production").stsSigning.certificate.pem);
  writeFileSync(join(dir, "tls-ca.pem"), harness.tlsCaPem);
  await provisionSystemUser(
    harness.registry,
    { name: "Kommune", cvr: "91111111", entityId: "https://kommune.example/wsc" },
    { current },
  );
});

afterAll(async () => {
  await harness?.close();
});

describe("client configuration", () => {
  it("resolves relative paths against the file and names file and field in errors", async () => {
    const config = await loadClientConfig(writeConfig("ok.yaml"));
    expect(config.stsCertificate).toEqual([join(dir, "sts.pem")]);
    expect(config.clientCertificate).toEqual({
      kind: "file",
      file: join(dir, "certs", "current.p12"),
      password: "pw",
    });
    expect(config.tls).toEqual({ ca: join(dir, "tls-ca.pem") });
    const file = join(dir, "bad.yaml");
    expect(() => parseClientConfig(configYaml({ environment: "staging" }), file)).toThrow(
      `${file}: environment:`,
    );
    expect(() =>
      parseClientConfig(
        configYaml({ clientCertificate: "{ store: s, findType: FindByName, findValue: x }" }),
        file,
      ),
    ).toThrow(/clientCertificate.findType/);
    expect(() => parseClientConfig(configYaml({ stsUrl: "not a url" }), file)).toThrow(/stsUrl/);
    expect(() => parseClientConfig(`${configYaml()}\nwspEntityID: typo`, file)).toThrow(
      /wspEntityID: unknown field/,
    );
    // An alias bomb is refused before it expands, naming the file.
    expect(() => parseClientConfig(yamlAliasBomb("x"), file)).toThrow(`${file}: YAML refused:`);
  });
});

describe("certificate sources", () => {
  it("loads a .p12 and a PEM pair; a wrong password is unreadable, a missing file not found", async () => {
    const p12 = await loadCertificateSource({
      kind: "file",
      file: join(dir, "certs", "current.p12"),
      password: "pw",
    });
    expect(p12.certificate.sha256).toBe(current.certificate.sha256);
    const pem = await loadCertificateSource({
      kind: "pem",
      cert: join(dir, "certs", "current.pem"),
      key: join(dir, "certs", "current.key.pem"),
    });
    expect(pem.key.publicKeySha256).toBe(current.key.publicKeySha256);
    await expectClientError(
      loadCertificateSource({ kind: "file", file: join(dir, "certs", "current.p12"), password: "wrong" }),
      0,
      "CLIENT_CERT_UNREADABLE",
    );
    await expectClientError(
      loadCertificateSource({ kind: "file", file: join(dir, "nope.p12"), password: "pw" }),
      0,
      "CLIENT_CERT_NOT_FOUND",
    );
    await expectClientError(
      loadCertificateSource({
        kind: "pem",
        cert: join(dir, "certs", "current.pem"),
        key: join(dir, "nope.key.pem"),
      }),
      0,
      "CLIENT_CERT_NOT_FOUND",
      /client key file .*nope\.key\.pem does not exist/,
    );
    const other = await harness.state.ca.issue({
      profile: "oces3-system",
      notBefore: new Date(clock.nowMs() - DAY),
      notAfter: new Date(clock.nowMs() + DAY),
    });
    await writeCredentialFiles(other, join(dir, "certs", "other"), { password: "pw" });
    await expectClientError(
      loadCertificateSource({
        kind: "pem",
        cert: join(dir, "certs", "current.pem"),
        key: join(dir, "certs", "other.key.pem"),
      }),
      0,
      "CLIENT_CERT_UNREADABLE",
      new RegExp(`does not belong to certificate ${current.certificate.sha256}`),
    );
  });

  it("searches a store like X509Store.Find: a renewed certificate with another subject is not found by the old name", async () => {
    const store = join(dir, "store");
    const now = clock.nowMs();
    const renamed = await harness.state.ca.issue({
      profile: "oces3-system",
      cvr: "91111111",
      name: "Kommune Indberetning 2029",
      notBefore: new Date(now),
      notAfter: new Date(now + 900 * DAY),
    });
    await writeCredentialFiles(renamed, join(store, "renewed"), { password: "pw" });
    const find = (findType: FindType, findValue: string) =>
      loadCertificateSource({ kind: "store", store, findType, findValue, password: "pw" });
    await expectClientError(
      find("FindBySubjectName", "Kommune SMDB"),
      0,
      "CLIENT_CERT_NOT_FOUND",
      /Kommune Indberetning 2029/,
    );
    await writeCredentialFiles(current, join(store, "current"), { password: "pw" });
    expect((await find("FindBySubjectName", "kommune smdb")).certificate.sha256).toBe(
      current.certificate.sha256,
    );
    const spacedThumbprint = renamed.certificate.sha1.toLowerCase().replace(/(..)/g, "$1 ");
    expect((await find("FindByThumbprint", spacedThumbprint)).certificate.sha256).toBe(
      renamed.certificate.sha256,
    );
    expect(
      (await find("FindBySerialNumber", current.certificate.serialNumber.toLowerCase())).certificate.sha256,
    ).toBe(current.certificate.sha256);
    await expectClientError(
      loadCertificateSource({
        kind: "store",
        store: join(dir, "no-store"),
        findType: "FindByThumbprint",
        findValue: "00",
      }),
      0,
      "CLIENT_CERT_NOT_FOUND",
    );
  });
});

describe("WscClient over HTTPS", () => {
  it("gets a token, caches it until shortly before expiry, and renews on the client's clock", async () => {
    const wsc = await clientFrom("cache.yaml", { tokenLifetime: "1h" });
    try {
      const token = await wsc.getToken();
      expect(token.expiresMs).toBe(clock.nowMs() + 3_600_000);
      expect(token.credential.certificate.sha256).toBe(current.certificate.sha256);
      expect(token.responseXml).toContain(token.encryptedAssertionXml);
      expect(token.encryptedAssertionXml).toMatch(/^<EncryptedAssertion[\s\S]*<\/EncryptedAssertion>$/);
      const before = harness.events.lastSeq;
      expect(await wsc.getToken()).toBe(token);
      clock.advance("58m30s");
      expect(await wsc.getToken()).toBe(token);
      clock.advance("1m");
      const renewed = await wsc.getToken();
      expect(renewed).not.toBe(token);
      expect(harness.events.since(before).filter((e) => e.component === "sts")).toHaveLength(1);
    } finally {
      wsc.close();
    }
  });

  it("refuses a response not signed by a trusted STS certificate (STS_RESPONSE_UNTRUSTED)", async () => {
    writeFileSync(
      join(dir, "other-sts.pem"),
      harness.state.environment("integration").stsSigning.certificate.pem,
    );
    const wsc = await clientFrom("untrusted.yaml", { stsCertificate: "other-sts.pem" });
    try {
      await expectClientError(wsc.getToken(), 1, "STS_RESPONSE_UNTRUSTED", /rotated/);
    } finally {
      wsc.close();
    }
  });

  it("checks who signed the SMDB's answer against wspCertificate: the right one passes, another environment's is WSP_RESPONSE_UNTRUSTED", async () => {
    const production = harness.state.environment("production").wsp.certificate;
    const integration = harness.state.environment("integration").wsp.certificate;
    writeFileSync(join(dir, "wsp.pem"), production.pem);
    writeFileSync(join(dir, "other-wsp.pem"), integration.pem);
    const trusted = await loadClientConfig(writeConfig("wsp-trusted.yaml", { wspCertificate: "wsp.pem" }));
    expect(trusted.wspCertificate).toEqual([join(dir, "wsp.pem")]);
    const good = await WscClient.fromConfig(trusted, { clock });
    try {
      expect(good.options.wspCertificates?.map((c) => c.sha256)).toEqual([production.sha256]);
      expect((await good.call("Ping")).result).toMatchObject({ cvr: "91111111" });
    } finally {
      good.close();
    }
    const wrong = await clientFrom("wsp-wrong.yaml", { wspCertificate: "[other-wsp.pem]" });
    try {
      const before = harness.events.lastSeq;
      const error = await expectClientError(
        wrong.call("Ping"),
        2,
        "WSP_RESPONSE_UNTRUSTED",
        new RegExp(
          `signed by certificate SHA-256 ${production.sha256}[\\s\\S]*trusts only SHA-256 ${integration.sha256}`,
        ),
      );
      expect(error.message).toContain("wspCertificate");
      expect(error.detail).toEqual({ signer: production.sha256, trusted: [integration.sha256] });
      // The SMDB did accept the call: the refusal is the client's own.
      expect(
        harness.events
          .since(before)
          .filter((e) => e.component === "wsp")
          .map((e) => e.reason),
      ).toEqual(["OK"]);
    } finally {
      wrong.close();
    }
    // Both listed: either may sign.
    const both = await clientFrom("wsp-both.yaml", { wspCertificate: "[other-wsp.pem, wsp.pem]" });
    try {
      expect((await both.call("Ping")).result).toMatchObject({ environment: "production" });
    } finally {
      both.close();
    }
    // Without wspCertificate only the signature and RelatesTo are checked (as before).
    expect((await loadClientConfig(writeConfig("no-wsp.yaml"))).wspCertificate).toEqual([]);
    writeFileSync(join(dir, "not-a-cert.pem"), "hello");
    await expectClientError(
      clientFrom("wsp-bad.yaml", { wspCertificate: "not-a-cert.pem" }),
      0,
      "CONFIG_INVALID",
      /wspCertificate: .*not-a-cert\.pem holds no PEM certificate/,
    );
    await expectClientError(
      clientFrom("wsp-missing.yaml", { wspCertificate: "nope.pem" }),
      0,
      "CONFIG_INVALID",
      /wspCertificate: .*nope\.pem does not exist$/,
    );
  });

  it("reports the STS's reason, and falls back to the second certificate when the first is refused", async () => {
    const stranger = await harness.state.ca.issue({
      profile: "oces3-system",
      cvr: "91111111",
      name: "Stranger",
      notBefore: new Date(clock.nowMs() - DAY),
      notAfter: new Date(clock.nowMs() + DAY),
    });
    await writeCredentialFiles(stranger, join(dir, "certs", "stranger"), { password: "pw" });
    const only = await clientFrom("stranger.yaml", {
      clientCertificate: "{ cert: certs/stranger.pem, key: certs/stranger.key.pem }",
    });
    try {
      await expectClientError(
        only.getToken(),
        1,
        "CERT_NOT_REGISTERED",
        new RegExp(stranger.certificate.sha256),
      );
    } finally {
      only.close();
    }
    const withFallback = await clientFrom("fallback.yaml", {
      clientCertificate: "{ cert: certs/stranger.pem, key: certs/stranger.key.pem }",
      fallbackCertificate: "{ file: certs/current.p12, password: pw }",
    });
    try {
      expect((await withFallback.getToken()).credential.certificate.sha256).toBe(current.certificate.sha256);
    } finally {
      withFallback.close();
    }
  });
});

describe("smdb-harness client token", () => {
  it("prints the token summary, dumps the messages exactly, and names step and reason on failure", async () => {
    // The CLI runs on the real clock: give it a harness on the real clock.
    const real = await realClockHarness().withHttp(false).start();
    try {
      const cliDir = join(dir, "cli");
      mkdirSync(cliDir);
      const now = Date.now();
      const cred = await real.state.ca.issue({
        profile: "oces3-system",
        cvr: "92222222",
        name: "CLI",
        notBefore: new Date(now - DAY),
        notAfter: new Date(now + DAY),
      });
      await writeCredentialFiles(cred, join(cliDir, "cli"), { password: "pw" });
      await provisionSystemUser(
        real.registry,
        { name: "CLI", cvr: "92222222", entityId: "https://cli.example" },
        { current: cred },
        ["integration"],
      );
      writeFileSync(
        join(cliDir, "sts.pem"),
        real.state.environment("integration").stsSigning.certificate.pem,
      );
      writeFileSync(join(cliDir, "tls-ca.pem"), real.tlsCaPem);
      const yaml = (env: "integration" | "production") =>
        [
          `environment: ${env}`,
          `stsUrl: ${real.stsUrl(env)}`,
          `stsEndpointReference: ${real.state.environment(env).stsEndpointReference}`,
          "stsCertificate: [sts.pem]",
          `wspUrl: ${real.wspUrl(env)}`,
          `wspEntityId: ${real.state.environment(env).wspEntityId}`,
          "clientCertificate: { file: cli.p12, password: pw }",
          "tls: { ca: tls-ca.pem }",
        ].join("\n");
      writeFileSync(join(cliDir, "integration.yaml"), yaml("integration"));
      writeFileSync(join(cliDir, "production.yaml"), yaml("production"));
      const dump = join(cliDir, "dump");
      const ok = await runCli([
        "client",
        "token",
        "--config",
        join(cliDir, "integration.yaml"),
        "--dump-dir",
        dump,
      ]);
      expect(ok.code, ok.stderr).toBe(0);
      const summary = JSON.parse(ok.stdout);
      expect(summary).toMatchObject({
        environment: "integration",
        clientCertificateSha256: cred.certificate.sha256,
      });
      expect(readdirSync(dump).sort()).toEqual(["001-sts-request.xml", "001-sts-response.xml"]);
      expect(readFileSync(join(dump, "001-sts-request.xml"), "utf8")).toContain(summary.messageId);
      const failed = await runCli(["client", "token", "--config", join(cliDir, "production.yaml")]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/step 1: CERT_NOT_PROVISIONED/);
      const missing = await runCli(["client", "token", "--config", join(cliDir, "nope.yaml")]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/step 0: CONFIG_INVALID/);
    } finally {
      await real.close();
    }
  });
});

describe("HttpClient transport errors", () => {
  it("a refused connection says to check that `smdb-harness up` runs on that port", async () => {
    const { createServer } = await import("node:net");
    const { HttpClient } = await import("../../src/client/http.js");
    // A port that was free a moment ago and is closed now.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const http = new HttpClient();
    try {
      const error = await http
        .post(`http://127.0.0.1:${port}/production/SecurityTokenService.svc`, "x", {})
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(ClientError);
      expect((error as ClientError).reason).toBe("STS_UNREACHABLE");
      expect((error as ClientError).message).toMatch(
        /ECONNREFUSED.*is `smdb-harness up` running, and on that port\?/,
      );
    } finally {
      http.close();
    }
  });
});
