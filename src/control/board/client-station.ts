/**
 * The board's client ("Klient"): the vendor's side of a rotation, run server-side with the real
 * reference WSC (`WscClient`, src/client) against this harness's own STS and SMDB over real
 * HTTP(S). It has a certificate store (credentials the harness knows: registered by `up` or a
 * test, issued under the harness's CA, or uploaded as .p12), a deployment (the certificate it
 * uses, an optional fallback, the environments it talks to), the STS and SMDB certificates it
 * trusts (its own copies, taken once, like a vendor's configuration), and its calls.
 *
 * A deploy restarts the client (empty token cache), as restarting the vendor's service does; a
 * rollback goes back to the deployment before. Every call is one real call (step 1 when the
 * token cache needs it, then step 2) recorded as a `client` event and kept with its messages for
 * the inspector. Calls run one at a time.
 *
 * Private keys live only in the store's credentials, in memory; no view and no event carries one.
 */
import { matchesFind } from "../../client/certificate-source.js";
import type { FindType } from "../../client/config.js";
import { ClientError } from "../../client/errors.js";
import { HttpClient } from "../../client/http.js";
import { WscClient } from "../../client/wsc-client.js";
import { type Clock, SkewedClock } from "../../core/clock.js";
import { HarnessError, RefusedError } from "../../core/errors.js";
import { type Environment, type EventLog, isEnvironment } from "../../core/events.js";
import {
  Certificate,
  type Credential,
  type IssueOptions,
  parseCredentialBytes,
  publicKeyFingerprint,
} from "../../pki/index.js";
import { type OperationName, syntheticPayload } from "../../smdb/operations.js";
import type { HarnessControl } from "../harness-control.js";
import { type CertificateView, certificateView } from "../views.js";
import type { ExchangeLog } from "./exchanges.js";

export type CertificateSourceKind = "registered" | "issued" | "uploaded" | "scenario";

export interface StoreCertificateView extends CertificateView {
  /** The certificate's SHA-256 thumbprint: how the board names a stored certificate. */
  id: string;
  label: string | null;
  source: CertificateSourceKind;
}

/** Which certificate a deployment uses: one from the store by id, or a store lookup like .NET's. */
export type CertificateRef = { certificate: string } | { findType: FindType; findValue: string };

export interface DeploymentInput {
  certificate?: string;
  /** A store lookup instead of `certificate` (scenarios with `findBy`). */
  find?: { findType: FindType; findValue: string };
  fallback?: string | null;
  fallbackFind?: { findType: FindType; findValue: string } | null;
  /** Lookups search only these stored certificates (SHA-256): what the vendor installed for this deployment. */
  within?: string[];
  /** Both STS and SMDB of this environment (default: as deployed before, else production). */
  environment?: Environment;
  /** A misconfigured client: the STS of one environment … */
  stsEnvironment?: Environment;
  /** … and the SMDB of another. */
  wspEnvironment?: Environment;
  skewMs?: number;
  tokenLifetimeMs?: number;
  operation?: OperationName;
}

interface Deployment {
  primary: CertificateRef;
  fallback: CertificateRef | null;
  /** Lookups search only these stored certificates; undefined: the whole store. */
  within?: string[];
  stsEnvironment: Environment;
  wspEnvironment: Environment;
  skewMs: number;
  tokenLifetimeMs?: number;
  operation: OperationName;
  deployedAtMs: number;
}

export interface DeploymentView {
  stsEnvironment: Environment;
  wspEnvironment: Environment;
  /** What the client uses now: null when its lookup finds nothing (it cannot start). */
  certificate: StoreCertificateView | null;
  fallback: StoreCertificateView | null;
  lookup: { findType: FindType; findValue: string } | null;
  skewMs: number;
  operation: OperationName;
  deployedAt: string;
  /** Why the client cannot start (step 0), if it cannot. */
  startError: { reason: string; message: string } | null;
}

