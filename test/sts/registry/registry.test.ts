import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REFUSAL_STATUS } from "../../../src/control/admin-api.js";
import { VirtualClock } from "../../../src/core/clock.js";
import { RefusedError } from "../../../src/core/errors.js";
import { EventLog } from "../../../src/core/events.js";
import { type Credential, createTestCa, type TestCa, toPkcs12 } from "../../../src/pki/index.js";
import { DEFAULT_PRIVILEGES } from "../../../src/smdb/privileges.js";
import { Registry } from "../../../src/sts/registry/registry.js";
import { DAY, oces3Issuer, rotationPair, T0 } from "../../helpers/harness.js";
import { useTempDir } from "../../helpers/tmp.js";

let ca: TestCa;
let old: Credential;
let renewed: Credential;
let other: Credential;
let expired: Credential;
let otherOrganisation: Credential;
let dir: string;
useTempDir("registry-", (path) => {
  dir = path;
});

beforeAll(async () => {
  ca = await createTestCa(T0);
  const issue = oces3Issuer(ca, T0);
  ({ old, renewed } = await rotationPair(ca, T0));
  other = await issue("other", -1, 1095);
  expired = await issue("expired", -1200, -5);
  otherOrganisation = await ca.issue({
    profile: "oces3-system",
    cvr: "92345678",
    name: "another organisation's system",
    notBefore: new Date(T0 - DAY),
    notAfter: new Date(T0 + 1095 * DAY),
  });
});

async function fresh(options: { stateDir?: string; clock?: VirtualClock } = {}) {
  const clock = options.clock ?? new VirtualClock(T0);
  const events = new EventLog(() => clock.nowMs());
  const registry = await Registry.open({
    clock,
    events,
    builtInTrustAnchors: [ca.root.certificate, ca.issuing.certificate],
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
  });
  return { clock, events, registry };
}

/** The refusal, with the HTTP status the admin API answers it with. */
async function rejection(promise: Promise<unknown>): Promise<RefusedError & { status: number }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RefusedError);
    const refused = error as RefusedError;
    return Object.assign(refused, { status: REFUSAL_STATUS[refused.kind] });
  }
  throw new Error("expected a rejection");
}

