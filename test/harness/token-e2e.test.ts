import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSignedRst } from "../../src/client/rst.js";
import type { VirtualClock } from "../../src/core/clock.js";
import type { Environment } from "../../src/core/events.js";
import type { Harness } from "../../src/harness/harness.js";
import type { Credential } from "../../src/pki/index.js";
import { requestAction, requestBodyXml } from "../../src/smdb/operations.js";
import { buildIdwsRequest } from "../../src/xml/idws.js";
import { rawEncryptedAssertion } from "../../src/xml/wstrust.js";
import { harnessWithSystemUser, T0 } from "../helpers/harness.js";

let h: Harness;
let old: Credential;
let renewed: Credential;
let id: string;

beforeAll(async () => {
  ({
    harness: h,
    old,
    renewed,
    userId: id,
  } = await harnessWithSystemUser({ name: "Kommune E2E", entityId: "https://kommune-e2e.example/wsc" }));
});

afterAll(async () => {
  await h?.close();
});

async function requestToken(env: Environment, credential: Credential, appliesTo?: string) {
  const rst = buildSignedRst({
    credential,
    to: h.state.environment(env).stsEndpointReference,
    appliesTo: appliesTo ?? h.state.environment(env).wspEntityId,
    nowMs: h.clock.nowMs(),
  });
  const res = await fetch(h.stsUrl(env), {
    method: "POST",
    headers: {
      "content-type": "text/xml; charset=utf-8",
      soapaction: '"http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"',
    },
    body: rst.xml,
  });
  const since = h.events.lastSeq - 1;
  return { status: res.status, body: await res.text(), event: h.events.since(since).at(-1) };
}

describe("a token through startHarness, end to end", () => {
  it("issues a token for the provisioned current certificate, and follows the rollover", async () => {
    const ok = await requestToken("production", old);
    expect(ok.status, ok.body).toBe(200);
    expect(ok.body).toContain("RequestSecurityTokenResponseCollection");
    expect(ok.body).toContain("EncryptedAssertion");
    expect(ok.event).toMatchObject({
      component: "sts",
      reason: "OK",
      systemUser: id,
      certSha256: old.certificate.sha256,
    });

    const early = await requestToken("production", renewed);
    expect(early.status).toBe(500);
    expect(early.body).toContain("CERT_NOT_YET_ACTIVE");
    expect(early.event).toMatchObject({ outcome: "rejected", reason: "CERT_NOT_YET_ACTIVE" });

    const elsewhere = await requestToken("integration", old);
    expect(elsewhere.event).toMatchObject({ outcome: "rejected", reason: "CERT_NOT_PROVISIONED" });

    (h.clock as VirtualClock).set(old.certificate.notAfter.getTime() + 1);
    const after = await requestToken("production", renewed);
    expect(after.status, after.body).toBe(200);
    expect(after.event).toMatchObject({ reason: "OK", certSha256: renewed.certificate.sha256 });
    (h.clock as VirtualClock).set(T0);
  });

  it("refuses a WSP that is not registered, and one of the other environment", async () => {
    const unknown = await requestToken("production", old, "https://not-registered.example");
    expect(unknown.event).toMatchObject({ outcome: "rejected", reason: "UNKNOWN_SERVICE" });
    const crossed = await requestToken("production", old, h.state.environment("integration").wspEntityId);
    expect(crossed.event).toMatchObject({ outcome: "rejected", reason: "UNKNOWN_SERVICE" });
  });
});

describe("steps 1 and 2 through one harness", () => {
  async function callSmdb(env: Environment, credential: Credential, encryptedAssertionXml: string) {
    const request = buildIdwsRequest({
      action: requestAction("Ping"),
      to: h.wspUrl(env),
      createdMs: h.clock.nowMs(),
      encryptedAssertionXml,
      bodyXml: requestBodyXml("Ping", {}),
      privateKey: credential.key.privateKey,
    });
    const res = await fetch(h.wspUrl(env), {
      method: "POST",
      headers: { "content-type": `application/soap+xml; charset=utf-8; action="${requestAction("Ping")}"` },
      body: request.xml,
    });
    return { status: res.status, body: await res.text(), event: h.events.since(h.events.lastSeq - 1).at(-1) };
  }

  it("calls SMDB with the token the STS issued, and the SMDB follows an STS signing-certificate rotation only when it does not pin", async () => {
    const token = await requestToken("production", old);
    expect(token.status, token.body).toBe(200);
    const assertion = rawEncryptedAssertion(token.body)!;
    expect(assertion).toBeDefined();
    const ping = await callSmdb("production", old, assertion);
    expect(ping.status, ping.body).toBe(200);
    expect(ping.event).toMatchObject({ component: "wsp", step: 2, outcome: "ok", reason: "OK" });

    const before = h.state.environment("production").stsSigning.certificate;
    const pin = await fetch(`${h.adminUrl}/environments/production/wsp-trust`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mode: "pin-thumbprint", thumbprints: [before.sha1] }),
    });
    expect(pin.status).toBe(200);
    expect(await h.control.wspTrust("production")).toEqual({
      mode: "pin-thumbprint",
      thumbprints: [before.sha1],
    });
    expect((await callSmdb("production", old, assertion)).status).toBe(200);

    await h.state.rotateStsSigningCertificate("production");
    const fresh = rawEncryptedAssertion((await requestToken("production", old)).body)!;
    const pinned = await callSmdb("production", old, fresh);
    expect(pinned.status).toBe(400);
    expect(pinned.event).toMatchObject({ outcome: "rejected", reason: "TOKEN_ISSUER_UNTRUSTED" });

    const reset = await fetch(`${h.adminUrl}/environments/production/wsp-trust`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mode: "current" }),
    });
    expect(reset.status).toBe(200);
    expect((await callSmdb("production", old, fresh)).status).toBe(200);
    const bad = await fetch(`${h.adminUrl}/environments/production/wsp-trust`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mode: "pin-thumbprint", thumbprints: ["xyz"] }),
    });
    expect(bad.status).toBe(400);
  });
});