export interface CallView {
  id: number;
  /** Harness time of the call. */
  at: string;
  atMs: number;
  ok: boolean;
  /** The step that failed (0 = nothing sent, 1 = STS, 2 = SMDB), or 2 when the call succeeded. */
  step: 0 | 1 | 2;
  reason: string;
  /** The refusal's sentence (the STS's, SMDB's or the client's own), when the call failed. */
  message: string | null;
  /** Whether a token came from the STS for this call (else the cached one was used). */
  newToken: boolean;
  stsEnvironment: Environment;
  wspEnvironment: Environment;
  /** The certificate the call was made with (the token's holder), when known. */
  certSha256: string | null;
  /** The `client` event that records the call. */
  eventSeq: number;
}

export type CallMode = "on-change" | "interval" | "manual";
export const CALL_MODES: readonly CallMode[] = ["on-change", "interval", "manual"];

export interface ClientView {
  deployment: DeploymentView | null;
  /** A deployment to roll back to. */
  canRollBack: boolean;
  certificates: StoreCertificateView[];
  calls: {
    mode: CallMode;
    intervalMs: number;
    /** Automatic calls run only while a board watches (an event stream is open). */
    watched: boolean;
  };
  recent: CallView[];
  /** The systembruger the deployed certificate belongs to, if NemLog-in knows it. */
  systemUserId: string | null;
  /** The STS signing certificates the client trusts, per environment (SHA-256). */
  trustedSts: Record<Environment, string[]>;
}

export interface StationDeps {
  control: HarnessControl;
  events: EventLog;
  /** Harness time (calls are stamped with it). */
  clock: Clock;
  /** The clock the client stamps its messages with (the harness's message clock). */
  messageClock: Clock;
  exchanges: ExchangeLog;
  /** Issues a certificate under the harness's CA; absent: the board cannot issue. */
  issue?: (options: IssueOptions) => Promise<Credential>;
  /** Whether a board is watching (automatic calls run only then). */
  watched: () => boolean;
  /** Every call, as it completes. */
  onCall?: (call: CallView) => void;
  /** Every change of the deployment. */
  onDeploy?: () => void;
}

interface StoreEntry {
  label: string | null;
  source: CertificateSourceKind;
  credential: Credential;
}

/** The course id the synthetic client reports and reads (smdb `syntheticPayload`). */
const FORLOEB_ID = "tavle-forloeb-1";

const YEAR_MS = 365 * 86_400_000;
const DAY_MS = 86_400_000;
const RECENT_CALLS = 30;
/** Client events that change what a call does: they trigger a call in `on-change` mode. */
const CLIENT_CHANGES = new Set(["CLIENT_DEPLOYED", "CLIENT_ROLLED_BACK", "CLIENT_TRUSTS_STS_CERTIFICATE"]);

function invalid(code: string, message: string): RefusedError {
  return new RefusedError("invalid", code, message);
}

export class ClientStation {
  readonly #deps: StationDeps;
  readonly #store = new Map<string, StoreEntry>();
  #deployment: Deployment | undefined;
  readonly #history: Deployment[] = [];
  #client: WscClient | undefined;
  #startError: ClientError | undefined;
  #primary: StoreEntry | undefined;
  #fallback: StoreEntry | undefined;
  #systemUserId: string | null = null;
  readonly #trustedSts: Partial<Record<Environment, Certificate[]>> = {};
  readonly #trustedWsp: Partial<Record<Environment, Certificate[]>> = {};
  #http: HttpClient | undefined;
  #recent: CallView[] = [];
  #callSeq = 0;
  #tail: Promise<unknown> = Promise.resolve();
  #queued: Promise<CallView | null> | undefined;
  #mode: CallMode = "on-change";
  #intervalMs = 3000;
  #timer: NodeJS.Timeout | undefined;
  readonly #unsubscribe: () => void;
  #closed = false;
  /** While above 0, events trigger no calls (the board's clock steps make their own). */
  #paused = 0;

