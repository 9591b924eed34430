/**
 * One behaviour, two implementations: the same suite drives a harness through `LocalControl`
 * (in-process) and through `RemoteControl` (over the admin API, here over HTTPS with the harness's
 * TLS CA). Answers, refusals (kind, code, sentence) and recorded events must be the same.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HarnessControl } from "../../src/control/harness-control.js";
import { RemoteControl } from "../../src/control/remote-control.js";
import type { VirtualClock } from "../../src/core/clock.js";
import { RefusedError } from "../../src/core/errors.js";
import { type Harness, HarnessBuilder } from "../../src/harness/harness.js";
import { Certificate, type Credential, toPkcs12 } from "../../src/pki/index.js";
import { DEFAULT_PRIVILEGES } from "../../src/smdb/privileges.js";
import { DAY, rotationPair, T0, TEST_CVR } from "../helpers/harness.js";

interface Subject {
  harness: Harness<VirtualClock>;
  control: HarnessControl;
  close(): Promise<void>;
}

const implementations: Array<[string, () => Promise<Subject>]> = [
  [
    "LocalControl",
    async () => {
      const harness = await new HarnessBuilder().withVirtualClock(T0).withHttp().start();
      return { harness, control: harness.control, close: () => harness.close() };
    },
  ],
  [
    "RemoteControl",
    async () => {
      const harness = await new HarnessBuilder().withVirtualClock(T0).start();
      const control = new RemoteControl(harness.url, { ca: harness.tlsCaPem });
      return {
        harness,
        control,
        close: async () => {
          control.close();
          await harness.close();
        },
      };
    },
  ],
];

async function refusal(promise: Promise<unknown>): Promise<RefusedError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RefusedError);
    return error as RefusedError;
  }
  throw new Error("expected a refusal");
}

describe.each(implementations)("HarnessControl through %s", (_name, start) => {
  let s: Subject;
  let control: HarnessControl;
  let old: Credential;
  let renewed: Credential;

  beforeAll(async () => {
    s = await start();
    control = s.control;
    ({ old, renewed } = await rotationPair(s.harness.state.ca, T0));
  });
  afterAll(async () => {
    await s?.close();
  });

  it("describes the environments and what a client needs", async () => {
    const env = await control.environment("production");
    expect(env.stsUrl).toBe(s.harness.stsUrl("production"));
    expect(env.wspUrl).toBe(s.harness.wspUrl("production"));
    expect(env.stsEndpointReference).toBe("https://signature.sts.nemlog-in.dk/");
    expect(Certificate.fromPem(env.stsCertificatePem).sha256).toBe(env.stsCertificateSha256);
    const endpoints = await control.clientEndpoints("integration");
    expect(endpoints).toMatchObject({
      environment: "integration",
      stsUrl: s.harness.stsUrl("integration"),
      wspEntityId: "https://smdb.dst.dk/integration",
    });
    expect(endpoints.tlsCaPem === null).toBe(s.harness.protocol === "http");
    expect((await refusal(control.environment("staging" as never))).reason).toBe("UNKNOWN_ENVIRONMENT");
  });

  it("creates a systembruger, and refuses bad input and duplicates with a code and a sentence", async () => {
    const created = await control.createSystemUser({
      id: "kommune",
      name: "Kommune",
      cvr: TEST_CVR,
      entityId: "https://kommune.example/wsc",
    });
    expect(created).toMatchObject({ id: "kommune", privileges: [...DEFAULT_PRIVILEGES], savedAt: null });
    expect((await control.systemUsers()).map((u) => u.id)).toEqual(["kommune"]);

    const badCvr = await refusal(
      control.createSystemUser({ name: "X", cvr: "123", entityId: "https://x.example/wsc" }),
    );
    expect({ kind: badCvr.kind, reason: badCvr.reason }).toEqual({ kind: "invalid", reason: "BAD_REQUEST" });
    expect(badCvr.message).toMatch(/cvr must be a CVR number of exactly 8 digits/);
    const taken = await refusal(
      control.createSystemUser({ name: "Y", cvr: TEST_CVR, entityId: "https://kommune.example/wsc" }),
    );
    expect({ kind: taken.kind, reason: taken.reason }).toEqual({ kind: "conflict", reason: "CONFLICT" });
    const unknown = await refusal(control.systemUser("nobody"));
    expect({ kind: unknown.kind, reason: unknown.reason }).toEqual({
      kind: "not-found",
      reason: "UNKNOWN_SYSTEM_USER",
    });
    expect(unknown.message).toContain('"kommune"');
  });

  it("uploads to the draft, saves and provisions; the STS's verdict is in the view", async () => {
    const upload = await control.uploadCertificate("kommune", "production", "current", old.certificate.der);
    expect(upload.certificate.sha256).toBe(old.certificate.sha256);
    expect(upload.systemUser.draft.production?.current?.sha256).toBe(old.certificate.sha256);
    expect(upload.systemUser.status.production.unsavedChanges).toBe(true);
    // The same file as PEM text.
    await control.uploadCertificate("kommune", "production", "next", renewed.certificate.pem);
    const saved = await control.save("kommune");
    expect(saved.status.production).toMatchObject({ unsavedChanges: false, savedNotProvisioned: true });
    const provisioned = await control.provision("kommune", "production");
    expect(provisioned.status.production.slots).toEqual([
      expect.objectContaining({ slot: "current", status: "OK", accepted: true }),
      expect.objectContaining({ slot: "next", status: "CERT_NOT_YET_ACTIVE", accepted: false }),
    ]);
    expect(provisioned.status.production.acceptedSha256).toEqual([old.certificate.sha256]);

    const p12 = await refusal(
      control.uploadCertificate("kommune", "integration", "current", toPkcs12(old, "secret")),
    );
    expect({ kind: p12.kind, reason: p12.reason }).toEqual({ kind: "invalid", reason: "PKCS12_NOT_ALLOWED" });
    const slot = await refusal(
      control.uploadCertificate("kommune", "production", "later" as never, old.certificate.der),
    );
    expect(slot.reason).toBe("UNKNOWN_SLOT");
    const past = await refusal(control.provision("kommune", "production", { at: "2020-01-01T00:00:00Z" }));
    expect(past.kind).toBe("invalid");
    const badTime = await refusal(control.provision("kommune", "production", { at: "soon" }));
    expect(badTime.reason).toBe("BAD_TIME");
  });

  it("revokes, adds trust anchors and registers services", async () => {
    const revoked = await control.revokeCertificate(renewed.certificate.der);
    expect(revoked.sha256).toBe(renewed.certificate.sha256);
    expect((await control.revokedCertificates()).map((r) => r.sha256)).toEqual([renewed.certificate.sha256]);
    const view = await control.systemUser("kommune");
    expect(view.status.production.slots.find((x) => x.slot === "next")?.status).toBe("CERT_REVOKED");

    const leaf = await refusal(control.addTrustAnchors(old.certificate.pem));
    expect(leaf.reason).toBe("NOT_A_CA_CERTIFICATE");
    const anchors = await control.trustAnchors();
    expect(anchors.every((a) => a.builtIn)).toBe(true);
    expect(anchors.length).toBeGreaterThan(0);
    const known = await control.addTrustAnchors(s.harness.state.ca.issuing.certificate.pem);
    expect(known).toEqual({ added: [], alreadyTrusted: [s.harness.state.ca.issuing.certificate.sha256] });

    const wsp = await control.registerWsp("integration", { entityId: "https://other-wsp.example/" });
    expect(wsp.privateKeyPem).toMatch(/PRIVATE KEY/);
    expect((await control.wsps("integration")).map((w) => w.entityId)).toContain(
      "https://other-wsp.example/",
    );
    expect((await refusal(control.registerWsp("integration", { entityId: "has space" }))).kind).toBe(
      "invalid",
    );
  });

  it("sets the SMDB's trust and rotates the STS signing certificate", async () => {
    const before = await control.environment("production");
    const pinned = await control.setWspTrust("production", {
      mode: "pin-thumbprint",
      thumbprints: [Certificate.fromPem(before.stsCertificatePem).sha1.toLowerCase()],
    });
    expect(pinned).toEqual({
      mode: "pin-thumbprint",
      thumbprints: [Certificate.fromPem(before.stsCertificatePem).sha1],
    });
    expect(await control.wspTrust("production")).toEqual(pinned);
    expect(
      (await refusal(control.setWspTrust("production", { mode: "pin-thumbprint", thumbprints: ["xyz"] })))
        .kind,
    ).toBe("invalid");
    expect((await refusal(control.setWspTrust("production", { mode: "trust-all" } as never))).reason).toBe(
      "BAD_REQUEST",
    );
    await control.setWspTrust("production", { mode: "current" });

    const rotation = await control.rotateStsSigningCertificate("production");
    expect(rotation.previousSha256).toBe(before.stsCertificateSha256);
    const after = await control.environment("production");
    expect(after.stsCertificateSha256).toBe(rotation.currentSha256);
    expect(after.stsCertificateHistory.map((c) => c.sha256)).toContain(before.stsCertificateSha256);
  });

  it("sets the policy and moves the virtual clock", async () => {
    expect((await control.settings()).policy).toBe("at-expiry");
    expect((await control.setPolicy("overlap")).policy).toBe("overlap");
    const bad = await refusal(control.setPolicy("never" as never));
    expect(bad.reason).toBe("BAD_POLICY");
    await control.setPolicy("at-expiry");

    expect((await control.clock()).nowMs).toBe(T0);
    expect((await control.advanceClock("10d")).nowMs).toBe(T0 + 10 * DAY);
    expect((await control.setClock(new Date(T0 + DAY))).nowMs).toBe(T0 + DAY);
    expect((await control.setClock("2026-01-03T00:00:00Z")).nowMs).toBe(T0 + 2 * DAY);
    expect((await refusal(control.advanceClock("ten days"))).reason).toBe("BAD_TIME");
    expect((await refusal(control.setClock("99999-01-01"))).reason).toBe("BAD_TIME");
    await control.setClock(T0);
  });

  it("records an event for every change, in order, and pages them by sequence number", async () => {
    const { events, lastSeq } = await control.events();
    expect(events.length).toBeGreaterThan(0);
    expect(events.at(-1)?.seq).toBe(lastSeq);
    const reasons = events.map((e) => e.reason);
    for (const reason of [
      "SYSTEM_USER_CREATED",
      "CERTIFICATE_UPLOADED",
      "PKCS12_NOT_ALLOWED",
      "SAVED",
      "PROVISIONED",
      "CERTIFICATE_REVOKED",
      "WSP_REGISTERED",
      "WSP_TRUST_CHANGED",
      "STS_SIGNING_CERTIFICATE_ROTATED",
      "POLICY_CHANGED",
      "CLOCK_ADVANCED",
      "CLOCK_SET",
    ]) {
      expect(reasons, reason).toContain(reason);
    }
    expect(reasons.indexOf("SAVED")).toBeLessThan(reasons.indexOf("PROVISIONED"));
    const later = await control.events(lastSeq - 1);
    expect(later.events.map((e) => e.seq)).toEqual([lastSeq]);
    expect((await refusal(control.events(-1))).kind).toBe("invalid");
  });

  it("removes draft certificates and deletes systembrugere", async () => {
    const removed = await control.removeCertificate("kommune", "production", "next");
    expect(removed.draft.production?.next).toBeNull();
    expect((await refusal(control.removeCertificate("kommune", "production", "next"))).reason).toBe(
      "SLOT_EMPTY",
    );
    const updated = await control.updateSystemUser("kommune", { privileges: [] });
    expect(updated.privileges).toEqual([]);
    await control.deleteSystemUser("kommune");
    expect(await control.systemUsers()).toEqual([]);
  });
});

describe("RemoteControl on its own", () => {
  it("says when nothing listens, and when the TLS certificate is not trusted", async () => {
    const nowhere = new RemoteControl("http://127.0.0.1:9", { timeoutMs: 5000 });
    await expect(nowhere.clock()).rejects.toThrow(/is the harness running there/);
    nowhere.close();
    const harness = await new HarnessBuilder().withVirtualClock(T0).start();
    const untrusted = new RemoteControl(harness.url);
    try {
      await expect(untrusted.clock()).rejects.toThrow(/TLS certificate is not trusted/);
    } finally {
      untrusted.close();
      await harness.close();
    }
  });
});
