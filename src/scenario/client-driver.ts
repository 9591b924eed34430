/**
 * The scenario's client: the real `WscClient` (src/client), configured as a vendor would — its
 * certificate found in a certificate store directory by `findType`/`findValue`, the STS
 * certificates it trusts pinned, a clock that may be skewed — and driven one call at a time.
 * A deploy writes the new certificate into the store and starts a new client (empty token
 * cache), exactly as restarting the vendor's service does.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCertificateSource } from "../client/certificate-source.js";
import type { CertificateSourceConfig, FindType } from "../client/config.js";
import { ClientError } from "../client/errors.js";
import { HttpClient } from "../client/http.js";
import { WscClient } from "../client/wsc-client.js";
import type { ClientEndpoints, HarnessControl } from "../control/harness-control.js";
import { type Clock, SkewedClock } from "../core/clock.js";
import { HarnessError } from "../core/errors.js";
import { ENVIRONMENTS, type Environment } from "../core/events.js";
import { Certificate, type Credential } from "../pki/index.js";
import { syntheticPayload } from "../smdb/operations.js";
import type { Scenario } from "./parse.js";
import type { CallOutcome } from "./result.js";
import type { FindBy } from "./schema.js";

/** What the client is configured with at a moment. */
export interface ClientSetup {
  cert: string;
  fallback?: string;
  /** An explicit findValue (else derived from the certificate for thumbprint/serial lookups). */
  findValue?: string;
  skewMs: number;
}

/** What the driver needs of the running scenario. */
export interface ClientHost {
  scenario: Scenario;
  /** Harness time, as the runner moves it (the client's clock is this, plus its skew). */
  clock: Clock;
  /** The harness, driven only through its control surface. */
  control: HarnessControl;
  /** Where the client connects to, per environment (read once at the start). */
  endpoints: Record<Environment, ClientEndpoints>;
  credential(name: string): Credential;
  nameOf(sha256: string): string;
}

/** A certificate from PEM, parsed once per text. */
const parsedPem = new Map<string, Certificate>();
function certificateFromPem(pem: string): Certificate {
  let cert = parsedPem.get(pem);
  if (!cert) {
    cert = Certificate.fromPem(pem);
    parsedPem.set(pem, cert);
  }
  return cert;
}

/** The certificate an environment's STS signs with now. */
async function currentStsCertificate(control: HarnessControl, env: Environment): Promise<Certificate> {
  return certificateFromPem((await control.environment(env)).stsCertificatePem);
}

const FIND_TYPE: Record<FindBy, FindType> = {
  thumbprint: "FindByThumbprint",
  subjectName: "FindBySubjectName",
  serialNumber: "FindBySerialNumber",
};

/** The certificate's CN, as a subject-name lookup would be configured. */
function commonName(certificate: Certificate): string {
  const cn = certificate.subject.split("\n").find((part) => part.startsWith("CN="));
  return cn ? cn.slice(3) : certificate.subject;
}

/** The course id the synthetic client reports and reads (smdb `syntheticPayload`). */
const FORLOEB_ID = "scenario-forloeb-1";

export class ScenarioClient {
  readonly #host: ClientHost;
  readonly #dir: string;
  readonly #http: HttpClient;
  readonly #clock: SkewedClock;
  readonly #trusted: Certificate[];
  readonly #setup: ClientSetup;
  /** The client, or why it could not start (e.g. its certificate is not in the store). */
  #client: WscClient | undefined;
  #startError: ClientError | undefined;
  /** The subject-name value configured at the start, kept across deploys unless changed. */
  readonly #subjectFindValue: string | undefined;
  /** How long after a token's NotOnOrAfter SMDB still accepts it (its clock skew tolerance). */
  readonly #wspToleranceMs: number;

  private constructor(
    host: ClientHost,
    dir: string,
    http: HttpClient,
    clock: SkewedClock,
    trusted: Certificate[],
    setup: ClientSetup,
    subjectFindValue: string | undefined,
    wspToleranceMs: number,
  ) {
    this.#host = host;
    this.#dir = dir;
    this.#http = http;
    this.#clock = clock;
    this.#trusted = trusted;
    this.#setup = setup;
    this.#subjectFindValue = subjectFindValue;
    this.#wspToleranceMs = wspToleranceMs;
  }

