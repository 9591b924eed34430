/**
 * The smdb service of a split harness (`up --role smdb`) knows the NemLog-in side only over the
 * network, as the real SMDB does. Every second it asks the nemlogin service's admin API for:
 *
 *   - each environment's STS signing certificate (`GET /admin/api/environments`): SMDB trusts it
 *     (trust mode `current`), so an STS signing-certificate rotation is followed within a second;
 *     under `pin-thumbprint` SMDB deliberately keeps its pins and fails, as a WSP that pins does;
 *   - the clock and the message clock (`GET /admin/api/clock`, `/settings`), so that token
 *     lifetimes are judged on the same (virtual) time the STS issued them on;
 *   - the STS's built-in trust anchors (once), for the `subject-and-chain` trust mode.
 *
 * And it registers its own certificate per environment (`POST /admin/api/environments/{env}/wsps`,
 * with its URL and TLS CA), so that the STS encrypts tokens to it. When the nemlogin service goes
 * away, SMDB keeps the trust it had and says so in `/health`.
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ClockView, EnvironmentView } from "../control/harness-control.js";
import { RemoteControl } from "../control/remote-control.js";
import { writeFileAtomic } from "../core/atomic-file.js";
import { type Clock, RealClock } from "../core/clock.js";
import { HarnessError } from "../core/errors.js";
import { ENVIRONMENTS, type Environment, type EventLog } from "../core/events.js";
import { Certificate } from "../pki/index.js";
import { stsCertificateFile } from "./state.js";

/** Harness time as the nemlogin service has it: its virtual time as last learned, or the real clock. */
export class FollowedClock implements Clock {
  readonly #real: Clock;
  #virtualMs: number | undefined;

  constructor(real: Clock = new RealClock()) {
    this.#real = real;
  }
  nowMs(): number {
    return this.#virtualMs ?? this.#real.nowMs();
  }
  now(): Date {
    return new Date(this.nowMs());
  }
  /** Whether the nemlogin service runs on a virtual clock. */
  get virtual(): boolean {
    return this.#virtualMs !== undefined;
  }
  /** Takes the nemlogin service's time; true when it changed. */
  follow(view: Pick<ClockView, "virtual" | "nowMs">): boolean {
    const next = view.virtual ? view.nowMs : undefined;
    const changed = next !== this.#virtualMs;
    this.#virtualMs = next;
    return changed;
  }
}

/** The clock message Timestamps are checked on: the nemlogin service's choice of harness or real time. */
export class FollowedMessageClock implements Clock {
  #mode: "harness" | "real" = "real";
  constructor(
    private readonly harness: Clock,
    private readonly real: Clock = new RealClock(),
  ) {}
  get mode(): "harness" | "real" {
    return this.#mode;
  }
  set mode(mode: "harness" | "real") {
    this.#mode = mode;
  }
  nowMs(): number {
    return this.#mode === "harness" ? this.harness.nowMs() : this.real.nowMs();
  }
  now(): Date {
    return new Date(this.nowMs());
  }
}

/** What the smdb service knows of one environment's STS. */
export interface LearnedSts {
  stsUrl: string;
  stsEndpointReference: string;
  certificate: Certificate;
  history: Certificate[];
}

/** What the smdb service registers at the nemlogin service for one environment. */
export interface SmdbRegistration {
  entityId: string;
  certificate: Certificate;
  url: string;
  tlsCaPem: string | null;
}

export interface NemloginFollowerOptions {
  /** The nemlogin service's base URL, e.g. `https://nemlogin:8443`. */
  url: string;
  /** A file with the CA of the nemlogin service's TLS certificate (read until it exists). */
  caFile?: string;
  /** Default 1000 ms. */
  intervalMs?: number;
  events: EventLog;
  clock?: FollowedClock;
  messageClock?: FollowedMessageClock;
  /** Where `sts-{env}.pem` (the learned STS certificates) is written; none: memory only. */
  stateDir?: string;
}

export interface FollowerStatus {
  url: string;
  /** Whether the last attempt reached it. */
  reachable: boolean;
  /** The last time (wall clock, ISO) everything was learned. */
  lastContact: string | null;
  /** Why the last attempt failed, when it did. */
  problem: string | null;
  /** Whether SMDB is registered at the nemlogin service (in this run). */
  registered: boolean;
  /** SHA-256 of the STS signing certificate SMDB knows, per environment. */
  stsCertificates: Partial<Record<Environment, string>>;
}

