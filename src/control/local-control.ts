/**
 * `LocalControl`: `HarnessControl` on the harness's own objects, in-process. Input is checked here
 * (it may come straight from JSON through the admin API), every change records one event, and
 * every answer is the same JSON view the admin API sends, so `RemoteControl` behaves alike.
 */
import { type Clock, parseDuration, parseTime, TimeFormatError, VirtualClock } from "../core/clock.js";
import { RefusedError } from "../core/errors.js";
import { type Environment, type EventLog, isEnvironment } from "../core/events.js";
import { Certificate, type Credential } from "../pki/index.js";
import { parseUpload } from "../sts/registry/input.js";
import type { Registry } from "../sts/registry/registry.js";
import {
  isRolloverPolicy,
  isSlot,
  ROLLOVER_POLICIES,
  type RolloverPolicy,
  type Slot,
} from "../sts/rollover.js";
import type { StsTrust } from "../wsp/token.js";
import type {
  CertificateFile,
  ClientEndpoints,
  ClockView,
  EnvironmentView,
  EventsPage,
  HarnessControl,
  NewSystemUser,
  RegisteredWsp,
  RevokedView,
  SettingsView,
  StsRotation,
  SystemUserChanges,
  TrustAnchorView,
  UploadResult,
  WspRegistrationInput,
  WspTrustInput,
  WspTrustView,
  WspView,
} from "./harness-control.js";
import { certificateView, type SystemUserView, systemUserView } from "./views.js";

/**
 * The harness's identities per environment (src/harness/state.ts; in a split harness partly
 * learned from the peer service, which is why only the certificates are required).
 */
export interface HarnessIdentities {
  environment(env: Environment): {
    stsEndpointReference: string;
    stsSigning: { certificate: Certificate };
    stsHistory: Certificate[];
    wspEntityId: string;
    wsp: { certificate: Certificate };
  };
  /** The test CA (root and issuing). */
  caCertificates(): Certificate[];
  rotateStsSigningCertificate(
    env: Environment,
    events?: EventLog,
  ): Promise<{ previous: Certificate; current: Certificate }>;
  issueWspCredential(entityId: string): Promise<Credential>;
}

/** Which STS certificates the SMDB trusts, per environment: read by the WSP, changed only here. */
export type WspTrustSettings = Record<Environment, StsTrust>;

export interface ControlledHarness {
  registry: Registry;
  identities: HarnessIdentities;
  /** Harness time: certificates, rollover, tokens, events. */
  clock: Clock;
  events: EventLog;
  wspTrust: WspTrustSettings;
  /** The harness's base URL, e.g. `https://127.0.0.1:8080`. */
  baseUrl: () => string;
  /** The TLS CA bundle (PEM), or null over plain HTTP. */
  tlsCaPem: () => string | null;
  /** Read-only settings shown by `settings()` (fault mode, skew …). */
  settings?: () => Record<string, unknown>;
  /**
   * Where clients reach the STS and the SMDB of `env`, given the harness's base URL (as the
   * caller reached it). Default: both below that base URL.
   */
  serviceUrls?: (env: Environment, baseUrl: string) => { stsUrl: string; wspUrl: string };
  /** Told of every WSP registration after the registry took it (e.g. to describe the smdb service to clients). */
  onWspRegistered?: (registration: WspRegistration) => Promise<void>;
}

/** A WSP registration as the registry took it, with the endpoint facts the WSP gave. */
export interface WspRegistration {
  env: Environment;
  entityId: string;
  certificate: Certificate;
  url?: string;
  tlsCaPem?: string;
}

/** Harness times stay within years 1950–9999 (X.509 can express them; Date can print them). */
const MIN_TIME_MS = Date.parse("1950-01-01T00:00:00Z");
const MAX_TIME_MS = Date.parse("9999-12-31T23:59:59Z");

/** `ms`, or BAD_TIME when it lies outside the years harness time may take. */
export function inRange(ms: number, field: string): number {
  if (!Number.isFinite(ms) || ms < MIN_TIME_MS || ms > MAX_TIME_MS) {
    throw new RefusedError(
      "invalid",
      "BAD_TIME",
      `${field} leads to a time outside 1950-01-01 … 9999-12-31 (${Number.isFinite(ms) ? `${ms} ms since the epoch` : String(ms)}); give a time within that range`,
    );
  }
  return ms;
}

