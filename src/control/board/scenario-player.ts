/**
 * "Afspil scenarie": plays a rotation scenario on the running harness, one step at a time, so a
 * trainer can explain each. Starting sets the clock to the scenario's start, its policy, issues its
 * certificates under the harness's CA, creates its systembruger (id `scenarie`) as an
 * administrator would, and deploys its client on the board's client; each step moves the clock to
 * the step's time (making a call wherever the answer can change on the way), does the step through
 * the control surface or the client, and makes a call. The last step runs to the scenario's end, so
 * the board's downtime can be set against the scenario's expected one.
 *
 * The scenarios come through a port (`ScenarioLibrary`), filled by `up` with the built-in ones:
 * parsing them is the scenario floor's job, above this one. The shape is the parsed scenario's.
 */
import { RefusedError } from "../../core/errors.js";
import { ENVIRONMENTS, type Environment } from "../../core/events.js";
import { Certificate, type Credential, type IssueOptions, toPkcs12 } from "../../pki/index.js";
import type { OperationName } from "../../smdb/operations.js";
import type { RolloverPolicy, Slot } from "../../sts/rollover.js";
import type { LocalControl } from "../local-control.js";
import type { CallView, ClientStation, DeploymentInput } from "./client-station.js";
import type { Timeline } from "./timeline.js";

export interface PlayableCertificate {
  key: string;
  profile: "oces3-system" | "foces2";
  notBeforeMs: number;
  notAfterMs: number;
  cn?: string;
  organization?: string;
  cvr?: string;
}

export interface PlayableStep {
  index: number;
  atMs: number;
  do: string;
  with: Record<string, unknown>;
  note?: string;
}

/** A scenario as the scenario floor parses it (src/scenario/parse.ts `Scenario` extends this). */
export interface PlayableScenario {
  name: string;
  description: string;
  policy: RolloverPolicy;
  environment: Environment;
  startMs: number;
  endMs: number;
  certificates: PlayableCertificate[];
  systemUser: {
    cert: string;
    next?: string;
    provisioned: Environment[];
    privileges?: string[];
    cvr: string;
    name: string;
    entityId: string;
  };
  client: {
    cert: string;
    fallback?: string;
    tokenLifetimeMs?: number;
    findBy: "thumbprint" | "subjectName" | "serialNumber";
    findValue?: string;
    operation: OperationName;
    stsEnvironment: Environment;
    wspEnvironment: Environment;
    clockSkewMs: number;
  };
  wsp: { trust?: "pin-thumbprint" | "subject-and-chain" };
  steps: PlayableStep[];
  expect: {
    downtime?: { exactMs?: number; minMs?: number; maxMs?: number };
    failures?: Array<{ fromMs: number; toMs: number; step: 0 | 1 | 2; reason: string }>;
  };
}

export interface ScenarioSummary {
  name: string;
  description: string;
  policy: RolloverPolicy;
  environment: Environment;
  steps: number;
}

/** Where the board finds scenarios (the built-in ones, from `up`). */
export interface ScenarioLibrary {
  list(): Promise<ScenarioSummary[]>;
  /** Throws a RefusedError (not-found, or invalid with the problem) for a name it cannot give. */
  load(name: string): Promise<PlayableScenario>;
}

export interface PlayedStepView {
  index: number;
  at: string;
  atMs: number;
  do: string;
  with: Record<string, unknown>;
  note: string | null;
  state: "pending" | "done" | "refused";
  /** A refusal's code (e.g. PKCS12_NOT_ALLOWED) and sentence. */
  refusal: { code: string; message: string } | null;
  /** The call made right after the step. */
  call: Pick<CallView, "id" | "ok" | "step" | "reason" | "eventSeq"> | null;
}

export interface PlayerView {
  name: string;
  description: string;
  policy: RolloverPolicy;
  environment: Environment;
  start: string;
  end: string;
  startMs: number;
  endMs: number;
  systemUserId: string;
  steps: PlayedStepView[];
  /** The next step's index; `steps.length` means "to the end"; null when finished. */
  next: number | null;
  finished: boolean;
  expected: PlayableScenario["expect"];
  certificates: Array<{ key: string; sha256: string; notBefore: string; notAfter: string }>;
}