export class NemloginFollower {
  readonly url: string;
  readonly clock: FollowedClock;
  readonly messageClock: FollowedMessageClock;
  readonly #options: NemloginFollowerOptions;
  readonly #wall = new RealClock();
  #control: RemoteControl | undefined;
  #learned: Partial<Record<Environment, LearnedSts>> = {};
  #anchors: Certificate[] | undefined;
  #registrations: (() => Record<Environment, SmdbRegistration>) | undefined;
  #registeredSha: Partial<Record<Environment, string>> = {};
  #reachable = false;
  #lastContactMs: number | undefined;
  #problem: string | null = null;
  #timer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;
  #stopped = false;

  constructor(options: NemloginFollowerOptions) {
    this.#options = options;
    this.url = options.url.replace(/\/+$/, "");
    this.clock = options.clock ?? new FollowedClock();
    this.messageClock = options.messageClock ?? new FollowedMessageClock(this.clock);
  }

  /** What to register at the nemlogin service (set once the smdb service listens). */
  registerAs(registrations: () => Record<Environment, SmdbRegistration>): void {
    this.#registrations = registrations;
  }

  /** The STS of `env` as last learned; undefined before the first contact. */
  sts(env: Environment): LearnedSts | undefined {
    return this.#learned[env];
  }

  /** The STS's built-in trust anchors (its test CA), as learned. */
  trustAnchors(): Certificate[] {
    return this.#anchors ?? [];
  }

