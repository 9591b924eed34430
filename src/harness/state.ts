/**
 * The harness's own identities, per environment: the STS token-signing credential (and the
 * ones it replaced), the simulated SMDB's credential and entity ID, the STS endpoint reference
 * (`wsa:To`); plus the test CA and the TLS server certificate. Created on first start and, with a
 * state dir, persisted there:
 *
 *   <state-dir>/ca/                 the test CA (`certs issue` without --ca issues under it)
 *   <state-dir>/state.json          credentials (private keys: mode 0600)
 *   <state-dir>/tls-ca.pem          the CA of the TLS server certificate (root + issuing)
 *   <state-dir>/sts-<env>.pem       the current STS signing certificate of each environment
 *   <state-dir>/wsp-<env>.pem       the simulated SMDB's certificate of each environment
 */
import { join } from "node:path";
import { readJsonIfExists, writeFileAtomic } from "../core/atomic-file.js";
import type { Clock } from "../core/clock.js";
import { RealClock } from "../core/clock.js";
import { ENVIRONMENTS, type Environment, type EventLog } from "../core/events.js";
import {
  Certificate,
  type Credential,
  createTestCa,
  keyPairFromPem,
  loadOrCreateTestCa,
  publicKeyFingerprint,
  type RsaKeyPair,
  type TestCa,
  takeKeyPair,
} from "../pki/index.js";
import type { StsEnvironment } from "../sts/types.js";
import { type OwnTls, sameNames, subjectAltNames, tlsNames } from "./tls.js";

/**
 * The `wsa:To` the STS expects and the Issuer of its assertions. Production is the real
 * NemLog-in STS's system-user endpoint reference; integration gets a distinct one (the real test
 * environment's host name) so that a client configured for the other environment fails as it
 * would in real life.
 */
export const STS_ENDPOINT_REFERENCES: Readonly<Record<Environment, string>> = {
  integration: "https://signature.sts.test-nemlog-in.dk/",
  production: "https://signature.sts.nemlog-in.dk/",
};

/** Entity IDs of the simulated SMDB (the `AppliesTo` a client asks a token for). */
export const WSP_ENTITY_IDS: Readonly<Record<Environment, string>> = {
  integration: "https://smdb.dst.dk/integration",
  production: "https://smdb.dst.dk/production",
};

export const STATE_FILE = "state.json";
export const CA_DIR = "ca";
export const TLS_CA_FILE = "tls-ca.pem";
export const stsCertificateFile = (env: Environment) => `sts-${env}.pem`;
export const wspCertificateFile = (env: Environment) => `wsp-${env}.pem`;

const YEAR_MS = 365 * 86_400_000;
const DAY_MS = 86_400_000;
/** TLS certificates are checked against the wall clock by every client, so they use real time. */
const TLS_VALIDITY_MS = 2 * YEAR_MS;
const TLS_RENEW_BEFORE_MS = 30 * DAY_MS;

const STS_NAME: Record<Environment, string> = {
  integration: "NemLog-in STS integrationstest (smdb-harness)",
  production: "NemLog-in STS produktion (smdb-harness)",
};
const WSP_NAME: Record<Environment, string> = {
  integration: "SMDB integrationstest (smdb-harness)",
  production: "SMDB produktion (smdb-harness)",
};
const STS_ORGANIZATION = "Digitaliseringsstyrelsen (smdb-harness test)";
const STS_CVR = "34051178";
const WSP_ORGANIZATION = "Danmarks Statistik (smdb-harness test)";
const WSP_CVR = "15845136";

export interface EnvironmentIdentity {
  env: Environment;
  stsEndpointReference: string;
  /** Current STS token-signing credential. */
  stsSigning: Credential;
  /** Earlier STS signing certificates, oldest first (after rotations). */
  stsHistory: Certificate[];
  wspEntityId: string;
  wsp: Credential;
}

export interface HarnessStateOptions {
  /** Undefined: everything in memory, created fresh. */
  stateDir?: string;
  /** Harness time: the validity of the STS and WSP certificates is centred on it. */
  clock: Clock;
  /** Wall time for the TLS certificate (default RealClock). */
  wallClock?: Clock;
  /** Where a rotation of the STS signing certificate is recorded (component "admin"). */
  events?: EventLog;
  /**
   * Extra names (DNS or IP) of the generated TLS certificate, besides localhost, 127.0.0.1 and
   * ::1; the certificate is made again when they change.
   */
  tlsHostnames?: readonly string[];
  /** The user's own TLS certificate instead of a generated one. */
  ownTls?: OwnTls;
  /**
   * Which files to export into the state dir (default all). A service that learns a file's
   * content from its peer writes it itself: the smdb service its copy of the STS certificates,
   * the nemlogin service the SMDB certificates and the TLS CA bundle of both.
   */
  exports?: { tlsCa?: boolean; sts?: boolean; wsp?: boolean };
}

