/**
 * Runs a scenario: issues its certificates under a scenario CA (key pool) that the harness is told
 * to trust, starts the harness in-process on a virtual clock (in memory; plain HTTP on 127.0.0.1)
 * and drives it only through its control surface (`HarnessControl`: the same calls the admin API
 * and a remote harness take), and runs the real client (`WscClient`: real step-1 and step-2
 * messages over real HTTP) on a clock that follows harness time.
 *
 * Downtime is computed exactly: the evaluation loop (timeline.ts) makes a real call at every
 * instant at which an input of a call can change — the scenario's actions, scheduled activations,
 * certificate notBefore and notAfter + 1 ms (also as seen through a skewed client clock), the
 * rollover moments the registry reports, the ages at which the client's token is renewed or
 * refused — except for token renewals with no change of state since the token before, which
 * repeat the cycle before them (cycles.ts). Failing intervals are merged into windows (same step
 * and reason) and summed up to `end`.
 */
import type { ClientEndpoints, HarnessControl, SystemUserView } from "../control/harness-control.js";
import { RemoteControl } from "../control/remote-control.js";
import { VirtualClock } from "../core/clock.js";
import { HarnessError, RefusedError } from "../core/errors.js";
import { ENVIRONMENTS, type Environment } from "../core/events.js";
import { type Harness, type HarnessOptions, startHarness } from "../harness/harness.js";
import { HarnessState } from "../harness/state.js";
import { toPkcs12 } from "../pki/export.js";
import { Certificate, type Credential, createTestCa, type TestCa } from "../pki/index.js";
import { SLOTS } from "../sts/rollover.js";
import { type ClientSetup, ScenarioClient } from "./client-driver.js";
import {
  parseScenarioFile,
  parseScenarioObject,
  type Scenario,
  ScenarioError,
  type ScenarioStep,
} from "./parse.js";
import {
  type ActionRecord,
  buildLanes,
  checkExpectations,
  failureWindows,
  type ScenarioResult,
  totalDowntime,
} from "./result.js";
import { evaluateTimeline } from "./timeline.js";

/** A running harness to drive instead of an in-process one (`scenario run --target URL`). */
export interface RemoteTarget {
  /** Its base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** PEM of its TLS CA (`tls-ca.pem`), for HTTPS. */
  ca?: string;
  insecure?: boolean;
}

export interface RunOptions {
  /**
   * Drive this running harness through `RemoteControl` instead of starting one in-process. It must
   * run on a virtual clock with message timestamps on harness time (`up --virtual-clock …
   * --message-clock harness`); the run takes it over (clock, policy, SMDB trust, its own systembruger).
   */
  target?: RemoteTarget;
  /** Extra harness options (e.g. `faultMode`); the runner always sets clock, policy and HTTP. */
  harness?: Partial<Omit<HarnessOptions, "clock" | "policy" | "http" | "stateDir">>;
  /**
   * Evaluate at these extra instants (harness time, ms) too; used by tests that cross-check the
   * exact result against dense sampling. Adding instants never changes an exact result.
   */
  extraInstants?: number[];
  /** Replace the exact instants by sampling: one call every `sampleEveryMs` from start (tests only). */
  sampleEveryMs?: number;
  /**
   * Make a real call at every token renewal instead of repeating the token cycle before it when
   * nothing changed (tests only: the reference the repeated cycles are checked against).
   */
  everyRenewal?: boolean;
}

/** Anything `runScenario` takes: a file path, an object shaped like the YAML, or a parsed scenario. */
export type ScenarioInput = string | Scenario | Record<string, unknown>;

function isParsed(input: unknown): input is Scenario {
  return typeof input === "object" && input !== null && typeof (input as Scenario).startMs === "number";
}

/** Parses the input when needed; throws `ScenarioError` for bad input. */
export async function loadScenario(input: ScenarioInput): Promise<Scenario> {
  if (typeof input === "string") return parseScenarioFile(input);
  if (isParsed(input)) return input;
  return parseScenarioObject(input);
}

/**
 * Runs one scenario. Bad input throws `ScenarioError`; anything that goes wrong while running is
 * reported in the result's `error` (and the scenario does not pass).
 */