  static async create(host: ClientHost, setup: ClientSetup): Promise<ScenarioClient> {
    const dir = await mkdtemp(join(tmpdir(), "smdb-scenario-"));
    const env = host.scenario.client.stsEnvironment;
    const trusted = [certificateFromPem(host.endpoints[env].stsCertificatePem)];
    const settings = await host.control.settings();
    const wspToleranceMs = typeof settings.clockSkewMs === "number" ? settings.clockSkewMs : 5 * 60_000;
    const subjectFindValue =
      host.scenario.client.findBy === "subjectName"
        ? (setup.findValue ?? commonName(host.credential(setup.cert).certificate))
        : undefined;
    const client = new ScenarioClient(
      host,
      dir,
      // A harness over HTTPS (a remote target): trust the TLS CA it names for its endpoints.
      new HttpClient(host.endpoints[env].tlsCaPem ? { ca: host.endpoints[env].tlsCaPem } : {}),
      new SkewedClock(host.clock, setup.skewMs),
      trusted,
      setup,
      subjectFindValue,
      wspToleranceMs,
    );
    await client.#start();
    return client;
  }

  /** A new client process with another certificate setup: same store directory, empty token cache. */
  async redeploy(setup: ClientSetup): Promise<ScenarioClient> {
    this.#client?.close();
    const next = new ScenarioClient(
      this.#host,
      this.#dir,
      this.#http,
      this.#clock,
      this.#trusted,
      setup,
      setup.findValue ?? this.#subjectFindValue,
      this.#wspToleranceMs,
    );
    await next.#start();
    return next;
  }

  get #storeDir(): string {
    return join(this.#dir, "store");
  }

