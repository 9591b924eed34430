import { X509Certificate } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { request } from "node:https";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../src/core/clock.js";
import { EventLog } from "../../src/core/events.js";
import { startHarness } from "../../src/harness/harness.js";
import { HarnessState, STS_ENDPOINT_REFERENCES, WSP_ENTITY_IDS } from "../../src/harness/state.js";
import { loadTestCa, publicKeyFingerprint } from "../../src/pki/index.js";
import { useTempDir } from "../helpers/tmp.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");
let dir: string;
useTempDir("state-", (path) => {
  dir = path;
});

describe("harness state", () => {
  it("is created once, persisted, and reloaded unchanged; rotation keeps the subject and changes the key", async () => {
    const stateDir = join(dir, "a");
    const clock = new VirtualClock(T0);
    const events = new EventLog(() => clock.nowMs());
    const first = await HarnessState.open({ stateDir, clock, events });
    for (const env of ["integration", "production"] as const) {
      const e = first.environment(env);
      expect(e.stsEndpointReference).toBe(STS_ENDPOINT_REFERENCES[env]);
      expect(e.wspEntityId).toBe(WSP_ENTITY_IDS[env]);
      expect(e.stsSigning.certificate.isValidAt(T0)).toBe(true);
      expect(e.stsSigning.certificate.isIssuedBy(first.ca.issuing.certificate)).toBe(true);
      expect(await readFile(join(stateDir, `sts-${env}.pem`), "utf8")).toBe(e.stsSigning.certificate.pem);
    }
    expect(STS_ENDPOINT_REFERENCES.production).toBe("https://signature.sts.nemlog-in.dk/");
    expect(STS_ENDPOINT_REFERENCES.integration).not.toBe(STS_ENDPOINT_REFERENCES.production);
    expect((await stat(join(stateDir, "state.json"))).mode & 0o777).toBe(0o600);
    // The CA is in <state-dir>/ca, where `certs issue` without --ca finds it.
    expect((await loadTestCa(join(stateDir, "ca"))).root.certificate.sha256).toBe(
      first.ca.root.certificate.sha256,
    );

    const second = await HarnessState.open({ stateDir, clock });
    expect(second.environment("production").stsSigning.certificate.sha256).toBe(
      first.environment("production").stsSigning.certificate.sha256,
    );
    expect(second.tls.certificate.sha256).toBe(first.tls.certificate.sha256);
    expect(second.environment("integration").wsp.key.publicKeySha256).toBe(
      first.environment("integration").wsp.key.publicKeySha256,
    );

    const keys = new Set<string>();
    const subject = first.environment("production").stsSigning.certificate.subject;
    keys.add(publicKeyFingerprint(first.environment("production").stsSigning.certificate.publicKey));
    for (let i = 0; i < 2; i++) {
      const { previous, current } = await first.rotateStsSigningCertificate("production");
      expect(current.subject).toBe(subject);
      expect(previous.sha256).not.toBe(current.sha256);
      const key = publicKeyFingerprint(current.publicKey);
      expect(keys.has(key)).toBe(false);
      keys.add(key);
    }
    expect(events.since(0).filter((e) => e.reason === "STS_SIGNING_CERTIFICATE_ROTATED")).toHaveLength(2);
    const third = await HarnessState.open({ stateDir, clock });
    expect(third.environment("production").stsHistory).toHaveLength(2);
    expect(third.environment("production").stsSigning.certificate.sha256).toBe(
      first.environment("production").stsSigning.certificate.sha256,
    );
    expect(third.environment("integration").stsHistory).toEqual([]);
    expect(await readFile(join(stateDir, "sts-production.pem"), "utf8")).toBe(
      third.environment("production").stsSigning.certificate.pem,
    );
  });

  it("serves HTTPS with a TLS certificate for localhost/127.0.0.1/::1 that chains to tls-ca.pem", async () => {
    const stateDir = join(dir, "b");
    const h = await startHarness({ stateDir });
    try {
      const ca = await readFile(join(stateDir, "tls-ca.pem"), "utf8");
      expect(ca).toBe(h.tlsCaPem);
      const san = new X509Certificate(h.state.tls.certificate.der).subjectAltName ?? "";
      expect(san).toContain("DNS:localhost");
      expect(san).toContain("IP Address:127.0.0.1");
      expect(san).toMatch(/IP Address:0:0:0:0:0:0:0:1|IP Address:::1/);
      for (const host of ["127.0.0.1", "localhost"]) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = request(`https://${host}:${h.port}/health`, { ca }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on("error", reject);
          req.end();
        });
        expect(status).toBe(200);
      }
    } finally {
      await h[Symbol.asyncDispose]();
    }
    // Closed: the port no longer answers.
    await expect(fetch(`http://127.0.0.1:${h.port}/health`)).rejects.toThrow();
  });

  it("records a rotation in the log of the harness that asked for it, also with a shared state", async () => {
    const clock = new VirtualClock(T0);
    const shared = await HarnessState.open({ clock });
    const a = await startHarness({ state: shared, clock, http: true });
    const b = await startHarness({ state: shared, clock, http: true });
    try {
      const res = await fetch(`${a.adminUrl}/sts/integration/rotate-signing-certificate`, { method: "POST" });
      expect(res.status).toBe(200);
      const rotated = (e: { reason: string }) => e.reason === "STS_SIGNING_CERTIFICATE_ROTATED";
      expect(a.events.since(0).filter(rotated)).toHaveLength(1);
      await b.control.rotateStsSigningCertificate("integration");
      expect(b.events.since(0).filter(rotated)).toHaveLength(1);
      expect(a.events.since(0).filter(rotated)).toHaveLength(1);
      expect(shared.environment("integration").stsHistory).toHaveLength(2);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
