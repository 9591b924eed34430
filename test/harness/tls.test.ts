/**
 * TLS for the names a harness is really reached by: `--tls-hostname` adds subjectAltNames to the
 * generated certificate (made again when the names change), a client checking the host name
 * passes for those names and fails for others; `--tls-cert/--tls-key` serve one's own
 * certificate; the TLS CA is served by the admin API (`tlsCaPem` of the environment view) and
 * written to tls-ca.pem.
 */
import { X509Certificate } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RealClock, VirtualClock } from "../../src/core/clock.js";
import { HarnessError } from "../../src/core/errors.js";
import { type RunningService, startService } from "../../src/harness/service.js";
import { HarnessState } from "../../src/harness/state.js";
import { loadOwnTls } from "../../src/harness/tls.js";
import { createTestCa } from "../../src/pki/index.js";
import { useTempDir } from "../helpers/tmp.js";

let dir: string;
useTempDir("tls-", (path) => {
  dir = path;
});
const started: RunningService[] = [];
afterAll(async () => {
  for (const s of started) await s.close();
});

/** GET over HTTPS to 127.0.0.1:port, checking the certificate against `ca` for host name `servername`. */
function getAs(
  port: number,
  path: string,
  servername: string,
  ca: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, servername, ca }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const service = (stateDir: string, extra: Partial<Parameters<typeof startService>[0]>) =>
  startService({
    role: "all",
    stateDir,
    host: "127.0.0.1",
    port: 0,
    http: false,
    clock: new RealClock(),
    faultMode: "verbose",
    allowSha1: false,
    tlsHostnames: [],
    ...extra,
  });

describe("TLS host names", () => {
  it("puts every --tls-hostname in the certificate and makes it again when the names change", async () => {
    const stateDir = join(dir, "names");
    const clock = new VirtualClock("2026-01-01T00:00:00Z");
    const first = await HarnessState.open({ stateDir, clock, tlsHostnames: ["nemlogin", "10.1.2.3"] });
    const san = first.tls.certificate.x509.subjectAltName;
    expect(san).toContain("DNS:localhost");
    expect(san).toContain("DNS:nemlogin");
    expect(san).toContain("IP Address:10.1.2.3");
    expect(san).toContain("IP Address:127.0.0.1");
    const same = await HarnessState.open({ stateDir, clock, tlsHostnames: ["nemlogin", "10.1.2.3"] });
    expect(same.tls.certificate.sha256).toBe(first.tls.certificate.sha256);
    const renamed = await HarnessState.open({ stateDir, clock, tlsHostnames: ["smdb"] });
    expect(renamed.tls.certificate.sha256).not.toBe(first.tls.certificate.sha256);
    expect(renamed.tls.certificate.x509.subjectAltName).toContain("DNS:smdb");
    expect(renamed.tls.certificate.x509.subjectAltName).not.toContain("nemlogin");
  });

  it("passes a client's host-name check for an added name, fails it for another, and serves its CA", async () => {
    const stateDir = join(dir, "served");
    const running = await service(stateDir, { tlsHostnames: ["harness.test"] });
    started.push(running);
    const port = running.harness.port;
    const ca = await readFile(join(stateDir, "tls-ca.pem"), "utf8");
    const ok = await getAs(port, "/admin/api/environments/production", "harness.test", ca);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).tlsCaPem).toBe(ca);
    await expect(getAs(port, "/health", "other.test", ca)).rejects.toMatchObject({
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
    });
  });

  it("serves one's own certificate with --tls-cert/--tls-key, and names its CA", async () => {
    const own = await createTestCa(Date.now());
    const credential = await own.issue({
      profile: "tls",
      name: "own.example",
      dnsNames: ["own.example"],
      ipAddresses: ["127.0.0.1"],
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 30 * 86_400_000),
    });
    const cert = join(dir, "own.pem");
    const key = join(dir, "own.key.pem");
    await writeFile(
      cert,
      credential.certificate.pem + own.issuing.certificate.pem + own.root.certificate.pem,
    );
    await writeFile(key, credential.key.privateKeyPem);
    const stateDir = join(dir, "own");
    const running = await service(stateDir, { tlsCert: { cert, key } });
    started.push(running);
    const ca = own.issuing.certificate.pem + own.root.certificate.pem;
    const view = await getAs(running.harness.port, "/admin/api/environments/production", "own.example", ca);
    expect(view.status).toBe(200);
    expect(JSON.parse(view.body).tlsCaPem).toBe(ca);
    expect(await readFile(join(stateDir, "tls-ca.pem"), "utf8")).toBe(ca);
    expect(new X509Certificate(credential.certificate.pem).subjectAltName).toContain("own.example");

    const stranger = await own.issue({
      profile: "tls",
      name: "x",
      dnsNames: ["x"],
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 86_400_000),
    });
    const wrongKey = join(dir, "wrong.key.pem");
    await writeFile(wrongKey, stranger.key.privateKeyPem);
    const refused = await loadOwnTls(cert, wrongKey).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HarnessError);
    expect((refused as HarnessError).reason).toBe("TLS_KEY_MISMATCH");
    expect((refused as Error).message).toBe(
      `the private key in ${wrongKey} does not belong to the certificate in ${cert}; give the key of that certificate`,
    );
  });
});
