import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../src/harness/harness.js";
import { type Credential, publicKeyFingerprint, toPkcs12 } from "../../src/pki/index.js";
import { DAY, oces3Issuer, rotationPair, T0 } from "../helpers/harness.js";

let h: Harness;
let realClockHarness: Harness;
let old: Credential;
let renewed: Credential;

beforeAll(async () => {
  const { VirtualClock } = await import("../../src/core/clock.js");
  h = await startHarness({ http: true, clock: new VirtualClock(T0) });
  realClockHarness = await startHarness({ http: true });
  ({ old, renewed } = await rotationPair(h.state.ca, T0));
});

afterAll(async () => {
  await h?.close();
  await realClockHarness?.close();
});

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes, checked by the assertions
  body: any;
  text: string;
  type: string;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  options: { raw?: boolean; type?: string; harness?: Harness } = {},
): Promise<Answer> {
  const base = (options.harness ?? h).url;
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = options.raw ? (body as RequestInit["body"]) : JSON.stringify(body);
    init.headers = {
      "content-type": options.type ?? (options.raw ? "application/octet-stream" : "application/json"),
    };
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  return {
    status: res.status,
    text,
    type,
    body: type.includes("json") && text ? JSON.parse(text) : undefined,
  };
}

function expectError(answer: Answer, status: number, error?: string | RegExp): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.type).toContain("application/json");
  expect(typeof answer.body.error).toBe("string");
  expect(typeof answer.body.detail).toBe("string");
  expect(answer.body.detail.length).toBeGreaterThan(10);
  if (typeof error === "string") expect(answer.body.error).toBe(error);
  else if (error) expect(answer.body.error).toMatch(error);
}

describe("serving", () => {
  it("answers /health, the OpenAPI document and the admin page", async () => {
    const health = await call("GET", "/health");
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: "ok", virtualClock: true, policy: "at-expiry" });
    const api = await call("GET", "/admin/api/openapi.json");
    expect(api.body.openapi).toBe("3.1.0");
    for (const path of [
      "/environments/{env}",
      "/system-users",
      "/system-users/{id}/certificates/{env}/{slot}",
      "/system-users/{id}/save",
      "/system-users/{id}/provision/{env}",
      "/certificates/revoke",
      "/trust-anchors",
      "/environments/{env}/wsps",
      "/sts/{env}/rotate-signing-certificate",
      "/events",
      "/clock",
    ]) {
      expect(api.body.paths[path], path).toBeDefined();
    }
    const page = await call("GET", "/");
    expect(page.status).toBe(200);
    expect(page.type).toContain("text/html");
    expect(page.text).toContain("smdb-harness");
    expect(page.text).not.toMatch(/<(link|script|img)[^>]+(src|href)="https?:/);
    await call("POST", "/admin/api/system-users", {
      name: "<script>alert(1)</script>",
      cvr: "99999990",
      entityId: "urn:xss",
      id: "xss",
    });
    // The page is static: names reach it only as JSON and are put in as text
    // (test/ui/admin-page.test.ts checks that in Chromium).
    const again = await call("GET", "/");
    expect(again.text).toBe(page.text);
    expect(again.text).not.toContain("alert(1)");
    expect((await call("DELETE", "/admin/api/system-users/xss")).status).toBe(204);
  });

  it("describes each environment as docs/contract.md says", async () => {
    for (const env of ["integration", "production"] as const) {
      const answer = await call("GET", `/admin/api/environments/${env}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        stsUrl: h.stsUrl(env),
        stsEndpointReference: h.state.environment(env).stsEndpointReference,
        wspUrl: h.wspUrl(env),
        wspEntityId: `https://smdb.dst.dk/${env}`,
      });
      expect(answer.body.stsCertificatePem).toContain("BEGIN CERTIFICATE");
      expect(answer.body.wspCertificatePem).toContain("BEGIN CERTIFICATE");
    }
    expect((await call("GET", "/admin/api/environments/production")).body.stsEndpointReference).toBe(
      "https://signature.sts.nemlog-in.dk/",
    );
    expectError(await call("GET", "/admin/api/environments/staging"), 404, "UNKNOWN_ENVIRONMENT");
  });
});