/** A time or duration from the caller, or BAD_TIME naming what was wrong with it. */
export function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof TimeFormatError) throw new RefusedError("invalid", "BAD_TIME", error.message);
    throw error;
  }
}

function invalid(message: string): RefusedError {
  return new RefusedError("invalid", "BAD_REQUEST", message);
}

export function checkEnvironment(env: unknown): Environment {
  if (!isEnvironment(env)) {
    throw new RefusedError(
      "not-found",
      "UNKNOWN_ENVIRONMENT",
      `there is no environment "${String(env)}"; use integration or production`,
    );
  }
  return env;
}

export function checkSlot(slot: unknown): Slot {
  if (!isSlot(slot)) {
    throw new RefusedError(
      "not-found",
      "UNKNOWN_SLOT",
      `there is no certificate slot "${String(slot)}"; use current or next`,
    );
  }
  return slot;
}

function fileBytes(file: CertificateFile): Buffer {
  if (typeof file === "string") return Buffer.from(file, "utf8");
  if (file instanceof Uint8Array) return Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  return Buffer.alloc(0);
}

function nonEmptyStrings(value: unknown, field: string, mode: string): string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((v) => typeof v === "string" && v.trim() !== "")
  ) {
    throw invalid(`${field} must be a non-empty list of strings for mode ${mode}`);
  }
  return value as string[];
}

export class LocalControl implements HarnessControl {
  readonly #h: ControlledHarness;
  readonly #baseUrl: () => string;

  constructor(harness: ControlledHarness, baseUrl: () => string = harness.baseUrl) {
    this.#h = harness;
    this.#baseUrl = baseUrl;
  }

  /** The same control, describing URLs as reached from `baseUrl` (e.g. the Host a request used). */
  at(baseUrl: string): LocalControl {
    return new LocalControl(this.#h, () => baseUrl);
  }

  get #now(): number {
    return this.#h.clock.nowMs();
  }

  #view(id: string): SystemUserView {
    return systemUserView(this.#h.registry, this.#h.registry.systemUser(id), this.#now);
  }

  // --- environments ----------------------------------------------------------------------------

