import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestCa, type TestCa } from "../../src/pki/ca.js";
import { certificateDetails, inspectCertificate } from "../../src/pki/inspect.js";
import { issueCertificate } from "../../src/pki/issue.js";
import { openssl } from "../helpers/openssl.js";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const YEAR = 365 * 86_400_000;
const UUID = "0f4a5b6c-1d2e-4f30-8a9b-0c1d2e3f4a5b";

let ca: TestCa;
let dir: string;

beforeAll(async () => {
  ca = await createTestCa(NOW);
  dir = await mkdtemp(join(tmpdir(), "smdb-profiles-"));
  await writeFile(join(dir, "root.pem"), ca.root.certificate.pem);
  await writeFile(join(dir, "issuing.pem"), ca.issuing.certificate.pem);
});

function window(years = 3) {
  return { notBefore: new Date(NOW), notAfter: new Date(NOW + years * YEAR - 1000) };
}

describe("certificate profiles", () => {
  it("oces3-system: OCES3 subject, RSA 3072, KU digitalSignature+keyEncipherment critical, CA:false critical", async () => {
    const cred = await ca.issue({
      profile: "oces3-system",
      cvr: "91234567",
      name: "Min indberetning",
      organization: "Testkommune",
      uuid: UUID,
      ...window(),
    });
    const info = inspectCertificate(cred.certificate);
    expect(info.subject).toBe(
      `C=DK, organizationIdentifier=NTRDK-91234567, O=Testkommune, serialNumber=UI:DK-O:G:${UUID}, CN=Min indberetning`,
    );
    expect(info.cvr).toBe("91234567");
    expect(info.profile).toBe("oces3-system");
    expect(info.notAfter).toBe(new Date(NOW + 3 * YEAR - 1000).toISOString());
    const details = certificateDetails(cred.certificate);
    expect(details.keyBits).toBe(3072);
    expect(details.keyUsage).toEqual(["digitalSignature", "keyEncipherment"]);
    expect(details.isCa).toBe(false);
    // OpenSSL agrees on the RFC 2253 subject and the criticality of the extensions.
    const text = openssl(["x509", "-inform", "DER", "-noout", "-text", "-subject", "-nameopt", "RFC2253"], {
      input: cred.certificate.der,
    });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `subject=C=DK,organizationIdentifier=NTRDK-91234567,O=Testkommune,serialNumber=UI:DK-O:G:${UUID},CN=Min indberetning`,
    );
    expect(text.stdout).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text.stdout).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(text.stdout).toContain("Public-Key: (3072 bit)");
  });

  it("foces2: multi-valued RDN serialNumber=CVR:…-FID:… + CN, O=… // CVR:…, RSA 2048", async () => {
    const cred = await ca.issue({
      profile: "foces2",
      cvr: "91234567",
      name: "SMDB",
      organization: "Testkommune",
      fid: "12345678",
      ...window(),
    });
    const info = inspectCertificate(cred.certificate);
    expect(info.subject).toBe(
      "serialNumber=CVR:91234567-FID:12345678 + CN=SMDB (funktionscertifikat), O=Testkommune // CVR:91234567, C=DK",
    );
    expect(info.profile).toBe("foces2");
    expect(info.cvr).toBe("91234567");
    expect(certificateDetails(cred.certificate).keyBits).toBe(2048);
    const text = openssl(["x509", "-inform", "DER", "-noout", "-subject"], { input: cred.certificate.der });
    expect(text.stdout).toContain(
      "serialNumber = CVR:91234567-FID:12345678 + CN = SMDB (funktionscertifikat)",
    );
  });

  it("sts: signing only (digitalSignature + nonRepudiation), RSA 3072", async () => {
    const cred = await ca.issue({ profile: "sts", cvr: "91234567", ...window() });
    const details = certificateDetails(cred.certificate);
    expect(details.keyUsage).toEqual(["digitalSignature", "nonRepudiation"]);
    expect(details.keyBits).toBe(3072);
    expect(inspectCertificate(cred.certificate).profile).toBe("sts");
  });

  it("wsp: signing and encryption, RSA 3072", async () => {
    const cred = await ca.issue({ profile: "wsp", cvr: "91234567", ...window() });
    expect(certificateDetails(cred.certificate).keyUsage).toEqual(["digitalSignature", "keyEncipherment"]);
    expect(inspectCertificate(cred.certificate).profile).toBe("wsp");
  });

  it("tls: serverAuth and SAN for localhost, 127.0.0.1 and ::1", async () => {
    const cred = await ca.issue({ profile: "tls", ...window(1) });
    const details = certificateDetails(cred.certificate);
    expect(details.extendedKeyUsage).toEqual(["serverAuth"]);
    expect(details.subjectAltNames).toEqual(["DNS:localhost", "IP:127.0.0.1", "IP:::1"]);
    expect(inspectCertificate(cred.certificate).profile).toBe("tls");
    expect(cred.certificate.x509.checkHost("localhost")).toBe("localhost");
    expect(cred.certificate.x509.checkIP("127.0.0.1")).toBe("127.0.0.1");
  });

  it("the CA: root self-signed, issuing CA under it with pathlen 0, both detected as ca", () => {
    expect(ca.root.certificate.isIssuedBy(ca.root.certificate)).toBe(true);
    expect(ca.issuing.certificate.isIssuedBy(ca.root.certificate)).toBe(true);
    expect(inspectCertificate(ca.root.certificate).profile).toBe("ca");
    expect(inspectCertificate(ca.issuing.certificate).profile).toBe("ca");
    const text = openssl(["x509", "-noout", "-text"], { input: ca.issuing.certificate.pem });
    expect(text.stdout).toMatch(/CA:TRUE, pathlen:0/);
  });

  it.each(["oces3-system", "foces2", "sts", "wsp", "tls"] as const)(
    "%s chains to the test CA (node and openssl verify)",
    async (profile) => {
      const cred = await ca.issue({ profile, cvr: "91234567", ...window(1) });
      expect(cred.certificate.isIssuedBy(ca.issuing.certificate)).toBe(true);
      expect(cred.certificate.isIssuedBy(ca.root.certificate)).toBe(false);
      expect(cred.chain.map((c) => c.sha256)).toEqual([
        ca.issuing.certificate.sha256,
        ca.root.certificate.sha256,
      ]);
      const file = join(dir, `${profile}.pem`);
      await writeFile(file, cred.certificate.pem);
      const verify = openssl([
        "verify",
        "-attime",
        String(NOW / 1000 + 60),
        "-CAfile",
        join(dir, "root.pem"),
        "-untrusted",
        join(dir, "issuing.pem"),
        file,
      ]);
      expect(verify.stderr).toBe("");
      expect(verify.stdout.trim()).toBe(`${file}: OK`);
    },
  );

  it("a certificate from another CA does not chain", async () => {
    const other = await createTestCa(NOW, "other");
    const cred = await other.issue({ profile: "oces3-system", ...window() });
    expect(cred.certificate.isIssuedBy(ca.issuing.certificate)).toBe(false);
  });

  it("any validity window: already expired, not yet valid, 30 seconds", async () => {
    const expired = await ca.issue({
      profile: "oces3-system",
      notBefore: new Date(NOW - 3 * YEAR),
      notAfter: new Date(NOW - 86_400_000),
    });
    expect(expired.certificate.isValidAt(NOW)).toBe(false);
    const future = await ca.issue({
      profile: "oces3-system",
      notBefore: new Date(NOW + 86_400_000),
      notAfter: new Date(NOW + YEAR),
    });
    expect(future.certificate.isValidAt(NOW)).toBe(false);
    const short = await ca.issue({
      profile: "oces3-system",
      notBefore: new Date(NOW),
      notAfter: new Date(NOW + 30_000),
    });
    expect(short.certificate.isValidAt(NOW + 30_000)).toBe(true);
    expect(short.certificate.isValidAt(NOW + 31_000)).toBe(false);
  });

  it("refuses notAfter before notBefore", async () => {
    await expect(
      issueCertificate({ profile: "oces3-system", notBefore: new Date(NOW), notAfter: new Date(NOW - 1000) }),
    ).rejects.toThrow(/notAfter .* must be after notBefore/);
  });
});
