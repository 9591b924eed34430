/**
 * Loading certificates and keys from the files people actually have: `.cer` as DER, as PEM or as
 * bare base64 without armour (all three occur in practice), `.pem`/`.crt` with a certificate
 * and/or a key, and `.p12`/`.pfx` with a password. The format is decided by the content, not by
 * the file name, and every failure says what the file is and what was expected instead.
 *
 * `parseUploadedCertificate` is the NemLog-in upload: the public certificate only. A .p12/.pfx or
 * anything holding a private key is refused with a sentence telling what to upload instead.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import forge from "node-forge";
import { InputFileError } from "../core/errors.js";
import { fileProblem } from "../core/file-errors.js";
import { Certificate } from "./certificate.js";
import { keyPairFromPem, publicKeyFingerprint, type RsaKeyPair } from "./keys.js";

export type CredentialFileFormat = "der" | "pem" | "base64" | "pkcs12";

export type CertificateFileErrorCode =
  | "FILE_NOT_FOUND"
  | "FILE_UNREADABLE"
  | "EMPTY_FILE"
  | "NOT_A_CERTIFICATE"
  | "NO_CERTIFICATE"
  | "PKCS12_NOT_ALLOWED"
  | "PRIVATE_KEY_NOT_ALLOWED"
  | "MULTIPLE_CERTIFICATES"
  | "PKCS12_PASSWORD_REQUIRED"
  | "PKCS12_WRONG_PASSWORD"
  | "PKCS12_UNREADABLE"
  | "KEY_PASSWORD_REQUIRED"
  | "KEY_WRONG_PASSWORD"
  | "KEY_UNREADABLE"
  | "KEY_CERTIFICATE_MISMATCH";

/** A file (or uploaded body) that is not the certificate or credential it should be. */
export class CertificateFileError extends InputFileError {
  override readonly name = "CertificateFileError";
  constructor(
    file: string,
    public readonly code: CertificateFileErrorCode,
    message: string,
  ) {
    super(file, message, code);
  }
}

export interface LoadedCredentialFile {
  /** Certificates in the file; when a key is present, the certificate of that key comes first. */
  certificates: Certificate[];
  key?: RsaKeyPair;
  format: CredentialFileFormat;
}

export interface LoadOptions {
  /** Password of a .p12/.pfx or of an encrypted PEM private key. */
  password?: string;
  /**
   * Accept a file that holds a private key and no certificate (e.g. `system.key.pem`) and return
   * it with `certificates: []`. Default false: such a file is an error (`NO_CERTIFICATE`).
   */
  allowKeyOnly?: boolean;
}

const UPLOAD_HINT =
  "NemLog-in takes the public certificate only: upload the .cer — the public part only " +
  "(DER or PEM, e.g. the BASE.cer that `smdb-harness certs issue` writes, or " +
  "`openssl pkcs12 -in FILE.p12 -clcerts -nokeys | openssl x509 -outform DER -out FILE.cer`)";

/** Reads a certificate/credential file: DER, PEM, bare base64 or PKCS#12. */
export async function loadCredentialFile(
  path: string,
  options: LoadOptions = {},
): Promise<LoadedCredentialFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fileSystemError(path, error);
  }
  return parseCredentialBytes(bytes, path, options);
}

/** Like `loadCredentialFile` for bytes already in memory; `label` names them in errors. */
export function parseCredentialBytes(
  bytes: Buffer,
  label: string,
  options: LoadOptions = {},
): LoadedCredentialFile {
  const content = classify(bytes, label);
  let result: LoadedCredentialFile;
  switch (content.kind) {
    case "certificate":
      result = { certificates: [content.certificate], format: content.format };
      break;
    case "pem":
      result = fromPem(content.blocks, label, options.password);
      break;
    case "pkcs12":
      result = fromPkcs12(content.der, label, options.password);
      break;
    case "private-key":
      result = {
        certificates: [],
        key: derPrivateKey(content.der, label, options.password),
        format: content.format,
      };
      break;
  }
  if (result.certificates.length === 0) {
    if (result.key && options.allowKeyOnly) return result;
    throw new CertificateFileError(
      label,
      "NO_CERTIFICATE",
      result.key
        ? "holds a private key but no certificate; give the certificate file (.cer/.pem) too, or a .p12/.pfx that holds both"
        : "holds no certificate",
    );
  }
  if (result.key) result.certificates = certificateOfKeyFirst(result.certificates, result.key, label);
  return result;
}

