/**
 * What the registry accepts from an administrator, checked as NemLog-in checks it. Every check
 * returns or throws a `RefusedError` with a stable code and a sentence naming the file and the
 * certificate; the HTTP layer (src/control/admin-api.ts) maps its kind to a status.
 */
import { RefusedError } from "../../core/errors.js";
import type { Environment } from "../../core/events.js";
import type { Certificate } from "../../pki/index.js";
import { cvrOf } from "../../pki/inspect.js";
import { CertificateFileError, parseCredentialBytes, parseUploadedCertificate } from "../../pki/load.js";
import { DEFAULT_PRIVILEGES } from "../../smdb/privileges.js";
import type { Slot } from "../rollover.js";
import type { SystemUserIdentity } from "../types.js";
import { describeCert, iso, type SystemUserRecord } from "./model.js";

/** A file that is not one public certificate (garbage, .p12, a private key …) is bad input. */
function asRefusal(error: unknown): RefusedError {
  if (error instanceof RefusedError) return error;
  if (error instanceof CertificateFileError) return new RefusedError("invalid", error.code, error.message);
  throw error;
}

/** Parses an uploaded public certificate (DER, PEM or bare base64). */
export function parseUpload(bytes: Buffer, label: string): Certificate {
  try {
    return parseUploadedCertificate(bytes, label);
  } catch (error) {
    throw asRefusal(error);
  }
}

/** Parses one CA certificate, or a PEM bundle of them, the STS should also trust. */
export function parseTrustAnchors(bytes: Buffer, label: string): Certificate[] {
  let certificates: Certificate[];
  try {
    certificates = [parseUploadedCertificate(bytes, label)];
  } catch (error) {
    if (!(error instanceof CertificateFileError) || error.code !== "MULTIPLE_CERTIFICATES")
      throw asRefusal(error);
    certificates = parseCredentialBytes(bytes, label).certificates;
  }
  for (const cert of certificates) {
    if (!cert.x509.ca) {
      throw new RefusedError(
        "invalid",
        "NOT_A_CA_CERTIFICATE",
        `${label}: certificate ${describeCert(cert)} is not a CA certificate (no basicConstraints CA:TRUE); upload the CA that issued the client certificates (its issuing CA or root), not a client certificate`,
        { sha256: cert.sha256 },
      );
    }
  }
  return certificates;
}

/**
 * Why NemLog-in refuses `certificate` as the `slot` certificate of `user` for `env`, if it does:
 * a CA certificate, one expired at upload, one naming another organisation's CVR, one held by
 * another systembruger, or the certificate of the other slot.
 */
export function uploadRefusal(
  certificate: Certificate,
  context: {
    user: SystemUserRecord;
    env: Environment;
    slot: Slot;
    nowMs: number;
    /** The systembruger holding this certificate already, if any. */
    owner: SystemUserRecord | undefined;
    label: string;
  },
): RefusedError | undefined {
  const { user, env, slot, nowMs, owner, label } = context;
  if (certificate.x509.ca) {
    return new RefusedError(
      "invalid",
      "CA_CERTIFICATE_NOT_ALLOWED",
      `${label}: certificate ${describeCert(certificate)} is a CA certificate; upload the systembruger's own function/system certificate (.cer)`,
      { sha256: certificate.sha256 },
    );
  }
  if (nowMs > certificate.notAfter.getTime()) {
    return new RefusedError(
      "unprocessable",
      "CERT_EXPIRED_AT_UPLOAD",
      `${label}: certificate ${describeCert(certificate)} expired at ${certificate.notAfter.toISOString()} (now ${iso(nowMs)}); upload a certificate that is still valid (a renewed one)`,
      { sha256: certificate.sha256, notAfter: certificate.notAfter.toISOString() },
    );
  }
  // NemLog-in takes only the organisation's own certificates for its systembrugere: a
  // certificate that names another CVR (OCES3 NTRDK-…, FOCES CVR:…) is refused. One that names
  // none (a vendor's own test CA) is taken as it is.
  const certificateCvr = cvrOf(certificate);
  if (certificateCvr !== null && certificateCvr !== user.identity.cvr) {
    return new RefusedError(
      "invalid",
      "CERT_CVR_MISMATCH",
      `${label}: certificate ${describeCert(certificate)} belongs to CVR ${certificateCvr}, but systembruger "${user.identity.name}" (${user.identity.id}) belongs to CVR ${user.identity.cvr}; upload a certificate issued to CVR ${user.identity.cvr}`,
      { sha256: certificate.sha256, certificateCvr, systemUserCvr: user.identity.cvr },
    );
  }
  if (owner && owner.identity.id !== user.identity.id) {
    return new RefusedError(
      "conflict",
      "CERT_IN_USE",
      `${label}: certificate ${certificate.sha256} is already registered for another systembruger, "${owner.identity.name}" (${owner.identity.id}); a certificate identifies exactly one systembruger — issue a separate certificate for this one`,
      { sha256: certificate.sha256, systemUser: owner.identity.id },
    );
  }
  const otherSlot: Slot = slot === "current" ? "next" : "current";
  if (user.draft[env][otherSlot]?.sha256 === certificate.sha256) {
    return new RefusedError(
      "conflict",
      "CERT_IN_OTHER_SLOT",
      `${label}: certificate ${certificate.sha256} is already the ${otherSlot} certificate of this systembruger for ${env}; current and next must be different certificates`,
      { sha256: certificate.sha256 },
    );
  }
  return undefined;
}

