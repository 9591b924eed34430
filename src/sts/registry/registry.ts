/**
 * The systembruger registry of the mock NemLog-in: the commands an administrator gives
 * (create, upload to the draft, "Gem tekniske oplysninger", "Provisioner til …", revoke), the
 * WSP registrations and extra trust anchors — and the STS's questions about them
 * (`StsDirectory`). Every change appends one `admin` event (a refused upload too) and, with a
 * state dir, is written atomically to `registry.json` before the command resolves.
 *
 * The data model is model.ts, the checks on input input.ts, the decision text for the STS
 * decision.ts, the file format persistence.ts; views for the admin API are src/control/views.ts.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { readJsonIfExists, writeJsonAtomic } from "../../core/atomic-file.js";
import type { Clock } from "../../core/clock.js";
import { RefusedError } from "../../core/errors.js";
import { ENVIRONMENTS, type Environment, type EventLog } from "../../core/events.js";
import type { Certificate } from "../../pki/index.js";
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
} from "../rollover.js";
import type { ClientCertificateDecision, StsDirectory, WspRegistration } from "../types.js";
import { decideClientCertificate } from "./decision.js";
import {
  parseTrustAnchors,
  parseUpload,
  uploadRefusal,
  validateIdentity,
  validateSystemUserId,
  validateWspEntityId,
} from "./input.js";
import {
  describeCert,
  emptyContent,
  emptySets,
  iso,
  ownerIndex,
  type RegistryContent,
  type RevokedCertificate,
  type StoredWsp,
  type SystemUserRecord,
  sameSet,
} from "./model.js";
import { REGISTRY_FILE, registryFromJson, registryToJson, type StoredRegistry } from "./persistence.js";

export interface RegistryOptions {
  clock: Clock;
  events: EventLog;
  /** Undefined: in memory only. */
  stateDir?: string;
  /** The test CA's certificates (root and issuing): always trusted, not persisted here. */
  builtInTrustAnchors?: Certificate[];
  /** The rollover policy; when undefined, the persisted one, or the default. */
  policy?: RolloverPolicy;
}

export class Registry implements StsDirectory {
  readonly #clock: Clock;
  readonly #events: EventLog;
  readonly #file: string | undefined;
  readonly #builtInAnchors: Certificate[];
  #policy: RolloverPolicy;
  #content: RegistryContent = emptyContent();
  /** sha256 → owning systembruger id (any set, any environment). Rebuilt after changes. */
  #owners: Map<string, string> | undefined;
  #anchorList: Certificate[] | undefined;
  #writing: Promise<void> = Promise.resolve();

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
    const file = registry.#file;
    if (file) {
      const stored = await readJsonIfExists<StoredRegistry>(file);
      if (stored) {
        const { content, policy } = registryFromJson(stored, file);
        registry.#content = content;
        registry.#policy = options.policy ?? policy;
      } else {
        await registry.#persist();
      }
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
    return decideClientCertificate(
      this.#content.users,
      this.#ownerIndex(),
      this.#policy,
      env,
      certificate,
      nowMs,
    );
  }

  findWsp(env: Environment, entityId: string): WspRegistration | undefined {
    return this.#content.wsps[env].get(entityId);
  }

  isRevoked(certificateSha256: string): boolean {
    return this.#content.revoked.has(certificateSha256.toUpperCase());
  }

