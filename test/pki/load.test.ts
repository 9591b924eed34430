import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestCa, type TestCa } from "../../src/pki/ca.js";
import { writeCredentialFiles } from "../../src/pki/export.js";
import type { Credential } from "../../src/pki/issue.js";
import { CertificateFileError, loadCredentialFile, parseUploadedCertificate } from "../../src/pki/load.js";
import { REFERENCE_FIXTURES as REF } from "../helpers/fixtures.js";
import { openssl } from "../helpers/openssl.js";

const NOW = Date.parse("2026-06-01T12:00:00Z");

let ca: TestCa;
let cred: Credential;
let other: Credential;
let dir: string;
let base: string;

beforeAll(async () => {
  ca = await createTestCa(NOW);
  cred = await ca.issue({
    profile: "oces3-system",
    cvr: "91234567",
    notBefore: new Date(NOW),
    notAfter: new Date(NOW + 86_400_000),
  });
  other = await ca.issue({
    profile: "foces2",
    notBefore: new Date(NOW),
    notAfter: new Date(NOW + 86_400_000),
  });
  dir = await mkdtemp(join(tmpdir(), "smdb-load-"));
  base = join(dir, "system");
  await writeCredentialFiles(cred, base, { password: "hemmelig" });
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content);
  return file;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CertificateFileError);
    return (error as CertificateFileError).code;
  }
  throw new Error("expected a CertificateFileError");
}

function uploadCode(bytes: Buffer, label = "upload"): string {
  try {
    parseUploadedCertificate(bytes, label);
  } catch (error) {
    expect(error).toBeInstanceOf(CertificateFileError);
    return (error as CertificateFileError).code;
  }
  throw new Error("expected a CertificateFileError");
}

describe("loadCredentialFile: the forms a certificate comes in", () => {
  it("reads DER .cer", async () => {
    const loaded = await loadCredentialFile(`${base}.cer`);
    expect(loaded.format).toBe("der");
    expect(loaded.certificates[0]!.sha256).toBe(cred.certificate.sha256);
    expect(loaded.key).toBeUndefined();
  });

  it("reads PEM", async () => {
    const loaded = await loadCredentialFile(`${base}.pem`);
    expect(loaded.format).toBe("pem");
    expect(loaded.certificates[0]!.sha256).toBe(cred.certificate.sha256);
  });

  it("reads bare base64 without armour, with CRLF (the real FOCES fixture)", async () => {
    const raw = await readFile(join(REF, "nemlogin-adfs-test-foces-bare-base64.cer"), "latin1");
    expect(raw).toContain("\r\n");
    expect(raw).not.toContain("-----BEGIN");
    const loaded = await loadCredentialFile(join(REF, "nemlogin-adfs-test-foces-bare-base64.cer"));
    expect(loaded.format).toBe("base64");
    expect(loaded.certificates[0]!.sha1).toBe("FCB5EDC9FB09CF39716C09C35FDC883BD48ADD8D");
  });

  it("reads bare base64 of our own certificate, with a UTF-8 BOM", async () => {
    const file = await write("bom.cer", `\ufeff${cred.certificate.base64.replace(/(.{76})/g, "$1\r\n")}\r\n`);
    expect((await loadCredentialFile(file)).certificates[0]!.sha256).toBe(cred.certificate.sha256);
  });

  it("reads a .pem with certificate and key, in either order, and puts the key's certificate first", async () => {
    const file = await write(
      "both.pem",
      `${cred.key.privateKeyPem}${ca.issuing.certificate.pem}${cred.certificate.pem}`,
    );
    const loaded = await loadCredentialFile(file);
    expect(loaded.certificates.map((c) => c.sha256)).toEqual([
      cred.certificate.sha256,
      ca.issuing.certificate.sha256,
    ]);
    expect(loaded.key?.publicKeySha256).toBe(cred.key.publicKeySha256);
  });

  it("reads an encrypted PEM private key with its password, and says when the password is wrong or missing", async () => {
    const encrypted = cred.key.privateKey
      .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" })
      .toString();
    const file = await write("enc.pem", `${cred.certificate.pem}${encrypted}`);
    expect((await loadCredentialFile(file, { password: "pw" })).key?.publicKeySha256).toBe(
      cred.key.publicKeySha256,
    );
    expect(await codeOf(loadCredentialFile(file))).toBe("KEY_PASSWORD_REQUIRED");
    expect(await codeOf(loadCredentialFile(file, { password: "nope" }))).toBe("KEY_WRONG_PASSWORD");
  });

  it("refuses a key that does not belong to the certificate", async () => {
    const file = await write("mismatch.pem", `${cred.certificate.pem}${other.key.privateKeyPem}`);
    expect(await codeOf(loadCredentialFile(file))).toBe("KEY_CERTIFICATE_MISMATCH");
  });

  it("a key-only file is an error, unless allowKeyOnly", async () => {
    expect(await codeOf(loadCredentialFile(`${base}.key.pem`))).toBe("NO_CERTIFICATE");
    const loaded = await loadCredentialFile(`${base}.key.pem`, { allowKeyOnly: true });
    expect(loaded.certificates).toEqual([]);
    expect(loaded.key?.publicKeySha256).toBe(cred.key.publicKeySha256);
  });
});

