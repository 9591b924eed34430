/**
 * The systembruger registry of the mock NemLog-in: what an administrator edits in the
 * NemLog-in administration (draft → saved → provisioned per environment), the WSP
 * registrations, revoked certificates and extra trust anchors — and the STS's questions about
 * them (`StsDirectory`).
 *
 * Every systembruger has, per environment, three certificate sets with the slots `current` and
 * `next`: the *draft* (uploads edit it), the *saved* set ("Gem tekniske oplysninger" copies every
 * draft to it) and the *provisioned* set ("Provisioner til integrationstest/produktion" copies the
 * saved set of that environment). Only provisioned sets matter to the STS; which certificate of a
 * provisioned set is accepted at a given time is the rollover rule (rollover.ts).
 *
 * State lives in memory and, with a state dir, in one JSON file (`registry.json`, certificates
 * as PEM) written atomically after every change. Every change appends an `admin` event.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { readJsonIfExists, writeJsonAtomic } from "../core/atomic-file.js";
import type { Clock } from "../core/clock.js";
import { HarnessError } from "../core/errors.js";
import { ENVIRONMENTS, type Environment, type EventLog } from "../core/events.js";
import { Certificate } from "../pki/index.js";
import { cvrOf } from "../pki/inspect.js";
import { CertificateFileError, parseCredentialBytes, parseUploadedCertificate } from "../pki/load.js";
import { DEFAULT_PRIVILEGES } from "../smdb/privileges.js";
import {
  DEFAULT_ROLLOVER_POLICY,
  decideRollover,
  isRolloverPolicy,
  type ProvisionedSet,
  ROLLOVER_POLICIES,
  type RolloverDecision,
  type RolloverPolicy,
  SLOTS,
  type Slot,
} from "./rollover.js";
import type {
  ClientCertificateDecision,
  StsDirectory,
  SystemUserIdentity,
  WspRegistration,
} from "./types.js";
import { stsCertificateVerdict } from "./verdict.js";

/** A rejected admin request: HTTP status, stable error code, and a sentence. */
export class AdminError extends HarnessError {
  override readonly name = "AdminError";
  constructor(
    public readonly status: number,
    reason: string,
    message: string,
    detail: Record<string, unknown> = {},
  ) {
    super(reason, message, detail);
  }
}

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

export interface RegistryOptions {
  clock: Clock;
  events: EventLog;
  /** Undefined: in memory only. */
  stateDir?: string;
  /** The test CA's certificates (root and issuing): always trusted, not persisted here. */
  builtInTrustAnchors?: Certificate[];
  /** The rollover policy; when undefined, the persisted one, or `at-expiry`. */
  policy?: RolloverPolicy;
}

export const REGISTRY_FILE = "registry.json";

const ENV_LABEL: Record<Environment, string> = { integration: "integrationstest", production: "produktion" };

function emptySets(): Record<Environment, CertificateSet> {
  return { integration: {}, production: {} };
}

