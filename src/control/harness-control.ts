/**
 * `HarnessControl`: the one surface through which a harness is driven — what a NemLog-in
 * administrator does (systembrugere, upload → save → provision, revoke), the harness's own
 * knobs (rollover policy, the SMDB's trust in the STS, STS signing rotation, trust anchors, WSP
 * registrations, the clock) and what it tells (events, the endpoints a client needs).
 *
 * Two implementations, one behaviour (a contract suite runs against both):
 *   - `LocalControl` (local-control.ts): in-process, on the harness's own objects; every change
 *     records an event.
 *   - `RemoteControl` (remote-control.ts): the same over `/admin/api` with fetch, for a harness in
 *     another process or container.
 * The admin API (admin-api.ts) is a thin HTTP mapping of `LocalControl`; the scenario runner and
 * the admin page drive only this interface. Refusals are `RefusedError`s (src/core/errors.ts) with
 * a stable code and a sentence, on both sides.
 */
import type { Environment, HarnessEvent } from "../core/events.js";
import type { RolloverPolicy, Slot } from "../sts/rollover.js";
import type { CertificateView, SystemUserView } from "./views.js";

export type { CertificateView, SystemUserView };

/** Everything a client needs to connect to one environment of the harness. */
export interface ClientEndpoints {
  environment: Environment;
  /** `POST` here for a token (step 1, SOAP 1.1). */
  stsUrl: string;
  /** The `wsa:To` the STS expects, and the Issuer of its assertions. */
  stsEndpointReference: string;
  /** The certificate the STS signs with now (PEM): the client must trust it beforehand. */
  stsCertificatePem: string;
  /** `POST` here for SMDB operations (step 2, SOAP 1.2). */
  wspUrl: string;
  /** The `AppliesTo` to ask a token for (the SMDB's entity ID). */
  wspEntityId: string;
  /** The certificate the SMDB signs its answers with (PEM). */
  wspCertificatePem: string;
  /** The CA bundle (PEM) that issued the harness's TLS server certificate; null over plain HTTP. */
  tlsCaPem: string | null;
}

/** One environment as the admin API describes it (a superset of `ClientEndpoints`). */
export interface EnvironmentView extends ClientEndpoints {
  env: Environment;
  stsCertificateSha256: string;
  /** Earlier STS signing certificates (after rotations), oldest first. */
  stsCertificateHistory: Array<{ sha256: string; pem: string }>;
  wspCertificateSha256: string;
}

export interface NewSystemUser {
  name: string;
  /** 8 digits; fictitious test numbers start with 9. */
  cvr: string;
  /** The WSC's entity ID: the token's Subject NameID. */
  entityId: string;
  /** Privilege URIs; default: every SMDB privilege. */
  privileges?: string[];
  /** Default: a generated one. */
  id?: string;
}

export interface SystemUserChanges {
  name?: string;
  cvr?: string;
  entityId?: string;
  privileges?: string[];
}

/** A certificate file: DER, PEM or bare base64, as bytes or as text. */
export type CertificateFile = Uint8Array | string;

export interface UploadResult {
  env: Environment;
  slot: Slot;
  certificate: CertificateView;
  systemUser: SystemUserView;
}

export interface RevokedView {
  sha256: string;
  subject: string;
  revokedAt: string;
}

export interface TrustAnchorView extends CertificateView {
  /** The harness's own test CA (not added through the control surface). */
  builtIn: boolean;
}

export interface WspView {
  entityId: string;
  builtIn: boolean;
  certificate: CertificateView;
}

/**
 * A WSP registration: its entity ID and (optionally) the certificate tokens for it are
 * encrypted to; when none is given the harness issues one. A WSP that is a service of its own
 * (the `smdb` service of a split harness) also says where clients reach it and which CA signed its
 * TLS certificate, so that the NemLog-in side can describe it to clients.
 */
export interface WspRegistrationInput {
  entityId: string;
  certificatePem?: string;
  /** The WSP's endpoint, e.g. `https://smdb:8443/production/smdb`. */
  url?: string;
  /** PEM of the CA(s) of the WSP's TLS server certificate. */
  tlsCaPem?: string;
}