export async function runScenario(input: ScenarioInput, options: RunOptions = {}): Promise<ScenarioResult> {
  const scenario = await loadScenario(input);
  const started = performance.now();
  try {
    const result = await execute(scenario, options);
    result.elapsedMs = Math.round(performance.now() - started);
    return result;
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    const message =
      error instanceof HarnessError
        ? `${error.reason}: ${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
    return {
      ...resultHeader(scenario),
      passed: false,
      downtimeMs: 0,
      failures: [],
      intervals: [],
      lanes: { nemlogin: [], client: [], step1: [], step2: [] },
      actions: [],
      certificates: [],
      expectations: [],
      evaluations: 0,
      repeatedCycles: 0,
      elapsedMs: Math.round(performance.now() - started),
      error: `${scenario.file}: the scenario could not run: ${message}`,
    };
  }
}

/** What a result repeats of its scenario: the name, where it came from and the time span it covers. */
function resultHeader(
  scenario: Scenario,
): Pick<ScenarioResult, "name" | "description" | "file" | "policy" | "environment" | "startMs" | "endMs"> {
  return {
    name: scenario.name,
    description: scenario.description,
    file: scenario.file,
    policy: scenario.policy,
    environment: scenario.environment,
    startMs: scenario.startMs,
    endMs: scenario.endMs,
  };
}

const SYSTEM_USER_ID = "scenario-systembruger";
const PKCS12_PASSWORD = "scenario";
const YEAR_MS = 365 * 86_400_000;

/** Scenarios starting in one five-year era share the harness identities and the scenario CA. */
function eraStart(startMs: number): number {
  return Math.floor(startMs / (5 * YEAR_MS)) * 5 * YEAR_MS;
}

/**
 * Harness identities (test CA, STS and WSP credentials) shared by the scenarios of one process,
 * so that many runs do not exhaust the key pool. A scenario that rotates the STS signing
 * certificate changes its state, so it gets a fresh one of its own.
 */
const sharedStates = new Map<number, Promise<HarnessState>>();
function sharedState(startMs: number): Promise<HarnessState> {
  const era = eraStart(startMs);
  let state = sharedStates.get(era);
  if (!state) {
    state = HarnessState.open({ clock: new VirtualClock(era) });
    sharedStates.set(era, state);
  }
  return state;
}

/**
 * The CA the scenario's certificates are issued under: the runner's own (a harness is driven
 * only through its control surface, so the runner never holds the harness's CA key), added to the
 * harness's trust anchors at the start. Valid from ten years before the era to twenty after.
 */
const scenarioCas = new Map<number, Promise<TestCa>>();
function scenarioCa(startMs: number): Promise<TestCa> {
  const era = eraStart(startMs);
  let ca = scenarioCas.get(era);
  if (!ca) {
    ca = createTestCa(era, "smdb-harness scenario");
    scenarioCas.set(era, ca);
  }
  return ca;
}

/** Scenario certificates, reused across runs in one process (same CA, same name, same spec). */
const issuedCredentials = new Map<string, Promise<Credential>>();

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

/** The harness a scenario drives: its control surface, and how to stop it. */
interface ScenarioTarget {
  control: HarnessControl;
  /** A harness that outlives the run: certificates of one run must not meet another's there. */
  remote?: boolean;
  close(): Promise<void>;
}

/** A harness of its own, in-process, in memory, on a virtual clock at the scenario's start. */
async function inProcessTarget(scenario: Scenario, options: RunOptions): Promise<ScenarioTarget> {
  const rotates = scenario.steps.some((step) => step.do === "sts.rotateSigningCertificate");
  const clock = new VirtualClock(scenario.startMs);
  const state = rotates ? await HarnessState.open({ clock }) : await sharedState(scenario.startMs);
  const harness: Harness = await startHarness({
    ...options.harness,
    state,
    clock,
    policy: scenario.policy,
    http: true,
    host: "127.0.0.1",
    port: 0,
  });
  return { control: harness.control, close: () => harness.close() };
}

/**
 * A harness running elsewhere, taken over through its admin API. Refused, with what to do, when it
 * cannot give the same results as an in-process one: a real clock cannot be moved, and messages
 * stamped with harness time are refused by a harness that checks them on its machine's clock.
 */
export async function checkRemoteTarget(target: RemoteTarget, control?: RemoteControl): Promise<void> {
  const own = control ?? remoteControl(target);
  try {
    const settings = await own.settings();
    if (!settings.virtualClock) {
      throw new HarnessError(
        "TARGET_NOT_VIRTUAL",
        `the harness at ${target.url} runs on the real clock, which a scenario cannot move; start it with \`up --virtual-clock 2026-01-01T00:00:00Z --message-clock harness\` (container: SMDB_HARNESS_VIRTUAL_CLOCK, SMDB_HARNESS_MESSAGE_CLOCK=harness)`,
      );
    }
    if (settings.messageClock !== undefined && settings.messageClock !== "harness") {
      throw new HarnessError(
        "TARGET_MESSAGE_CLOCK",
        `the harness at ${target.url} checks message timestamps on its machine's clock (message clock "${String(settings.messageClock)}"), while the scenario's client stamps them with harness time; start it with \`--message-clock harness\` (container: SMDB_HARNESS_MESSAGE_CLOCK=harness)`,
      );
    }
  } finally {
    if (!control) own.close();
  }
}