  trustAnchors(): Certificate[] {
    if (!this.#anchorList)
      this.#anchorList = [...this.#builtInAnchors, ...this.#content.addedAnchors.values()];
    return this.#anchorList;
  }

  // --- reading -----------------------------------------------------------------------------

  get policy(): RolloverPolicy {
    return this.#policy;
  }

  systemUsers(): SystemUserRecord[] {
    return [...this.#content.users.values()];
  }

  systemUser(id: string): SystemUserRecord {
    const user = this.#content.users.get(id);
    if (!user) {
      const known = [...this.#content.users.keys()];
      const listed =
        known.length === 0
          ? "there are none yet (POST /admin/api/system-users creates one)"
          : `known ids: ${known
              .slice(0, 10)
              .map((k) => JSON.stringify(k))
              .join(
                ", ",
              )}${known.length > 10 ? `, … (${known.length} in all; GET /admin/api/system-users)` : ""}`;
      throw new RefusedError(
        "not-found",
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
    return [...this.#content.wsps[env].values()];
  }

  revoked(): RevokedCertificate[] {
    return [...this.#content.revoked.values()];
  }

  addedTrustAnchors(): Certificate[] {
    return [...this.#content.addedAnchors.values()];
  }

  /** Resolves when every change so far is on disk. */
  flush(): Promise<void> {
    return this.#writing;
  }

  // --- changes -----------------------------------------------------------------------------

  async setPolicy(policy: RolloverPolicy): Promise<void> {
    if (!isRolloverPolicy(policy)) {
      throw new RefusedError(
        "invalid",
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
    name: unknown;
    cvr: unknown;
    entityId: unknown;
    privileges?: unknown;
    id?: unknown;
  }): Promise<SystemUserRecord> {
    const identity = validateIdentity(input, undefined);
    const id =
      input.id === undefined ? `su-${randomBytes(4).toString("hex")}` : validateSystemUserId(input.id);
    if (this.#content.users.has(id)) {
      throw new RefusedError("conflict", "CONFLICT", `a systembruger with id "${id}" already exists`);
    }
    this.#checkEntityIdFree(identity.entityId, undefined);
    const record: SystemUserRecord = {
      identity: { ...identity, id },
      createdAtMs: this.#clock.nowMs(),
      draft: emptySets(),
      saved: emptySets(),
      provisioned: {},
    };
    this.#content.users.set(id, record);
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
    this.#content.users.delete(id);
    this.#owners = undefined;
    this.#event("SYSTEM_USER_DELETED", {
      systemUser: id,
      detail: `systembruger "${user.identity.name}" deleted`,
    });
    await this.#persist();
  }

  /**
   * Uploads a certificate (DER, PEM or bare base64) into a slot of the draft for `env`.
   * Refused with a sentence (input.ts): .p12/.pfx, private keys, garbage, CA certificates,
   * certificates expired at upload or naming another CVR, certificates of another systembruger.
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
      const ownerId = this.#ownerIndex().get(certificate.sha256);
      const refusal = uploadRefusal(certificate, {
        user,
        env,
        slot,
        nowMs: this.#clock.nowMs(),
        owner: ownerId === undefined ? undefined : this.#content.users.get(ownerId),
        label,
      });
      if (refusal) throw refusal;
    } catch (error) {
      if (!(error instanceof RefusedError)) throw error;
      this.#event(error.reason, {
        env,
        systemUser: id,
        outcome: "rejected",
        ...(typeof error.detail.sha256 === "string" ? { certSha256: error.detail.sha256 } : {}),
        detail: `upload to ${slot} for ${env} refused: ${error.message}`,
      });
      throw error;
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
      throw new RefusedError(
        "not-found",
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
      throw new RefusedError(
        "conflict",
        "NOTHING_SAVED",
        `"${user.identity.name}" has no saved certificate for ${env}; upload one for ${env} and save before provisioning` +
          (user.draft[env].current || user.draft[env].next ? " (the draft has one: save it first)" : ""),
      );
    }
    if (atMs !== undefined && !Number.isFinite(atMs)) {
      throw new RefusedError(
        "invalid",
        "BAD_TIME",
        `the scheduled activation must be a time (got ${String(atMs)})`,
      );
    }
    if (atMs !== undefined && atMs < now) {
      throw new RefusedError(
        "invalid",
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
    const existing = this.#content.revoked.get(certificate.sha256);
    if (existing) return existing;
    const entry = {
      sha256: certificate.sha256,
      subject: certificate.subject.replace(/\n/g, ", "),
      revokedAtMs: this.#clock.nowMs(),
    };
    this.#content.revoked.set(certificate.sha256, entry);
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
    const certificates = parseTrustAnchors(bytes, label);
    const known = this.trustAnchors().map((c) => c.sha256);
    const added = certificates.filter((c) => !known.includes(c.sha256));
    for (const cert of added) {
      this.#content.addedAnchors.set(cert.sha256, cert);
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
    validateWspEntityId(entityId);
    const existing = this.#content.wsps[env].get(entityId);
    const builtIn = options.builtIn ?? false;
    if (
      existing &&
      existing.encryptionCertificate.sha256 === encryptionCertificate.sha256 &&
      existing.builtIn === builtIn
    ) {
      return existing;
    }
    const wsp: StoredWsp = { entityId, encryptionCertificate, builtIn };
    this.#content.wsps[env].set(entityId, wsp);
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
    for (const user of this.#content.users.values()) {
      if (user.identity.id !== exceptId && user.identity.entityId === entityId) {
        throw new RefusedError(
          "conflict",
          "CONFLICT",
          `entity ID ${entityId} is already used by systembruger "${user.identity.name}" (${user.identity.id}); each systembruger needs its own entity ID`,
        );
      }
    }
  }

  #ownerIndex(): Map<string, string> {
    if (!this.#owners) this.#owners = ownerIndex(this.#content.users.values());
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
    const write = this.#writing
      .catch(() => undefined)
      .then(() => writeJsonAtomic(file, registryToJson(this.#content, this.#policy)));
    this.#writing = write;
    return write;
  }
}