interface StoredCredential {
  certificate: string;
  key: string;
}

interface StoredState {
  version: 1;
  tls: StoredCredential;
  /** The subjectAltNames `tls` was made for (absent in older state: the defaults). */
  tlsNames?: string[];
  environments: Record<
    Environment,
    {
      stsEndpointReference: string;
      stsSigning: StoredCredential;
      stsHistory: string[];
      wspEntityId: string;
      wsp: StoredCredential;
    }
  >;
}

export class HarnessState {
  readonly stateDir: string | undefined;
  readonly ca: TestCa;
  #tls: Credential;
  readonly #tlsNames: string[];
  readonly #ownTls: OwnTls | undefined;
  readonly #envs: Record<Environment, EnvironmentIdentity>;
  readonly #clock: Clock;
  readonly #events: EventLog | undefined;
  readonly #exports: { tlsCa: boolean; sts: boolean; wsp: boolean };

  private constructor(
    stateDir: string | undefined,
    ca: TestCa,
    tls: { generated: Credential; names: string[]; own: OwnTls | undefined },
    envs: Record<Environment, EnvironmentIdentity>,
    clock: Clock,
    events: EventLog | undefined,
    exports: HarnessStateOptions["exports"],
  ) {
    this.stateDir = stateDir;
    this.ca = ca;
    this.#tls = tls.generated;
    this.#tlsNames = tls.names;
    this.#ownTls = tls.own;
    this.#envs = envs;
    this.#clock = clock;
    this.#events = events;
    this.#exports = { tlsCa: exports?.tlsCa ?? true, sts: exports?.sts ?? true, wsp: exports?.wsp ?? true };
  }

  /** Loads the state from the state dir, creating (and saving) whatever is missing. */
  static async open(options: HarnessStateOptions): Promise<HarnessState> {
    const { stateDir, clock } = options;
    const wallClock = options.wallClock ?? new RealClock();
    const now = clock.nowMs();
    const stored = stateDir ? await readJsonIfExists<StoredState>(join(stateDir, STATE_FILE)) : undefined;
    // A first start makes the keys of the TLS, STS and SMDB certificates while the CA makes its
    // own: key generation runs on node's thread pool, and only signing needs the CA. (Made one
    // after the other, root, issuing CA and these five took a second or two longer on 2 cores.)
    const keysAhead = stored
      ? undefined
      : Promise.all([
          takeKeyPair(2048),
          takeKeyPair(3072),
          takeKeyPair(3072),
          takeKeyPair(3072),
          takeKeyPair(3072),
        ]);
    // Nothing waits for them until the CA is there; a failure is seen where they are awaited.
    keysAhead?.catch(() => {});
    const ca = stateDir ? await loadOrCreateTestCa(join(stateDir, CA_DIR), now) : await createTestCa(now);
    let dirty = !stored;
    let tls: Credential;
    const names = tlsNames(options.tlsHostnames);
    const envs = {} as Record<Environment, EnvironmentIdentity>;
    if (stored) {
      if (stored.version !== 1) throw new Error(`${join(stateDir!, STATE_FILE)}: unsupported state version`);
      tls = credentialOf(stored.tls, ca);
      for (const env of ENVIRONMENTS) {
        const e = stored.environments[env];
        envs[env] = {
          env,
          stsEndpointReference: e.stsEndpointReference,
          stsSigning: credentialOf(e.stsSigning, ca),
          stsHistory: e.stsHistory.map((pem) => Certificate.fromPem(pem)),
          wspEntityId: e.wspEntityId,
          wsp: credentialOf(e.wsp, ca),
        };
      }
    } else {
      const [tlsKey, stsIntegrationKey, wspIntegrationKey, stsProductionKey, wspProductionKey] =
        await keysAhead!;
      const wsp = (env: Environment, key: RsaKeyPair) =>
        ca.issue({
          profile: "wsp",
          cvr: WSP_CVR,
          organization: WSP_ORGANIZATION,
          name: WSP_NAME[env],
          key,
          ...longValidity(ca, now),
        });
      const [newTls, stsIntegration, wspIntegration, stsProduction, wspProduction] = await Promise.all([
        issueTls(ca, wallClock.nowMs(), names, tlsKey),
        issueSts(ca, "integration", now, [], stsIntegrationKey),
        wsp("integration", wspIntegrationKey),
        issueSts(ca, "production", now, [], stsProductionKey),
        wsp("production", wspProductionKey),
      ]);
      tls = newTls;
      const issued = {
        integration: { sts: stsIntegration, wsp: wspIntegration },
        production: { sts: stsProduction, wsp: wspProduction },
      };
      for (const env of ENVIRONMENTS) {
        envs[env] = {
          env,
          stsEndpointReference: STS_ENDPOINT_REFERENCES[env],
          stsSigning: issued[env].sts,
          stsHistory: [],
          wspEntityId: WSP_ENTITY_IDS[env],
          wsp: issued[env].wsp,
        };
      }
    }
    const wallNow = wallClock.nowMs();
    if (
      tls.certificate.notAfter.getTime() - TLS_RENEW_BEFORE_MS < wallNow ||
      tls.certificate.notBefore.getTime() > wallNow ||
      !sameNames(stored?.tlsNames ?? tlsNames(), names)
    ) {
      tls = await issueTls(ca, wallNow, names);
      dirty = true;
    }
    const state = new HarnessState(
      stateDir,
      ca,
      { generated: tls, names, own: options.ownTls },
      envs,
      clock,
      options.events,
      options.exports,
    );
    if (stateDir) {
      if (dirty) await state.#save();
      await state.#exportFiles();
    }
    return state;
  }