/** The NemLog-in upload: one public certificate (DER, PEM or bare base64), nothing secret. */
export function parseUploadedCertificate(bytes: Buffer, label: string): Certificate {
  const content = classify(bytes, label);
  switch (content.kind) {
    case "certificate":
      return content.certificate;
    case "pkcs12":
      throw new CertificateFileError(
        label,
        "PKCS12_NOT_ALLOWED",
        `is a PKCS#12 (.p12/.pfx) file, which carries the private key; ${UPLOAD_HINT}`,
      );
    case "private-key":
      throw new CertificateFileError(
        label,
        "PRIVATE_KEY_NOT_ALLOWED",
        `is a private key, which must never leave the system that uses it; ${UPLOAD_HINT}`,
      );
    case "pem": {
      if (content.blocks.some((block) => isKeyLabel(block.label))) {
        throw new CertificateFileError(
          label,
          "PRIVATE_KEY_NOT_ALLOWED",
          `holds a private key (-----BEGIN ${content.blocks.find((b) => isKeyLabel(b.label))!.label}-----), which must never leave the system that uses it; ${UPLOAD_HINT}`,
        );
      }
      const certificates = pemCertificates(content.blocks, label);
      if (certificates.length === 0) {
        throw notACertificate(label, `is PEM but holds no certificate (${whatPemHolds(content.blocks)})`);
      }
      if (certificates.length > 1) {
        throw new CertificateFileError(
          label,
          "MULTIPLE_CERTIFICATES",
          `holds ${certificates.length} certificates; upload the systembruger's own certificate alone (one .cer), not a chain`,
        );
      }
      return certificates[0]!;
    }
  }
}

// ---------------------------------------------------------------------------------------------

type PemBlock = { label: string; headers: string; der: Buffer; text: string };

type Classified =
  | { kind: "certificate"; certificate: Certificate; format: "der" | "base64" }
  | { kind: "pkcs12"; der: Buffer; format: "der" | "base64" }
  | { kind: "private-key"; der: Buffer; format: "der" | "base64" }
  | { kind: "pem"; blocks: PemBlock[] };

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

function classify(bytes: Buffer, label: string): Classified {
  if (bytes.length === 0) {
    throw new CertificateFileError(label, "EMPTY_FILE", "is empty (0 bytes); expected a certificate");
  }
  if (bytes[0] === 0x30) {
    try {
      return classifyDer(bytes, label, "der");
    } catch (error) {
      // A text file may begin with "0" (0x30): judge it as text rather than as broken DER.
      if (!isMostlyText(bytes)) throw error;
    }
  }
  let text = bytes.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") {
    throw new CertificateFileError(label, "EMPTY_FILE", "holds only white space; expected a certificate");
  }
  if (text.includes("-----BEGIN ")) {
    const blocks: PemBlock[] = [];
    for (const match of text.matchAll(PEM_RE)) {
      const body = match[2]!;
      const headerEnd = body.search(/\r?\n\r?\n/);
      const hasHeaders = /^[\s]*[A-Za-z-]+:/.test(body);
      const headers = hasHeaders && headerEnd >= 0 ? body.slice(0, headerEnd) : "";
      const base64 = hasHeaders && headerEnd >= 0 ? body.slice(headerEnd) : body;
      blocks.push({
        label: match[1]!,
        headers,
        der: Buffer.from(base64.replace(/\s+/g, ""), "base64"),
        text: match[0],
      });
    }
    if (blocks.length === 0) {
      throw notACertificate(
        label,
        "has a -----BEGIN line but no complete PEM block (missing or mismatched -----END line)",
      );
    }
    return { kind: "pem", blocks };
  }
  const compact = text.replace(/\s+/g, "");
  const looksLikeBase64 =
    /^[A-Za-z0-9+/]+={0,2}$/.test(compact) &&
    compact.length >= 16 &&
    compact.length % 4 === 0 &&
    text.split(/\r?\n/).every((line) => !/\S\s+\S/.test(line));
  if (looksLikeBase64) {
    const der = Buffer.from(compact, "base64");
    if (der[0] === 0x30) return classifyDer(der, label, "base64");
    throw notACertificate(label, "is base64 text, but what it encodes is not a certificate");
  }
  if (isMostlyText(bytes)) {
    throw notACertificate(
      label,
      "is a text file but neither PEM (no -----BEGIN CERTIFICATE----- line) nor base64 of a certificate",
    );
  }
  throw notACertificate(
    label,
    "is neither DER, PEM nor base64 (it does not start like an X.509 certificate)",
  );
}