  constructor(deps: StationDeps) {
    this.#deps = deps;
    this.#unsubscribe = deps.events.subscribe((event) => {
      if (this.#mode === "manual" || !this.#deployment) return;
      const change =
        event.component === "admin" ||
        event.component === "clock" ||
        (event.component === "client" && CLIENT_CHANGES.has(event.reason));
      if (change && this.#paused === 0 && deps.watched()) void this.requestCall();
    });
  }

  // --- the certificate store -----------------------------------------------------------------------

  #entryView(entry: StoreEntry): StoreCertificateView {
    const cert = entry.credential.certificate;
    return {
      id: cert.sha256,
      label: entry.label,
      source: entry.source,
      ...certificateView(cert, this.#deps.clock.nowMs()),
    };
  }

  certificates(): StoreCertificateView[] {
    return [...this.#store.values()].map((e) => this.#entryView(e));
  }

  #entry(id: string): StoreEntry {
    const entry = this.#store.get(String(id).toUpperCase());
    if (!entry) {
      throw new RefusedError(
        "not-found",
        "CLIENT_CERTIFICATE_NOT_FOUND",
        `the client's certificate store holds no certificate ${String(id)}; it holds ${[...this.#store.keys()].join(", ") || "none"}`,
      );
    }
    return entry;
  }

  /** The public certificate of a stored credential (for download as .cer). */
  certificate(id: string): Certificate {
    return this.#entry(id).credential.certificate;
  }