export interface RegisteredWsp {
  env: Environment;
  entityId: string;
  certificatePem: string;
  certificateSha256: string;
  /** Only when the harness issued the certificate: its private key, for the WSP to decrypt with. */
  privateKeyPem?: string;
}

/** How the SMDB trusts the STS's token-signing certificate, as set through the control surface. */
export type WspTrustInput =
  | { mode: "current" }
  | { mode: "pin-thumbprint"; thumbprints: string[] }
  /** Certificates with one of these subjects under the harness's test CA. */
  | { mode: "subject-and-chain"; subjects: string[] };

export type WspTrustView =
  | { mode: "current" }
  | { mode: "pin-thumbprint"; thumbprints: string[] }
  | { mode: "subject-and-chain"; subjects: string[]; anchors: string[] };

export interface StsRotation {
  env: Environment;
  previousSha256: string;
  currentSha256: string;
  certificatePem: string;
}

export interface SettingsView {
  policy: RolloverPolicy;
  policies: readonly RolloverPolicy[];
  virtualClock: boolean;
  [setting: string]: unknown;
}

export interface ClockView {
  now: string;
  nowMs: number;
  virtual: boolean;
}

export interface EventsPage {
  events: HarnessEvent[];
  lastSeq: number;
}

export interface HarnessControl {
  // --- environments --------------------------------------------------------------------------
  environment(env: Environment): Promise<EnvironmentView>;
  /** Everything a client needs to connect to `env`. */
  clientEndpoints(env: Environment): Promise<ClientEndpoints>;

  // --- systembrugere (NemLog-in administration) ----------------------------------------------
  systemUsers(): Promise<SystemUserView[]>;
  systemUser(id: string): Promise<SystemUserView>;
  createSystemUser(input: NewSystemUser): Promise<SystemUserView>;
  updateSystemUser(id: string, changes: SystemUserChanges): Promise<SystemUserView>;
  deleteSystemUser(id: string): Promise<void>;
  /** Puts a certificate in a slot of the draft for `env` (not saved, not provisioned). */
  uploadCertificate(id: string, env: Environment, slot: Slot, file: CertificateFile): Promise<UploadResult>;
  removeCertificate(id: string, env: Environment, slot: Slot): Promise<SystemUserView>;
  /** "Gem tekniske oplysninger": every environment's draft becomes its saved set. */
  save(id: string): Promise<SystemUserView>;
  /**
   * "Provisioner til integrationstest/produktion": the saved set of `env` becomes what the STS
   * uses, now. `at` (ISO 8601 or relative like "+10d") schedules `next` under `immediate`.
   */
  provision(id: string, env: Environment, options?: { at?: string }): Promise<SystemUserView>;

  // --- certificates and trust ----------------------------------------------------------------
  revokeCertificate(file: CertificateFile): Promise<RevokedView>;
  revokedCertificates(): Promise<RevokedView[]>;
  trustAnchors(): Promise<TrustAnchorView[]>;
  /** A CA certificate (or PEM bundle) the STS should also trust for client certificates. */
  addTrustAnchors(file: CertificateFile): Promise<{ added: CertificateView[]; alreadyTrusted: string[] }>;

  // --- the services ------------------------------------------------------------------------------
  wsps(env: Environment): Promise<WspView[]>;
  registerWsp(env: Environment, input: WspRegistrationInput): Promise<RegisteredWsp>;
  wspTrust(env: Environment): Promise<WspTrustView>;
  setWspTrust(env: Environment, trust: WspTrustInput): Promise<WspTrustView>;
  /** The STS of `env` signs with a new certificate from now on (same subject, new key). */
  rotateStsSigningCertificate(env: Environment): Promise<StsRotation>;

  // --- settings, clock, events -----------------------------------------------------------------
  settings(): Promise<SettingsView>;
  setPolicy(policy: RolloverPolicy): Promise<SettingsView>;
  clock(): Promise<ClockView>;
  /** Only on a virtual clock: sets harness time (ISO 8601, or relative to now like "-1d"). */
  setClock(to: string | Date | number): Promise<ClockView>;
  /** Only on a virtual clock: moves harness time by a duration ("10d", "+1h30m", or ms). */
  advanceClock(by: string | number): Promise<ClockView>;
  /** Events with a sequence number greater than `since` (default 0). */
  events(since?: number): Promise<EventsPage>;
}