function remoteControl(target: RemoteTarget): RemoteControl {
  return new RemoteControl(target.url, {
    ...(target.ca !== undefined ? { ca: target.ca } : {}),
    ...(target.insecure ? { insecure: true } : {}),
  });
}

/**
 * A harness running elsewhere, taken over through its admin API. Refused, with what to do, when it
 * cannot give the same results as an in-process one (checkRemoteTarget): a real clock cannot be
 * moved, and messages stamped with harness time are refused by a harness that checks them on its
 * machine's clock.
 */
async function remoteTarget(target: RemoteTarget, scenario: Scenario): Promise<ScenarioTarget> {
  const control = remoteControl(target);
  try {
    await checkRemoteTarget(target, control);
    // Taken over: the SMDB trusts the STS's current certificate unless the scenario says otherwise,
    // and the systembruger of an earlier run (same id or entity ID) goes.
    for (const env of ENVIRONMENTS) await control.setWspTrust(env, { mode: "current" });
    for (const user of await control.systemUsers()) {
      if (user.id === SYSTEM_USER_ID || user.entityId === scenario.systemUser.entityId) {
        await control.deleteSystemUser(user.id);
      }
    }
  } catch (error) {
    control.close();
    throw error;
  }
  return { control, remote: true, close: async () => control.close() };
}

class ScenarioRun {
  /** Harness time as the runner moves it; the client's clock follows it. */
  readonly clock: VirtualClock;
  readonly credentials = new Map<string, Credential>();
  /** sha256 → certificate name in the scenario. */
  readonly names = new Map<string, string>();
  readonly actions: ActionRecord[] = [];
  target!: ScenarioTarget;
  endpoints!: Record<Environment, ClientEndpoints>;
  client!: ScenarioClient;
  clientSetup!: ClientSetup;
  /** The harness's own certificates (trust anchors, STS and SMDB): their bounds are instants too. */
  harnessCertificates: Certificate[] = [];

  constructor(
    readonly scenario: Scenario,
    readonly options: RunOptions,
  ) {
    this.clock = new VirtualClock(scenario.startMs);
  }

  get control(): HarnessControl {
    return this.target.control;
  }

  credential(name: string): Credential {
    const credential = this.credentials.get(name);
    if (!credential) throw new Error(`no certificate named "${name}"`);
    return credential;
  }

  nameOf(sha256: string): string {
    return this.names.get(sha256) ?? `${sha256.slice(0, 8)}…`;
  }

  /** Harness time (and the client's clock) to `ms`. */
  async setTime(ms: number): Promise<void> {
    this.clock.set(ms);
    await this.control.setClock(ms);
  }