describe("client certificate decisions", () => {
  it("walks a certificate from unregistered through draft, saved and provisioned", async () => {
    const { registry, clock } = await fresh();
    const user = await registry.createSystemUser({
      name: "Kommune indberetning",
      cvr: "91234567",
      entityId: "https://kommune.example/wsc",
    });
    expect(user.identity.privileges).toEqual(DEFAULT_PRIVILEGES);
    const id = user.identity.id;
    const now = () => clock.nowMs();
    const unregistered = registry.decideClientCertificate("production", old.certificate, now());
    expect(unregistered.reason).toBe("CERT_NOT_REGISTERED");
    expect(unregistered.message).toContain(old.certificate.sha256);
    expect(unregistered.systemUser).toBeUndefined();

    await registry.uploadCertificate(id, "production", "current", old.certificate.der);
    const draft = registry.decideClientCertificate("production", old.certificate, now());
    expect(draft.reason).toBe("CERT_NOT_PROVISIONED");
    expect(draft.systemUser?.id).toBe(id);
    expect(draft.message).toMatch(/unsaved draft/);
    expect(draft.message).toContain(old.certificate.sha256);

    await registry.save(id);
    const saved = registry.decideClientCertificate("production", old.certificate, now());
    expect(saved.reason).toBe("CERT_NOT_PROVISIONED");
    expect(saved.message).toMatch(/saved as current .* but not provisioned to production/);

    await registry.uploadCertificate(id, "integration", "current", old.certificate.der);
    await registry.save(id);
    await registry.provision(id, "integration");
    const otherEnv = registry.decideClientCertificate("production", old.certificate, now());
    expect(otherEnv.reason).toBe("CERT_NOT_PROVISIONED");
    expect(otherEnv.message).toContain("provisioned to integration");
    expect(registry.decideClientCertificate("integration", old.certificate, now()).reason).toBe("OK");

    await registry.provision(id, "production");
    const ok = registry.decideClientCertificate("production", old.certificate, now());
    expect(ok.reason).toBe("OK");
    expect(ok.acceptedSha256).toEqual([old.certificate.sha256]);
  });

  it("points out a registered certificate with the same subject when the presented one is unknown", async () => {
    const { registry, clock } = await fresh();
    const same = {
      profile: "oces3-system" as const,
      cvr: "91234567",
      name: "Same",
      uuid: "0b2f7f4e-6b4f-4a53-9d57-2f1f4f3b7a11",
    };
    const registered = await ca.issue({
      ...same,
      notBefore: new Date(T0 - DAY),
      notAfter: new Date(T0 + 30 * DAY),
    });
    const renewedSameSubject = await ca.issue({
      ...same,
      notBefore: new Date(T0),
      notAfter: new Date(T0 + 1095 * DAY),
    });
    expect(renewedSameSubject.certificate.subject).toBe(registered.certificate.subject);
    const { identity } = await registry.createSystemUser({ name: "S", cvr: "91234567", entityId: "urn:s" });
    await registry.uploadCertificate(identity.id, "production", "current", registered.certificate.der);
    const decision = registry.decideClientCertificate(
      "production",
      renewedSameSubject.certificate,
      clock.nowMs(),
    );
    expect(decision.reason).toBe("CERT_NOT_REGISTERED");
    expect(decision.message).toContain(`same subject, ${registered.certificate.sha256}`);
    expect(decision.message).toContain("not by its subject");
  });

  it("says provisioned to the other environment only when the certificate is nowhere in this one", async () => {
    const { registry, clock } = await fresh();
    const { identity } = await registry.createSystemUser({ name: "A", cvr: "91234567", entityId: "urn:a" });
    await registry.uploadCertificate(identity.id, "integration", "current", old.certificate.der);
    await registry.save(identity.id);
    await registry.provision(identity.id, "integration");
    const decision = registry.decideClientCertificate("production", old.certificate, clock.nowMs());
    expect(decision.reason).toBe("CERT_NOT_PROVISIONED");
    expect(decision.message).toMatch(/provisioned to integration only .* not to production/);
    expect(decision.message).toContain("nothing is provisioned to production");
  });

  it("applies the rollover policy to the provisioned set, switchable at run time", async () => {
    const { registry, clock } = await fresh();
    const { identity } = await registry.createSystemUser({ name: "A", cvr: "91234567", entityId: "urn:a" });
    await registry.uploadCertificate(identity.id, "production", "current", old.certificate.der);
    await registry.uploadCertificate(identity.id, "production", "next", renewed.certificate.der);
    await registry.save(identity.id);
    await registry.provision(identity.id, "production");
    const decide = (c: Credential) =>
      registry.decideClientCertificate("production", c.certificate, clock.nowMs());
    expect(decide(renewed).reason).toBe("CERT_NOT_YET_ACTIVE");
    expect(decide(renewed).message).toContain(renewed.certificate.sha256);
    expect(decide(renewed).message).toContain(`the STS accepts ${old.certificate.sha256}`);
    clock.set(old.certificate.notAfter.getTime() + 1);
    expect(decide(renewed).reason).toBe("OK");
    expect(decide(old).reason).toBe("CERT_SUPERSEDED");
    await registry.setPolicy("overlap");
    clock.set(T0);
    expect(decide(renewed).reason).toBe("OK");
    expect(decide(old).reason).toBe("OK");
    await registry.setPolicy("immediate");
    expect(decide(old).reason).toBe("CERT_SUPERSEDED");
    await expect(registry.setPolicy("sometimes" as never)).rejects.toThrow(/not a rollover policy/);
  });

  it("schedules the activation of next under the immediate policy", async () => {
    const { registry, clock } = await fresh();
    await registry.setPolicy("immediate");
    const { identity } = await registry.createSystemUser({ name: "A", cvr: "91234567", entityId: "urn:a" });
    await registry.uploadCertificate(identity.id, "production", "current", old.certificate.der);
    await registry.uploadCertificate(identity.id, "production", "next", renewed.certificate.der);
    await registry.save(identity.id);
    const at = T0 + 5 * DAY;
    await registry.provision(identity.id, "production", at);
    const decide = (c: Credential) =>
      registry.decideClientCertificate("production", c.certificate, clock.nowMs());
    clock.set(at - 1);
    expect([decide(old).reason, decide(renewed).reason]).toEqual(["OK", "CERT_NOT_YET_ACTIVE"]);
    clock.set(at);
    expect([decide(old).reason, decide(renewed).reason]).toEqual(["CERT_SUPERSEDED", "OK"]);
    const past = await rejection(registry.provision(identity.id, "production", at - DAY));
    expect(past.status).toBe(400);
    expect(past.message).toMatch(/in the past/);
  });
});

