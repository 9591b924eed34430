/**
 * The one STS certificate verdict: what the STS says of a client certificate in an environment
 * at a given time, once the request itself has passed (signature, addressing, timestamp). The
 * token endpoint refuses with exactly this reason and sentence, and every admin view and page
 * badge shows exactly this verdict, so what the page says is by construction what the STS does.
 *
 * The checks, in this order (docs/sts.md, checks 11 and 12):
 *   chains to a trust anchor that is valid now                     CERT_UNTRUSTED_ISSUER
 *   within its own validity                         CERT_NOT_YET_VALID / CERT_EXPIRED
 *   not revoked                                                    CERT_REVOKED
 *   the registry's decision (exact registered certificate, provisioning, rollover policy)
 *     CERT_NOT_REGISTERED / CERT_NOT_PROVISIONED / CERT_NOT_YET_ACTIVE / CERT_SUPERSEDED
 *
 * A pure function of the directory's state, the certificate and the time.
 */
import type { Environment } from "../core/events.js";
import type { Certificate } from "../pki/index.js";
import type { StsDirectory, SystemUserIdentity } from "./types.js";

export type CertificateVerdictReason =
  | "OK"
  | "CERT_UNTRUSTED_ISSUER"
  | "CERT_NOT_YET_VALID"
  | "CERT_EXPIRED"
  | "CERT_REVOKED"
  | "CERT_NOT_REGISTERED"
  | "CERT_NOT_PROVISIONED"
  | "CERT_NOT_YET_ACTIVE"
  | "CERT_SUPERSEDED";

export interface CertificateVerdict {
  reason: CertificateVerdictReason;
  /** One sentence for a developer, naming the certificate's SHA-256 thumbprint and what was expected. */
  message: string;
  /** The systembruger the certificate belongs to, when the registry knows it. */
  systemUser?: SystemUserIdentity;
  /** The trust anchor the certificate chains to, when it does. */
  issuer?: Certificate;
}

/** Chain results by `leaf:anchor` thumbprints: a signature check on a CA key is paid once. */
const issuedByCache = new Map<string, boolean>();

function issuedBy(leaf: Certificate, anchor: Certificate): boolean {
  const key = `${leaf.sha256}:${anchor.sha256}`;
  let result = issuedByCache.get(key);
  if (result === undefined) {
    try {
      result = leaf.isIssuedBy(anchor);
    } catch {
      result = false;
    }
    if (issuedByCache.size > 10_000) issuedByCache.clear();
    issuedByCache.set(key, result);
  }
  return result;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function oneLine(name: string): string {
  return name.replace(/\n/g, ", ");
}

/** What the STS says of `certificate` in `env` at `nowMs` (harness time). */
export function stsCertificateVerdict(
  directory: StsDirectory,
  env: Environment,
  certificate: Certificate,
  nowMs: number,
): CertificateVerdict {
  const cert = certificate;
  const anchors = directory.trustAnchors();
  const issuers = anchors.filter((a) => issuedBy(cert, a));
  if (issuers.length === 0) {
    return {
      reason: "CERT_UNTRUSTED_ISSUER",
      message: `certificate ${cert.sha256} (issuer "${oneLine(cert.issuer)}") is not issued by a CA the STS trusts; trusted CAs: ${anchors.map((a) => `${a.sha256} ("${oneLine(a.subject)}")`).join(", ") || "none"}; expected a certificate from one of them, or add its issuing CA as a trust anchor`,
    };
  }
  const issuer = issuers.find((a) => a.isValidAt(nowMs));
  if (!issuer) {
    const ca = issuers[0]!;
    return {
      reason: "CERT_UNTRUSTED_ISSUER",
      message: `certificate ${cert.sha256} is issued by CA ${ca.sha256} ("${oneLine(ca.subject)}"), which is valid only ${ca.notBefore.toISOString()} – ${ca.notAfter.toISOString()}; STS time is ${iso(nowMs)}`,
    };
  }
  if (nowMs < cert.notBefore.getTime()) {
    return {
      reason: "CERT_NOT_YET_VALID",
      issuer,
      message: `certificate ${cert.sha256} is not valid before ${cert.notBefore.toISOString()}; STS time is ${iso(nowMs)}`,
    };
  }
  if (nowMs > cert.notAfter.getTime()) {
    return {
      reason: "CERT_EXPIRED",
      issuer,
      message: `certificate ${cert.sha256} expired at ${cert.notAfter.toISOString()}; STS time is ${iso(nowMs)}: deploy the renewed certificate (and make sure NemLog-in has it provisioned)`,
    };
  }
  if (directory.isRevoked(cert.sha256)) {
    return {
      reason: "CERT_REVOKED",
      issuer,
      message: `certificate ${cert.sha256} is revoked; expected a certificate that is not revoked`,
    };
  }
  const decision = directory.decideClientCertificate(env, cert, nowMs);
  const systemUser = decision.systemUser;
  // A decision of OK without a systembruger cannot happen; should it, the STS does not issue.
  const reason = decision.reason === "OK" && !systemUser ? "CERT_NOT_REGISTERED" : decision.reason;
  const message = decision.message.includes(cert.sha256)
    ? decision.message
    : `certificate ${cert.sha256}: ${decision.message}`;
  return { reason, message, issuer, ...(systemUser ? { systemUser } : {}) };
}
