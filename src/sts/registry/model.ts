/**
 * The registry's data model: what a NemLog-in administrator edits for a systembruger, per
 * environment, in three certificate sets with the slots `current` and `next` — the *draft*
 * (uploads edit it), the *saved* set ("Gem tekniske oplysninger" copies every draft to it) and
 * the *provisioned* set ("Provisioner til …" copies the saved set of one environment). Only
 * provisioned sets matter to the STS. Plain data and pure helpers; no I/O, no clock.
 */
import { ENVIRONMENTS, type Environment } from "../../core/events.js";
import type { Certificate } from "../../pki/index.js";
import { type ProvisionedSet, SLOTS, type Slot } from "../rollover.js";
import type { SystemUserIdentity, WspRegistration } from "../types.js";

export interface CertificateSet {
  current?: Certificate;
  next?: Certificate;
}

export interface SystemUserRecord {
  identity: SystemUserIdentity;
  createdAtMs: number;
  draft: Record<Environment, CertificateSet>;
  saved: Record<Environment, CertificateSet>;
  savedAtMs?: number;
  provisioned: Partial<Record<Environment, ProvisionedSet>>;
}

export interface RevokedCertificate {
  sha256: string;
  subject: string;
  revokedAtMs: number;
}

export interface StoredWsp extends WspRegistration {
  /** Registered by the harness itself (the simulated SMDB), not through the admin API. */
  builtIn: boolean;
}

/** Everything the registry holds (what is persisted, and what the STS's questions read). */
export interface RegistryContent {
  users: Map<string, SystemUserRecord>;
  wsps: Record<Environment, Map<string, StoredWsp>>;
  revoked: Map<string, RevokedCertificate>;
  /** CA certificates added through the admin API (the test CA's are built in, not stored). */
  addedAnchors: Map<string, Certificate>;
}

export function emptyContent(): RegistryContent {
  return {
    users: new Map(),
    wsps: { integration: new Map(), production: new Map() },
    revoked: new Map(),
    addedAnchors: new Map(),
  };
}

export function emptySets(): Record<Environment, CertificateSet> {
  return { integration: {}, production: {} };
}

export function sameSet(a: CertificateSet, b: CertificateSet): boolean {
  return a.current?.sha256 === b.current?.sha256 && a.next?.sha256 === b.next?.sha256;
}

/** The slot of `set` holding the certificate with this thumbprint, if any. */
export function slotOf(set: CertificateSet | undefined, sha256: string): Slot | undefined {
  return SLOTS.find((slot) => set?.[slot]?.sha256 === sha256);
}

/** Every certificate of a systembruger, in any set and environment (provisioned first). */
export function* certificatesOf(user: SystemUserRecord): Generator<Certificate> {
  for (const env of ENVIRONMENTS) {
    for (const set of [user.provisioned[env], user.saved[env], user.draft[env]]) {
      for (const slot of SLOTS) {
        const cert = set?.[slot];
        if (cert) yield cert;
      }
    }
  }
}

/** sha256 → the id of the systembruger holding that certificate in any set. */
export function ownerIndex(users: Iterable<SystemUserRecord>): Map<string, string> {
  const owners = new Map<string, string>();
  for (const user of users)
    for (const cert of certificatesOf(user)) owners.set(cert.sha256, user.identity.id);
  return owners;
}

export function describeCert(cert: Certificate): string {
  return `${cert.sha256} (subject "${cert.subject.replace(/\n/g, ", ")}")`;
}

export function describeUser(user: SystemUserRecord): string {
  return `systembruger "${user.identity.name}" (${user.identity.id}, CVR ${user.identity.cvr})`;
}

export const ENV_LABEL: Record<Environment, string> = {
  integration: "integrationstest",
  production: "produktion",
};

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