  async start(): Promise<void> {
    const s = this.scenario;
    this.target = this.options.target
      ? await remoteTarget(this.options.target, s)
      : await inProcessTarget(s, this.options);
    await this.setTime(s.startMs);
    const settings = await this.control.settings();
    if (settings.policy !== s.policy) await this.control.setPolicy(s.policy);
    const ca = await scenarioCa(s.startMs);
    await this.control.addTrustAnchors(ca.root.certificate.pem + ca.issuing.certificate.pem);
    for (const spec of s.certificates) {
      const options = {
        profile: spec.profile,
        cvr: spec.cvr ?? s.systemUser.cvr,
        ...(spec.cn ? { name: spec.cn } : {}),
        ...(spec.organization ? { organization: spec.organization } : {}),
        notBefore: new Date(spec.notBeforeMs),
        notAfter: new Date(spec.notAfterMs),
        ...(spec.keyBits ? { keyBits: spec.keyBits } : {}),
      };
      // A remote harness keeps what a run did (revocations, registrations): fresh certificates per run there.
      const cacheKey = `${ca.issuing.certificate.sha256}|${spec.key}|${JSON.stringify(options)}`;
      let issued = this.target.remote ? undefined : issuedCredentials.get(cacheKey);
      if (!issued) {
        issued = ca.issue(options);
        if (!this.target.remote) issuedCredentials.set(cacheKey, issued);
      }
      const credential = await issued;
      this.credentials.set(spec.key, credential);
      this.names.set(credential.certificate.sha256, spec.key);
    }
    try {
      await this.setUpSystemUser();
    } catch (error) {
      if (!(error instanceof RefusedError)) throw error;
      // NemLog-in refuses the starting point the scenario describes: bad input, not a result.
      const at = s.lines?.["setup.systemUser"] ?? { line: 1, column: 1 };
      throw new ScenarioError([
        {
          file: s.file,
          ...at,
          field: "setup.systemUser",
          message: `NemLog-in refuses this setup: ${error.message}`,
        },
      ]);
    }
    const endpoints = await Promise.all(ENVIRONMENTS.map((env) => this.control.clientEndpoints(env)));
    this.endpoints = { integration: endpoints[0]!, production: endpoints[1]! };
    const environments = await Promise.all(ENVIRONMENTS.map((env) => this.control.environment(env)));
    this.harnessCertificates = [
      ...(await this.control.trustAnchors()).map((anchor) => certificateFromPem(anchor.pem)),
      ...environments.flatMap((e) => [
        certificateFromPem(e.stsCertificatePem),
        certificateFromPem(e.wspCertificatePem),
      ]),
    ];
    this.clientSetup = {
      cert: s.client.cert,
      fallback: s.client.fallback,
      findValue: s.client.findValue,
      skewMs: s.client.clockSkewMs,
    };
    this.client = await ScenarioClient.create(this, this.clientSetup);
    if (s.wsp.trust) await this.client.configureWspTrust(s.wsp.trust);
  }

  async setUpSystemUser(): Promise<void> {
    const s = this.scenario;
    const control = this.control;
    await control.createSystemUser({
      id: SYSTEM_USER_ID,
      name: s.systemUser.name,
      cvr: s.systemUser.cvr,
      entityId: s.systemUser.entityId,
      ...(s.systemUser.privileges ? { privileges: s.systemUser.privileges } : {}),
    });
    for (const env of ENVIRONMENTS) {
      await control.uploadCertificate(
        SYSTEM_USER_ID,
        env,
        "current",
        this.credential(s.systemUser.cert).certificate.der,
      );
      if (s.systemUser.next) {
        await control.uploadCertificate(
          SYSTEM_USER_ID,
          env,
          "next",
          this.credential(s.systemUser.next).certificate.der,
        );
      }
    }
    await control.save(SYSTEM_USER_ID);
    for (const env of s.systemUser.provisioned) await control.provision(SYSTEM_USER_ID, env);
  }