/** A systembruger id given by the caller: 1–64 letters, digits, ".", "_" or "-". */
export function validateSystemUserId(id: unknown): string {
  if (typeof id !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(id)) {
    throw new RefusedError(
      "invalid",
      "BAD_REQUEST",
      `id ${JSON.stringify(id)} must be 1–64 letters, digits, ".", "_" or "-"`,
    );
  }
  return id;
}

/** Name, CVR, entity ID and privileges of a systembruger, from untrusted input. */
export function validateIdentity(
  input: Record<string, unknown>,
  fallbackPrivileges: readonly string[] | undefined,
): Omit<SystemUserIdentity, "id"> {
  const { name, cvr, entityId, privileges } = input;
  if (typeof name !== "string" || name.trim() === "" || name.length > 200) {
    throw new RefusedError(
      "invalid",
      "BAD_REQUEST",
      `name must be a non-empty string of at most 200 characters (got ${JSON.stringify(name)})`,
    );
  }
  if (typeof cvr !== "string" || !/^\d{8}$/.test(cvr)) {
    throw new RefusedError(
      "invalid",
      "BAD_REQUEST",
      `cvr must be a CVR number of exactly 8 digits as a string, e.g. "91234567" (fictitious test numbers start with 9); got ${JSON.stringify(cvr)}`,
    );
  }
  if (
    typeof entityId !== "string" ||
    entityId.trim() === "" ||
    entityId.length > 1024 ||
    /\s/.test(entityId)
  ) {
    throw new RefusedError(
      "invalid",
      "BAD_REQUEST",
      `entityId must be the WSC's entity ID, a URI without spaces, e.g. "https://kommune.example/smdb-klient"; got ${JSON.stringify(entityId)}`,
    );
  }
  let list: string[];
  if (privileges === undefined) list = [...(fallbackPrivileges ?? DEFAULT_PRIVILEGES)];
  else if (Array.isArray(privileges) && privileges.every((p) => typeof p === "string" && p.trim() !== "")) {
    list = [...new Set(privileges as string[])];
  } else {
    throw new RefusedError(
      "invalid",
      "BAD_REQUEST",
      `privileges must be a list of privilege URIs, e.g. ${JSON.stringify(DEFAULT_PRIVILEGES)}; got ${JSON.stringify(privileges)}`,
    );
  }
  return { name: name.trim(), cvr, entityId, privileges: list };
}

/** A WSP's entity ID (the AppliesTo clients ask tokens for). */
export function validateWspEntityId(entityId: unknown): string {
  if (
    typeof entityId !== "string" ||
    entityId.trim() === "" ||
    entityId.length > 1024 ||
    /\s/.test(entityId)
  ) {
    throw new RefusedError(
      "invalid",
      "BAD_REQUEST",
      `entityId must be the WSP's entity ID, a URI without spaces (the AppliesTo address clients ask for); got ${JSON.stringify(entityId)}`,
    );
  }
  return entityId;
}