describe("uploads", () => {
  it("refuses what NemLog-in refuses, each with a sentence and an event", async () => {
    const { registry, events } = await fresh();
    const { identity } = await registry.createSystemUser({ name: "A", cvr: "91234567", entityId: "urn:a" });
    // A second systembruger of the same organisation (same CVR).
    const b = await registry.createSystemUser({ name: "B", cvr: "91234567", entityId: "urn:b" });
    await registry.uploadCertificate(b.identity.id, "integration", "current", other.certificate.der);
    const cases: Array<[Buffer, number, string, RegExp]> = [
      [toPkcs12(old, "pw"), 400, "PKCS12_NOT_ALLOWED", /PKCS#12.*upload the \.cer/],
      [Buffer.from(old.key.privateKeyPem), 400, "PRIVATE_KEY_NOT_ALLOWED", /private key/],
      [Buffer.from("hello, this is not a certificate\n"), 400, "NOT_A_CERTIFICATE", /neither PEM/],
      [Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]), 400, "NOT_A_CERTIFICATE", /not/],
      [Buffer.alloc(0), 400, "EMPTY_FILE", /empty/],
      [
        expired.certificate.der,
        422,
        "CERT_EXPIRED_AT_UPLOAD",
        /expired at .* upload a certificate that is still valid/,
      ],
      [other.certificate.der, 409, "CERT_IN_USE", /already registered for another systembruger, "B"/],
      [ca.issuing.certificate.der, 400, "CA_CERTIFICATE_NOT_ALLOWED", /CA certificate/],
      [
        otherOrganisation.certificate.der,
        400,
        "CERT_CVR_MISMATCH",
        /belongs to CVR 92345678, but systembruger "A" .* belongs to CVR 91234567; upload a certificate issued to CVR 91234567/,
      ],
    ];
    for (const [bytes, status, code, message] of cases) {
      const error = await rejection(registry.uploadCertificate(identity.id, "production", "current", bytes));
      expect({ status: error.status, code: error.reason }).toEqual({ status, code });
      expect(error.message).toMatch(message);
    }
    const rejected = events.since(0).filter((e) => e.outcome === "rejected");
    expect(rejected.map((e) => e.reason)).toEqual(cases.map((c) => c[2]));
    expect(rejected.every((e) => e.component === "admin")).toBe(true);
    expect(registry.systemUser(identity.id).draft.production.current).toBeUndefined();
  });

  it("accepts DER, PEM and bare base64, and refuses the same certificate in both slots", async () => {
    const { registry } = await fresh();
    const { identity } = await registry.createSystemUser({ name: "A", cvr: "91234567", entityId: "urn:a" });
    const id = identity.id;
    await registry.uploadCertificate(id, "production", "current", Buffer.from(old.certificate.pem));
    await registry.uploadCertificate(id, "integration", "current", Buffer.from(old.certificate.base64));
    await registry.uploadCertificate(id, "integration", "next", renewed.certificate.der);
    expect(registry.systemUser(id).draft.integration.next?.sha256).toBe(renewed.certificate.sha256);
    const same = await rejection(registry.uploadCertificate(id, "production", "next", old.certificate.der));
    expect(same.status).toBe(409);
    expect(same.reason).toBe("CERT_IN_OTHER_SLOT");
  });

  it("validates systembruger fields", async () => {
    const { registry } = await fresh();
    for (const bad of [
      { name: "", cvr: "91234567", entityId: "urn:a" },
      { name: "A", cvr: "1234567", entityId: "urn:a" },
      { name: "A", cvr: 91234567, entityId: "urn:a" },
      { name: "A", cvr: "91234567", entityId: "has space" },
      { name: "A", cvr: "91234567", entityId: "urn:a", privileges: "all" },
    ]) {
      const error = await rejection(registry.createSystemUser(bad as never));
      expect(error.status).toBe(400);
    }
    await registry.createSystemUser({ name: "A", cvr: "91234567", entityId: "urn:a" });
    expect(
      (await rejection(registry.createSystemUser({ name: "B", cvr: "91234567", entityId: "urn:a" }))).status,
    ).toBe(409);
    expect((await rejection(registry.provision("nobody", "production"))).status).toBe(404);
  });

  it("refuses to provision when nothing is saved", async () => {
    const { registry } = await fresh();
    const { identity } = await registry.createSystemUser({ name: "A", cvr: "91234567", entityId: "urn:a" });
    await registry.uploadCertificate(identity.id, "production", "current", old.certificate.der);
    const error = await rejection(registry.provision(identity.id, "production"));
    expect(error.status).toBe(409);
    expect(error.message).toMatch(/save it first/);
  });
});