  #source(name: string, explicitValue: string | undefined): CertificateSourceConfig {
    const findBy = this.#host.scenario.client.findBy;
    const certificate = this.#host.credential(name).certificate;
    const findValue =
      findBy === "subjectName"
        ? (explicitValue ?? this.#subjectFindValue ?? commonName(certificate))
        : (explicitValue ?? (findBy === "thumbprint" ? certificate.sha1 : certificate.serialNumber));
    return { kind: "store", store: this.#storeDir, findType: FIND_TYPE[findBy], findValue };
  }

  /** Writes the deployed certificate(s) into the store (replacing what was there) and starts the client. */
  async #start(): Promise<void> {
    const { cert, fallback } = this.#setup;
    await rm(this.#storeDir, { recursive: true, force: true });
    await mkdir(this.#storeDir, { recursive: true });
    for (const name of new Set([cert, ...(fallback ? [fallback] : [])])) {
      const credential = this.#host.credential(name);
      await writeFile(join(this.#storeDir, `${name}.pem`), credential.certificate.pem);
      await writeFile(join(this.#storeDir, `${name}.key.pem`), credential.key.privateKeyPem, { mode: 0o600 });
    }
    this.#clock.skewMs = this.#setup.skewMs;
    const s = this.#host.scenario;
    try {
      const credential = await loadCertificateSource(this.#source(cert, this.#setup.findValue));
      // The fallback is looked up the same way, by its own value.
      const fallbackCredential = fallback
        ? await loadCertificateSource(this.#source(fallback, undefined))
        : undefined;
      const stsEnv = s.client.stsEnvironment;
      const wspEnv = s.client.wspEnvironment;
      this.#client = new WscClient({
        clock: this.#clock,
        environment: stsEnv,
        stsUrl: this.#host.endpoints[stsEnv].stsUrl,
        stsEndpointReference: this.#host.endpoints[stsEnv].stsEndpointReference,
        stsCertificates: [...this.#trusted],
        wspUrl: this.#host.endpoints[wspEnv].wspUrl,
        wspEntityId: this.#host.endpoints[wspEnv].wspEntityId,
        credential,
        ...(fallbackCredential ? { fallbackCredential } : {}),
        http: this.#http,
        ...(s.client.tokenLifetimeMs !== undefined ? { tokenLifetimeMs: s.client.tokenLifetimeMs } : {}),
      });
      this.#startError = undefined;
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      this.#client = undefined;
      this.#startError = error;
    }
  }

  setSkew(ms: number): void {
    this.#clock.skewMs = ms;
  }

  /** The client adds the STS's current signing certificate to its trusted ones and restarts. */
  async trustCurrentStsCertificate(env: Environment): Promise<Certificate> {
    const cert = await currentStsCertificate(this.#host.control, env);
    if (!this.#trusted.some((c) => c.sha256 === cert.sha256)) this.#trusted.push(cert);
    this.#client?.close();
    await this.#start();
    return cert;
  }

  /** Sets how SMDB trusts the STS's token-signing certificate (both environments). */
  async configureWspTrust(mode: "pin-thumbprint" | "subject-and-chain"): Promise<void> {
    const control = this.#host.control;
    for (const env of ENVIRONMENTS) {
      const sts = await currentStsCertificate(control, env);
      await control.setWspTrust(
        env,
        mode === "pin-thumbprint" ? { mode, thumbprints: [sts.sha1] } : { mode, subjects: [sts.subject] },
      );
    }
  }

  /** SMDB adds the STS's current signing certificate to the ones it trusts. */
  async wspTrustCurrentStsCertificate(env: Environment): Promise<Certificate> {
    const control = this.#host.control;
    const sts = await currentStsCertificate(control, env);
    const trust = await control.wspTrust(env);
    if (trust.mode === "pin-thumbprint" && !trust.thumbprints.includes(sts.sha1)) {
      await control.setWspTrust(env, { mode: trust.mode, thumbprints: [...trust.thumbprints, sts.sha1] });
    } else if (trust.mode === "subject-and-chain" && !trust.subjects.includes(sts.subject)) {
      await control.setWspTrust(env, { mode: trust.mode, subjects: [...trust.subjects, sts.subject] });
    }
    return sts;
  }

  /** A client message without this run's temporary directory in it (stable across runs). */
  #clean(message: string): string {
    return message.split(this.#storeDir).join("the client's certificate store");
  }

  /** A call that failed before any request was sent: step 0, neither step run. */
  #notSent(error: HarnessError): CallOutcome {
    return {
      ok: false,
      step: 0,
      reason: error.reason,
      message: this.#clean(error.message),
      step1: { outcome: "not-run", reason: error.reason },
      step2: { outcome: "not-run", reason: error.reason },
    };
  }

  /**
   * One real call (step 1 when the token cache needs it, then step 2). A keep-alive connection
   * that the server closed just as the client reused it (ECONNRESET, "socket hang up") is a race of
   * the transport, not something a scenario describes: the call is made once more, on a new
   * connection.
   */
  async call(): Promise<CallOutcome> {
    const outcome = await this.#callOnce();
    const raced =
      !outcome.ok &&
      (outcome.reason === "STS_UNREACHABLE" || outcome.reason === "WSP_UNREACHABLE") &&
      /ECONNRESET|socket hang up/.test(outcome.message ?? "");
    return raced ? this.#callOnce() : outcome;
  }

  async #callOnce(): Promise<CallOutcome> {
    if (!this.#client) return this.#notSent(this.#startError!);
    const client = this.#client;
    const before = client.cachedToken;
    const operation = this.#host.scenario.client.operation;
    const payload = syntheticPayload(operation, FORLOEB_ID);
    const nameOfToken = () => {
      const token = client.cachedToken;
      return token ? this.#host.nameOf(token.credential.certificate.sha256) : undefined;
    };
    try {
      const result = await client.call(operation, payload);
      const certificate = this.#host.nameOf(result.certSha256);
      const fetched = client.cachedToken !== before;
      return {
        ok: true,
        step: 2,
        reason: "OK",
        step1: { outcome: fetched ? "ok" : "cached", reason: "OK", certificate },
        step2: { outcome: "ok", reason: "OK" },
      };
    } catch (error) {
      if (!(error instanceof HarnessError)) throw error;
      const step = error instanceof ClientError ? error.step : 2;
      if (step === 0 || step === null) return this.#notSent(error);
      if (step === 1) {
        return {
          ok: false,
          step: 1,
          reason: error.reason,
          message: this.#clean(error.message),
          step1: { outcome: "rejected", reason: error.reason },
          step2: { outcome: "not-run", reason: "OK" },
        };
      }
      const fetched = client.cachedToken !== before;
      const certificate = nameOfToken();
      return {
        ok: false,
        step: 2,
        reason: error.reason,
        message: this.#clean(error.message),
        step1: { outcome: fetched ? "ok" : "cached", reason: "OK", ...(certificate ? { certificate } : {}) },
        step2: { outcome: "rejected", reason: error.reason },
      };
    }
  }

  /**
   * Harness-time instants at which the client's behaviour or its token's acceptance changes by
   * the passage of time alone: the refresh moment on the (skewed) client clock, and the token's
   * expiry at the WSP (with the WSP's tolerance).
   */
  dynamicInstants(): number[] {
    const token = this.#client?.cachedToken;
    if (!token) return [];
    const refreshBefore = this.#client!.options.refreshBeforeMs ?? 60_000;
    const skew = this.#clock.skewMs;
    const tolerance = this.#wspToleranceMs;
    return [
      token.clientExpiresMs - refreshBefore - skew,
      token.clientExpiresMs - skew,
      token.expiresMs,
      token.expiresMs + 1,
      token.expiresMs + tolerance,
      token.expiresMs + tolerance + 1,
    ];
  }

  /**
   * When the client asks for a new token in any call, whatever SMDB says (harness time): its
   * refresh moment on its own (skewed) clock. Undefined when it holds no token.
   */
  renewalAt(): number | undefined {
    const token = this.#client?.cachedToken;
    if (!token) return undefined;
    const refreshBefore = this.#client!.options.refreshBeforeMs ?? 60_000;
    return token.clientExpiresMs - refreshBefore - this.#clock.skewMs;
  }

  async close(): Promise<void> {
    this.#client?.close();
    this.#http.close();
    await rm(this.#dir, { recursive: true, force: true });
  }
}