export interface PlayerDeps {
  library: ScenarioLibrary;
  control: LocalControl;
  client: ClientStation;
  timeline: Timeline;
  /** Moves harness time, calling wherever the answer can change on the way. */
  moveTo: (ms: number) => Promise<CallView[]>;
  virtualClock: () => boolean;
  issue: ((options: IssueOptions) => Promise<Credential>) | undefined;
}

/** The systembruger a played scenario uses. */
export const SCENARIO_SYSTEM_USER_ID = "scenarie";
const PKCS12_PASSWORD = "scenarie";

function commonName(cert: Certificate): string {
  const cn = cert.subject.split("\n").find((p) => p.startsWith("CN="));
  return cn ? cn.slice(3) : cert.subject;
}

interface Playing {
  scenario: PlayableScenario;
  credentials: Map<string, Credential>;
  steps: PlayedStepView[];
  next: number;
  finished: boolean;
  /** The client's current setup, as the scenario changes it. */
  clientSetup: { cert: string; fallback?: string; findValue?: string };
}

export class ScenarioPlayer {
  readonly #deps: PlayerDeps;
  #playing: Playing | undefined;
  /** One start or step at a time. */
  #busy: Promise<unknown> = Promise.resolve();

  constructor(deps: PlayerDeps) {
    this.#deps = deps;
  }

  list(): Promise<ScenarioSummary[]> {
    return this.#deps.library.list();
  }

  view(): PlayerView | null {
    const p = this.#playing;
    if (!p) return null;
    const s = p.scenario;
    return {
      name: s.name,
      description: s.description,
      policy: s.policy,
      environment: s.environment,
      start: new Date(s.startMs).toISOString(),
      end: new Date(s.endMs).toISOString(),
      startMs: s.startMs,
      endMs: s.endMs,
      systemUserId: SCENARIO_SYSTEM_USER_ID,
      steps: p.steps,
      next: p.finished ? null : p.next,
      finished: p.finished,
      expected: s.expect,
      certificates: [...p.credentials.entries()].map(([key, c]) => ({
        key,
        sha256: c.certificate.sha256,
        notBefore: c.certificate.notBefore.toISOString(),
        notAfter: c.certificate.notAfter.toISOString(),
      })),
    };
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#busy.then(fn, fn);
    this.#busy = run.catch(() => undefined);
    return run;
  }

  start(name: string): Promise<PlayerView> {
    return this.#serial(() => this.#start(name));
  }

  next(): Promise<PlayerView> {
    return this.#serial(() => this.#next());
  }

  stop(): void {
    this.#playing = undefined;
  }

