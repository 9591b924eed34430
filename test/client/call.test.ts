/**
 * The client's step 2 (`WscClient.call`) against a real harness over HTTP: the three operations,
 * token reuse and refresh, the fallback certificate, and WSP faults surfacing with step and code.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callWsp } from "../../src/client/call.js";
import { ClientError } from "../../src/client/errors.js";
import { HttpClient } from "../../src/client/http.js";
import { WscClient } from "../../src/client/wsc-client.js";
import type { VirtualClock } from "../../src/core/clock.js";
import type { Harness } from "../../src/harness/harness.js";
import type { Credential } from "../../src/pki/index.js";
import { PRIVILEGE_HENT } from "../../src/smdb/privileges.js";
import { COURSE } from "../helpers/fixtures.js";
import { harnessWithSystemUser, oces3Issuer, provisionSystemUser, T0 } from "../helpers/harness.js";
import { type Bench, createBench, HOUR, issueToken } from "../wsp/helpers.js";

describe("WscClient.call against startHarness", () => {
  let h: Harness;
  let old: Credential;
  let renewed: Credential;
  let readerCredential: Credential;

  beforeAll(async () => {
    ({ harness: h, old, renewed } = await harnessWithSystemUser());
    readerCredential = await oces3Issuer(h.state.ca, T0, "97777777")("reader", -1, 100);
    await provisionSystemUser(
      h.registry,
      {
        name: "Kun læsning",
        cvr: "97777777",
        entityId: "https://reader.example/wsc",
        privileges: [PRIVILEGE_HENT],
      },
      { current: readerCredential },
    );
  });

  afterAll(async () => {
    await h?.close();
  });

  const client = (credential: Credential, fallback?: Credential) =>
    new WscClient({
      clock: h.clock,
      stsUrl: h.stsUrl("production"),
      stsEndpointReference: h.state.environment("production").stsEndpointReference,
      stsCertificates: [h.state.environment("production").stsSigning.certificate],
      wspUrl: h.wspUrl("production"),
      wspEntityId: h.state.environment("production").wspEntityId,
      credential,
      ...(fallback ? { fallbackCredential: fallback } : {}),
    });

  it("performs Ping, IndberetForloeb and HentForloeb, verifying the WSP's signed responses", async () => {
    const c = client(old);
    try {
      const wsp = [h.state.environment("production").wsp.certificate];
      const ping = await c.call("Ping", {}, { wspCertificates: wsp });
      expect(ping.result).toMatchObject({
        environment: "production",
        cvr: "91234567",
        systembruger: "https://kommune.example/wsc",
      });
      expect(ping.certSha256).toBe(old.certificate.sha256);
      const put = await c.call("IndberetForloeb", COURSE, { wspCertificates: wsp });
      expect(put.result).toEqual({ forloebId: COURSE.forloebId, version: 1, status: "created" });
      const got = await c.call("HentForloeb", { forloebId: COURSE.forloebId });
      expect((got.result as { forloeb: unknown[] }).forloeb).toEqual([
        { ...COURSE, version: 1, opdateret: new Date(T0).toISOString() },
      ]);
      const stsEvents = h.events.since(0).filter((e) => e.component === "sts" && e.outcome === "ok");
      expect(stsEvents).toHaveLength(1);
      // A wrong expectation of the WSP's certificate is refused.
      await expect(c.call("Ping", {}, { wspCertificates: [old.certificate] })).rejects.toMatchObject({
        step: 2,
        reason: "WSP_RESPONSE_UNTRUSTED",
      });
    } finally {
      c.close();
    }
  });

  it("gets a new token when the cached one has expired", async () => {
    const c = client(old);
    try {
      await c.call("Ping");
      (h.clock as VirtualClock).advance("9h");
      const again = await c.call("Ping");
      expect(again.result).toMatchObject({ cvr: "91234567" });
      const tokens = h.events
        .since(0)
        .filter(
          (e) => e.component === "sts" && e.outcome === "ok" && e.certSha256 === old.certificate.sha256,
        );
      expect(tokens.length).toBeGreaterThanOrEqual(3);
    } finally {
      (h.clock as VirtualClock).set(T0);
      c.close();
    }
  });

  it("with fallbackCertificate, retries step 1 with the second certificate when the STS rejects the first", async () => {
    const early = client(renewed);
    try {
      await expect(early.call("Ping")).rejects.toMatchObject({ step: 1, reason: "CERT_NOT_YET_ACTIVE" });
    } finally {
      early.close();
    }
    const c = client(renewed, old);
    try {
      const res = await c.call("Ping");
      expect(res.certSha256).toBe(old.certificate.sha256);
    } finally {
      c.close();
    }
  });

  it("surfaces WSP refusals with step 2 and the reason code; invalid payloads are refused before sending", async () => {
    const reader = client(readerCredential);
    try {
      const error = await reader.call("IndberetForloeb", COURSE).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClientError);
      expect(error).toMatchObject({ step: 2, reason: "PRIVILEGE_MISSING" });
      expect((error as Error).message).toContain(readerCredential.certificate.sha256);
      const bad = await reader.call("IndberetForloeb", { ...COURSE, cpr: "1" }).catch((e: unknown) => e);
      expect(bad).toMatchObject({ step: 2, reason: "VALIDATION_ERROR" });
      await expect(reader.call("Slet")).rejects.toMatchObject({ reason: "UNKNOWN_OPERATION" });
    } finally {
      reader.close();
    }
  });
});

describe("callWsp refreshes the token when the WSP says it has expired", () => {
  let bench: Bench;
  let server: Server;
  let url: string;
  const http = new HttpClient();

  beforeAll(async () => {
    bench = await createBench();
    server = createServer(bench.app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/production/smdb`;
  });
  afterAll(async () => {
    http.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it("retries once with a new token after TOKEN_EXPIRED (the client's idea of the expiry was wrong)", async () => {
    const stale = issueToken(bench, { notOnOrAfterMs: bench.clock.nowMs() + HOUR });
    bench.clock.advance("2h");
    const issued: string[] = [];
    const deps = {
      getToken: async ({ refresh }: { refresh: boolean }) => {
        issued.push(refresh ? "fresh" : "cached");
        return {
          encryptedAssertionXml: refresh ? issueToken(bench) : stale,
          credential: bench.clientA,
          // The cache believes the stale token is good for hours.
          expiresMs: bench.clock.nowMs() + 10 * HOUR,
        };
      },
      transport: http.transport(2),
      wspUrl: url,
      clock: bench.clock,
    };
    const result = await callWsp(deps, "Ping");
    expect(result.tokenRefreshed).toBe(true);
    expect(issued).toEqual(["cached", "fresh"]);
    const reasons = bench.events.since(0).map((e) => e.reason);
    expect(reasons.slice(-2)).toEqual(["TOKEN_EXPIRED", "OK"]);
  });

  it("does not retry other refusals", async () => {
    let calls = 0;
    const deps = {
      getToken: async () => {
        calls++;
        return {
          encryptedAssertionXml: issueToken(bench, { audience: "https://elsewhere" }),
          credential: bench.clientA,
        };
      },
      transport: http.transport(2),
      wspUrl: url,
      clock: bench.clock,
    };
    await expect(callWsp(deps, "Ping")).rejects.toMatchObject({ step: 2, reason: "AUDIENCE_MISMATCH" });
    expect(calls).toBe(1);
  });
});

describe("callWsp against a WSP in realistic fault mode", () => {
  it("still refreshes an expired token once (generic wsse:InvalidSecurityToken), and reports WSP_FAULT otherwise", async () => {
    const bench = await createBench({ wsp: { faultMode: "realistic" } });
    const server = createServer(bench.app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const http = new HttpClient();
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/production/smdb`;
      const stale = issueToken(bench, { notOnOrAfterMs: bench.clock.nowMs() + HOUR });
      bench.clock.advance("2h");
      const deps = {
        getToken: async ({ refresh }: { refresh: boolean }) => ({
          encryptedAssertionXml: refresh ? issueToken(bench) : stale,
          credential: bench.clientA,
        }),
        transport: http.transport(2),
        wspUrl: url,
        clock: bench.clock,
      };
      expect((await callWsp(deps, "Ping")).tokenRefreshed).toBe(true);
      const reader = {
        ...deps,
        getToken: async () => ({
          encryptedAssertionXml: issueToken(bench, { privileges: [] }),
          credential: bench.clientA,
        }),
      };
      const error = await callWsp(reader, "HentForloeb", { forloebId: "F" }).catch((e: unknown) => e);
      expect(error).toMatchObject({ step: 2, reason: "WSP_FAULT" });
      expect((error as ClientError).detail["subcode"]).toBe("wsse:FailedAuthentication");
    } finally {
      http.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