  async environment(envInput: Environment): Promise<EnvironmentView> {
    const env = checkEnvironment(envInput);
    const identity = this.#h.identities.environment(env);
    const base = this.#baseUrl();
    const urls = this.#h.serviceUrls?.(env, base) ?? {
      stsUrl: `${base}/${env}/SecurityTokenService.svc`,
      wspUrl: `${base}/${env}/smdb`,
    };
    return {
      env,
      environment: env,
      stsUrl: urls.stsUrl,
      stsEndpointReference: identity.stsEndpointReference,
      stsCertificatePem: identity.stsSigning.certificate.pem,
      stsCertificateSha256: identity.stsSigning.certificate.sha256,
      stsCertificateHistory: identity.stsHistory.map((c) => ({ sha256: c.sha256, pem: c.pem })),
      wspUrl: urls.wspUrl,
      wspEntityId: identity.wspEntityId,
      wspCertificatePem: identity.wsp.certificate.pem,
      wspCertificateSha256: identity.wsp.certificate.sha256,
      tlsCaPem: this.#h.tlsCaPem(),
    };
  }

  async clientEndpoints(env: Environment): Promise<ClientEndpoints> {
    const view = await this.environment(env);
    return {
      environment: view.environment,
      stsUrl: view.stsUrl,
      stsEndpointReference: view.stsEndpointReference,
      stsCertificatePem: view.stsCertificatePem,
      wspUrl: view.wspUrl,
      wspEntityId: view.wspEntityId,
      wspCertificatePem: view.wspCertificatePem,
      tlsCaPem: view.tlsCaPem,
    };
  }

  // --- systembrugere ---------------------------------------------------------------------------

  async systemUsers(): Promise<SystemUserView[]> {
    const now = this.#now;
    return this.#h.registry.systemUsers().map((u) => systemUserView(this.#h.registry, u, now));
  }

  async systemUser(id: string): Promise<SystemUserView> {
    return this.#view(id);
  }

  async createSystemUser(input: NewSystemUser): Promise<SystemUserView> {
    const user = await this.#h.registry.createSystemUser(input ?? {});
    return this.#view(user.identity.id);
  }

  async updateSystemUser(id: string, changes: SystemUserChanges): Promise<SystemUserView> {
    await this.#h.registry.updateSystemUser(id, changes ?? {});
    return this.#view(id);
  }

  async deleteSystemUser(id: string): Promise<void> {
    await this.#h.registry.deleteSystemUser(id);
  }

  async uploadCertificate(
    id: string,
    envInput: Environment,
    slotInput: Slot,
    file: CertificateFile,
  ): Promise<UploadResult> {
    this.#h.registry.systemUser(id);
    const env = checkEnvironment(envInput);
    const slot = checkSlot(slotInput);
    const cert = await this.#h.registry.uploadCertificate(
      id,
      env,
      slot,
      fileBytes(file),
      `the ${slot} certificate for ${env}`,
    );
    return { env, slot, certificate: certificateView(cert, this.#now), systemUser: this.#view(id) };
  }

  async removeCertificate(id: string, env: Environment, slot: Slot): Promise<SystemUserView> {
    this.#h.registry.systemUser(id);
    await this.#h.registry.removeCertificate(id, checkEnvironment(env), checkSlot(slot));
    return this.#view(id);
  }

  async save(id: string): Promise<SystemUserView> {
    await this.#h.registry.save(id);
    return this.#view(id);
  }

  async provision(id: string, envInput: Environment, options: { at?: string } = {}): Promise<SystemUserView> {
    this.#h.registry.systemUser(id);
    const env = checkEnvironment(envInput);
    let atMs: number | undefined;
    const at = options?.at;
    if (at !== undefined && at !== null) {
      if (typeof at !== "string")
        throw invalid(`at must be an ISO 8601 time or a relative duration like "+10d"`);
      atMs = inRange(
        parsed(() => parseTime(at, this.#now)),
        "at",
      );
    }
    await this.#h.registry.provision(id, env, atMs);
    return this.#view(id);
  }

  // --- certificates and trust --------------------------------------------------------------------

  async revokeCertificate(file: CertificateFile): Promise<RevokedView> {
    const entry = await this.#h.registry.revoke(fileBytes(file), "the certificate to revoke");
    return {
      sha256: entry.sha256,
      subject: entry.subject,
      revokedAt: new Date(entry.revokedAtMs).toISOString(),
    };
  }

  async revokedCertificates(): Promise<RevokedView[]> {
    return this.#h.registry.revoked().map((r) => ({
      sha256: r.sha256,
      subject: r.subject,
      revokedAt: new Date(r.revokedAtMs).toISOString(),
    }));
  }

  async trustAnchors(): Promise<TrustAnchorView[]> {
    const added = new Set(this.#h.registry.addedTrustAnchors().map((c) => c.sha256));
    return this.#h.registry
      .trustAnchors()
      .map((c) => ({ builtIn: !added.has(c.sha256), ...certificateView(c) }));
  }

  async addTrustAnchors(
    file: CertificateFile,
  ): Promise<{ added: ReturnType<typeof certificateView>[]; alreadyTrusted: string[] }> {
    const { added, known } = await this.#h.registry.addTrustAnchors(fileBytes(file), "the trust anchor");
    return { added: added.map((c) => certificateView(c)), alreadyTrusted: known.map((c) => c.sha256) };
  }

  // --- the services --------------------------------------------------------------------------------

  async wsps(env: Environment): Promise<WspView[]> {
    return this.#h.registry.wsps(checkEnvironment(env)).map((w) => ({
      entityId: w.entityId,
      builtIn: w.builtIn,
      certificate: certificateView(w.encryptionCertificate),
    }));
  }

  async registerWsp(envInput: Environment, input: WspRegistrationInput): Promise<RegisteredWsp> {
    const env = checkEnvironment(envInput);
    const { entityId, certificatePem, url, tlsCaPem } = input ?? ({} as WspRegistrationInput);
    if (url !== undefined && (typeof url !== "string" || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url))) {
      throw invalid(`url must be the WSP's endpoint as an http(s) URL; got ${JSON.stringify(url)}`);
    }
    let tlsCa: Certificate[] = [];
    if (tlsCaPem !== undefined) {
      if (typeof tlsCaPem !== "string") throw invalid("tlsCaPem must be PEM certificates as a string");
      tlsCa = pemCertificates(tlsCaPem);
      if (tlsCa.length === 0) throw invalid("tlsCaPem holds no PEM certificate");
    }
    if (typeof entityId !== "string" || entityId.trim() === "" || /\s/.test(entityId)) {
      throw invalid(
        `entityId must be the WSP's entity ID, a URI without spaces (the AppliesTo address clients ask for); got ${JSON.stringify(entityId)}`,
      );
    }
    let certificate: Certificate;
    let privateKeyPem: string | undefined;
    if (certificatePem === undefined) {
      const credential = await this.#h.identities.issueWspCredential(entityId);
      certificate = credential.certificate;
      privateKeyPem = credential.key.privateKeyPem;
    } else if (typeof certificatePem === "string") {
      certificate = parseUpload(Buffer.from(certificatePem, "utf8"), "certificatePem");
    } else {
      throw invalid("certificatePem must be a PEM certificate as a string, or left out");
    }
    const wsp = await this.#h.registry.registerWsp(env, entityId, certificate);
    await this.#h.onWspRegistered?.({
      env,
      entityId: wsp.entityId,
      certificate,
      ...(url !== undefined ? { url } : {}),
      ...(tlsCa.length > 0 ? { tlsCaPem: tlsCa.map((c) => c.pem).join("") } : {}),
    });
    return {
      env,
      entityId: wsp.entityId,
      certificatePem: certificate.pem,
      certificateSha256: certificate.sha256,
      ...(privateKeyPem ? { privateKeyPem } : {}),
    };
  }

  async wspTrust(env: Environment): Promise<WspTrustView> {
    return trustView(this.#h.wspTrust[checkEnvironment(env)]);
  }

  async setWspTrust(envInput: Environment, input: WspTrustInput): Promise<WspTrustView> {
    const env = checkEnvironment(envInput);
    const body = (input ?? {}) as Record<string, unknown>;
    const mode = body.mode;
    const allowOnly = (allowed: string[]) => {
      const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
      if (unknown.length > 0) {
        throw invalid(
          `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")}; allowed: ${allowed.join(", ")}`,
        );
      }
    };
    let trust: StsTrust;
    if (mode === "current") {
      allowOnly(["mode"]);
      trust = { mode };
    } else if (mode === "pin-thumbprint") {
      allowOnly(["mode", "thumbprints"]);
      const thumbprints = nonEmptyStrings(body.thumbprints, "thumbprints", mode).map((t) =>
        t.replace(/[\s:]/g, "").toUpperCase(),
      );
      const bad = thumbprints.filter((t) => !/^(?:[0-9A-F]{40}|[0-9A-F]{64})$/.test(t));
      if (bad.length > 0) {
        throw invalid(
          `thumbprints must be SHA-1 (40 hex digits) or SHA-256 (64 hex digits); not: ${bad.join(", ")}`,
        );
      }
      trust = { mode, thumbprints };
    } else if (mode === "subject-and-chain") {
      allowOnly(["mode", "subjects"]);
      trust = {
        mode,
        subjects: nonEmptyStrings(body.subjects, "subjects", mode),
        anchors: this.#h.identities.caCertificates(),
      };
    } else {
      throw invalid(
        `mode must be "current", "pin-thumbprint" (with thumbprints) or "subject-and-chain" (with subjects); got ${JSON.stringify(mode)}`,
      );
    }
    this.#h.wspTrust[env] = trust;
    this.#h.events.append({
      env,
      step: null,
      component: "admin",
      outcome: "ok",
      reason: "WSP_TRUST_CHANGED",
      detail: `the ${env} SMDB now trusts ${trust.mode === "current" ? "the STS's current signing certificate" : trust.mode === "pin-thumbprint" ? `only the pinned thumbprints ${trust.thumbprints.join(", ")}` : `STS certificates with subject ${trust.subjects.join(" or ")} under the test CA`}`,
    });
    return trustView(trust);
  }

  async rotateStsSigningCertificate(envInput: Environment): Promise<StsRotation> {
    const env = checkEnvironment(envInput);
    const { previous, current } = await this.#h.identities.rotateStsSigningCertificate(env, this.#h.events);
    return {
      env,
      previousSha256: previous.sha256,
      currentSha256: current.sha256,
      certificatePem: current.pem,
    };
  }

  // --- settings, clock, events -----------------------------------------------------------------------

  async settings(): Promise<SettingsView> {
    return {
      policy: this.#h.registry.policy,
      policies: ROLLOVER_POLICIES,
      virtualClock: this.#h.clock instanceof VirtualClock,
      ...(this.#h.settings?.() ?? {}),
    };
  }

  async setPolicy(policy: RolloverPolicy): Promise<SettingsView> {
    if (!isRolloverPolicy(policy)) {
      throw new RefusedError(
        "invalid",
        "BAD_POLICY",
        `"${String(policy)}" is not a rollover policy; use one of ${ROLLOVER_POLICIES.join(", ")}`,
      );
    }
    await this.#h.registry.setPolicy(policy);
    return this.settings();
  }

  async clock(): Promise<ClockView> {
    const clock = this.#h.clock;
    return { now: clock.now().toISOString(), nowMs: clock.nowMs(), virtual: clock instanceof VirtualClock };
  }

  /** The virtual clock, or CLOCK_NOT_VIRTUAL: a real clock cannot be set. */
  requireVirtualClock(): VirtualClock {
    const clock = this.#h.clock;
    if (!(clock instanceof VirtualClock)) {
      throw new RefusedError(
        "conflict",
        "CLOCK_NOT_VIRTUAL",
        "the harness runs on the real clock, which cannot be set; start it with a virtual clock (`up --virtual-clock 2026-01-01T00:00:00Z`) to set or advance time",
      );
    }
    return clock;
  }

  #moveClock(clock: VirtualClock, toMs: number, reason: "CLOCK_SET" | "CLOCK_ADVANCED"): Promise<ClockView> {
    const before = clock.nowMs();
    clock.set(toMs);
    this.#h.events.append({
      env: null,
      step: null,
      component: "clock",
      outcome: "ok",
      reason,
      detail: `virtual clock ${new Date(before).toISOString()} → ${clock.now().toISOString()}`,
    });
    return this.clock();
  }

  async setClock(to: string | Date | number): Promise<ClockView> {
    const clock = this.requireVirtualClock();
    let ms: number;
    if (to instanceof Date) ms = to.getTime();
    else if (typeof to === "number") ms = to;
    else if (typeof to === "string") ms = parsed(() => parseTime(to, clock.nowMs()));
    else throw invalid("set must be an ISO 8601 time string");
    return this.#moveClock(clock, inRange(ms, "set"), "CLOCK_SET");
  }

  async advanceClock(by: string | number): Promise<ClockView> {
    const clock = this.requireVirtualClock();
    let ms: number;
    if (typeof by === "number") {
      if (!Number.isFinite(by)) throw invalid("advance must be a finite number of milliseconds");
      ms = by;
    } else if (typeof by === "string") {
      ms = parsed(() => parseDuration(/^[+-]/.test(by) ? by : `+${by}`));
    } else {
      throw invalid('advance must be a duration like "10d", "+1h30m" or milliseconds');
    }
    return this.#moveClock(clock, inRange(clock.nowMs() + ms, "advance"), "CLOCK_ADVANCED");
  }

  async events(since = 0): Promise<EventsPage> {
    if (!Number.isSafeInteger(since) || since < 0) {
      throw invalid(`since must be an event sequence number (0 or more); got ${JSON.stringify(since)}`);
    }
    return { events: this.#h.events.since(since), lastSeq: this.#h.events.lastSeq };
  }
}

/** The certificates of a PEM bundle, or a BAD_REQUEST naming the one that cannot be read. */
function pemCertificates(pem: string): Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block, i) => {
    try {
      return Certificate.fromPem(block);
    } catch {
      throw invalid(`tlsCaPem: certificate ${i + 1} is not a readable X.509 certificate`);
    }
  });
}

function trustView(trust: StsTrust): WspTrustView {
  return trust.mode === "subject-and-chain"
    ? { mode: trust.mode, subjects: trust.subjects, anchors: trust.anchors.map((c) => c.sha256) }
    : trust;
}