  async #start(name: string): Promise<PlayerView> {
    const { control, client, timeline } = this.#deps;
    if (typeof name !== "string" || name === "") {
      throw new RefusedError("invalid", "BAD_REQUEST", "give the scenario's name");
    }
    if (!this.#deps.virtualClock()) control.requireVirtualClock();
    const issue = this.#deps.issue;
    if (!issue) {
      throw new RefusedError(
        "conflict",
        "CANNOT_ISSUE",
        "this harness cannot issue the scenario's certificates",
      );
    }
    const scenario = await this.#deps.library.load(name);
    this.#playing = undefined;
    await client.withoutAutoCalls(async () => {
      await client.clear();
      client.forget("scenario");
      await control.setClock(scenario.startMs);
      if ((await control.settings()).policy !== scenario.policy) await control.setPolicy(scenario.policy);
      const credentials = new Map<string, Credential>();
      for (const spec of scenario.certificates) {
        credentials.set(
          spec.key,
          await issue({
            profile: spec.profile,
            cvr: spec.cvr ?? scenario.systemUser.cvr,
            ...(spec.cn ? { name: spec.cn } : {}),
            ...(spec.organization ? { organization: spec.organization } : {}),
            notBefore: new Date(spec.notBeforeMs),
            notAfter: new Date(spec.notAfterMs),
          }),
        );
      }
      for (const user of await control.systemUsers()) {
        if (user.id === SCENARIO_SYSTEM_USER_ID || user.entityId === scenario.systemUser.entityId) {
          await control.deleteSystemUser(user.id);
        }
      }
      const u = scenario.systemUser;
      await control.createSystemUser({
        id: SCENARIO_SYSTEM_USER_ID,
        name: u.name,
        cvr: u.cvr,
        entityId: u.entityId,
        ...(u.privileges ? { privileges: u.privileges } : {}),
      });
      const credential = (key: string) => {
        const c = credentials.get(key);
        if (!c)
          throw new RefusedError("invalid", "BAD_SCENARIO", `the scenario names no certificate "${key}"`);
        return c;
      };
      for (const env of ENVIRONMENTS) {
        await control.uploadCertificate(
          SCENARIO_SYSTEM_USER_ID,
          env,
          "current",
          credential(u.cert).certificate.der,
        );
        if (u.next) {
          await control.uploadCertificate(
            SCENARIO_SYSTEM_USER_ID,
            env,
            "next",
            credential(u.next).certificate.der,
          );
        }
      }
      await control.save(SCENARIO_SYSTEM_USER_ID);
      for (const env of u.provisioned) await control.provision(SCENARIO_SYSTEM_USER_ID, env);
      for (const [key, c] of credentials) client.addCredential(c, { label: key, source: "scenario" });
      this.#playing = {
        scenario,
        credentials,
        steps: scenario.steps.map((step) => ({
          index: step.index,
          at: new Date(step.atMs).toISOString(),
          atMs: step.atMs,
          do: step.do,
          with: step.with,
          note: step.note ?? null,
          state: "pending",
          refusal: null,
          call: null,
        })),
        next: 0,
        finished: false,
        clientSetup: {
          cert: scenario.client.cert,
          ...(scenario.client.fallback ? { fallback: scenario.client.fallback } : {}),
          ...(scenario.client.findValue ? { findValue: scenario.client.findValue } : {}),
        },
      };
      await client.deploy({
        ...this.#deployment(this.#playing),
        stsEnvironment: scenario.client.stsEnvironment,
        wspEnvironment: scenario.client.wspEnvironment,
        skewMs: scenario.client.clockSkewMs,
        operation: scenario.client.operation,
        ...(scenario.client.tokenLifetimeMs !== undefined
          ? { tokenLifetimeMs: scenario.client.tokenLifetimeMs }
          : {}),
      });
      if (scenario.wsp.trust) await this.#configureWspTrust(scenario.wsp.trust);
      timeline.reset(scenario.startMs);
      await client.call();
    });
    return this.view()!;
  }

  /** The client's certificate store lookup for the current setup, among the certificates installed for it. */
  #deployment(p: Playing): DeploymentInput {
    const { cert, fallback, findValue } = p.clientSetup;
    const findBy = p.scenario.client.findBy;
    const lookup = (key: string, value: string | undefined) => {
      const c = p.credentials.get(key);
      if (!c) throw new RefusedError("invalid", "BAD_SCENARIO", `the scenario names no certificate "${key}"`);
      if (findBy === "thumbprint")
        return { findType: "FindByThumbprint" as const, findValue: c.certificate.sha1 };
      if (findBy === "serialNumber")
        return { findType: "FindBySerialNumber" as const, findValue: c.certificate.serialNumber };
      return { findType: "FindBySubjectName" as const, findValue: value ?? commonName(c.certificate) };
    };
    // The store holds what the vendor installed for this deployment: the deployed certificates.
    const installed = [cert, ...(fallback ? [fallback] : [])].map(
      (k) => p.credentials.get(k)!.certificate.sha256,
    );
    return {
      find: lookup(cert, findValue),
      fallbackFind: fallback ? lookup(fallback, undefined) : null,
      within: installed,
    };
  }

  async #configureWspTrust(mode: "pin-thumbprint" | "subject-and-chain"): Promise<void> {
    const control = this.#deps.control;
    for (const env of ENVIRONMENTS) {
      const sts = Certificate.fromPem((await control.environment(env)).stsCertificatePem);
      await control.setWspTrust(
        env,
        mode === "pin-thumbprint" ? { mode, thumbprints: [sts.sha1] } : { mode, subjects: [sts.subject] },
      );
    }
  }

  async #next(): Promise<PlayerView> {
    const p = this.#playing;
    if (!p) throw new RefusedError("conflict", "NO_SCENARIO", "no scenario is being played; start one first");
    if (p.finished)
      throw new RefusedError("conflict", "SCENARIO_FINISHED", "the scenario has ended; start it again");
    const { client, timeline } = this.#deps;
    if (p.next >= p.steps.length) {
      await this.#deps.moveTo(p.scenario.endMs);
      p.finished = true;
      return this.view()!;
    }
    const step = p.steps[p.next]!;
    await this.#deps.moveTo(step.atMs);
    await client.withoutAutoCalls(async () => {
      try {
        await this.#apply(p, step);
        step.state = "done";
      } catch (error) {
        if (!(error instanceof RefusedError)) throw error;
        step.state = "refused";
        step.refusal = { code: error.reason, message: error.message };
      }
      timeline.mark({ atMs: step.atMs, kind: "scenario-step", data: { index: step.index, do: step.do } });
      const call = await client.call();
      if (call) {
        step.call = {
          id: call.id,
          ok: call.ok,
          step: call.step,
          reason: call.reason,
          eventSeq: call.eventSeq,
        };
      }
    });
    p.next++;
    return this.view()!;
  }

  async #apply(p: Playing, step: PlayedStepView): Promise<void> {
    const { control, client } = this.#deps;
    const w = step.with;
    const env = (w.environment as Environment | undefined) ?? p.scenario.environment;
    const credential = (key: unknown) => {
      const c = p.credentials.get(String(key));
      if (!c)
        throw new RefusedError(
          "invalid",
          "BAD_SCENARIO",
          `the scenario names no certificate "${String(key)}"`,
        );
      return c;
    };
    switch (step.do) {
      case "nemlogin.upload": {
        const c = credential(w.cert);
        const format = (w.format as string | undefined) ?? "cer";
        const bytes =
          format === "p12"
            ? toPkcs12(c, PKCS12_PASSWORD)
            : format === "pem"
              ? Buffer.from(c.certificate.pem)
              : c.certificate.der;
        await control.uploadCertificate(SCENARIO_SYSTEM_USER_ID, env, (w.slot as Slot) ?? "next", bytes);
        return;
      }
      case "nemlogin.save":
        await control.save(SCENARIO_SYSTEM_USER_ID);
        return;
      case "nemlogin.provision": {
        const atMs = w.atMs as number | undefined;
        await control.provision(
          SCENARIO_SYSTEM_USER_ID,
          env,
          atMs !== undefined ? { at: new Date(atMs).toISOString() } : {},
        );
        return;
      }
      case "nemlogin.revoke":
        await control.revokeCertificate(credential(w.cert).certificate.der);
        return;
      case "nemlogin.setPrivileges":
        await control.updateSystemUser(SCENARIO_SYSTEM_USER_ID, { privileges: w.privileges as string[] });
        return;
      case "sts.rotateSigningCertificate":
        await control.rotateStsSigningCertificate(env);
        return;
      case "client.deploy": {
        p.clientSetup = {
          ...p.clientSetup,
          cert: String(w.cert),
          ...(w.fallback === undefined
            ? {}
            : w.fallback === null
              ? { fallback: undefined }
              : { fallback: String(w.fallback) }),
          ...(w.findValue !== undefined ? { findValue: String(w.findValue) } : {}),
        };
        if (p.clientSetup.fallback === undefined) delete p.clientSetup.fallback;
        await client.deploy(this.#deployment(p));
        return;
      }
      case "client.trustStsCertificate":
        await client.trustCurrentStsCertificate(env);
        return;
      case "wsp.trustStsCertificate": {
        const sts = Certificate.fromPem((await control.environment(env)).stsCertificatePem);
        const trust = await control.wspTrust(env);
        if (trust.mode === "pin-thumbprint" && !trust.thumbprints.includes(sts.sha1)) {
          await control.setWspTrust(env, { mode: trust.mode, thumbprints: [...trust.thumbprints, sts.sha1] });
        } else if (trust.mode === "subject-and-chain" && !trust.subjects.includes(sts.subject)) {
          await control.setWspTrust(env, { mode: trust.mode, subjects: [...trust.subjects, sts.subject] });
        }
        return;
      }
      case "clock.skew":
        await client.setSkew(Number(w.clientMs));
        return;
      default:
        throw new RefusedError("invalid", "UNKNOWN_ACTION", `the board cannot play the action "${step.do}"`);
    }
  }
}