  /** The TLS server credential: the user's own (`--tls-cert`), or the generated one. */
  get tls(): Credential {
    return this.#ownTls?.credential ?? this.#tls;
  }

  /** The names (DNS and IP) of the generated TLS certificate. */
  get tlsNames(): readonly string[] {
    return this.#tlsNames;
  }

  /** Whether the TLS certificate is the user's own (`--tls-cert`/`--tls-key`). */
  get ownTls(): OwnTls | undefined {
    return this.#ownTls;
  }

  /** What a client must trust for the TLS certificate (PEM): the test CA, or the own certificate's CA. */
  get tlsCaPem(): string {
    return this.#ownTls?.caPem ?? this.ca.root.certificate.pem + this.ca.issuing.certificate.pem;
  }

  /** The server certificate and its chain (PEM), as the HTTPS server presents them. */
  get tlsServerChainPem(): string {
    const { certificate, chain } = this.tls;
    return [certificate, ...chain.filter((c) => !c.equals(this.ca.root.certificate))]
      .map((c) => c.pem)
      .join("");
  }

  environment(env: Environment): EnvironmentIdentity {
    return this.#envs[env];
  }

  /** The STS's view of an environment (the signing credential follows rotations). */
  stsEnvironment(env: Environment): StsEnvironment {
    const identity = this.#envs[env];
    return {
      env,
      endpointReference: identity.stsEndpointReference,
      signing: () => identity.stsSigning,
    };
  }

  /** The test CA certificates (root, issuing): trusted by the STS for client certificates. */
  caCertificates(): Certificate[] {
    return [this.ca.root.certificate, this.ca.issuing.certificate];
  }

  /** Paths of the exported files (undefined in memory). */
  files():
    | { tlsCa: string; sts: Record<Environment, string>; wsp: Record<Environment, string>; caDir: string }
    | undefined {
    const dir = this.stateDir;
    if (!dir) return undefined;
    return {
      tlsCa: join(dir, TLS_CA_FILE),
      caDir: join(dir, CA_DIR),
      sts: {
        integration: join(dir, stsCertificateFile("integration")),
        production: join(dir, stsCertificateFile("production")),
      },
      wsp: {
        integration: join(dir, wspCertificateFile("integration")),
        production: join(dir, wspCertificateFile("production")),
      },
    };
  }

