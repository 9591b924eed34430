/**
 * Runs a scenario: issues its certificates from the harness's test CA (key pool), starts the
 * harness in-process on a virtual clock (in memory; plain HTTP on 127.0.0.1), sets up the
 * systembruger through the same Registry/HarnessState code the admin API uses, and runs the
 * real client (`WscClient`: real step-1 and step-2 messages over real HTTP).
 *
 * Downtime is computed exactly: the runner visits every instant at which an input of a call can
 * change — the scenario's actions, scheduled activations, certificate notBefore and notAfter + 1 ms
 * (also as seen through a skewed client clock), the rollover moments the registry reports, the
 * client's token refresh moment and its token's expiry at the WSP (with the WSP's tolerance). At
 * each instant it makes one real call; that outcome holds until the next instant. Failing
 * intervals are merged into windows (same step and reason) and summed up to `end`.
 */

import { VirtualClock } from "../core/clock.js";
import { HarnessError } from "../core/errors.js";
import { ENVIRONMENTS, type Environment } from "../core/events.js";
import { type Harness, type HarnessOptions, startHarness } from "../harness/harness.js";
import { HarnessState } from "../harness/state.js";
import { toPkcs12 } from "../pki/export.js";
import type { Credential } from "../pki/index.js";
import { AdminError } from "../sts/registry.js";
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
  type EvaluatedInterval,
  failureWindows,
  type ScenarioResult,
  totalDowntime,
} from "./result.js";

export interface RunOptions {
  /** Extra harness options (e.g. `faultMode`); the runner always sets clock, policy and HTTP. */
  harness?: Partial<Omit<HarnessOptions, "clock" | "policy" | "http" | "stateDir">>;
  /**
   * Evaluate at these extra instants (harness time, ms) too; used by tests that cross-check the
   * exact result against dense sampling. Adding instants never changes an exact result.
   */
  extraInstants?: number[];
  /** Replace the exact instants by sampling: one call every `sampleEveryMs` from start (tests only). */
  sampleEveryMs?: number;
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

/**
 * Harness identities (test CA, STS and WSP credentials) shared by the scenarios of one process,
 * so that many runs do not exhaust the key pool. A scenario that rotates the STS signing
 * certificate changes its state, so it gets a fresh one of its own.
 */
const sharedStates = new Map<number, Promise<HarnessState>>();
function sharedState(startMs: number): Promise<HarnessState> {
  const era = Math.floor(startMs / (5 * YEAR_MS));
  let state = sharedStates.get(era);
  if (!state) {
    state = HarnessState.open({ clock: new VirtualClock(era * 5 * YEAR_MS) });
    sharedStates.set(era, state);
  }
  return state;
}

/** Scenario certificates, reused across runs in one process (same CA, same name, same spec). */
const issuedCredentials = new Map<string, Promise<Credential>>();

class ScenarioRun {
  readonly clock: VirtualClock;
  readonly credentials = new Map<string, Credential>();
  /** sha256 → certificate name in the scenario. */
  readonly names = new Map<string, string>();
  readonly actions: ActionRecord[] = [];
  harness!: Harness;
  client!: ScenarioClient;
  clientSetup!: ClientSetup;

  constructor(
    readonly scenario: Scenario,
    readonly options: RunOptions,
  ) {
    this.clock = new VirtualClock(scenario.startMs);
  }

  credential(name: string): Credential {
    const credential = this.credentials.get(name);
    if (!credential) throw new Error(`no certificate named "${name}"`);
    return credential;
  }

  nameOf(sha256: string): string {
    return this.names.get(sha256) ?? `${sha256.slice(0, 8)}…`;
  }

  async start(): Promise<void> {
    const s = this.scenario;
    const rotates = s.steps.some((step) => step.do === "sts.rotateSigningCertificate");
    const state = rotates ? await HarnessState.open({ clock: this.clock }) : await sharedState(s.startMs);
    this.harness = await startHarness({
      ...this.options.harness,
      state,
      clock: this.clock,
      policy: s.policy,
      http: true,
      host: "127.0.0.1",
      port: 0,
    });
    const ca = this.harness.state.ca;
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
      const cacheKey = `${ca.issuing.certificate.sha256}|${spec.key}|${JSON.stringify(options)}`;
      let issued = issuedCredentials.get(cacheKey);
      if (!issued) {
        issued = ca.issue(options);
        issuedCredentials.set(cacheKey, issued);
      }
      const credential = await issued;
      this.credentials.set(spec.key, credential);
      this.names.set(credential.certificate.sha256, spec.key);
    }
    try {
      await this.setUpSystemUser();
    } catch (error) {
      if (!(error instanceof AdminError)) throw error;
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
    this.clientSetup = {
      cert: s.client.cert,
      fallback: s.client.fallback,
      findValue: s.client.findValue,
      skewMs: s.client.clockSkewMs,
    };
    this.client = await ScenarioClient.create(this, this.clientSetup);
    if (s.wsp.trust) this.client.configureWspTrust(s.wsp.trust);
  }

  async setUpSystemUser(): Promise<void> {
    const s = this.scenario;
    const registry = this.harness.registry;
    await registry.createSystemUser({
      id: SYSTEM_USER_ID,
      name: s.systemUser.name,
      cvr: s.systemUser.cvr,
      entityId: s.systemUser.entityId,
      ...(s.systemUser.privileges ? { privileges: s.systemUser.privileges } : {}),
    });
    for (const env of ["integration", "production"] as Environment[]) {
      await registry.uploadCertificate(
        SYSTEM_USER_ID,
        env,
        "current",
        this.credential(s.systemUser.cert).certificate.der,
        `${s.systemUser.cert}.cer`,
      );
      if (s.systemUser.next) {
        await registry.uploadCertificate(
          SYSTEM_USER_ID,
          env,
          "next",
          this.credential(s.systemUser.next).certificate.der,
          `${s.systemUser.next}.cer`,
        );
      }
    }
    await registry.save(SYSTEM_USER_ID);
    for (const env of s.systemUser.provisioned) await registry.provision(SYSTEM_USER_ID, env);
  }