describe(".p12 round trip", () => {
  it("reads back certificate, chain and key with the password", async () => {
    const loaded = await loadCredentialFile(`${base}.p12`, { password: "hemmelig" });
    expect(loaded.format).toBe("pkcs12");
    expect(loaded.certificates.map((c) => c.sha256)).toEqual([
      cred.certificate.sha256,
      ca.issuing.certificate.sha256,
      ca.root.certificate.sha256,
    ]);
    expect(loaded.key?.publicKeySha256).toBe(cred.key.publicKeySha256);
    expect(loaded.key?.bits).toBe(3072);
  });

  it("missing password, wrong password", async () => {
    expect(await codeOf(loadCredentialFile(`${base}.p12`))).toBe("PKCS12_PASSWORD_REQUIRED");
    expect(await codeOf(loadCredentialFile(`${base}.p12`, { password: "forkert" }))).toBe(
      "PKCS12_WRONG_PASSWORD",
    );
    await expect(loadCredentialFile(`${base}.p12`, { password: "forkert" })).rejects.toThrow(
      `${base}.p12: the password given does not open this PKCS#12 (.p12/.pfx) file (wrong password?)`,
    );
  });

  it("an empty password works without --password", async () => {
    const files = await writeCredentialFiles(cred, join(dir, "nopw"), { password: "" });
    const loaded = await loadCredentialFile(files.p12);
    expect(loaded.key?.publicKeySha256).toBe(cred.key.publicKeySha256);
    const info = openssl(["pkcs12", "-info", "-in", files.p12, "-passin", "pass:", "-noout"]);
    expect(info.code, info.stderr).toBe(0);
  });

  it("a non-ASCII password (UTF-8, as OpenSSL takes it)", async () => {
    const files = await writeCredentialFiles(cred, join(dir, "utf8"), { password: "rødgrød med fløde" });
    const info = openssl([
      "pkcs12",
      "-info",
      "-in",
      files.p12,
      "-passin",
      "pass:rødgrød med fløde",
      "-noout",
    ]);
    expect(info.code, info.stderr).toBe(0);
  });

  it("reads a .pfx that OpenSSL 3 wrote (default algorithms, certificates encrypted too)", async () => {
    const pfx = join(dir, "openssl.pfx");
    const made = openssl([
      "pkcs12",
      "-export",
      "-in",
      `${base}.pem`,
      "-inkey",
      `${base}.key.pem`,
      "-passout",
      "pass:abc",
      "-out",
      pfx,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const loaded = await loadCredentialFile(pfx, { password: "abc" });
    expect(loaded.certificates[0]!.sha256).toBe(cred.certificate.sha256);
    expect(loaded.key?.publicKeySha256).toBe(cred.key.publicKeySha256);
    expect(await codeOf(loadCredentialFile(pfx, { password: "abd" }))).toBe("PKCS12_WRONG_PASSWORD");
  });
});

describe("bad files get one precise sentence naming the file", () => {
  it("missing file", async () => {
    const file = join(dir, "nope.cer");
    expect(await codeOf(loadCredentialFile(file))).toBe("FILE_NOT_FOUND");
    await expect(loadCredentialFile(file)).rejects.toThrow(`${file}: does not exist`);
  });

  it("a directory", async () => {
    await mkdir(join(dir, "adir.cer"), { recursive: true });
    expect(await codeOf(loadCredentialFile(join(dir, "adir.cer")))).toBe("FILE_UNREADABLE");
  });

  it("empty file and white space only", async () => {
    expect(await codeOf(loadCredentialFile(await write("empty.cer", "")))).toBe("EMPTY_FILE");
    expect(await codeOf(loadCredentialFile(await write("blank.cer", " \r\n\n")))).toBe("EMPTY_FILE");
  });

  it("text that is not a certificate", async () => {
    const file = await write("notes.cer", "This is where the certificate should have been.\n");
    expect(await codeOf(loadCredentialFile(file))).toBe("NOT_A_CERTIFICATE");
    await expect(loadCredentialFile(file)).rejects.toThrow(
      /notes\.cer: is a text file but neither PEM .* nor base64/,
    );
  });

  it("binary that is not a certificate", async () => {
    const file = await write(
      "random.cer",
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    );
    expect(await codeOf(loadCredentialFile(file))).toBe("NOT_A_CERTIFICATE");
  });

  it("a truncated DER certificate", async () => {
    const file = await write("truncated.cer", cred.certificate.der.subarray(0, 200));
    expect(await codeOf(loadCredentialFile(file))).toBe("NOT_A_CERTIFICATE");
    await expect(loadCredentialFile(file)).rejects.toThrow(/truncated or corrupt/);
  });

  it("a PEM certificate block with garbage inside", async () => {
    const file = await write("garbage.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    expect(await codeOf(loadCredentialFile(file))).toBe("NOT_A_CERTIFICATE");
  });

  it("a PEM file with a BEGIN line but no END", async () => {
    const file = await write("cut.pem", cred.certificate.pem.slice(0, 200));
    expect(await codeOf(loadCredentialFile(file))).toBe("NOT_A_CERTIFICATE");
  });

  it("base64 of something that is not a certificate", async () => {
    const file = await write(
      "b64.cer",
      Buffer.from("hello world, this is not DER at all").toString("base64"),
    );
    expect(await codeOf(loadCredentialFile(file))).toBe("NOT_A_CERTIFICATE");
  });

  it("errors carry no stack-trace text in their message", async () => {
    try {
      await loadCredentialFile(await write("x.cer", "nonsense"));
    } catch (error) {
      expect((error as Error).message).not.toMatch(/\n|\bat /);
    }
  });
});

describe("parseUploadedCertificate: the NemLog-in upload takes the public certificate only", () => {
  it("accepts DER, PEM and bare base64", async () => {
    expect(parseUploadedCertificate(cred.certificate.der, "a").sha256).toBe(cred.certificate.sha256);
    expect(parseUploadedCertificate(Buffer.from(cred.certificate.pem), "b").sha256).toBe(
      cred.certificate.sha256,
    );
    const real = await readFile(join(REF, "nemlogin-adfs-test-foces-bare-base64.cer"));
    expect(parseUploadedCertificate(real, "c").sha1).toBe("FCB5EDC9FB09CF39716C09C35FDC883BD48ADD8D");
  });

  it("refuses a .p12 and says to upload the .cer", async () => {
    const p12 = await readFile(`${base}.p12`);
    expect(uploadCode(p12)).toBe("PKCS12_NOT_ALLOWED");
    expect(() => parseUploadedCertificate(p12, "system.p12")).toThrow(
      /^system\.p12: is a PKCS#12 \(\.p12\/\.pfx\) file, .*upload the \.cer — the public part only/,
    );
  });

  it("refuses a private key (PEM, DER, and PEM with certificate plus key)", async () => {
    expect(uploadCode(Buffer.from(cred.key.privateKeyPem))).toBe("PRIVATE_KEY_NOT_ALLOWED");
    expect(uploadCode(cred.key.privateKey.export({ type: "pkcs8", format: "der" }))).toBe(
      "PRIVATE_KEY_NOT_ALLOWED",
    );
    expect(uploadCode(cred.key.privateKey.export({ type: "pkcs1", format: "der" }))).toBe(
      "PRIVATE_KEY_NOT_ALLOWED",
    );
    expect(uploadCode(Buffer.from(`${cred.certificate.pem}${cred.key.privateKeyPem}`))).toBe(
      "PRIVATE_KEY_NOT_ALLOWED",
    );
    expect(() => parseUploadedCertificate(Buffer.from(cred.key.privateKeyPem), "key.pem")).toThrow(
      /key\.pem: holds a private key .*the \.cer — the public part only/,
    );
  });

  it("refuses a chain, an empty body and a non-certificate", () => {
    expect(uploadCode(Buffer.from(`${cred.certificate.pem}${ca.issuing.certificate.pem}`))).toBe(
      "MULTIPLE_CERTIFICATES",
    );
    expect(uploadCode(Buffer.alloc(0))).toBe("EMPTY_FILE");
    expect(uploadCode(Buffer.from("<xml/>"))).toBe("NOT_A_CERTIFICATE");
  });
});

describe("more real-world shapes", () => {
  it("a .p12 that OpenSSL made from the real PSS-signed OCES3 certificate keeps its exact bytes", async () => {
    const pem = openssl(["x509", "-inform", "DER", "-in", join(REF, "nemlogin-idp-test-oces3.cer")]).stdout;
    const pemFile = await write("oces3-real.pem", pem);
    const p12 = join(dir, "oces3-real.p12");
    const made = openssl(["pkcs12", "-export", "-nokeys", "-in", pemFile, "-passout", "pass:x", "-out", p12]);
    expect(made.code, made.stderr).toBe(0);
    const loaded = await loadCredentialFile(p12, { password: "x" });
    expect(loaded.certificates.map((c) => c.sha1)).toEqual(["357FAAAB559E427FCF66BF81627378A86A1106C3"]);
  });

  it("a text file that happens to start with 0 is called a text file", async () => {
    const file = await write("numbers.cer", "0123456789 is not a certificate\n");
    await expect(loadCredentialFile(file)).rejects.toThrow(/numbers\.cer: is a text file but neither PEM/);
  });

  it("a CSR, a bare public key: said what they are", async () => {
    const csr = openssl(["req", "-new", "-key", `${base}.key.pem`, "-subj", "/CN=x"]);
    expect(csr.code, csr.stderr).toBe(0);
    await expect(loadCredentialFile(await write("request.pem", csr.stdout))).rejects.toThrow(
      /request\.pem: is PEM but holds no certificate and no private key \(it is a certificate signing request/,
    );
    const pub = cred.key.publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(() => parseUploadedCertificate(Buffer.from(pub), "pub.pem")).toThrow(/it is a bare public key/);
  });
});