  /** Performs one action through the control surface or the client, as an administrator or vendor would. */
  async apply(step: ScenarioStep): Promise<void> {
    const control = this.control;
    const w = step.with;
    const env = w.environment as Environment;
    const record = (ok: boolean, message: string) =>
      this.actions.push({ atMs: step.atMs, do: step.do, with: w, ok, message, line: step.line });
    try {
      switch (step.do) {
        case "nemlogin.upload": {
          const credential = this.credential(w.cert as string);
          const format = (w.format as string | undefined) ?? "cer";
          const bytes =
            format === "p12"
              ? toPkcs12(credential, PKCS12_PASSWORD)
              : format === "pem"
                ? Buffer.from(credential.certificate.pem)
                : credential.certificate.der;
          const file = `${w.cert}.${format}`;
          try {
            await control.uploadCertificate(SYSTEM_USER_ID, env, w.slot as "current" | "next", bytes);
          } catch (error) {
            // NemLog-in's sentence names the slot; the scenario's reader knows the file by name.
            if (error instanceof RefusedError) {
              record(false, `${file}: ${error.message}`);
              return;
            }
            throw error;
          }
          record(true, `${file} uploaded as ${w.slot} for ${env} (draft; not saved yet)`);
          break;
        }
        case "nemlogin.save":
          await control.save(SYSTEM_USER_ID);
          record(true, "technical details saved (the STS is unaffected until provisioned)");
          break;
        case "nemlogin.provision": {
          const atMs = w.atMs as number | undefined;
          const user = await control.provision(
            SYSTEM_USER_ID,
            env,
            atMs !== undefined ? { at: new Date(atMs).toISOString() } : {},
          );
          const set = user.provisioned[env];
          const certs = SLOTS.filter((slot) => set?.[slot])
            .map((slot) => `${slot} ${this.nameOf(set![slot]!.sha256)}`)
            .join(", ");
          record(
            true,
            `provisioned to ${env}: ${certs}${atMs !== undefined ? `, next active from ${new Date(atMs).toISOString()}` : ""}`,
          );
          break;
        }
        case "nemlogin.revoke":
          await control.revokeCertificate(this.credential(w.cert as string).certificate.der);
          record(true, `certificate ${w.cert} revoked`);
          break;
        case "nemlogin.setPrivileges": {
          const privileges = w.privileges as string[];
          await control.updateSystemUser(SYSTEM_USER_ID, { privileges });
          record(true, `privileges set to ${privileges.join(", ") || "(none)"}`);
          break;
        }
        case "sts.rotateSigningCertificate": {
          const previous = certificateFromPem((await control.environment(env)).stsCertificatePem);
          const rotation = await control.rotateStsSigningCertificate(env);
          const current = certificateFromPem(rotation.certificatePem);
          this.harnessCertificates.push(current);
          record(
            true,
            `the ${env} STS now signs with a new certificate (same subject, new key): ${previous.sha1} → ${current.sha1}`,
          );
          break;
        }
        case "client.deploy": {
          this.clientSetup = {
            ...this.clientSetup,
            cert: w.cert as string,
            fallback:
              w.fallback === undefined
                ? this.clientSetup.fallback
                : ((w.fallback as string | null) ?? undefined),
            ...(w.findValue !== undefined ? { findValue: w.findValue as string } : {}),
          };
          this.client = await this.client.redeploy(this.clientSetup);
          record(true, `client restarted with ${this.clientLabel()} (token cache emptied)`);
          break;
        }
        case "client.trustStsCertificate": {
          const cert = await this.client.trustCurrentStsCertificate(env);
          record(true, `client now also trusts the ${env} STS certificate ${cert.sha1} (restarted)`);
          break;
        }
        case "wsp.trustStsCertificate": {
          const cert = await this.client.wspTrustCurrentStsCertificate(env);
          record(true, `SMDB (${env}) now also trusts the STS certificate ${cert.sha1}`);
          break;
        }
        case "clock.skew": {
          const ms = w.clientMs as number;
          this.client.setSkew(ms);
          this.clientSetup = { ...this.clientSetup, skewMs: ms };
          record(
            true,
            `the client's clock is now ${ms === 0 ? "correct" : `${ms > 0 ? "ahead" : "behind"} by ${Math.abs(ms) / 1000} s`}`,
          );
          break;
        }
      }
    } catch (error) {
      if (error instanceof RefusedError) {
        record(false, error.message);
        return;
      }
      throw error;
    }
  }

  clientLabel(): string {
    const c = this.clientSetup;
    return `${c.cert}${c.fallback ? ` (fallback ${c.fallback})` : ""}`;
  }