function classifyDer(der: Buffer, label: string, format: "der" | "base64"): Classified {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString("binary")), { strict: false } as never);
  } catch {
    throw notACertificate(
      label,
      `starts like ASN.1 but is not well-formed ${format === "der" ? "DER" : "base64 DER"} (truncated or corrupt)`,
    );
  }
  const children = Array.isArray(asn1.value) ? (asn1.value as forge.asn1.Asn1[]) : [];
  const first = children[0];
  const second = children[1];
  // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE, signature BIT STRING }
  if (
    children.length === 3 &&
    first?.type === forge.asn1.Type.SEQUENCE &&
    children[2]?.type === forge.asn1.Type.BITSTRING
  ) {
    try {
      return { kind: "certificate", certificate: Certificate.fromDer(der), format };
    } catch (error) {
      throw notACertificate(
        label,
        `looks like an X.509 certificate but cannot be parsed (${oneLine(error)})`,
      );
    }
  }
  // PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData OPTIONAL }
  if (first?.type === forge.asn1.Type.INTEGER && second?.type === forge.asn1.Type.SEQUENCE) {
    const version = integerValue(first);
    const contentType = oidOf((second.value as forge.asn1.Asn1[])[0]);
    if (version === 3 && contentType?.startsWith("1.2.840.113549.1.7."))
      return { kind: "pkcs12", der, format };
    // PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING }
    if (version === 0 && children[2]?.type === forge.asn1.Type.OCTETSTRING)
      return { kind: "private-key", der, format };
    if (contentType === "1.2.840.113549.1.7.2") {
      throw notACertificate(
        label,
        "is a PKCS#7 bundle (.p7b); export the single certificate as .cer instead",
      );
    }
  }
  // RSAPrivateKey ::= SEQUENCE { version 0, n, e, d, p, q, dp, dq, qinv }
  if (children.length >= 9 && children.every((child) => child.type === forge.asn1.Type.INTEGER)) {
    return { kind: "private-key", der, format };
  }
  // EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING }
  if (
    children.length === 2 &&
    first?.type === forge.asn1.Type.SEQUENCE &&
    second?.type === forge.asn1.Type.OCTETSTRING
  ) {
    return { kind: "private-key", der, format };
  }
  // ContentInfo of a PKCS#7 bundle
  if (oidOf(first) === "1.2.840.113549.1.7.2") {
    throw notACertificate(label, "is a PKCS#7 bundle (.p7b); export the single certificate as .cer instead");
  }
  throw notACertificate(label, "is DER but not an X.509 certificate, a PKCS#12 file or a private key");
}

function fromPem(blocks: PemBlock[], label: string, password: string | undefined): LoadedCredentialFile {
  const certificates = pemCertificates(blocks, label);
  const keyBlocks = blocks.filter((block) => isKeyLabel(block.label));
  if (keyBlocks.length > 1) {
    throw new CertificateFileError(
      label,
      "KEY_UNREADABLE",
      `holds ${keyBlocks.length} private keys; expected at most one`,
    );
  }
  const keyBlock = keyBlocks[0];
  if (certificates.length === 0 && !keyBlock) {
    throw notACertificate(
      label,
      `is PEM but holds no certificate and no private key (${whatPemHolds(blocks)})`,
    );
  }
  const key = keyBlock ? pemPrivateKey(keyBlock, label, password) : undefined;
  return key ? { certificates, key, format: "pem" } : { certificates, format: "pem" };
}

function pemCertificates(blocks: PemBlock[], label: string): Certificate[] {
  const certificates: Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    if (
      block.label !== "CERTIFICATE" &&
      block.label !== "X509 CERTIFICATE" &&
      block.label !== "TRUSTED CERTIFICATE"
    ) {
      continue;
    }
    try {
      certificates.push(Certificate.fromDer(block.der));
    } catch (error) {
      const which = blocks.length > 1 ? ` (PEM block ${index + 1})` : "";
      throw notACertificate(
        label,
        `has a CERTIFICATE block${which} that is not a valid certificate (${oneLine(error)})`,
      );
    }
  }
  return certificates;
}