function describeCert(cert: Certificate): string {
  return `${cert.sha256} (subject "${cert.subject.replace(/\n/g, ", ")}")`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export class Registry implements StsDirectory {
  readonly #clock: Clock;
  readonly #events: EventLog;
  readonly #file: string | undefined;
  readonly #builtInAnchors: Certificate[];
  #policy: RolloverPolicy;
  readonly #users = new Map<string, SystemUserRecord>();
  readonly #wsps: Record<Environment, Map<string, StoredWsp>> = {
    integration: new Map(),
    production: new Map(),
  };
  readonly #revoked = new Map<string, RevokedCertificate>();
  readonly #anchors = new Map<string, Certificate>();
  /** sha256 → owning systembruger id (any set, any environment). Rebuilt after changes. */
  #owners: Map<string, string> | undefined;
  #writing: Promise<void> = Promise.resolve();
  #anchorList: Certificate[] | undefined;

  private constructor(options: RegistryOptions) {
    this.#clock = options.clock;
    this.#events = options.events;
    this.#file = options.stateDir === undefined ? undefined : join(options.stateDir, REGISTRY_FILE);
    this.#builtInAnchors = options.builtInTrustAnchors ?? [];
    this.#policy = options.policy ?? DEFAULT_ROLLOVER_POLICY;
  }

  /** Opens the registry, loading `registry.json` from the state dir when there is one. */
  static async open(options: RegistryOptions): Promise<Registry> {
    const registry = new Registry(options);
    if (registry.#file) {
      const stored = await readJsonIfExists<StoredRegistry>(registry.#file);
      if (stored) registry.#load(stored, options.policy);
      else await registry.#persist();
    }
    return registry;
  }

  /** The file the registry is persisted in, if any. */
  get file(): string | undefined {
    return this.#file;
  }

  // --- StsDirectory ------------------------------------------------------------------------

  decideClientCertificate(
    env: Environment,
    certificate: Certificate,
    nowMs: number,
  ): ClientCertificateDecision {
    const ownerId = this.#ownerIndex().get(certificate.sha256);
    const user = ownerId === undefined ? undefined : this.#users.get(ownerId);
    if (!user) {
      const sameSubject = this.#sameSubject(certificate);
      return {
        reason: "CERT_NOT_REGISTERED",
        acceptedSha256: [],
        message:
          `certificate ${describeCert(certificate)} is not registered for any systembruger` +
          (sameSubject
            ? ` (a different certificate with the same subject, ${sameSubject.sha256}, is registered for systembruger "${sameSubject.user.identity.name}" (${sameSubject.user.identity.id}): the STS identifies a systembruger by the exact certificate, not by its subject)`
            : "") +
          `; upload its public part (.cer) to the systembruger in NemLog-in, save, and provision it to ${env}`,
      };
    }
    const who = `systembruger "${user.identity.name}" (${user.identity.id}, CVR ${user.identity.cvr})`;
    const provisioned = user.provisioned[env];
    const decision = provisioned ? decideRollover(provisioned, this.#policy, nowMs) : undefined;
    const acceptedSha256 = decision?.acceptedSha256 ?? [];
    const acceptedText =
      acceptedSha256.length > 0
        ? `the STS accepts ${acceptedSha256.join(" or ")} for it in ${env} now`
        : provisioned
          ? `the STS accepts no certificate for it in ${env} now`
          : `nothing is provisioned to ${env} for it`;
    const slotDecision = decision?.slots.find((s) => s.certificate.sha256 === certificate.sha256);
    if (slotDecision) {
      const reason = slotDecision.status;
      const message =
        reason === "OK"
          ? `certificate ${certificate.sha256} is provisioned as ${slotDecision.slot} for ${who} in ${env} and ${slotDecision.explanation}`
          : `certificate ${certificate.sha256} is provisioned as ${slotDecision.slot} for ${who} in ${env}, but ${slotDecision.explanation}; ${acceptedText}`;
      return { reason, systemUser: user.identity, acceptedSha256, message };
    }
    const other: Environment = env === "integration" ? "production" : "integration";
    const where = (sets: Partial<Record<Environment, CertificateSet>>, e: Environment): Slot | undefined =>
      SLOTS.find((slot) => sets[e]?.[slot]?.sha256 === certificate.sha256);
    let situation: string;
    const savedSlot = where(user.saved, env);
    const draftSlot = where(user.draft, env);
    const otherProvisioned = where(user.provisioned, other);
    if (savedSlot) {
      situation =
        `is saved as ${savedSlot} for ${who} for ${env} but not provisioned to ${env}` +
        (otherProvisioned ? ` (it is provisioned to ${other})` : "") +
        `; provision it ("Provisioner til ${ENV_LABEL[env]}")`;
    } else if (draftSlot) {
      situation =
        `is in the unsaved draft (${draftSlot}) of ${who} for ${env}` +
        (otherProvisioned ? ` (it is provisioned to ${other})` : "") +
        `; save ("Gem tekniske oplysninger") and then provision it to ${env}`;
    } else if (otherProvisioned) {
      situation = `is provisioned to ${other} only for ${who}, not to ${env}; upload it for ${env}, save, and provision it to ${env}`;
    } else {
      const otherSaved = where(user.saved, other) ?? where(user.draft, other);
      situation = `is registered for ${who} for ${other} only${otherSaved ? " (not provisioned)" : ""}, not for ${env}; upload it for ${env}, save, and provision it to ${env}`;
    }
    return {
      reason: "CERT_NOT_PROVISIONED",
      systemUser: user.identity,
      acceptedSha256,
      message: `certificate ${certificate.sha256} ${situation}; ${acceptedText}`,
    };
  }

  findWsp(env: Environment, entityId: string): WspRegistration | undefined {
    return this.#wsps[env].get(entityId);
  }

  isRevoked(certificateSha256: string): boolean {
    return this.#revoked.has(certificateSha256.toUpperCase());
  }

  trustAnchors(): Certificate[] {
    if (!this.#anchorList) this.#anchorList = [...this.#builtInAnchors, ...this.#anchors.values()];
    return this.#anchorList;
  }

  // --- reading -----------------------------------------------------------------------------

  get policy(): RolloverPolicy {
    return this.#policy;
  }

  systemUsers(): SystemUserRecord[] {
    return [...this.#users.values()];
  }

  systemUser(id: string): SystemUserRecord {
    const user = this.#users.get(id);
    if (!user) {
      const known = [...this.#users.keys()];
      const listed =
        known.length === 0
          ? "there are none yet (POST /admin/api/system-users creates one)"
          : `known ids: ${known
              .slice(0, 10)
              .map((k) => JSON.stringify(k))
              .join(
                ", ",
              )}${known.length > 10 ? `, … (${known.length} in all; GET /admin/api/system-users)` : ""}`;
      throw new AdminError(
        404,
        "UNKNOWN_SYSTEM_USER",
        `there is no systembruger with id "${id}"; ${listed}`,
        {
          known,
        },
      );
    }
    return user;
  }

  /** The rollover decision for a systembruger's provisioned set in `env` now, if provisioned. */
  rollover(id: string, env: Environment, nowMs = this.#clock.nowMs()): RolloverDecision | undefined {
    const set = this.systemUser(id).provisioned[env];
    return set ? decideRollover(set, this.#policy, nowMs) : undefined;
  }

  wsps(env: Environment): StoredWsp[] {
    return [...this.#wsps[env].values()];
  }

  revoked(): RevokedCertificate[] {
    return [...this.#revoked.values()];
  }

  addedTrustAnchors(): Certificate[] {
    return [...this.#anchors.values()];
  }

  /** Resolves when every change so far is on disk. */
  flush(): Promise<void> {
    return this.#writing;
  }

  // --- changes -----------------------------------------------------------------------------

  async setPolicy(policy: RolloverPolicy): Promise<void> {
    if (!ROLLOVER_POLICIES.includes(policy)) {
      throw new AdminError(
        400,
        "BAD_POLICY",
        `"${String(policy)}" is not a rollover policy; use one of ${ROLLOVER_POLICIES.join(", ")}`,
      );
    }
    const previous = this.#policy;
    this.#policy = policy;
    this.#event("POLICY_CHANGED", { detail: `rollover policy ${previous} → ${policy}` });
    await this.#persist();
  }

  async createSystemUser(input: {
    name: string;
    cvr: string;
    entityId: string;
    privileges?: string[];
    id?: string;
  }): Promise<SystemUserRecord> {
    const identity = validateIdentity(input, undefined);
    const id = input.id ?? `su-${randomBytes(4).toString("hex")}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(id)) {
      throw new AdminError(400, "BAD_REQUEST", `id "${id}" must be 1–64 letters, digits, ".", "_" or "-"`);
    }
    if (this.#users.has(id))
      throw new AdminError(409, "CONFLICT", `a systembruger with id "${id}" already exists`);
    this.#checkEntityIdFree(identity.entityId, undefined);
    const record: SystemUserRecord = {
      identity: { ...identity, id },
      createdAtMs: this.#clock.nowMs(),
      draft: emptySets(),
      saved: emptySets(),
      provisioned: {},
    };
    this.#users.set(id, record);
    this.#event("SYSTEM_USER_CREATED", {
      systemUser: id,
      detail: `systembruger "${record.identity.name}" (CVR ${record.identity.cvr}, entity ID ${record.identity.entityId}) created`,
    });
    await this.#persist();
    return record;
  }

  async updateSystemUser(
    id: string,
    changes: { name?: unknown; cvr?: unknown; entityId?: unknown; privileges?: unknown },
  ): Promise<SystemUserRecord> {
    const user = this.systemUser(id);
    const merged = validateIdentity(
      {
        name: changes.name ?? user.identity.name,
        cvr: changes.cvr ?? user.identity.cvr,
        entityId: changes.entityId ?? user.identity.entityId,
        privileges: changes.privileges ?? user.identity.privileges,
      },
      user.identity.privileges,
    );
    this.#checkEntityIdFree(merged.entityId, id);
    user.identity = { ...merged, id };
    this.#event("SYSTEM_USER_UPDATED", {
      systemUser: id,
      detail: `systembruger "${merged.name}" updated: CVR ${merged.cvr}, entity ID ${merged.entityId}, privileges ${merged.privileges.join(" ") || "(none)"}`,
    });
    await this.#persist();
    return user;
  }

  async deleteSystemUser(id: string): Promise<void> {
    const user = this.systemUser(id);
    this.#users.delete(id);
    this.#owners = undefined;
    this.#event("SYSTEM_USER_DELETED", {
      systemUser: id,
      detail: `systembruger "${user.identity.name}" deleted`,
    });
    await this.#persist();
  }

  /**
   * Uploads a certificate (DER, PEM or bare base64) into a slot of the draft for `env`.
   * Refused with a sentence: .p12/.pfx, private keys, garbage, CA certificates, certificates
   * expired at upload, certificates registered for another systembruger.
   */
  async uploadCertificate(
    id: string,
    env: Environment,
    slot: Slot,
    bytes: Buffer,
    label = "the uploaded file",
  ): Promise<Certificate> {
    const user = this.systemUser(id);
    let certificate: Certificate;
    try {
      certificate = parseUpload(bytes, label);
      const now = this.#clock.nowMs();
      if (certificate.x509.ca) {
        throw new AdminError(
          400,
          "CA_CERTIFICATE_NOT_ALLOWED",
          `${label}: certificate ${describeCert(certificate)} is a CA certificate; upload the systembruger's own function/system certificate (.cer)`,
          { sha256: certificate.sha256 },
        );
      }
      if (now > certificate.notAfter.getTime()) {
        throw new AdminError(
          422,
          "CERT_EXPIRED_AT_UPLOAD",
          `${label}: certificate ${describeCert(certificate)} expired at ${certificate.notAfter.toISOString()} (now ${iso(now)}); upload a certificate that is still valid (a renewed one)`,
          { sha256: certificate.sha256, notAfter: certificate.notAfter.toISOString() },
        );
      }
      // NemLog-in takes only the organisation's own certificates for its systembrugere: a
      // certificate that names another CVR (OCES3 NTRDK-…, FOCES CVR:…) is refused. One that
      // names none (a vendor's own test CA) is taken as it is.
      const certificateCvr = cvrOf(certificate);
      if (certificateCvr !== null && certificateCvr !== user.identity.cvr) {
        throw new AdminError(
          400,
          "CERT_CVR_MISMATCH",
          `${label}: certificate ${describeCert(certificate)} belongs to CVR ${certificateCvr}, but systembruger "${user.identity.name}" (${id}) belongs to CVR ${user.identity.cvr}; upload a certificate issued to CVR ${user.identity.cvr}`,
          { sha256: certificate.sha256, certificateCvr, systemUserCvr: user.identity.cvr },
        );
      }
      const ownerId = this.#ownerIndex().get(certificate.sha256);
      if (ownerId !== undefined && ownerId !== id) {
        const owner = this.#users.get(ownerId)!;
        throw new AdminError(
          409,
          "CERT_IN_USE",
          `${label}: certificate ${certificate.sha256} is already registered for another systembruger, "${owner.identity.name}" (${ownerId}); a certificate identifies exactly one systembruger — issue a separate certificate for this one`,
          { sha256: certificate.sha256, systemUser: ownerId },
        );
      }
      const otherSlot: Slot = slot === "current" ? "next" : "current";
      if (user.draft[env][otherSlot]?.sha256 === certificate.sha256) {
        throw new AdminError(
          409,
          "CERT_IN_OTHER_SLOT",
          `${label}: certificate ${certificate.sha256} is already the ${otherSlot} certificate of this systembruger for ${env}; current and next must be different certificates`,
          { sha256: certificate.sha256 },
        );
      }
    } catch (error) {
      const rejection = asAdminError(error);
      this.#event(rejection.reason, {
        env,
        systemUser: id,
        outcome: "rejected",
        ...(typeof rejection.detail.sha256 === "string" ? { certSha256: rejection.detail.sha256 } : {}),
        detail: `upload to ${slot} for ${env} refused: ${rejection.message}`,
      });
      throw rejection;
    }
    user.draft[env][slot] = certificate;
    this.#owners = undefined;
    this.#event("CERTIFICATE_UPLOADED", {
      env,
      systemUser: id,
      certSha256: certificate.sha256,
      detail: `certificate ${describeCert(certificate)} (valid ${certificate.notBefore.toISOString()} – ${certificate.notAfter.toISOString()}) put in the draft as ${slot} for ${env}; not saved yet`,
    });
    await this.#persist();
    return certificate;
  }

  /** Empties a slot of the draft. */
  async removeCertificate(id: string, env: Environment, slot: Slot): Promise<void> {
    const user = this.systemUser(id);
    const cert = user.draft[env][slot];
    if (!cert) {
      throw new AdminError(
        404,
        "SLOT_EMPTY",
        `the draft of "${user.identity.name}" has no ${slot} certificate for ${env}`,
      );
    }
    delete user.draft[env][slot];
    this.#owners = undefined;
    this.#event("CERTIFICATE_REMOVED", {
      env,
      systemUser: id,
      certSha256: cert.sha256,
      detail: `certificate ${cert.sha256} removed from the draft (${slot}, ${env}); not saved yet`,
    });
    await this.#persist();
  }

  /** "Gem tekniske oplysninger": copies every environment's draft to its saved set. */
  async save(id: string): Promise<SystemUserRecord> {
    const user = this.systemUser(id);
    const changed = ENVIRONMENTS.filter((env) => !sameSet(user.draft[env], user.saved[env]));
    for (const env of ENVIRONMENTS) user.saved[env] = { ...user.draft[env] };
    user.savedAtMs = this.#clock.nowMs();
    this.#owners = undefined;
    this.#event("SAVED", {
      systemUser: id,
      detail:
        changed.length > 0
          ? `saved the technical details of "${user.identity.name}" (changed for ${changed.join(" and ")}); the STS is unaffected until provisioned`
          : `saved "${user.identity.name}" (no changes)`,
    });
    await this.#persist();
    return user;
  }

  /**
   * "Provisioner til …": copies the saved set of `env` to the provisioned set of `env` now.
   * `atMs` schedules the activation of `next` (policy `immediate`); it must not be in the past.
   */
  async provision(id: string, env: Environment, atMs?: number): Promise<ProvisionedSet> {
    const user = this.systemUser(id);
    const saved = user.saved[env];
    const now = this.#clock.nowMs();
    if (!saved.current && !saved.next) {
      throw new AdminError(
        409,
        "NOTHING_SAVED",
        `"${user.identity.name}" has no saved certificate for ${env}; upload one for ${env} and save before provisioning` +
          (user.draft[env].current || user.draft[env].next ? " (the draft has one: save it first)" : ""),
      );
    }
    if (atMs !== undefined && !Number.isFinite(atMs)) {
      throw new AdminError(400, "BAD_TIME", `the scheduled activation must be a time (got ${String(atMs)})`);
    }
    if (atMs !== undefined && atMs < now) {
      throw new AdminError(
        400,
        "BAD_REQUEST",
        `the scheduled activation ${iso(atMs)} is in the past (now ${iso(now)}); give a future time, or none to activate now`,
      );
    }
    const previous = user.provisioned[env];
    // Re-provisioning the same next certificate does not move its activation later.
    const keepTime = previous && atMs === undefined && previous.next?.sha256 === saved.next?.sha256;
    const set: ProvisionedSet = {
      ...(saved.current ? { current: saved.current } : {}),
      ...(saved.next ? { next: saved.next } : {}),
      provisionedAtMs: keepTime ? previous.provisionedAtMs : now,
      ...(atMs !== undefined
        ? { activateAtMs: atMs }
        : keepTime && previous.activateAtMs !== undefined
          ? { activateAtMs: previous.activateAtMs }
          : {}),
    };
    user.provisioned[env] = set;
    this.#owners = undefined;
    const certs = SLOTS.filter((slot) => set[slot])
      .map((slot) => `${slot} ${set[slot]!.sha256}`)
      .join(", ");
    this.#event("PROVISIONED", {
      env,
      systemUser: id,
      ...(set.next ? { certSha256: set.next.sha256 } : set.current ? { certSha256: set.current.sha256 } : {}),
      detail: `provisioned "${user.identity.name}" to ${env}: ${certs}${atMs !== undefined ? `; next scheduled to replace current at ${iso(atMs)} (policy immediate)` : ""}`,
    });
    await this.#persist();
    return set;
  }

  /** Revokes a certificate (any certificate; the STS refuses it from now on). */
  async revoke(bytes: Buffer, label = "the uploaded file"): Promise<RevokedCertificate> {
    const certificate = parseUpload(bytes, label);
    const existing = this.#revoked.get(certificate.sha256);
    if (existing) return existing;
    const entry = {
      sha256: certificate.sha256,
      subject: certificate.subject.replace(/\n/g, ", "),
      revokedAtMs: this.#clock.nowMs(),
    };
    this.#revoked.set(certificate.sha256, entry);
    const owner = this.#ownerIndex().get(certificate.sha256);
    this.#event("CERTIFICATE_REVOKED", {
      ...(owner ? { systemUser: owner } : {}),
      certSha256: certificate.sha256,
      detail: `certificate ${describeCert(certificate)} revoked`,
    });
    await this.#persist();
    return entry;
  }

  /** Adds CA certificates (one, or a PEM bundle) the STS also trusts for client certificates. */
  async addTrustAnchors(
    bytes: Buffer,
    label = "the uploaded file",
  ): Promise<{ added: Certificate[]; known: Certificate[] }> {
    let certificates: Certificate[];
    try {
      certificates = [parseUploadedCertificate(bytes, label)];
    } catch (error) {
      if (!(error instanceof CertificateFileError) || error.code !== "MULTIPLE_CERTIFICATES")
        throw asAdminError(error);
      certificates = parseCredentialBytes(bytes, label).certificates;
    }
    for (const cert of certificates) {
      if (!cert.x509.ca) {
        throw new AdminError(
          400,
          "NOT_A_CA_CERTIFICATE",
          `${label}: certificate ${describeCert(cert)} is not a CA certificate (no basicConstraints CA:TRUE); upload the CA that issued the client certificates (its issuing CA or root), not a client certificate`,
          { sha256: cert.sha256 },
        );
      }
    }
    const known = [...this.#builtInAnchors, ...this.#anchors.values()].map((c) => c.sha256);
    const added = certificates.filter((c) => !known.includes(c.sha256));
    for (const cert of added) {
      this.#anchors.set(cert.sha256, cert);
      this.#anchorList = undefined;
      this.#event("TRUST_ANCHOR_ADDED", {
        certSha256: cert.sha256,
        detail: `the STS now also trusts client certificates issued under ${describeCert(cert)}`,
      });
    }
    if (added.length > 0) await this.#persist();
    return { added, known: certificates.filter((c) => !added.includes(c)) };
  }

  /** Registers (or replaces) a WSP in `env`. */
  async registerWsp(
    env: Environment,
    entityId: string,
    encryptionCertificate: Certificate,
    options: { builtIn?: boolean } = {},
  ): Promise<StoredWsp> {
    if (typeof entityId !== "string" || entityId.trim() === "" || entityId.length > 1024) {
      throw new AdminError(
        400,
        "BAD_REQUEST",
        "entityId must be a non-empty string (the WSP's entity ID, a URI)",
      );
    }
    const existing = this.#wsps[env].get(entityId);
    const builtIn = options.builtIn ?? false;
    if (
      existing &&
      existing.encryptionCertificate.sha256 === encryptionCertificate.sha256 &&
      existing.builtIn === builtIn
    ) {
      return existing;
    }
    const wsp: StoredWsp = { entityId, encryptionCertificate, builtIn };
    this.#wsps[env].set(entityId, wsp);
    this.#event("WSP_REGISTERED", {
      env,
      certSha256: encryptionCertificate.sha256,
      detail: `WSP ${entityId} ${existing ? "re-registered" : "registered"} in ${env}; tokens for it are encrypted to ${encryptionCertificate.sha256}`,
    });
    await this.#persist();
    return wsp;
  }

  // --- internals ---------------------------------------------------------------------------

  #checkEntityIdFree(entityId: string, exceptId: string | undefined): void {
    for (const user of this.#users.values()) {
      if (user.identity.id !== exceptId && user.identity.entityId === entityId) {
        throw new AdminError(
          409,
          "CONFLICT",
          `entity ID ${entityId} is already used by systembruger "${user.identity.name}" (${user.identity.id}); each systembruger needs its own entity ID`,
        );
      }
    }
  }

  #sameSubject(certificate: Certificate): { sha256: string; user: SystemUserRecord } | undefined {
    for (const user of this.#users.values()) {
      for (const env of ENVIRONMENTS) {
        for (const set of [user.provisioned[env], user.saved[env], user.draft[env]]) {
          for (const slot of SLOTS) {
            const cert = set?.[slot];
            if (cert && cert.subject === certificate.subject) return { sha256: cert.sha256, user };
          }
        }
      }
    }
    return undefined;
  }

  #ownerIndex(): Map<string, string> {
    if (!this.#owners) {
      const owners = new Map<string, string>();
      for (const user of this.#users.values()) {
        for (const env of ENVIRONMENTS) {
          for (const set of [user.draft[env], user.saved[env], user.provisioned[env]]) {
            for (const slot of SLOTS) {
              const cert = set?.[slot];
              if (cert) owners.set(cert.sha256, user.identity.id);
            }
          }
        }
      }
      this.#owners = owners;
    }
    return this.#owners;
  }

  #event(
    reason: string,
    fields: {
      env?: Environment;
      systemUser?: string;
      certSha256?: string;
      outcome?: "ok" | "rejected";
      detail: string;
    },
  ): void {
    this.#events.append({
      env: fields.env ?? null,
      step: null,
      component: "admin",
      outcome: fields.outcome ?? "ok",
      reason,
      ...(fields.systemUser ? { systemUser: fields.systemUser } : {}),
      ...(fields.certSha256 ? { certSha256: fields.certSha256 } : {}),
      detail: fields.detail,
    });
  }

  #persist(): Promise<void> {
    const file = this.#file;
    if (!file) return Promise.resolve();
    // Serialized: each write snapshots the state when it runs, so the last write is the newest.
    const write = this.#writing.catch(() => undefined).then(() => writeJsonAtomic(file, this.#toJson()));
    this.#writing = write;
    return write;
  }

  #toJson(): StoredRegistry {
    const setJson = (set: CertificateSet | undefined) => ({
      ...(set?.current ? { current: set.current.pem } : {}),
      ...(set?.next ? { next: set.next.pem } : {}),
    });
    return {
      version: 1,
      policy: this.#policy,
      systemUsers: [...this.#users.values()].map((user) => ({
        ...user.identity,
        createdAt: iso(user.createdAtMs),
        ...(user.savedAtMs !== undefined ? { savedAt: iso(user.savedAtMs) } : {}),
        draft: { integration: setJson(user.draft.integration), production: setJson(user.draft.production) },
        saved: { integration: setJson(user.saved.integration), production: setJson(user.saved.production) },
        provisioned: Object.fromEntries(
          ENVIRONMENTS.filter((env) => user.provisioned[env]).map((env) => {
            const set = user.provisioned[env]!;
            return [
              env,
              {
                ...setJson(set),
                provisionedAt: iso(set.provisionedAtMs),
                ...(set.activateAtMs !== undefined ? { activateAt: iso(set.activateAtMs) } : {}),
              },
            ];
          }),
        ),
      })),
      wsps: Object.fromEntries(
        ENVIRONMENTS.map((env) => [
          env,
          this.wsps(env).map((w) => ({
            entityId: w.entityId,
            certificate: w.encryptionCertificate.pem,
            builtIn: w.builtIn,
          })),
        ]),
      ) as Record<Environment, StoredRegistry["wsps"]["integration"]>,
      revoked: this.revoked().map((r) => ({
        sha256: r.sha256,
        subject: r.subject,
        revokedAt: iso(r.revokedAtMs),
      })),
      trustAnchors: this.addedTrustAnchors().map((c) => c.pem),
    };
  }

  #load(stored: StoredRegistry, policyOverride: RolloverPolicy | undefined): void {
    if (stored.version !== 1) {
      throw new Error(`${this.#file}: unsupported registry version ${String(stored.version)} (expected 1)`);
    }
    const pem = (text: string | undefined) => (text ? Certificate.fromPem(text) : undefined);
    const setOf = (json: StoredSet | undefined): CertificateSet => {
      const set: CertificateSet = {};
      const current = pem(json?.current);
      const next = pem(json?.next);
      if (current) set.current = current;
      if (next) set.next = next;
      return set;
    };
    this.#policy =
      policyOverride ?? (isRolloverPolicy(stored.policy) ? stored.policy : DEFAULT_ROLLOVER_POLICY);
    for (const json of stored.systemUsers ?? []) {
      const provisioned: Partial<Record<Environment, ProvisionedSet>> = {};
      for (const env of ENVIRONMENTS) {
        const p = json.provisioned?.[env];
        if (!p) continue;
        provisioned[env] = {
          ...setOf(p),
          provisionedAtMs: Date.parse(p.provisionedAt),
          ...(p.activateAt ? { activateAtMs: Date.parse(p.activateAt) } : {}),
        };
      }
      this.#users.set(json.id, {
        identity: {
          id: json.id,
          name: json.name,
          cvr: json.cvr,
          entityId: json.entityId,
          privileges: json.privileges,
        },
        createdAtMs: Date.parse(json.createdAt),
        ...(json.savedAt ? { savedAtMs: Date.parse(json.savedAt) } : {}),
        draft: { integration: setOf(json.draft?.integration), production: setOf(json.draft?.production) },
        saved: { integration: setOf(json.saved?.integration), production: setOf(json.saved?.production) },
        provisioned,
      });
    }
    for (const env of ENVIRONMENTS) {
      for (const w of stored.wsps?.[env] ?? []) {
        this.#wsps[env].set(w.entityId, {
          entityId: w.entityId,
          encryptionCertificate: Certificate.fromPem(w.certificate),
          builtIn: w.builtIn,
        });
      }
    }
    for (const r of stored.revoked ?? []) {
      this.#revoked.set(r.sha256, {
        sha256: r.sha256,
        subject: r.subject,
        revokedAtMs: Date.parse(r.revokedAt),
      });
    }
    for (const text of stored.trustAnchors ?? []) {
      const cert = Certificate.fromPem(text);
      this.#anchors.set(cert.sha256, cert);
    }
    this.#owners = undefined;
  }
}