  /** Whether everything has been learned and SMDB is registered for both environments. */
  get ready(): boolean {
    return ENVIRONMENTS.every((env) => this.#learned[env] && this.#registeredSha[env]);
  }

  status(): FollowerStatus {
    return {
      url: this.url,
      reachable: this.#reachable,
      lastContact: this.#lastContactMs === undefined ? null : new Date(this.#lastContactMs).toISOString(),
      problem: this.#problem,
      registered: ENVIRONMENTS.every((env) => this.#registeredSha[env] !== undefined),
      stsCertificates: Object.fromEntries(
        ENVIRONMENTS.flatMap((env) => {
          const learned = this.#learned[env];
          return learned ? [[env, learned.certificate.sha256]] : [];
        }),
      ),
    };
  }

  /**
   * Tries until everything is learned and SMDB is registered, or `timeoutMs` has passed; then
   * throws `NEMLOGIN_UNREACHABLE` with the last reason.
   */
  async waitUntilReady(timeoutMs: number, retryMs = 500): Promise<void> {
    const deadline = this.#wall.nowMs() + timeoutMs;
    for (;;) {
      await this.sync();
      if (this.ready) return;
      if (this.#stopped) throw new HarnessError("NEMLOGIN_UNREACHABLE", "stopped while waiting for nemlogin");
      if (this.#wall.nowMs() >= deadline) {
        const untrusted = /not trusted/.test(this.#problem ?? "");
        throw new HarnessError(
          "NEMLOGIN_UNREACHABLE",
          `the nemlogin service at ${this.url} could not be reached within ${Math.round(timeoutMs / 1000)} s (${this.#problem ?? "no answer"}); ${untrusted ? "give the CA of its TLS certificate (its tls-ca.pem) with --nemlogin-ca (SMDB_HARNESS_NEMLOGIN_CA)" : "start it first, or give its URL with --nemlogin-url (SMDB_HARNESS_NEMLOGIN_URL)"}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }

  /** Keeps learning every `intervalMs` until `stop()`. */
  start(): void {
    if (this.#timer || this.#stopped) return;
    const tick = () => {
      void this.sync().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(tick, this.#options.intervalMs ?? 1000).unref();
      });
    };
    this.#timer = setTimeout(tick, this.#options.intervalMs ?? 1000).unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#syncing;
    this.#control?.close();
  }

  /** One round of learning; never throws (the outcome is in `status()`). */
  sync(): Promise<void> {
    this.#syncing ??= this.#syncOnce().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  async #syncOnce(): Promise<void> {
    try {
      const control = await this.#remote();
      const settings = await control.settings();
      this.messageClock.mode = settings.messageClock === "harness" ? "harness" : "real";
      const clock = await control.clock();
      const before = this.clock.nowMs();
      if (this.clock.follow(clock) && clock.virtual) {
        this.#options.events.append({
          env: null,
          step: null,
          component: "clock",
          outcome: "ok",
          reason: "CLOCK_FOLLOWED",
          detail: `harness time follows the nemlogin service at ${this.url}: ${new Date(before).toISOString()} → ${clock.now}`,
        });
      }
      this.#anchors ??= (await control.trustAnchors())
        .filter((a) => a.builtIn)
        .map((a) => Certificate.fromPem(a.pem));
      const views = {} as Record<Environment, EnvironmentView>;
      for (const env of ENVIRONMENTS) {
        views[env] = await control.environment(env);
        await this.#learn(env, views[env]);
      }
      await this.#register(control, views);
      if (!this.#reachable && this.#lastContactMs !== undefined) {
        this.#event("NEMLOGIN_REACHABLE", "ok", `the nemlogin service at ${this.url} answers again`);
      }
      this.#reachable = true;
      this.#problem = null;
      this.#lastContactMs = this.#wall.nowMs();
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      if (this.#reachable) {
        this.#event(
          "NEMLOGIN_UNREACHABLE",
          "rejected",
          `the nemlogin service at ${this.url} does not answer (${problem}); SMDB keeps trusting the STS certificates it knew`,
        );
      }
      this.#reachable = false;
      this.#problem = problem;
      // A TLS problem may be a CA file that has changed or appeared since: read it again next time.
      this.#control?.close();
      this.#control = undefined;
    }
  }

  async #remote(): Promise<RemoteControl> {
    if (this.#control) return this.#control;
    let ca: string | undefined;
    if (this.#options.caFile) {
      try {
        ca = await readFile(this.#options.caFile, "utf8");
      } catch {
        throw new Error(`its TLS CA file ${this.#options.caFile} cannot be read yet`);
      }
    }
    this.#control = new RemoteControl(this.url, { ...(ca ? { ca } : {}), timeoutMs: 5000 });
    return this.#control;
  }

  async #learn(env: Environment, view: EnvironmentView): Promise<void> {
    const known = this.#learned[env];
    const changed = known?.certificate.sha256 !== view.stsCertificateSha256;
    const certificate = changed ? Certificate.fromPem(view.stsCertificatePem) : known!.certificate;
    const history =
      known && known.history.length === view.stsCertificateHistory.length
        ? known.history
        : view.stsCertificateHistory.map((h) => Certificate.fromPem(h.pem));
    this.#learned[env] = {
      stsUrl: view.stsUrl,
      stsEndpointReference: view.stsEndpointReference,
      certificate,
      history,
    };
    if (!changed) return;
    if (this.#options.stateDir) {
      await writeFileAtomic(join(this.#options.stateDir, stsCertificateFile(env)), certificate.pem);
    }
    this.#event(
      "STS_CERTIFICATE_LEARNED",
      "ok",
      `the ${env} SMDB learned from the nemlogin service at ${this.url} that the STS signs with ${certificate.sha256}${known ? ` (was ${known.certificate.sha256})` : ""}`,
      env,
      certificate.sha256,
    );
  }

  async #register(control: RemoteControl, views: Record<Environment, EnvironmentView>): Promise<void> {
    const registrations = this.#registrations?.();
    if (!registrations) return;
    for (const env of ENVIRONMENTS) {
      const own = registrations[env];
      // Once per run (URL and TLS CA may have changed), and again whenever the nemlogin side
      // describes another certificate for SMDB (e.g. it lost its state).
      if (
        this.#registeredSha[env] === own.certificate.sha256 &&
        views[env].wspCertificateSha256 === own.certificate.sha256
      ) {
        continue;
      }
      await control.registerWsp(env, {
        entityId: own.entityId,
        certificatePem: own.certificate.pem,
        url: own.url,
        ...(own.tlsCaPem ? { tlsCaPem: own.tlsCaPem } : {}),
      });
      this.#registeredSha[env] = own.certificate.sha256;
    }
  }

  #event(
    reason: string,
    outcome: "ok" | "rejected",
    detail: string,
    env: Environment | null = null,
    certSha256?: string,
  ): void {
    this.#options.events.append({
      env,
      step: null,
      component: "admin",
      outcome,
      reason,
      ...(certSha256 ? { certSha256 } : {}),
      detail,
    });
  }
}
