/**
 * Writing a credential as the files a vendor loads into their client: `BASE.cer` (DER, the file
 * uploaded to NemLog-in), `BASE.pem` (certificate), `BASE.key.pem` (PKCS#8 private key) and
 * `BASE.p12` (certificate, chain and key).
 *
 * The .p12 uses what OpenSSL 3 writes by default and Windows/.NET read: the key in a
 * PBES2 (PBKDF2 with HMAC-SHA-256, AES-256-CBC) shrouded key bag, and a SHA-256 MAC. node-forge
 * builds the bags but only knows a SHA-1 MAC, so the MAC is computed here.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import forge from "node-forge";
import type { Credential } from "./issue.js";

export interface Pkcs12Options {
  /** Friendly name shown by Windows' certificate manager; default: the certificate's CN. */
  friendlyName?: string;
  /** Include the issuing chain (default true). */
  includeChain?: boolean;
  /** PBKDF2 and MAC iteration count (default 2048, as OpenSSL 3 writes PKCS#12). */
  iterations?: number;
}

export interface WrittenCredentialFiles {
  cer: string;
  pem: string;
  keyPem: string;
  p12: string;
}

/** Encodes the credential as PKCS#12 (PBES2/AES-256-CBC key, SHA-256 MAC) protected by `password`. */
export function toPkcs12(credential: Credential, password: string, options: Pkcs12Options = {}): Buffer {
  const iterations = options.iterations ?? 2048;
  const toForgeCert = (der: Buffer) =>
    forge.pki.certificateFromAsn1(forge.asn1.fromDer(der.toString("binary")));
  const certs = [credential.certificate, ...(options.includeChain === false ? [] : credential.chain)].map(
    (cert) => toForgeCert(cert.der),
  );
  const key = forge.pki.privateKeyFromPem(credential.key.privateKeyPem);
  const friendlyName = options.friendlyName ?? commonName(credential) ?? "smdb-harness";
  // PBES2 takes the password as bytes: UTF-8, as OpenSSL does.
  const pfx = forge.pkcs12.toPkcs12Asn1(key, certs, forge.util.encodeUtf8(password), {
    algorithm: "aes256",
    prfAlgorithm: "sha256",
    count: iterations,
    saltSize: 16,
    useMac: false,
    friendlyName,
    generateLocalKeyId: true,
  } as Parameters<typeof forge.pkcs12.toPkcs12Asn1>[3]);
  const parts = pfx.value as forge.asn1.Asn1[];
  const authSafe = parts[1]!;
  // authSafe ContentInfo: [0] EXPLICIT OCTET STRING holding the AuthenticatedSafe DER.
  const octets = ((authSafe.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[])[0]!.value as string;
  parts.push(sha256MacData(octets, password, iterations));
  return Buffer.from(forge.asn1.toDer(pfx).getBytes(), "binary");
}

/** MacData with HMAC-SHA-256 and the PKCS#12 key derivation (ID 3), the password as BMPString. */
function sha256MacData(content: string, password: string, iterations: number): forge.asn1.Asn1 {
  const { asn1 } = forge;
  const salt = forge.random.getBytesSync(16);
  const macKey = forge.pkcs12.generateKey(
    password,
    forge.util.createBuffer(salt),
    3,
    iterations,
    32,
    forge.md.sha256.create(),
  );
  const hmac = forge.hmac.create();
  hmac.start("sha256", macKey.getBytes());
  hmac.update(content);
  const digest = hmac.digest().getBytes();
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(
          asn1.Class.UNIVERSAL,
          asn1.Type.OID,
          false,
          asn1.oidToDer(forge.pki.oids.sha256!).getBytes(),
        ),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ""),
      ]),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, digest),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, salt),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(iterations).getBytes()),
  ]);
}

function commonName(credential: Credential): string | undefined {
  const match = /(?:^|\n)CN=([^\n]*)/.exec(credential.certificate.subject);
  return match?.[1];
}

/**
 * Writes `BASE.cer` (DER), `BASE.pem`, `BASE.key.pem` (mode 0600) and `BASE.p12` (mode 0600),
 * creating the directory. Each file is written atomically (temp file + rename).
 */
export async function writeCredentialFiles(
  credential: Credential,
  base: string,
  options: { password: string } & Pkcs12Options,
): Promise<WrittenCredentialFiles> {
  await mkdir(dirname(base), { recursive: true });
  const files: WrittenCredentialFiles = {
    cer: `${base}.cer`,
    pem: `${base}.pem`,
    keyPem: `${base}.key.pem`,
    p12: `${base}.p12`,
  };
  await atomicWrite(files.cer, credential.certificate.der);
  await atomicWrite(files.pem, credential.certificate.pem);
  await atomicWrite(files.keyPem, credential.key.privateKeyPem, 0o600);
  await atomicWrite(files.p12, toPkcs12(credential, options.password, options), 0o600);
  return files;
}

async function atomicWrite(file: string, content: string | Buffer, mode?: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, content, mode === undefined ? {} : { mode });
  await rename(tmp, file);
}