// --- persisted form ----------------------------------------------------------------------------

interface StoredSet {
  current?: string;
  next?: string;
}

interface StoredRegistry {
  version: number;
  policy: RolloverPolicy;
  systemUsers: Array<
    SystemUserIdentity & {
      createdAt: string;
      savedAt?: string;
      draft: Record<Environment, StoredSet>;
      saved: Record<Environment, StoredSet>;
      provisioned: Partial<Record<Environment, StoredSet & { provisionedAt: string; activateAt?: string }>>;
    }
  >;
  wsps: Record<Environment, Array<{ entityId: string; certificate: string; builtIn: boolean }>>;
  revoked: Array<{ sha256: string; subject: string; revokedAt: string }>;
  trustAnchors: string[];
}

// --- helpers ----------------------------------------------------------------------------------

function sameSet(a: CertificateSet, b: CertificateSet): boolean {
  return a.current?.sha256 === b.current?.sha256 && a.next?.sha256 === b.next?.sha256;
}

const UPLOAD_STATUS: Partial<Record<string, number>> = {
  EMPTY_FILE: 400,
  NOT_A_CERTIFICATE: 400,
  PKCS12_NOT_ALLOWED: 400,
  PRIVATE_KEY_NOT_ALLOWED: 400,
  MULTIPLE_CERTIFICATES: 400,
};