function isKeyLabel(pemLabel: string): boolean {
  return /PRIVATE KEY$/.test(pemLabel);
}

function pemPrivateKey(block: PemBlock, label: string, password: string | undefined): RsaKeyPair {
  const encrypted =
    block.label === "ENCRYPTED PRIVATE KEY" || /Proc-Type:\s*4,ENCRYPTED/i.test(block.headers);
  if (encrypted && password === undefined) {
    throw new CertificateFileError(
      label,
      "KEY_PASSWORD_REQUIRED",
      "holds an encrypted private key; give its password with --password",
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(
      encrypted
        ? { key: block.text, format: "pem", passphrase: password! }
        : { key: block.text, format: "pem" },
    );
  } catch (error) {
    if (encrypted) {
      throw new CertificateFileError(
        label,
        "KEY_WRONG_PASSWORD",
        "the password does not decrypt its private key (wrong password?)",
      );
    }
    throw new CertificateFileError(
      label,
      "KEY_UNREADABLE",
      `holds a ${block.label} block that cannot be read (${oneLine(error)})`,
    );
  }
  return rsaKeyPair(key, label);
}

function derPrivateKey(der: Buffer, label: string, password: string | undefined): RsaKeyPair {
  const attempts: Array<Parameters<typeof createPrivateKey>[0]> = [
    { key: der, format: "der", type: "pkcs8" },
    { key: der, format: "der", type: "pkcs1" },
  ];
  if (password !== undefined)
    attempts.unshift({ key: der, format: "der", type: "pkcs8", passphrase: password });
  for (const attempt of attempts) {
    try {
      return rsaKeyPair(createPrivateKey(attempt), label);
    } catch (error) {
      if (error instanceof CertificateFileError) throw error;
    }
  }
  throw new CertificateFileError(
    label,
    password === undefined ? "KEY_PASSWORD_REQUIRED" : "KEY_UNREADABLE",
    password === undefined
      ? "holds a private key that is encrypted or unreadable; give its password with --password"
      : "holds a private key that cannot be read with the password given",
  );
}

function rsaKeyPair(key: KeyObject, label: string): RsaKeyPair {
  if (key.asymmetricKeyType !== "rsa") {
    throw new CertificateFileError(
      label,
      "KEY_UNREADABLE",
      `holds a ${key.asymmetricKeyType ?? "non-RSA"} private key; OIO IDWS systembruger certificates use RSA`,
    );
  }
  return keyPairFromPem(key.export({ type: "pkcs8", format: "pem" }).toString());
}

function fromPkcs12(der: Buffer, label: string, password: string | undefined): LoadedCredentialFile {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString("binary")), { strict: false } as never);
  } catch (error) {
    throw new CertificateFileError(
      label,
      "PKCS12_UNREADABLE",
      `is a corrupt PKCS#12 file (${oneLine(error)})`,
    );
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password ?? "");
  } catch (error) {
    const message = oneLine(error);
    if (/Invalid password|MAC could not be verified|PKCS#12 MAC/i.test(message) || /decrypt/i.test(message)) {
      if (password === undefined) {
        throw new CertificateFileError(
          label,
          "PKCS12_PASSWORD_REQUIRED",
          "is a password-protected PKCS#12 (.p12/.pfx) file; give its password with --password",
        );
      }
      throw new CertificateFileError(
        label,
        "PKCS12_WRONG_PASSWORD",
        "the password given does not open this PKCS#12 (.p12/.pfx) file (wrong password?)",
      );
    }
    throw new CertificateFileError(label, "PKCS12_UNREADABLE", `cannot read this PKCS#12 file (${message})`);
  }
  const certificates: Certificate[] = [];
  let key: RsaKeyPair | undefined;
  for (const safeContents of p12.safeContents) {
    for (const bag of safeContents.safeBags) {
      if (bag.type === forge.pki.oids.certBag) {
        const certAsn1 = bag.cert
          ? forge.pki.certificateToAsn1(bag.cert)
          : (bag as unknown as { asn1?: forge.asn1.Asn1 }).asn1;
        if (!certAsn1) continue;
        certificates.push(Certificate.fromDer(Buffer.from(forge.asn1.toDer(certAsn1).getBytes(), "binary")));
      } else if (bag.type === forge.pki.oids.pkcs8ShroudedKeyBag || bag.type === forge.pki.oids.keyBag) {
        if (!bag.key) {
          throw new CertificateFileError(
            label,
            password === undefined ? "PKCS12_PASSWORD_REQUIRED" : "PKCS12_WRONG_PASSWORD",
            password === undefined
              ? "holds an encrypted private key; give the .p12/.pfx password with --password"
              : "the password given does not decrypt the private key in this .p12/.pfx (wrong password?)",
          );
        }
        if (key) {
          throw new CertificateFileError(
            label,
            "PKCS12_UNREADABLE",
            "holds more than one private key; expected one",
          );
        }
        key = keyPairFromPem(forge.pki.privateKeyToPem(bag.key as forge.pki.rsa.PrivateKey));
      }
    }
  }
  return key ? { certificates, key, format: "pkcs12" } : { certificates, format: "pkcs12" };
}