  /**
   * Replaces the STS signing certificate of `env` with a new one of the same subject and a new
   * key (as NemLog-in does): a client or WSP that pins the old certificate fails from now on.
   */
  async rotateStsSigningCertificate(
    env: Environment,
    /** Where the rotation is recorded; default the log given to `open` (a shared state has none). */
    events: EventLog | undefined = this.#events,
  ): Promise<{ previous: Certificate; current: Certificate }> {
    const identity = this.#envs[env];
    const previous = identity.stsSigning.certificate;
    const used = [...identity.stsHistory, previous].map((c) => publicKeyFingerprint(c.publicKey));
    identity.stsSigning = await issueSts(this.ca, env, this.#clock.nowMs(), used);
    identity.stsHistory.push(previous);
    const current = identity.stsSigning.certificate;
    events?.append({
      env,
      step: null,
      component: "admin",
      outcome: "ok",
      reason: "STS_SIGNING_CERTIFICATE_ROTATED",
      certSha256: current.sha256,
      detail: `the ${env} STS now signs with ${current.sha256} (same subject, new key), replacing ${previous.sha256}; clients and WSPs that pin the old certificate will fail`,
    });
    if (this.stateDir) {
      await this.#save();
      await this.#exportFiles();
    }
    return { previous, current };
  }

  /** Issues a WSP encryption credential under the test CA (for WSPs registered without one). */
  issueWspCredential(entityId: string): Promise<Credential> {
    let name = entityId.replace(/^https?:\/\//, "").slice(0, 60);
    if (name === "") name = "WSP";
    return this.ca.issue({ profile: "wsp", name, ...longValidity(this.ca, this.#clock.nowMs()) });
  }

  async #save(): Promise<void> {
    const stored: StoredState = {
      version: 1,
      tls: storedOf(this.#tls),
      tlsNames: this.#tlsNames,
      environments: Object.fromEntries(
        ENVIRONMENTS.map((env) => {
          const e = this.#envs[env];
          return [
            env,
            {
              stsEndpointReference: e.stsEndpointReference,
              stsSigning: storedOf(e.stsSigning),
              stsHistory: e.stsHistory.map((c) => c.pem),
              wspEntityId: e.wspEntityId,
              wsp: storedOf(e.wsp),
            },
          ];
        }),
      ) as StoredState["environments"],
    };
    await writeFileAtomic(join(this.stateDir!, STATE_FILE), `${JSON.stringify(stored, null, 2)}\n`, 0o600);
  }

  async #exportFiles(): Promise<void> {
    const files = this.files()!;
    if (this.#exports.tlsCa) await writeFileAtomic(files.tlsCa, this.tlsCaPem);
    for (const env of ENVIRONMENTS) {
      if (this.#exports.sts)
        await writeFileAtomic(files.sts[env], this.#envs[env].stsSigning.certificate.pem);
      if (this.#exports.wsp) await writeFileAtomic(files.wsp[env], this.#envs[env].wsp.certificate.pem);
    }
  }
}

function storedOf(credential: Credential): StoredCredential {
  return { certificate: credential.certificate.pem, key: credential.key.privateKeyPem };
}

function credentialOf(stored: StoredCredential, ca: TestCa): Credential {
  return {
    certificate: Certificate.fromPem(stored.certificate),
    key: keyPairFromPem(stored.key),
    chain: [ca.issuing.certificate, ca.root.certificate],
  };
}

/** From 10 years before `nowMs` to 20 years after, within the CA's validity. */
function longValidity(ca: TestCa, nowMs: number): { notBefore: Date; notAfter: Date } {
  const caFrom = ca.issuing.certificate.notBefore.getTime();
  const caTo = ca.issuing.certificate.notAfter.getTime();
  return {
    notBefore: new Date(Math.max(nowMs - 10 * YEAR_MS, caFrom)),
    notAfter: new Date(Math.min(nowMs + 20 * YEAR_MS, caTo)),
  };
}

function issueSts(
  ca: TestCa,
  env: Environment,
  nowMs: number,
  excludeKeys: string[],
  keyMadeAhead?: RsaKeyPair,
): Promise<Credential> {
  return (async () => {
    const key = keyMadeAhead ?? (await takeKeyPair(3072, { exclude: excludeKeys }));
    return ca.issue({
      profile: "sts",
      cvr: STS_CVR,
      organization: STS_ORGANIZATION,
      name: STS_NAME[env],
      key,
      ...longValidity(ca, nowMs),
    });
  })();
}

function issueTls(
  ca: TestCa,
  wallNowMs: number,
  names: readonly string[],
  key?: RsaKeyPair,
): Promise<Credential> {
  const caTo = ca.issuing.certificate.notAfter.getTime();
  return ca.issue({
    profile: "tls",
    ...(key ? { key } : {}),
    name: names.find((n) => n !== "localhost" && !/^[\d.:]+$/.test(n)) ?? "localhost",
    ...subjectAltNames(names),
    notBefore: new Date(wallNowMs - DAY_MS),
    notAfter: new Date(Math.min(wallNowMs + TLS_VALIDITY_MS, caTo)),
  });
}