  /** Puts a credential in the store (a second add of the same certificate keeps the first). */
  addCredential(
    credential: Credential,
    options: { label?: string; source?: CertificateSourceKind } = {},
  ): StoreCertificateView {
    const id = credential.certificate.sha256;
    let entry = this.#store.get(id);
    if (!entry) {
      entry = { label: options.label ?? null, source: options.source ?? "registered", credential };
      this.#store.set(id, entry);
      this.#deps.events.append({
        env: null,
        step: null,
        component: "client",
        outcome: "ok",
        reason: "CLIENT_CERTIFICATE_ADDED",
        certSha256: id,
        detail: `the board's client has certificate ${id} ("${credential.certificate.subject.replace(/\n/g, ", ")}") in its store (${entry.source})`,
      });
    }
    return this.#entryView(entry);
  }

  /** A new certificate with key for a systembruger's CVR, issued under the harness's CA. */
  async issue(
    input: {
      systemUserId?: string;
      cvr?: string;
      name?: string;
      label?: string;
      notBefore?: number;
      notAfter?: number;
    } = {},
  ): Promise<StoreCertificateView> {
    const issue = this.#deps.issue;
    if (!issue) {
      throw new RefusedError(
        "conflict",
        "CANNOT_ISSUE",
        "this harness was started without a CA the board may issue under; add a credential to the client instead",
      );
    }
    const userId = input.systemUserId ?? this.#systemUserId;
    const user = userId ? await this.#deps.control.systemUser(userId) : undefined;
    const cvr = input.cvr ?? user?.cvr;
    if (!cvr || !/^\d{8}$/.test(cvr)) {
      throw invalid(
        "BAD_REQUEST",
        "give the systembruger (systemUserId) or the CVR number (8 digits) the certificate is for",
      );
    }
    const now = this.#deps.clock.nowMs();
    const notBefore = input.notBefore ?? now - DAY_MS;
    const notAfter = input.notAfter ?? notBefore + 3 * YEAR_MS - 1000;
    if (!(notAfter > notBefore)) throw invalid("BAD_TIME", "notAfter must be after notBefore");
    const credential = await issue({
      profile: "oces3-system",
      cvr,
      name: input.name ?? user?.name ?? `Systemcertifikat ${cvr}`,
      notBefore: new Date(notBefore),
      notAfter: new Date(notAfter),
    });
    return this.addCredential(credential, {
      ...(input.label !== undefined ? { label: input.label } : {}),
      source: "issued",
    });
  }

  /** A .p12/.pfx with the key, as a vendor would install it. */
  importPkcs12(bytes: Buffer, password: string, label?: string): StoreCertificateView {
    let loaded: ReturnType<typeof parseCredentialBytes>;
    try {
      loaded = parseCredentialBytes(bytes, "the uploaded .p12", { password });
    } catch (error) {
      if (error instanceof HarnessError) throw invalid(error.reason, error.message);
      throw error;
    }
    if (!loaded.key) {
      throw invalid(
        "PRIVATE_KEY_MISSING",
        "the file holds no private key; the client needs its certificate with the key (.p12/.pfx)",
      );
    }
    const [certificate, ...chain] = loaded.certificates;
    if (!certificate || loaded.key.publicKeySha256 !== publicKeyFingerprint(certificate.publicKey)) {
      throw invalid("PRIVATE_KEY_MISSING", "the file's key does not belong to its certificate");
    }
    return this.addCredential(
      { certificate, key: loaded.key, chain },
      { ...(label !== undefined ? { label } : {}), source: "uploaded" },
    );
  }

  // --- deployment ------------------------------------------------------------------------------

  /** Restarts the client with another certificate setup (empty token cache). */
  async deploy(input: DeploymentInput): Promise<ClientView> {
    const before = this.#deployment;
    const env = (value: unknown, field: string): Environment | undefined => {
      if (value === undefined) return undefined;
      if (!isEnvironment(value)) throw invalid("BAD_REQUEST", `${field} must be integration or production`);
      return value;
    };
    const environment = env(input.environment, "environment");
    const stsEnvironment =
      env(input.stsEnvironment, "stsEnvironment") ?? environment ?? before?.stsEnvironment ?? "production";
    const wspEnvironment =
      env(input.wspEnvironment, "wspEnvironment") ?? environment ?? before?.wspEnvironment ?? stsEnvironment;
    const ref = (id: unknown, find: unknown, field: string): CertificateRef | null => {
      if (find !== undefined && find !== null) {
        const f = find as { findType?: unknown; findValue?: unknown };
        if (typeof f.findValue !== "string" || typeof f.findType !== "string")
          throw invalid("BAD_REQUEST", `${field} must be {findType, findValue}`);
        return { findType: f.findType as FindType, findValue: f.findValue };
      }
      if (id === undefined || id === null) return null;
      if (typeof id !== "string") throw invalid("BAD_REQUEST", `${field} must be a certificate id (SHA-256)`);
      this.#entry(id);
      return { certificate: id.toUpperCase() };
    };
    const primary =
      ref(input.certificate, input.find, "certificate") ??
      (input.fallback !== undefined && before ? before.primary : null);
    if (!primary) {
      throw invalid(
        "BAD_REQUEST",
        "give the certificate to deploy: its id (SHA-256) from the client's store",
      );
    }
    const fallback =
      input.fallback === undefined && input.fallbackFind === undefined
        ? (before?.fallback ?? null)
        : ref(input.fallback, input.fallbackFind, "fallback");
    const skewMs = input.skewMs ?? before?.skewMs ?? 0;
    if (!Number.isFinite(skewMs)) throw invalid("BAD_REQUEST", "skewMs must be milliseconds");
    const deployment: Deployment = {
      primary,
      fallback,
      ...(input.within ? { within: input.within.map((id) => String(id).toUpperCase()) } : {}),
      stsEnvironment,
      wspEnvironment,
      skewMs,
      ...(input.tokenLifetimeMs !== undefined ? { tokenLifetimeMs: input.tokenLifetimeMs } : {}),
      operation: input.operation ?? before?.operation ?? "IndberetForloeb",
      deployedAtMs: this.#deps.clock.nowMs(),
    };
    if (before) this.#history.push(before);
    if (this.#history.length > 20) this.#history.shift();
    await this.#start(deployment);
    this.#event("CLIENT_DEPLOYED", `the board's client restarted with ${this.#describe()}`);
    return this.view();
  }

  /** Back to the deployment before the last one (restart, empty token cache). */
  async rollback(): Promise<ClientView> {
    const previous = this.#history.pop();
    if (!previous) {
      throw new RefusedError(
        "conflict",
        "NOTHING_TO_ROLL_BACK",
        "the client has no earlier deployment to go back to",
      );
    }
    await this.#start({ ...previous, deployedAtMs: this.#deps.clock.nowMs() });
    this.#event("CLIENT_ROLLED_BACK", `the board's client rolled back to ${this.#describe()}`);
    return this.view();
  }

  /** The client adds the STS's current signing certificate to those it trusts, and restarts. */
  async trustCurrentStsCertificate(envInput?: Environment): Promise<ClientView> {
    const env = envInput ?? this.#deployment?.stsEnvironment ?? "production";
    if (!isEnvironment(env)) throw invalid("BAD_REQUEST", "environment must be integration or production");
    const current = Certificate.fromPem((await this.#deps.control.environment(env)).stsCertificatePem);
    const trusted = await this.#trusted(this.#trustedSts, env, "sts");
    if (!trusted.some((c) => c.sha256 === current.sha256)) trusted.push(current);
    if (this.#deployment) await this.#start(this.#deployment);
    this.#event(
      "CLIENT_TRUSTS_STS_CERTIFICATE",
      `the board's client now also trusts the ${env} STS certificate ${current.sha256}`,
      env,
    );
    return this.view();
  }

  /** The client's clock runs ahead (positive) or behind its machine's clock by `ms`. */
  async setSkew(ms: number): Promise<void> {
    if (!this.#deployment) return;
    this.#deployment = { ...this.#deployment, skewMs: ms };
    await this.#start(this.#deployment);
  }

  /** The client's own copies of the STS or SMDB certificate of `env`, taken on first use. */
  async #trusted(
    map: Partial<Record<Environment, Certificate[]>>,
    env: Environment,
    which: "sts" | "wsp",
  ): Promise<Certificate[]> {
    let list = map[env];
    if (!list) {
      const endpoints = await this.#deps.control.clientEndpoints(env);
      list = [
        Certificate.fromPem(which === "sts" ? endpoints.stsCertificatePem : endpoints.wspCertificatePem),
      ];
      map[env] = list;
    }
    return list;
  }

  #resolve(ref: CertificateRef, within: string[] | undefined): StoreEntry {
    if ("certificate" in ref) return this.#entry(ref.certificate);
    // As .NET's X509Store.Find: among the store's certificates with a key, the newest match.
    const matches = [...this.#store.entries()]
      .filter(([id]) => within === undefined || within.includes(id))
      .map(([, e]) => e)
      .filter((e) => matchesFind(e.credential.certificate, ref.findType, ref.findValue))
      .sort(
        (a, b) => b.credential.certificate.notBefore.getTime() - a.credential.certificate.notBefore.getTime(),
      );
    if (matches.length === 0) {
      throw new ClientError(
        0,
        "CLIENT_CERT_NOT_FOUND",
        `no certificate in the client's store matches ${ref.findType} "${ref.findValue}"; a renewed certificate with another subject needs a new findValue`,
      );
    }
    return matches[0]!;
  }

  async #start(deployment: Deployment): Promise<void> {
    this.#client?.close();
    this.#client = undefined;
    this.#deployment = deployment;
    this.#startError = undefined;
    this.#primary = undefined;
    this.#fallback = undefined;
    const control = this.#deps.control;
    const sts = await control.clientEndpoints(deployment.stsEnvironment);
    const wsp =
      deployment.wspEnvironment === deployment.stsEnvironment
        ? sts
        : await control.clientEndpoints(deployment.wspEnvironment);
    // Calls come seconds apart: a new connection each time, never one the server closed meanwhile.
    this.#http ??= new HttpClient({ keepAlive: false, ...(sts.tlsCaPem ? { ca: sts.tlsCaPem } : {}) });
    try {
      this.#primary = this.#resolve(deployment.primary, deployment.within);
      this.#fallback = deployment.fallback
        ? this.#resolve(deployment.fallback, deployment.within)
        : undefined;
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      this.#startError = error;
    }
    this.#systemUserId = await this.#owner();
    this.#deps.onDeploy?.();
    if (!this.#primary || this.#startError) return;
    this.#client = new WscClient({
      clock: new SkewedClock(this.#deps.messageClock, deployment.skewMs),
      environment: deployment.stsEnvironment,
      stsUrl: sts.stsUrl,
      stsEndpointReference: sts.stsEndpointReference,
      stsCertificates: [...(await this.#trusted(this.#trustedSts, deployment.stsEnvironment, "sts"))],
      wspUrl: wsp.wspUrl,
      wspEntityId: wsp.wspEntityId,
      wspCertificates: [...(await this.#trusted(this.#trustedWsp, deployment.wspEnvironment, "wsp"))],
      credential: this.#primary.credential,
      ...(this.#fallback ? { fallbackCredential: this.#fallback.credential } : {}),
      http: this.#http,
      ...(deployment.tokenLifetimeMs !== undefined ? { tokenLifetimeMs: deployment.tokenLifetimeMs } : {}),
    });
  }

  /** The systembruger that has the deployed certificate in any of its sets. */
  async #owner(): Promise<string | null> {
    const sha = this.#primary?.credential.certificate.sha256;
    if (!sha) return this.#systemUserId;
    const users = await this.#deps.control.systemUsers();
    const has = (set: { current: { sha256: string } | null; next: { sha256: string } | null } | null) =>
      set !== null && (set.current?.sha256 === sha || set.next?.sha256 === sha);
    const owner = users.find((u) =>
      (["integration", "production"] as const).some(
        (env) => has(u.provisioned[env]) || has(u.saved[env]) || has(u.draft[env]),
      ),
    );
    return owner?.id ?? null;
  }

  /** The systembruger the client belongs to (looked up again: NemLog-in may have changed). */
  async systemUserId(): Promise<string | null> {
    this.#systemUserId = await this.#owner();
    return this.#systemUserId;
  }

  #describe(): string {
    const d = this.#deployment!;
    const name = (e: StoreEntry | undefined) =>
      e
        ? `${e.label ?? e.credential.certificate.subject.replace(/\n/g, ", ")} (${e.credential.certificate.sha256})`
        : "no certificate";
    return `${name(this.#primary)}${this.#fallback ? `, fallback ${name(this.#fallback)}` : ""} (STS ${d.stsEnvironment}, SMDB ${d.wspEnvironment})`;
  }

  #event(reason: string, detail: string, env?: Environment): void {
    this.#deps.events.append({
      env: env ?? this.#deployment?.stsEnvironment ?? null,
      step: null,
      component: "client",
      outcome: "ok",
      reason,
      ...(this.#primary ? { certSha256: this.#primary.credential.certificate.sha256 } : {}),
      detail,
    });
  }

  /** The deployed certificate and fallback (for the board's verdict lane and clock targets). */
  get deployed(): { primary?: Certificate; fallback?: Certificate; stsEnvironment: Environment } | undefined {
    if (!this.#deployment) return undefined;
    return {
      ...(this.#primary ? { primary: this.#primary.credential.certificate } : {}),
      ...(this.#fallback ? { fallback: this.#fallback.credential.certificate } : {}),
      stsEnvironment: this.#deployment.stsEnvironment,
    };
  }

  // --- calls ---------------------------------------------------------------------------------

  /** One call now (after any running one); null when nothing is deployed. */
  call(): Promise<CallView | null> {
    const call = this.#tail.then(() => this.#callOnce());
    this.#tail = call.catch(() => undefined);
    return call;
  }

  /** A call soon: joins one that is queued and not started yet. */
  requestCall(): Promise<CallView | null> {
    if (this.#queued) return this.#queued;
    const call = this.#tail.then(() => {
      this.#queued = undefined;
      return this.#callOnce();
    });
    this.#queued = call;
    this.#tail = call.catch(() => undefined);
    return call;
  }

  /** Runs `fn` without automatic calls on the events it causes (it makes the calls it needs). */
  async withoutAutoCalls<T>(fn: () => Promise<T>): Promise<T> {
    this.#paused++;
    try {
      return await fn();
    } finally {
      this.#paused--;
    }
  }

  /** Resolves when no call is running or queued. */
  async idle(): Promise<void> {
    let tail: Promise<unknown>;
    do {
      tail = this.#tail;
      await tail;
    } while (tail !== this.#tail);
  }

  async #callOnce(): Promise<CallView | null> {
    const deployment = this.#deployment;
    if (!deployment || this.#closed) return null;
    const id = ++this.#callSeq;
    const atMs = this.#deps.clock.nowMs();
    const capture = this.#deps.exchanges.begin(id);
    const client = this.#client;
    let outcome: {
      ok: boolean;
      step: 0 | 1 | 2;
      reason: string;
      message: string | null;
      newToken: boolean;
      certSha256: string | null;
    };
    if (!client) {
      const error = this.#startError!;
      outcome = {
        ok: false,
        step: 0,
        reason: error.reason,
        message: error.message,
        newToken: false,
        certSha256: null,
      };
    } else {
      const before = client.cachedToken;
      client.options.dump = capture.add;
      const operation = deployment.operation;
      const payload = syntheticPayload(operation, FORLOEB_ID);
      try {
        const result = await client.call(operation, payload);
        outcome = {
          ok: true,
          step: 2,
          reason: "OK",
          message: null,
          newToken: client.cachedToken !== before,
          certSha256: result.certSha256,
        };
      } catch (error) {
        if (!(error instanceof HarnessError)) throw error;
        const step = error instanceof ClientError && error.step !== null ? error.step : 2;
        outcome = {
          ok: false,
          step,
          reason: error.reason,
          message: error.message,
          newToken: client.cachedToken !== before,
          certSha256:
            step === 2
              ? (client.cachedToken?.credential.certificate.sha256 ?? null)
              : this.#primary!.credential.certificate.sha256,
        };
      } finally {
        delete client.options.dump;
      }
    }
    const event = this.#deps.events.append({
      env: deployment.stsEnvironment,
      step: outcome.step,
      component: "client",
      outcome: outcome.ok ? "ok" : "rejected",
      reason: outcome.reason,
      ...(outcome.certSha256 ? { certSha256: outcome.certSha256 } : {}),
      detail: {
        callId: id,
        operation: deployment.operation,
        wspEnvironment: deployment.wspEnvironment,
        ...(outcome.message ? { message: outcome.message } : {}),
      },
    });
    const view: CallView = {
      id,
      at: new Date(atMs).toISOString(),
      atMs,
      ...outcome,
      stsEnvironment: deployment.stsEnvironment,
      wspEnvironment: deployment.wspEnvironment,
      eventSeq: event.seq,
    };
    this.#recent.push(view);
    if (this.#recent.length > RECENT_CALLS) this.#recent.shift();
    this.#deps.onCall?.(view);
    return view;
  }

  callById(id: number): CallView | undefined {
    return this.#recent.find((c) => c.id === id);
  }

  get lastCall(): CallView | undefined {
    return this.#recent[this.#recent.length - 1];
  }

  /**
   * Harness-time instants at which the client's token changes by time alone (its refresh and its
   * expiry at SMDB), when the client stamps its messages with harness time; else none.
   */
  tokenInstants(wspToleranceMs: number): number[] {
    const token = this.#client?.cachedToken;
    if (!token || this.#deps.messageClock !== this.#deps.clock) return [];
    const skew = this.#deployment?.skewMs ?? 0;
    const refreshBefore = this.#client!.options.refreshBeforeMs ?? 60_000;
    return [
      token.clientExpiresMs - refreshBefore - skew,
      token.clientExpiresMs - skew,
      token.expiresMs + 1,
      token.expiresMs + wspToleranceMs + 1,
    ];
  }

  /**
   * A client running all along renews its token every lifetime minus the refresh margin: the
   * last renewal at or before `limitMs` in the chain that starts with the cached token, when the
   * client stamps its messages with harness time. The token held at `limitMs` was fetched then.
   */
  lastRenewalBefore(limitMs: number): number | undefined {
    const token = this.#client?.cachedToken;
    if (!token || this.#deps.messageClock !== this.#deps.clock) return undefined;
    const skew = this.#deployment?.skewMs ?? 0;
    const refreshBefore = this.#client!.options.refreshBeforeMs ?? 60_000;
    const first = token.clientExpiresMs - refreshBefore - skew;
    const period = token.expiresMs - token.createdMs - refreshBefore - skew;
    if (period <= 0 || first > limitMs) return undefined;
    return first + Math.floor((limitMs - first) / period) * period;
  }

  // --- when calls run ----------------------------------------------------------------------------

  setCallMode(mode: unknown, intervalMs?: unknown): void {
    if (!CALL_MODES.includes(mode as CallMode)) {
      throw invalid(
        "BAD_REQUEST",
        `mode must be one of ${CALL_MODES.join(", ")}; got ${JSON.stringify(mode)}`,
      );
    }
    if (
      intervalMs !== undefined &&
      (typeof intervalMs !== "number" || !(intervalMs >= 1000 && intervalMs <= 600_000))
    ) {
      throw invalid("BAD_REQUEST", "intervalMs must be between 1000 and 600000 milliseconds");
    }
    this.#mode = mode as CallMode;
    if (typeof intervalMs === "number") this.#intervalMs = intervalMs;
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#mode === "interval") {
      this.#timer = setInterval(() => {
        if (this.#deployment && this.#deps.watched()) void this.requestCall();
      }, this.#intervalMs);
      this.#timer.unref();
    }
  }

  get mode(): CallMode {
    return this.#mode;
  }

  // --- view, close --------------------------------------------------------------------------------

  view(): ClientView {
    const d = this.#deployment;
    return {
      deployment: d
        ? {
            stsEnvironment: d.stsEnvironment,
            wspEnvironment: d.wspEnvironment,
            certificate: this.#primary ? this.#entryView(this.#primary) : null,
            fallback: this.#fallback ? this.#entryView(this.#fallback) : null,
            lookup:
              "findType" in d.primary
                ? { findType: d.primary.findType, findValue: d.primary.findValue }
                : null,
            skewMs: d.skewMs,
            operation: d.operation,
            deployedAt: new Date(d.deployedAtMs).toISOString(),
            startError: this.#startError
              ? { reason: this.#startError.reason, message: this.#startError.message }
              : null,
          }
        : null,
      canRollBack: this.#history.length > 0,
      certificates: this.certificates(),
      calls: { mode: this.#mode, intervalMs: this.#intervalMs, watched: this.#deps.watched() },
      recent: [...this.#recent].reverse(),
      systemUserId: this.#systemUserId,
      trustedSts: {
        integration: (this.#trustedSts.integration ?? []).map((c) => c.sha256),
        production: (this.#trustedSts.production ?? []).map((c) => c.sha256),
      },
    };
  }

  /** Forgets the deployment and the calls (a scenario starts a client of its own). */
  async clear(): Promise<void> {
    await this.idle();
    this.#client?.close();
    this.#client = undefined;
    this.#deployment = undefined;
    this.#history.length = 0;
    this.#primary = undefined;
    this.#fallback = undefined;
    this.#startError = undefined;
    this.#recent = [];
    for (const env of ["integration", "production"] as const) {
      delete this.#trustedSts[env];
      delete this.#trustedWsp[env];
    }
  }

  /** Drops store entries of a source (e.g. the previous scenario's certificates). */
  forget(source: CertificateSourceKind): void {
    for (const [id, entry] of this.#store) if (entry.source === source) this.#store.delete(id);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#unsubscribe();
    await this.#tail.catch(() => undefined);
    this.#client?.close();
    this.#http?.close();
  }
}
