/**
 * The JSON views the control surface answers with (and the admin API sends): certificates,
 * systembrugere with draft/saved/provisioned per environment and the STS's verdict on each
 * provisioned certificate now — `stsCertificateVerdict`, the very function the token endpoint
 * decides with, so a badge on the page is by construction what a token request gets.
 */
import { ENVIRONMENTS, type Environment } from "../core/events.js";
import type { Certificate } from "../pki/index.js";
import type { CertificateSet, SystemUserRecord } from "../sts/registry/model.js";
import { sameSet } from "../sts/registry/model.js";
import type { Registry } from "../sts/registry/registry.js";
import type { RolloverPolicy, Slot } from "../sts/rollover.js";
import type { SystemUserIdentity } from "../sts/types.js";
import { type CertificateVerdictReason, stsCertificateVerdict } from "../sts/verdict.js";

export interface CertificateView {
  sha256: string;
  sha1: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** Within its validity at harness time (when the view was made at a time). */
  validNow?: boolean;
  pem: string;
}

export interface CertificateSetView {
  current: CertificateView | null;
  next: CertificateView | null;
}

export interface SlotVerdictView {
  slot: Slot;
  sha256: string;
  /** The reason a token request with this certificate gets now (`OK` when it is accepted). */
  status: CertificateVerdictReason;
  accepted: boolean;
  explanation: string;
}

export interface EnvironmentStatusView {
  unsavedChanges: boolean;
  savedNotProvisioned: boolean;
  policy: RolloverPolicy;
  /** SHA-256 thumbprints a token request is accepted with now. */
  acceptedSha256: string[];
  slots: SlotVerdictView[];
  /** When the rollover decision next changes by the passage of time alone. */
  nextChangeAt: string | null;
}

export interface SystemUserView extends SystemUserIdentity {
  createdAt: string;
  savedAt: string | null;
  draft: Record<Environment, CertificateSetView | null>;
  saved: Record<Environment, CertificateSetView | null>;
  provisioned: Record<
    Environment,
    (CertificateSetView & { provisionedAt: string; activateAt: string | null }) | null
  >;
  status: Record<Environment, EnvironmentStatusView>;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function certificateView(cert: Certificate, nowMs?: number): CertificateView {
  return {
    sha256: cert.sha256,
    sha1: cert.sha1,
    subject: cert.subject.replace(/\n/g, ", "),
    issuer: cert.issuer.replace(/\n/g, ", "),
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    ...(nowMs !== undefined ? { validNow: cert.isValidAt(nowMs) } : {}),
    pem: cert.pem,
  };
}

function perEnv<T>(fn: (env: Environment) => T): Record<Environment, T> {
  return Object.fromEntries(ENVIRONMENTS.map((env) => [env, fn(env)])) as Record<Environment, T>;
}

/** A systembruger: identity, and per environment draft, saved, provisioned and the STS's verdict now. */
export function systemUserView(registry: Registry, user: SystemUserRecord, nowMs: number): SystemUserView {
  const setView = (set: CertificateSet | undefined): CertificateSetView | null =>
    set
      ? {
          current: set.current ? certificateView(set.current, nowMs) : null,
          next: set.next ? certificateView(set.next, nowMs) : null,
        }
      : null;
  return {
    ...user.identity,
    createdAt: iso(user.createdAtMs),
    savedAt: user.savedAtMs === undefined ? null : iso(user.savedAtMs),
    draft: perEnv((env) => setView(user.draft[env])),
    saved: perEnv((env) => setView(user.saved[env])),
    provisioned: perEnv((env) => {
      const set = user.provisioned[env];
      if (!set) return null;
      return {
        ...setView(set)!,
        provisionedAt: iso(set.provisionedAtMs),
        activateAt: set.activateAtMs === undefined ? null : iso(set.activateAtMs),
      };
    }),
    status: perEnv((env) => {
      const decision = registry.rollover(user.identity.id, env, nowMs);
      const provisioned = user.provisioned[env];
      // What a token request with each provisioned certificate gets now: the STS's own verdict.
      const slots = (decision?.slots ?? []).map((s): SlotVerdictView => {
        const verdict = stsCertificateVerdict(registry, env, s.certificate, nowMs);
        return {
          slot: s.slot,
          sha256: s.certificate.sha256,
          status: verdict.reason,
          accepted: verdict.reason === "OK",
          explanation: verdict.reason === "OK" ? s.explanation : verdict.message,
        };
      });
      return {
        unsavedChanges: !sameSet(user.draft[env], user.saved[env]),
        savedNotProvisioned: !sameSet(user.saved[env], provisioned ?? {}),
        policy: registry.policy,
        acceptedSha256: slots.filter((s) => s.accepted).map((s) => s.sha256),
        slots,
        nextChangeAt: decision?.nextChangeMs === undefined ? null : iso(decision.nextChangeMs),
      };
    }),
  };
}