/** Parses an uploaded public certificate, turning file errors into 400s. */
export function parseUpload(bytes: Buffer, label: string): Certificate {
  try {
    return parseUploadedCertificate(bytes, label);
  } catch (error) {
    throw asAdminError(error);
  }
}

function asAdminError(error: unknown): AdminError {
  if (error instanceof AdminError) return error;
  if (error instanceof CertificateFileError) {
    return new AdminError(UPLOAD_STATUS[error.code] ?? 400, error.code, error.message);
  }
  throw error;
}

function validateIdentity(
  input: Record<string, unknown>,
  fallbackPrivileges: string[] | undefined,
): Omit<SystemUserIdentity, "id"> {
  const { name, cvr, entityId, privileges } = input;
  if (typeof name !== "string" || name.trim() === "" || name.length > 200) {
    throw new AdminError(
      400,
      "BAD_REQUEST",
      `name must be a non-empty string of at most 200 characters (got ${JSON.stringify(name)})`,
    );
  }
  if (typeof cvr !== "string" || !/^\d{8}$/.test(cvr)) {
    throw new AdminError(
      400,
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
    throw new AdminError(
      400,
      "BAD_REQUEST",
      `entityId must be the WSC's entity ID, a URI without spaces, e.g. "https://kommune.example/smdb-klient"; got ${JSON.stringify(entityId)}`,
    );
  }
  let list: string[];
  if (privileges === undefined) list = [...(fallbackPrivileges ?? DEFAULT_PRIVILEGES)];
  else if (Array.isArray(privileges) && privileges.every((p) => typeof p === "string" && p.trim() !== "")) {
    list = [...new Set(privileges as string[])];
  } else {
    throw new AdminError(
      400,
      "BAD_REQUEST",
      `privileges must be a list of privilege URIs, e.g. ${JSON.stringify(DEFAULT_PRIVILEGES)}; got ${JSON.stringify(privileges)}`,
    );
  }
  return { name: name.trim(), cvr, entityId, privileges: list };
}

/** JSON view of a certificate for the admin API and UI. */
export function certificateView(cert: Certificate | undefined, nowMs?: number) {
  if (!cert) return null;
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

/** JSON view of a systembruger: identity, and per environment draft, saved, provisioned and the decision now. */
export function systemUserView(registry: Registry, user: SystemUserRecord, nowMs: number) {
  const setView = (set: CertificateSet | undefined) =>
    set ? { current: certificateView(set.current, nowMs), next: certificateView(set.next, nowMs) } : null;
  const perEnv = <T>(fn: (env: Environment) => T) =>
    Object.fromEntries(ENVIRONMENTS.map((env) => [env, fn(env)])) as Record<Environment, T>;
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
        ...setView(set),
        provisionedAt: iso(set.provisionedAtMs),
        activateAt: set.activateAtMs === undefined ? null : iso(set.activateAtMs),
      };
    }),
    status: perEnv((env) => {
      const decision = registry.rollover(user.identity.id, env, nowMs);
      const provisioned = user.provisioned[env];
      // What a token request with each provisioned certificate gets now: the STS's own verdict.
      const slots = (decision?.slots ?? []).map((s) => {
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