  /** The systembruger as NemLog-in and the STS see it now. */
  systemUser(): Promise<SystemUserView> {
    return this.control.systemUser(SYSTEM_USER_ID);
  }

  /** NemLog-in's state for the client's environment, in words. */
  nemloginLabel(user: SystemUserView): string {
    const env = this.scenario.environment;
    const accepted = user.status[env].acceptedSha256.map((sha) => this.nameOf(sha));
    const provisioned = user.provisioned[env];
    const setText = (set: { current: { sha256: string } | null; next: { sha256: string } | null } | null) =>
      set && (set.current || set.next)
        ? SLOTS.filter((slot) => set[slot])
            .map((slot) => `${slot} ${this.nameOf(set[slot]!.sha256)}`)
            .join(", ")
        : "nothing";
    let label = `accepts ${accepted.length ? accepted.join(" + ") : "none"} [${setText(provisioned)}]`;
    const saved = setText(user.saved[env]);
    if (saved !== setText(provisioned)) label += ` · saved, not provisioned: ${saved}`;
    return label;
  }

  /** Instants that do not depend on what the client did. */
  staticInstants(): number[] {
    const s = this.scenario;
    const skews = new Set<number>([s.client.clockSkewMs, 0]);
    for (const step of s.steps) {
      if (step.do === "clock.skew") skews.add(step.with.clientMs as number);
    }
    const out: number[] = [s.startMs];
    for (const step of s.steps) {
      out.push(step.atMs);
      if (typeof step.with.atMs === "number") out.push(step.with.atMs);
    }
    for (const credential of this.credentials.values()) {
      const bounds = [
        credential.certificate.notBefore.getTime(),
        credential.certificate.notAfter.getTime() + 1,
      ];
      for (const bound of bounds) for (const skew of skews) out.push(bound - skew);
    }
    // The harness's own certificates (CAs, STS signing, SMDB): their validity is checked too.
    for (const cert of this.harnessCertificates)
      out.push(cert.notBefore.getTime(), cert.notAfter.getTime() + 1);
    out.push(...(this.options.extraInstants ?? []));
    return out;
  }

  async close(): Promise<void> {
    await this.client?.close();
    await this.target?.close();
  }
}

async function execute(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const run = new ScenarioRun(scenario, options);
  try {
    await run.start();
    const env = scenario.client.stsEnvironment;
    const { intervals, evaluations, repeatedCycles } = await evaluateTimeline(
      {
        setTime: (ms) => run.setTime(ms),
        apply: (step) => run.apply(step),
        call: () => run.client.call(),
        state: async () => {
          const user = await run.systemUser();
          const changeAt = user.status[env].nextChangeAt;
          return {
            client: run.clientLabel(),
            nemlogin: run.nemloginLabel(user),
            nextRolloverMs: changeAt === null ? undefined : Date.parse(changeAt),
          };
        },
        tokenInstants: () => run.client.dynamicInstants(),
        renewalAt: () => run.client.renewalAt(),
      },
      {
        startMs: scenario.startMs,
        endMs: scenario.endMs,
        steps: scenario.steps,
        changeInstants: run.staticInstants(),
        ...(options.sampleEveryMs ? { sampleEveryMs: options.sampleEveryMs } : {}),
        ...(options.everyRenewal ? { everyRenewal: true } : {}),
      },
    );
    const failures = failureWindows(intervals);
    const downtimeMs = totalDowntime(failures);
    const expectations = checkExpectations(scenario, failures, downtimeMs, intervals);
    return {
      ...resultHeader(scenario),
      passed: expectations.every((e) => e.ok),
      downtimeMs,
      failures,
      intervals,
      lanes: buildLanes(intervals),
      actions: run.actions,
      certificates: [...run.credentials.entries()].map(([name, credential]) => ({
        name,
        subject: credential.certificate.subject.split("\n").join(", "),
        sha256: credential.certificate.sha256,
        notBeforeMs: credential.certificate.notBefore.getTime(),
        notAfterMs: credential.certificate.notAfter.getTime(),
      })),
      expectations,
      evaluations,
      repeatedCycles,
      elapsedMs: 0,
    };
  } finally {
    await run.close();
  }
}

export type { ScenarioRun };
