/**
 * Where the client's certificate and key come from: a .p12/.pfx, a PEM pair, or a "store"
 * directory searched like .NET's `X509Store.Find(findType, findValue, validOnly: false)`:
 *
 * - `FindByThumbprint`: the SHA-1 thumbprint (hex, case and spaces ignored), exact.
 * - `FindBySubjectName`: a case-insensitive substring of the subject. A renewed certificate whose
 *   subject changed is therefore *not found* by the old value, as in real life.
 * - `FindBySerialNumber`: the serial number in hex (case, spaces and leading zeros ignored).
 *
 * A store directory holds `.p12`/`.pfx` files (opened with the source's password, or none) and
 * PEM files with a certificate and key, or `NAME.pem` next to `NAME.key.pem` (what
 * `smdb-harness certs issue` writes). Only entries with a private key count, as a store lookup
 * for signing would. When several match, the one with the latest notBefore is used.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileProblem } from "../core/file-errors.js";
import { type Certificate, type Credential, publicKeyFingerprint } from "../pki/index.js";
import { loadCredentialFile } from "../pki/load.js";
import type { CertificateSourceConfig } from "./config.js";
import { ClientError } from "./errors.js";

function unreadable(message: string, error?: unknown): ClientError {
  const why = error instanceof Error ? `: ${fileProblem(error)}` : "";
  return new ClientError(0, "CLIENT_CERT_UNREADABLE", `${message}${why}`);
}

function toCredential(certificate: Certificate, key: Credential["key"], chain: Certificate[]): Credential {
  return { certificate, key, chain };
}

/** Loads the client credential a source describes. Throws ClientError (step 0). */
export async function loadCertificateSource(source: CertificateSourceConfig): Promise<Credential> {
  switch (source.kind) {
    case "file": {
      const loaded = await loadFile(
        source.file,
        "client certificate file",
        source.password !== undefined ? { password: source.password } : {},
      );
      if (!loaded.key) {
        throw unreadable(
          `${source.file} holds no private key; the client needs a .p12/.pfx with the key, or {cert, key}`,
        );
      }
      return toCredential(loaded.certificates[0]!, loaded.key, loaded.certificates.slice(1));
    }
    case "pem": {
      const cert = await loadFile(source.cert, "client certificate file");
      const key = await loadFile(source.key, "client key file", {
        allowKeyOnly: true,
        ...(source.password !== undefined ? { password: source.password } : {}),
      });
      if (!key.key) throw unreadable(`${source.key} holds no private key`);
      const certificate = cert.certificates[0]!;
      if (key.key.publicKeySha256 !== publicKeyFingerprint(certificate.publicKey)) {
        throw unreadable(
          `the key in ${source.key} does not belong to certificate ${certificate.sha256} in ${source.cert}; give the matching key`,
        );
      }
      return toCredential(certificate, key.key, cert.certificates.slice(1));
    }
    case "store":
      return findInStore(source);
  }
}

/**
 * `loadCredentialFile`, its failures as ClientErrors naming `what` the file is: a missing file is
 * CLIENT_CERT_NOT_FOUND, anything else CLIENT_CERT_UNREADABLE with the loader's reason.
 */
async function loadFile(
  path: string,
  what: string,
  options: Parameters<typeof loadCredentialFile>[1] = {},
): ReturnType<typeof loadCredentialFile> {
  try {
    return await loadCredentialFile(path, options);
  } catch (error) {
    if ((error as { code?: string }).code === "FILE_NOT_FOUND") {
      throw new ClientError(0, "CLIENT_CERT_NOT_FOUND", `the ${what} ${path} does not exist`);
    }
    throw unreadable(`the ${what} ${path} cannot be used`, error);
  }
}

/** What a `FindBy…` value matches, as .NET compares it. */
export function matchesFind(certificate: Certificate, findType: string, findValue: string): boolean {
  switch (findType) {
    case "FindByThumbprint":
      return certificate.sha1 === findValue.replace(/[\s:]/g, "").toUpperCase();
    case "FindBySubjectName": {
      const wanted = findValue.toLowerCase();
      const subject = certificate.subject.toLowerCase();
      // Match against the subject as a whole (RFC 2253-ish, either order) and each RDN value.
      const parts = subject.split("\n");
      return (
        parts.join(", ").includes(wanted) ||
        [...parts].reverse().join(", ").includes(wanted) ||
        parts.some((p) => p.slice(p.indexOf("=") + 1).includes(wanted))
      );
    }
    case "FindBySerialNumber": {
      const norm = (s: string) => s.replace(/[\s:]/g, "").toUpperCase().replace(/^0+/, "");
      return norm(certificate.serialNumber) === norm(findValue);
    }
    default:
      return false;
  }
}

async function findInStore(source: Extract<CertificateSourceConfig, { kind: "store" }>): Promise<Credential> {
  let names: string[];
  try {
    names = (await readdir(source.store)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new ClientError(
        0,
        "CLIENT_CERT_NOT_FOUND",
        `the certificate store ${source.store} does not exist`,
      );
    }
    throw unreadable(`the certificate store ${source.store} cannot be read`, error);
  }
  const entries: Credential[] = [];
  const problems: string[] = [];
  const keyFiles = new Set(names.filter((n) => /\.key\.pem$/i.test(n)));
  for (const name of names) {
    if (keyFiles.has(name)) continue;
    if (!/\.(p12|pfx|pem|crt|cer)$/i.test(name)) continue;
    const path = join(source.store, name);
    try {
      const isPkcs12 = /\.(p12|pfx)$/i.test(name);
      const loaded = await loadCredentialFile(
        path,
        isPkcs12 && source.password !== undefined ? { password: source.password } : {},
      );
      let key = loaded.key;
      const certificate = loaded.certificates[0]!;
      if (!key) {
        const keyName = name.replace(/\.(pem|crt|cer)$/i, ".key.pem");
        if (!keyFiles.has(keyName)) continue;
        const keyLoaded = await loadCredentialFile(join(source.store, keyName), { allowKeyOnly: true });
        if (!keyLoaded.key || keyLoaded.key.publicKeySha256 !== publicKeyFingerprint(certificate.publicKey)) {
          problems.push(`${keyName} does not hold the key of ${name}`);
          continue;
        }
        key = keyLoaded.key;
      }
      entries.push(toCredential(certificate, key, loaded.certificates.slice(1)));
    } catch (error) {
      problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const matches = entries.filter((e) => matchesFind(e.certificate, source.findType, source.findValue));
  if (matches.length === 0) {
    const seen = entries.map(
      (e) =>
        `${e.certificate.sha256} ("${e.certificate.subject.replace(/\n/g, ", ")}", SHA-1 ${e.certificate.sha1})`,
    );
    throw new ClientError(
      0,
      "CLIENT_CERT_NOT_FOUND",
      `no certificate with a private key in the store ${source.store} matches ${source.findType} "${source.findValue}"; the store holds ${seen.length === 0 ? "none" : seen.join("; ")}${problems.length > 0 ? `; unreadable: ${problems.join("; ")}` : ""}. A renewed certificate with another subject needs a new findValue`,
      { store: source.store, findType: source.findType, findValue: source.findValue },
    );
  }
  matches.sort((a, b) => b.certificate.notBefore.getTime() - a.certificate.notBefore.getTime());
  return matches[0]!;
}