describe("revocation, trust anchors and WSPs", () => {
  it("revokes, adds CA anchors (refusing leaf certificates) and registers WSPs", async () => {
    const { registry } = await fresh();
    expect(registry.isRevoked(old.certificate.sha256)).toBe(false);
    await registry.revoke(Buffer.from(old.certificate.pem));
    expect(registry.isRevoked(old.certificate.sha256)).toBe(true);
    expect(registry.isRevoked(old.certificate.sha256.toLowerCase())).toBe(true);

    const foreign = await createTestCa(T0, "foreign");
    const bundle = Buffer.from(foreign.issuing.certificate.pem + foreign.root.certificate.pem);
    const { added } = await registry.addTrustAnchors(bundle);
    expect(added.map((c) => c.sha256)).toEqual([
      foreign.issuing.certificate.sha256,
      foreign.root.certificate.sha256,
    ]);
    expect(registry.trustAnchors()).toHaveLength(4);
    expect((await registry.addTrustAnchors(bundle)).added).toEqual([]);
    const leaf = await rejection(registry.addTrustAnchors(renewed.certificate.der));
    expect(leaf.reason).toBe("NOT_A_CA_CERTIFICATE");

    await registry.registerWsp("production", "https://wsp.example", other.certificate);
    expect(registry.findWsp("production", "https://wsp.example")?.encryptionCertificate.sha256).toBe(
      other.certificate.sha256,
    );
    expect(registry.findWsp("integration", "https://wsp.example")).toBeUndefined();
  });
});

describe("persistence", () => {
  it("survives a restart: a new Registry on the same state dir decides the same", async () => {
    const stateDir = join(dir, "persist");
    const clock = new VirtualClock(T0);
    const first = await fresh({ stateDir, clock });
    const r = first.registry;
    const { identity } = await r.createSystemUser({
      name: "Persisted",
      cvr: "91234567",
      entityId: "urn:persisted",
      privileges: ["urn:dk:dst:smdb:privilege:indberet"],
    });
    await r.uploadCertificate(identity.id, "production", "current", old.certificate.der);
    await r.uploadCertificate(identity.id, "production", "next", renewed.certificate.der);
    await r.save(identity.id);
    await r.provision(identity.id, "production", T0 + 3 * DAY);
    await r.uploadCertificate(identity.id, "integration", "current", other.certificate.der);
    await r.setPolicy("immediate");
    await r.revoke(expired.certificate.der);
    const foreign = await createTestCa(T0, "foreign2");
    await r.addTrustAnchors(Buffer.from(foreign.root.certificate.pem));
    await r.registerWsp("integration", "https://wsp.example", other.certificate);
    await r.flush();

    const file = JSON.parse(await readFile(join(stateDir, "registry.json"), "utf8"));
    expect(file.version).toBe(1);
    expect(file.systemUsers[0].provisioned.production.current).toContain("BEGIN CERTIFICATE");

    const second = await fresh({ stateDir, clock });
    const s = second.registry;
    expect(s.policy).toBe("immediate");
    const user = s.systemUser(identity.id);
    expect(user.identity).toEqual(r.systemUser(identity.id).identity);
    expect(user.draft.integration.current?.sha256).toBe(other.certificate.sha256);
    expect(user.saved.integration.current).toBeUndefined();
    for (const at of [T0, T0 + 3 * DAY - 1, T0 + 3 * DAY]) {
      clock.set(at);
      for (const c of [old, renewed, other]) {
        expect(s.decideClientCertificate("production", c.certificate, at)).toEqual(
          r.decideClientCertificate("production", c.certificate, at),
        );
      }
    }
    expect(s.isRevoked(expired.certificate.sha256)).toBe(true);
    expect(s.trustAnchors().map((c) => c.sha256)).toContain(foreign.root.certificate.sha256);
    expect(s.findWsp("integration", "https://wsp.example")?.encryptionCertificate.sha256).toBe(
      other.certificate.sha256,
    );
  });

  it("lets an explicit policy override the persisted one", async () => {
    const stateDir = join(dir, "override");
    const clock = new VirtualClock(T0);
    const events = new EventLog(() => clock.nowMs());
    const a = await Registry.open({ clock, events, stateDir });
    await a.setPolicy("overlap");
    const b = await Registry.open({ clock, events, stateDir, policy: "at-expiry" });
    expect(b.policy).toBe("at-expiry");
    const c = await Registry.open({ clock, events, stateDir });
    expect(c.policy).toBe("overlap");
  });
});