  /** Performs one action through the registry / harness state / client, as the admin API would. */
  async apply(step: ScenarioStep): Promise<void> {
    const registry = this.harness.registry;
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
          await registry.uploadCertificate(SYSTEM_USER_ID, env, w.slot as "current" | "next", bytes, file);
          record(true, `${file} uploaded as ${w.slot} for ${env} (draft; not saved yet)`);
          break;
        }
        case "nemlogin.save":
          await registry.save(SYSTEM_USER_ID);
          record(true, "technical details saved (the STS is unaffected until provisioned)");
          break;
        case "nemlogin.provision": {
          const atMs = w.atMs as number | undefined;
          const set = await registry.provision(SYSTEM_USER_ID, env, atMs);
          const certs = SLOTS.filter((slot) => set[slot])
            .map((slot) => `${slot} ${this.nameOf(set[slot]!.sha256)}`)
            .join(", ");
          record(
            true,
            `provisioned to ${env}: ${certs}${atMs !== undefined ? `, next active from ${new Date(atMs).toISOString()}` : ""}`,
          );
          break;
        }
        case "nemlogin.revoke":
          await registry.revoke(this.credential(w.cert as string).certificate.der, `${w.cert}.cer`);
          record(true, `certificate ${w.cert} revoked`);
          break;
        case "nemlogin.setPrivileges": {
          const privileges = w.privileges as string[];
          await registry.updateSystemUser(SYSTEM_USER_ID, { privileges });
          record(true, `privileges set to ${privileges.join(", ") || "(none)"}`);
          break;
        }
        case "sts.rotateSigningCertificate": {
          const { previous, current } = await this.harness.state.rotateStsSigningCertificate(env);
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
          const cert = this.client.wspTrustCurrentStsCertificate(env);
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
      if (error instanceof AdminError) {
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

  /** NemLog-in's state for the client's environment, in words. */
  nemloginLabel(atMs: number): string {
    const env = this.scenario.environment;
    const registry = this.harness.registry;
    const user = registry.systemUser(SYSTEM_USER_ID);
    const decision = registry.rollover(SYSTEM_USER_ID, env, atMs);
    const accepted = decision?.acceptedSha256.map((sha) => this.nameOf(sha)) ?? [];
    const provisioned = user.provisioned[env];
    const setText = (set: { current?: { sha256: string }; next?: { sha256: string } } | undefined) =>
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
    // The harness's own certificates (test CA, STS signing, SMDB): their validity is checked too.
    const state = this.harness.state;
    const own = [
      ...state.caCertificates(),
      ...ENVIRONMENTS.flatMap((env) => [
        state.environment(env).stsSigning.certificate,
        state.environment(env).wsp.certificate,
      ]),
    ];
    for (const cert of own) out.push(cert.notBefore.getTime(), cert.notAfter.getTime() + 1);
    out.push(...(this.options.extraInstants ?? []));
    return out;
  }

  async close(): Promise<void> {
    await this.client?.close();
    await this.harness?.close();
  }
}

async function execute(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const run = new ScenarioRun(scenario, options);
  try {
    await run.start();
    const start = scenario.startMs;
    const end = scenario.endMs;
    const staticInstants = [...new Set(run.staticInstants())]
      .filter((t) => t > start && t < end)
      .sort((a, b) => a - b);
    const intervals: EvaluatedInterval[] = [];
    let pendingSteps = scenario.steps.filter((step) => step.atMs < end);
    let staticIndex = 0;
    let t = start;
    let evaluations = 0;
    for (;;) {
      // Actions due by now, each at its own time (in sampling mode they may lie between samples).
      while (pendingSteps.length > 0 && pendingSteps[0]!.atMs <= t) {
        run.clock.set(pendingSteps[0]!.atMs);
        await run.apply(pendingSteps[0]!);
        pendingSteps = pendingSteps.slice(1);
      }
      run.clock.set(t);
      const outcome = await run.client.call();
      evaluations++;
      intervals.push({
        fromMs: t,
        toMs: end,
        outcome,
        client: run.clientLabel(),
        nemlogin: run.nemloginLabel(t),
      });
      let next = end;
      if (options.sampleEveryMs) {
        next = Math.min(end, t + options.sampleEveryMs);
      } else {
        while (staticIndex < staticInstants.length && staticInstants[staticIndex]! <= t) staticIndex++;
        if (staticIndex < staticInstants.length) next = Math.min(next, staticInstants[staticIndex]!);
        for (const instant of run.client.dynamicInstants()) if (instant > t) next = Math.min(next, instant);
        const change = run.harness.registry.rollover(
          SYSTEM_USER_ID,
          scenario.client.stsEnvironment,
          t,
        )?.nextChangeMs;
        if (change !== undefined && change > t) next = Math.min(next, change);
      }
      if (pendingSteps.length > 0 && !options.sampleEveryMs) next = Math.min(next, pendingSteps[0]!.atMs);
      intervals[intervals.length - 1]!.toMs = next;
      if (next >= end) break;
      t = next;
    }
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
      elapsedMs: 0,
    };
  } finally {
    await run.close();
  }
}

export type { ScenarioRun };