function certificateOfKeyFirst(certificates: Certificate[], key: RsaKeyPair, label: string): Certificate[] {
  const index = certificates.findIndex((cert) => publicKeySha256(cert) === key.publicKeySha256);
  if (index < 0) {
    throw new CertificateFileError(
      label,
      "KEY_CERTIFICATE_MISMATCH",
      "its private key does not belong to any certificate in it (certificate and key from different issues?)",
    );
  }
  if (index === 0) return certificates;
  return [certificates[index]!, ...certificates.slice(0, index), ...certificates.slice(index + 1)];
}

function publicKeySha256(cert: Certificate): string {
  return publicKeyFingerprint(cert.publicKey);
}

function integerValue(node: forge.asn1.Asn1): number | undefined {
  if (typeof node.value !== "string" || node.value.length > 4) return undefined;
  let value = 0;
  for (let i = 0; i < node.value.length; i++) value = value * 256 + node.value.charCodeAt(i);
  return value;
}

function oidOf(node: forge.asn1.Asn1 | undefined): string | undefined {
  if (!node || node.type !== forge.asn1.Type.OID || typeof node.value !== "string") return undefined;
  try {
    return forge.asn1.derToOid(node.value);
  } catch {
    return undefined;
  }
}

function whatPemHolds(blocks: PemBlock[]): string {
  if (blocks.some((block) => /CERTIFICATE REQUEST$/.test(block.label))) {
    return "it is a certificate signing request (CSR): the CA turns it into the certificate (.cer) to use";
  }
  if (blocks.some((block) => block.label === "PKCS7")) {
    return "it is a PKCS#7 bundle (.p7b); export the single certificate as .cer instead";
  }
  if (blocks.some((block) => block.label === "PUBLIC KEY" || block.label === "RSA PUBLIC KEY")) {
    return "it is a bare public key; a certificate (-----BEGIN CERTIFICATE-----) is needed";
  }
  return `found ${describeLabels(blocks)}`;
}

function describeLabels(blocks: PemBlock[]): string {
  return [...new Set(blocks.map((block) => block.label))].map((l) => `-----BEGIN ${l}-----`).join(", ");
}

function isMostlyText(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 512);
  let printable = 0;
  for (const byte of sample)
    if (byte === 9 || byte === 10 || byte === 13 || (byte >= 32 && byte < 127) || byte >= 0xc2) printable++;
  return printable / sample.length > 0.95;
}

function notACertificate(label: string, message: string): CertificateFileError {
  return new CertificateFileError(label, "NOT_A_CERTIFICATE", message);
}

function fileSystemError(path: string, error: unknown): CertificateFileError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return new CertificateFileError(path, "FILE_NOT_FOUND", "does not exist");
    case "EISDIR":
      return new CertificateFileError(path, "FILE_UNREADABLE", "is a directory; expected a certificate file");
    case "EACCES":
    case "EPERM":
      return new CertificateFileError(path, "FILE_UNREADABLE", "permission denied");
    default:
      return new CertificateFileError(path, "FILE_UNREADABLE", `cannot be read: ${fileProblem(error)}`);
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.trim();
}
