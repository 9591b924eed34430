import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestCa, type TestCa } from "../../src/pki/ca.js";
import { toPkcs12, writeCredentialFiles } from "../../src/pki/export.js";
import type { Credential } from "../../src/pki/issue.js";
import { openssl } from "../helpers/openssl.js";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const AT = String(Math.floor(NOW / 1000) + 3600);

let ca: TestCa;
let cred: Credential;
let dir: string;
let files: Awaited<ReturnType<typeof writeCredentialFiles>>;

/** `openssl verify` of `args` (a file, or nothing to read stdin) against the test CA, at AT. */
const verifyAgainstCa = (args: string[], options?: Parameters<typeof openssl>[1]) =>
  openssl(
    [
      "verify",
      "-attime",
      AT,
      "-CAfile",
      join(dir, "root.pem"),
      "-untrusted",
      join(dir, "issuing.pem"),
      ...args,
    ],
    options,
  );

beforeAll(async () => {
  ca = await createTestCa(NOW);
  cred = await ca.issue({
    profile: "oces3-system",
    cvr: "91234567",
    name: "Min indberetning",
    notBefore: new Date(NOW),
    notAfter: new Date(NOW + 3 * 365 * 86_400_000 - 1000),
  });
  dir = await mkdtemp(join(tmpdir(), "smdb-export-"));
  await writeFile(join(dir, "root.pem"), ca.root.certificate.pem);
  await writeFile(join(dir, "issuing.pem"), ca.issuing.certificate.pem);
  files = await writeCredentialFiles(cred, join(dir, "out", "system"), { password: "test1234" });
});

describe("writeCredentialFiles, read by OpenSSL 3", () => {
  it("writes BASE.cer, BASE.pem, BASE.key.pem and BASE.p12; keys readable by the owner only", async () => {
    expect(files).toEqual({
      cer: join(dir, "out", "system.cer"),
      pem: join(dir, "out", "system.pem"),
      keyPem: join(dir, "out", "system.key.pem"),
      p12: join(dir, "out", "system.p12"),
    });
    expect((await stat(files.keyPem)).mode & 0o077).toBe(0);
    expect((await stat(files.p12)).mode & 0o077).toBe(0);
    expect(await readFile(files.cer)).toEqual(cred.certificate.der);
  });

  it("BASE.cer is DER: openssl x509 -inform DER", () => {
    const result = openssl(["x509", "-inform", "DER", "-in", files.cer, "-noout", "-fingerprint", "-sha256"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.replace(/:/g, "")).toContain(cred.certificate.sha256);
  });

  it("BASE.pem chains to the CA: openssl verify -CAfile", () => {
    const result = verifyAgainstCa([files.pem]);
    expect(result.stdout.trim()).toBe(`${files.pem}: OK`);
  });

  it("BASE.cer also verifies against the CA", () => {
    const pem = openssl(["x509", "-inform", "DER", "-in", files.cer]);
    const result = verifyAgainstCa([], { input: pem.stdout });
    expect(result.stdout.trim()).toBe("stdin: OK");
  });

  it("BASE.key.pem is the certificate's key: openssl pkey, modulus matches", () => {
    const key = openssl(["pkey", "-in", files.keyPem, "-pubout"]);
    expect(key.code, key.stderr).toBe(0);
    const certKey = openssl(["x509", "-in", files.pem, "-noout", "-pubkey"]);
    expect(key.stdout).toBe(certKey.stdout);
  });

  it("BASE.p12: openssl pkcs12 -info without -legacy; PBES2/AES-256-CBC, HMAC-SHA-256 PRF, SHA-256 MAC", () => {
    const result = openssl(["pkcs12", "-info", "-in", files.p12, "-passin", "pass:test1234", "-noout"]);
    expect(result.code, result.stderr).toBe(0);
    const info = `${result.stdout}${result.stderr}`;
    expect(info).toContain("MAC: sha256");
    expect(info).toContain("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC");
    expect(info).toContain("PRF hmacWithSHA256");
    expect(info).not.toMatch(/RC2|3DES|pbeWithSHA1/i);
  });

  it("BASE.p12 with a wrong password: OpenSSL refuses (the MAC is real)", () => {
    const result = openssl(["pkcs12", "-info", "-in", files.p12, "-passin", "pass:wrong", "-noout"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/mac verify (failure|error)/i);
  });

  it("BASE.p12 holds the certificate, the chain and the matching key", () => {
    const certs = openssl(["pkcs12", "-in", files.p12, "-passin", "pass:test1234", "-nokeys"]);
    expect(certs.stdout.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    const key = openssl(["pkcs12", "-in", files.p12, "-passin", "pass:test1234", "-nocerts", "-nodes"]);
    const pub = openssl(["pkey", "-pubout"], { input: key.stdout });
    const certPub = openssl(["x509", "-in", files.pem, "-noout", "-pubkey"]);
    expect(pub.stdout).toBe(certPub.stdout);
    expect(certs.stdout).toContain("friendlyName: Min indberetning");
  });

  it("toPkcs12 without the chain holds one certificate", async () => {
    const p12 = toPkcs12(cred, "x", { includeChain: false, iterations: 2048 });
    const file = join(dir, "single.p12");
    await writeFile(file, p12);
    const certs = openssl(["pkcs12", "-in", file, "-passin", "pass:x", "-nokeys"]);
    expect(certs.code, certs.stderr).toBe(0);
    expect(certs.stdout.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
  });

  it("a FOCES credential (RSA 2048, multi-valued RDN) exports and verifies too", async () => {
    const foces = await ca.issue({
      profile: "foces2",
      cvr: "91234567",
      notBefore: new Date(NOW),
      notAfter: new Date(NOW + 86_400_000),
    });
    const out = await writeCredentialFiles(foces, join(dir, "foces"), { password: "pw" });
    expect(openssl(["x509", "-inform", "DER", "-in", out.cer, "-noout"]).code).toBe(0);
    expect(openssl(["pkcs12", "-info", "-in", out.p12, "-passin", "pass:pw", "-noout"]).code).toBe(0);
    const verify = verifyAgainstCa([out.pem]);
    expect(verify.stdout.trim()).toBe(`${out.pem}: OK`);
  });
});
