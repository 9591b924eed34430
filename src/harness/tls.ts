/**
 * The harness's TLS server certificate: generated under the test CA for `localhost`, 127.0.0.1,
 * ::1 and every extra host name it is reached by (`up --tls-hostname`, e.g. the service name in a
 * compose network), or the user's own (`--tls-cert`/`--tls-key`).
 */
import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import { HarnessError } from "../core/errors.js";
import {
  type Certificate,
  type Credential,
  parseCredentialBytes,
  publicKeyFingerprint,
} from "../pki/index.js";

/** Names every generated TLS certificate carries. */
export const DEFAULT_TLS_NAMES: readonly string[] = ["localhost", "127.0.0.1", "::1"];

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Why `name` cannot be a TLS host name, or undefined when it can (a DNS name or an IP address). */
export function tlsHostnameProblem(name: string): string | undefined {
  if (isIP(name)) return undefined;
  const lower = name.toLowerCase();
  if (lower.length === 0) return "is empty";
  if (lower.length > 253) return "is longer than 253 characters";
  const labels = (lower.startsWith("*.") ? lower.slice(2) : lower).split(".");
  if (labels.some((label) => !DNS_LABEL.test(label))) {
    return "is neither an IP address nor a DNS name (letters, digits and hyphens between dots)";
  }
  return undefined;
}

/** The subjectAltNames of a generated certificate: the defaults plus `extra`, without repeats. */
export function tlsNames(extra: readonly string[] = []): string[] {
  const names: string[] = [];
  for (const name of [...DEFAULT_TLS_NAMES, ...extra]) {
    const normal = isIP(name) ? name : name.toLowerCase();
    if (!names.includes(normal)) names.push(normal);
  }
  return names;
}

/** `tlsNames` split the way the certificate profile wants them. */
export function subjectAltNames(names: readonly string[]): { dnsNames: string[]; ipAddresses: string[] } {
  return {
    dnsNames: names.filter((n) => !isIP(n)),
    ipAddresses: names.filter((n) => isIP(n)),
  };
}

/** Whether two name lists name the same set (the certificate must be made again when not). */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const sa = [...new Set(a)].sort();
  const sb = [...new Set(b)].sort();
  return sa.length === sb.length && sa.every((n, i) => n === sb[i]);
}

/** A TLS certificate the user brings: the server credential and what clients must trust. */
export interface OwnTls {
  credential: Credential;
  /** The CA certificates in the certificate file after the server's own, or the server certificate itself. */
  caPem: string;
  certFile: string;
  keyFile: string;
}

/**
 * Loads `--tls-cert` (PEM: the server certificate, optionally followed by its chain) and
 * `--tls-key` (PEM private key); the key must belong to the certificate.
 */
export async function loadOwnTls(certFile: string, keyFile: string): Promise<OwnTls> {
  const read = async (file: string, what: string) => {
    try {
      return await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new HarnessError(
        "TLS_FILE_UNREADABLE",
        `${what} ${file} cannot be read (${code === "ENOENT" ? "there is no such file" : code === "EACCES" ? "permission denied" : (error as Error).message})`,
      );
    }
  };
  const certs = parseCredentialBytes(await read(certFile, "--tls-cert"), certFile).certificates;
  const key = parseCredentialBytes(await read(keyFile, "--tls-key"), keyFile, { allowKeyOnly: true }).key;
  if (!key) throw new HarnessError("TLS_KEY_MISSING", `--tls-key ${keyFile} holds no private key`);
  const leaf = certs.find((c) => publicKeyFingerprint(c.publicKey) === key.publicKeySha256);
  if (!leaf) {
    throw new HarnessError(
      "TLS_KEY_MISMATCH",
      `the private key in ${keyFile} does not belong to the certificate in ${certFile}; give the key of that certificate`,
    );
  }
  const chain = certs.filter((c) => c !== leaf);
  return {
    credential: { certificate: leaf, key, chain },
    caPem: (chain.length > 0 ? chain : [leaf]).map((c: Certificate) => c.pem).join(""),
    certFile,
    keyFile,
  };
}
