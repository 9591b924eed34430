/**
 * The seam between the STS token endpoint (src/sts/token-service.ts) and the systembruger
 * registry (src/sts/registry.ts). The registry implements `StsDirectory`; the token endpoint
 * only asks it questions. Both are given the harness clock; neither reads the wall clock.
 */
import type { Environment } from "../core/events.js";
import type { Certificate, Credential } from "../pki/index.js";

export interface SystemUserIdentity {
  id: string;
  name: string;
  /** 8-digit CVR number. */
  cvr: string;
  /** The WSC's entity ID: the assertion's Subject NameID. */
  entityId: string;
  /** Basic Privilege Profile URIs, scoped to the CVR in the token. */
  privileges: string[];
}

/** Reason codes the registry can give for a client certificate (docs/contract.md). */
export type ClientCertificateReason =
  | "OK"
  | "CERT_NOT_REGISTERED"
  | "CERT_NOT_PROVISIONED"
  | "CERT_NOT_YET_ACTIVE"
  | "CERT_SUPERSEDED";

export interface ClientCertificateDecision {
  reason: ClientCertificateReason;
  /** The systembruger the certificate belongs to (in any state), when there is one. */
  systemUser?: SystemUserIdentity;
  /** SHA-256 thumbprints the STS would accept for that systembruger right now. */
  acceptedSha256: string[];
  /** One sentence for a developer: what was found, what was expected. */
  message: string;
}

export interface WspRegistration {
  entityId: string;
  /** The certificate the STS encrypts tokens to. */
  encryptionCertificate: Certificate;
}

export interface StsDirectory {
  /** The rollover decision for `certificate` in `env` at `nowMs` under the current policy. */
  decideClientCertificate(
    env: Environment,
    certificate: Certificate,
    nowMs: number,
  ): ClientCertificateDecision;
  findWsp(env: Environment, entityId: string): WspRegistration | undefined;
  isRevoked(certificateSha256: string): boolean;
  /** CA certificates the STS trusts for client certificates: the test CA plus those added. */
  trustAnchors(): Certificate[];
}

/** Per-environment STS identity. */
export interface StsEnvironment {
  env: Environment;
  /** The `wsa:To` the STS expects, and the assertion's Issuer. */
  endpointReference: string;
  /** Current token-signing credential (changes when the signing certificate is rotated). */
  signing(): Credential;
}