describe("systembruger lifecycle over HTTP", () => {
  it("creates, uploads (PEM and DER), saves and provisions; the STS decision follows", async () => {
    const created = await call("POST", "/admin/api/system-users", {
      name: "Kommune A",
      cvr: "91234567",
      entityId: "https://kommune-a.example/wsc",
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.privileges).toEqual([
      "urn:dk:dst:smdb:privilege:indberet",
      "urn:dk:dst:smdb:privilege:hent",
    ]);

    const put = await call(
      "PUT",
      `/admin/api/system-users/${id}/certificates/production/current`,
      old.certificate.pem,
      {
        raw: true,
        type: "application/x-pem-file",
      },
    );
    expect(put.status, put.text).toBe(200);
    expect(put.body.certificate.sha256).toBe(old.certificate.sha256);
    const putNext = await call(
      "PUT",
      `/admin/api/system-users/${id}/certificates/production/next`,
      new Uint8Array(renewed.certificate.der),
      { raw: true },
    );
    expect(putNext.status, putNext.text).toBe(200);

    let view = (await call("GET", `/admin/api/system-users/${id}`)).body;
    expect(view.draft.production.current.sha256).toBe(old.certificate.sha256);
    expect(view.saved.production.current).toBeNull();
    expect(view.provisioned.production).toBeNull();
    expect(view.status.production.unsavedChanges).toBe(true);
    expect(h.registry.decideClientCertificate("production", old.certificate, h.clock.nowMs()).reason).toBe(
      "CERT_NOT_PROVISIONED",
    );

    expect((await call("POST", `/admin/api/system-users/${id}/save`)).status).toBe(200);
    view = (await call("GET", `/admin/api/system-users/${id}`)).body;
    expect(view.saved.production.next.sha256).toBe(renewed.certificate.sha256);
    expect(view.status.production.savedNotProvisioned).toBe(true);

    const provisioned = await call("POST", `/admin/api/system-users/${id}/provision/production`);
    expect(provisioned.status, provisioned.text).toBe(200);
    expect(provisioned.body.provisioned.production.current.sha256).toBe(old.certificate.sha256);
    expect(provisioned.body.provisioned.integration).toBeNull();
    expect(provisioned.body.status.production.acceptedSha256).toEqual([old.certificate.sha256]);
    expect(provisioned.body.status.production.slots.map((s: { status: string }) => s.status)).toEqual([
      "OK",
      "CERT_NOT_YET_ACTIVE",
    ]);
    expect(h.registry.decideClientCertificate("production", old.certificate, h.clock.nowMs()).reason).toBe(
      "OK",
    );

    const list = await call("GET", "/admin/api/system-users");
    const listed = list.body.systemUsers.find((u: { id: string }) => u.id === id);
    expect(listed.name).toBe("Kommune A");
    expect(listed.status.production).toMatchObject({ unsavedChanges: false, savedNotProvisioned: false });

    const patched = await call("PATCH", `/admin/api/system-users/${id}`, { privileges: [] });
    expect(patched.status).toBe(200);
    expect(patched.body.privileges).toEqual([]);

    const removed = await call("DELETE", `/admin/api/system-users/${id}/certificates/production/next`);
    expect(removed.status).toBe(200);
    expect(removed.body.draft.production.next).toBeNull();
    expect(removed.body.provisioned.production.next.sha256).toBe(renewed.certificate.sha256);

    const events = await call("GET", "/admin/api/events?since=0");
    const reasons = events.body.events
      .filter((e: { systemUser?: string }) => e.systemUser === id)
      .map((e: { reason: string }) => e.reason);
    expect(reasons).toEqual([
      "SYSTEM_USER_CREATED",
      "CERTIFICATE_UPLOADED",
      "CERTIFICATE_UPLOADED",
      "SAVED",
      "PROVISIONED",
      "SYSTEM_USER_UPDATED",
      "CERTIFICATE_REMOVED",
    ]);
    const lastSeq = events.body.lastSeq as number;
    expect((await call("GET", `/admin/api/events?since=${lastSeq}`)).body.events).toEqual([]);

    expect((await call("DELETE", `/admin/api/system-users/${id}`)).status).toBe(204);
    expectError(await call("GET", `/admin/api/system-users/${id}`), 404, "UNKNOWN_SYSTEM_USER");
  });

  it("schedules an activation with {at}, relative or absolute", async () => {
    const created = await call("POST", "/admin/api/system-users", {
      name: "Kommune B",
      cvr: "92345678",
      entityId: "https://kommune-b.example/wsc",
      id: "kommune-b",
    });
    expect(created.body.id).toBe("kommune-b");
    const cert = await oces3Issuer(h.state.ca, T0, "92345678")("b", -1, 100);
    await call(
      "PUT",
      "/admin/api/system-users/kommune-b/certificates/integration/next",
      new Uint8Array(cert.certificate.der),
      {
        raw: true,
      },
    );
    await call("POST", "/admin/api/system-users/kommune-b/save");
    const answer = await call("POST", "/admin/api/system-users/kommune-b/provision/integration", {
      at: "+2d",
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.provisioned.integration.activateAt).toBe(
      new Date(h.clock.nowMs() + 2 * DAY).toISOString(),
    );
    expectError(
      await call("POST", "/admin/api/system-users/kommune-b/provision/integration", {
        at: "2001-01-01T00:00:00Z",
      }),
      400,
    );
    expectError(
      await call("POST", "/admin/api/system-users/kommune-b/provision/integration", { at: "soon" }),
      400,
      "BAD_TIME",
    );
    expectError(
      await call("POST", "/admin/api/system-users/kommune-b/provision/integration", { at: 5 }),
      400,
    );
    expectError(
      await call("POST", "/admin/api/system-users/kommune-b/provision/integration", { at: "+100000000y" }),
      400,
      "BAD_TIME",
    );
  });
  it("a provisioned certificate's status is what the STS answers now: validity and revocation first", async () => {
    await call("POST", "/admin/api/system-users", {
      name: "Kommune C",
      cvr: "93456789",
      entityId: "https://kommune-c.example/wsc",
      id: "kommune-c",
    });
    const now = h.clock.nowMs();
    const issue = oces3Issuer(h.state.ca, now, "93456789");
    const current = await issue("c-current", -1, 100);
    const early = await issue("c-early", 5, 200);
    const path = "/admin/api/system-users/kommune-c";
    for (const [slot, cert] of [
      ["current", current],
      ["next", early],
    ] as const) {
      const put = await call("PUT", `${path}/certificates/production/${slot}`, cert.certificate.pem, {
        raw: true,
        type: "text/plain",
      });
      expect(put.status, put.text).toBe(200);
    }
    await call("POST", `${path}/save`);
    const provisioned = await call("POST", `${path}/provision/production`);
    expect(provisioned.status, provisioned.text).toBe(200);
    const slots = (await call("GET", path)).body.status.production.slots;
    expect(slots[0]).toMatchObject({ slot: "current", status: "OK", accepted: true });
    expect(slots[1]).toMatchObject({ slot: "next", status: "CERT_NOT_YET_VALID", accepted: false });
    expect(slots[1].explanation).toContain(early.certificate.notBefore.toISOString());
    await call("POST", "/admin/api/certificates/revoke", current.certificate.pem, {
      raw: true,
      type: "text/plain",
    });
    const after = (await call("GET", path)).body.status.production;
    expect(after.slots[0]).toMatchObject({ slot: "current", status: "CERT_REVOKED", accepted: false });
    expect(after.acceptedSha256).toEqual([]);
  });
});

describe("bad input is a 4xx with {error, detail}", () => {
  it("malformed JSON, wrong shapes and unknown fields", async () => {
    const res = await fetch(`${h.url}/admin/api/system-users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name": "x", ',
    });
    expectError(
      { status: res.status, text: "", type: res.headers.get("content-type") ?? "", body: await res.json() },
      400,
      "MALFORMED_JSON",
    );
    expectError(await call("POST", "/admin/api/system-users", [1, 2]), 400);
    expectError(await call("POST", "/admin/api/system-users", "just a string"), 400);
    expectError(
      await call("POST", "/admin/api/system-users", {
        name: "x",
        cvr: "91234567",
        entityId: "urn:x",
        colour: "red",
      }),
      400,
    );
    expectError(
      await call("POST", "/admin/api/system-users", { name: "x", cvr: "123", entityId: "urn:x" }),
      400,
    );
    expectError(await call("POST", "/admin/api/system-users", {}), 400);
    expectError(
      await call("POST", "/admin/api/system-users", {
        name: "x",
        cvr: "91234567",
        entityId: "urn:x",
        id: "bad id!",
      }),
      400,
    );
  });

  it("unknown ids, environments, slots and routes", async () => {
    await call("POST", "/admin/api/system-users", { name: "C", cvr: "93456789", entityId: "urn:c", id: "c" });
    const nobody = await call("GET", "/admin/api/system-users/nobody");
    expectError(nobody, 404, "UNKNOWN_SYSTEM_USER");
    expect(nobody.body.detail).toMatch(/^there is no systembruger with id "nobody"; known ids: ".+"/);
    expectError(await call("POST", "/admin/api/system-users/nobody/save"), 404);
    expectError(await call("POST", "/admin/api/system-users/nobody/provision/production"), 404);
    expectError(
      await call("PUT", "/admin/api/system-users/nobody/certificates/production/current", "x", { raw: true }),
      404,
    );
    expectError(
      await call("PUT", "/admin/api/system-users/c/certificates/staging/current", old.certificate.pem, {
        raw: true,
      }),
      404,
      "UNKNOWN_ENVIRONMENT",
    );
    expectError(
      await call("PUT", "/admin/api/system-users/c/certificates/production/previous", old.certificate.pem, {
        raw: true,
      }),
      404,
      "UNKNOWN_SLOT",
    );
    expectError(
      await call("POST", "/admin/api/system-users/c/provision/staging"),
      404,
      "UNKNOWN_ENVIRONMENT",
    );
    expectError(await call("POST", "/admin/api/system-users/c/provision/production"), 409, "NOTHING_SAVED");
    expectError(
      await call("DELETE", "/admin/api/system-users/c/certificates/production/next"),
      404,
      "SLOT_EMPTY",
    );
    expectError(await call("POST", "/admin/api/sts/staging/rotate-signing-certificate"), 404);
    expectError(await call("GET", "/admin/api/nothing-here"), 404, "NOT_FOUND");
    expectError(await call("GET", "/nothing-here"), 404);
    expectError(await call("GET", "/admin/api/events?since=abc"), 400);
    expectError(await call("GET", "/admin/api/events?since=-1"), 400);
  });

  it("odd requests: bad percent-encoding, bad charset, bad content-encoding, oversized JSON", async () => {
    expectError(await call("GET", "/admin/api/system-users/%ZZ"), 400);
    const charset = await fetch(`${h.url}/admin/api/system-users`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=klingon" },
      body: "{}",
    });
    expect(charset.status).toBe(415);
    expect(Object.keys((await charset.json()) as object).sort()).toEqual(["detail", "error"]);
    const encoding = await fetch(`${h.url}/admin/api/system-users`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: "definitely not gzip",
    });
    expect(encoding.status).toBeGreaterThanOrEqual(400);
    expect(encoding.status).toBeLessThan(500);
    expect(Object.keys((await encoding.json()) as object).sort()).toEqual(["detail", "error"]);
    expectError(
      await call("POST", "/admin/api/system-users", { name: "x".repeat(200_000) }),
      413,
      "BODY_TOO_LARGE",
    );
    expect((await call("GET", "/health")).status).toBe(200);
  });

  it("uploads that are not a public certificate", async () => {
    const path = "/admin/api/system-users/c/certificates/production/current";
    expectError(
      await call("PUT", path, new Uint8Array(toPkcs12(old, "secret")), { raw: true }),
      400,
      "PKCS12_NOT_ALLOWED",
    );
    expectError(
      await call("PUT", path, old.key.privateKeyPem, { raw: true, type: "text/plain" }),
      400,
      "PRIVATE_KEY_NOT_ALLOWED",
    );
    expectError(
      await call("PUT", path, "garbage garbage garbage", { raw: true, type: "text/plain" }),
      400,
      "NOT_A_CERTIFICATE",
    );
    expectError(await call("PUT", path, "", { raw: true }), 400, "EMPTY_FILE");
    expectError(await call("PUT", path, new Uint8Array(2 * 1024 * 1024), { raw: true }), 413);
    const expired = await h.state.ca.issue({
      profile: "oces3-system",
      notBefore: new Date(T0 - 1000 * DAY),
      notAfter: new Date(T0 - DAY),
    });
    const answer = await call("PUT", path, new Uint8Array(expired.certificate.der), { raw: true });
    expectError(answer, 422, "CERT_EXPIRED_AT_UPLOAD");
    expect(answer.body.detail).toContain(expired.certificate.sha256);
    const events = (await call("GET", "/admin/api/events")).body.events;
    expect(events.at(-1)).toMatchObject({
      component: "admin",
      outcome: "rejected",
      reason: "CERT_EXPIRED_AT_UPLOAD",
    });
    expectError(
      await call("POST", "/admin/api/certificates/revoke", "nope", { raw: true, type: "text/plain" }),
      400,
    );
    expectError(
      await call("POST", "/admin/api/trust-anchors", new Uint8Array(old.certificate.der), { raw: true }),
      400,
      "NOT_A_CA_CERTIFICATE",
    );
    expectError(await call("POST", "/admin/api/environments/production/wsps", { entityId: "" }), 400);
    expectError(
      await call("POST", "/admin/api/environments/production/wsps", {
        entityId: "urn:w",
        certificatePem: "x",
      }),
      400,
    );
    expectError(await call("PUT", "/admin/api/settings", { policy: "sometimes" }), 400, "BAD_POLICY");
  });

  it("the clock: 409 on a real clock, 400 for nonsense", async () => {
    const real = await call("POST", "/admin/api/clock", { advance: "1d" }, { harness: realClockHarness });
    expectError(real, 409, "CLOCK_NOT_VIRTUAL");
    expect(real.body.detail).toMatch(/virtual-clock/);
    expect(
      (await call("GET", "/admin/api/clock", undefined, { harness: realClockHarness })).body.virtual,
    ).toBe(false);
    expectError(await call("POST", "/admin/api/clock", {}), 400);
    expectError(await call("POST", "/admin/api/clock", { set: "2026-01-01T00:00:00Z", advance: "1d" }), 400);
    expectError(await call("POST", "/admin/api/clock", { advance: "ten days" }), 400, "BAD_TIME");
    expectError(await call("POST", "/admin/api/clock", { set: "yesterday" }), 400, "BAD_TIME");
    expectError(await call("POST", "/admin/api/clock", { set: 5 }), 400);
    expectError(await call("POST", "/admin/api/clock", { advance: 1e20 }), 400, "BAD_TIME");
    expectError(await call("POST", "/admin/api/clock", { advance: "+100000000y" }), 400, "BAD_TIME");
    expectError(await call("POST", "/admin/api/clock", { set: "1900-01-01T00:00:00Z" }), 400, "BAD_TIME");
    expect((await call("GET", "/admin/api/clock")).status).toBe(200);
  });
});

describe("harness controls", () => {
  it("sets and advances the virtual clock", async () => {
    const set = await call("POST", "/admin/api/clock", { set: "2026-02-01T00:00:00Z" });
    expect(set.status).toBe(200);
    expect(set.body.now).toBe("2026-02-01T00:00:00.000Z");
    const advanced = await call("POST", "/admin/api/clock", { advance: "10d" });
    expect(advanced.body.now).toBe("2026-02-11T00:00:00.000Z");
    expect(h.clock.now().toISOString()).toBe("2026-02-11T00:00:00.000Z");
    const back = await call("POST", "/admin/api/clock", { set: new Date(T0).toISOString() });
    expect(back.body.nowMs).toBe(T0);
    const events = (await call("GET", "/admin/api/events")).body.events;
    expect(events.at(-1)).toMatchObject({ component: "clock", reason: "CLOCK_SET" });
  });

  it("rotates the STS signing certificate: same subject, new key, old one in the history", async () => {
    const before = h.state.environment("production").stsSigning;
    const answer = await call("POST", "/admin/api/sts/production/rotate-signing-certificate");
    expect(answer.status).toBe(200);
    expect(answer.body.previousSha256).toBe(before.certificate.sha256);
    const after = h.state.environment("production").stsSigning;
    expect(answer.body.currentSha256).toBe(after.certificate.sha256);
    expect(after.certificate.sha256).not.toBe(before.certificate.sha256);
    expect(after.certificate.subject).toBe(before.certificate.subject);
    expect(publicKeyFingerprint(after.certificate.publicKey)).not.toBe(
      publicKeyFingerprint(before.certificate.publicKey),
    );
    expect(h.state.stsEnvironment("production").signing().certificate.sha256).toBe(after.certificate.sha256);
    const env = (await call("GET", "/admin/api/environments/production")).body;
    expect(env.stsCertificatePem).toBe(after.certificate.pem);
    expect(env.stsCertificateHistory.map((c: { sha256: string }) => c.sha256)).toEqual([
      before.certificate.sha256,
    ]);
    expect(h.state.environment("integration").stsHistory).toEqual([]);
  });

  it("registers WSPs, with or without a certificate", async () => {
    const issued = await call("POST", "/admin/api/environments/integration/wsps", {
      entityId: "https://wsp.example/a",
    });
    expect(issued.status).toBe(201);
    expect(issued.body.privateKeyPem).toContain("PRIVATE KEY");
    expect(h.registry.findWsp("integration", "https://wsp.example/a")?.encryptionCertificate.sha256).toBe(
      issued.body.certificateSha256,
    );
    const given = await call("POST", "/admin/api/environments/production/wsps", {
      entityId: "https://wsp.itcrew.dk",
      certificatePem: renewed.certificate.pem,
    });
    expect(given.status).toBe(201);
    expect(given.body.privateKeyPem).toBeUndefined();
    const list = (await call("GET", "/admin/api/environments/production/wsps")).body.wsps;
    expect(list.map((w: { entityId: string }) => w.entityId)).toEqual([
      "https://smdb.dst.dk/production",
      "https://wsp.itcrew.dk",
    ]);
    expect(
      h.registry.findWsp("production", "https://smdb.dst.dk/production")?.encryptionCertificate.sha256,
    ).toBe(h.state.environment("production").wsp.certificate.sha256);
  });

  it("revokes certificates and adds trust anchors", async () => {
    const revoked = await call("POST", "/admin/api/certificates/revoke", old.certificate.pem, {
      raw: true,
      type: "text/plain",
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.sha256).toBe(old.certificate.sha256);
    expect(h.registry.isRevoked(old.certificate.sha256)).toBe(true);
    const { createTestCa } = await import("../../src/pki/index.js");
    const foreign = await createTestCa(T0, "vendor");
    const added = await call("POST", "/admin/api/trust-anchors", foreign.root.certificate.pem, {
      raw: true,
      type: "text/plain",
    });
    expect(added.status).toBe(201);
    const again = await call("POST", "/admin/api/trust-anchors", foreign.root.certificate.pem, {
      raw: true,
      type: "text/plain",
    });
    expect(again.status).toBe(200);
    const anchors = (await call("GET", "/admin/api/trust-anchors")).body.trustAnchors;
    expect(anchors.map((a: { sha256: string; builtIn: boolean }) => [a.sha256, a.builtIn])).toEqual([
      [h.state.ca.root.certificate.sha256, true],
      [h.state.ca.issuing.certificate.sha256, true],
      [foreign.root.certificate.sha256, false],
    ]);
  });

  it("changes the rollover policy", async () => {
    const answer = await call("PUT", "/admin/api/settings", { policy: "overlap" });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ policy: "overlap", faultMode: "verbose", allowSha1: false });
    expect(h.registry.policy).toBe("overlap");
  });
});
