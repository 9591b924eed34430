/**
 * `startHarness()`: the STS, the simulated SMDB, the admin API and the admin page in one express
 * app on one server (HTTPS with the harness's test TLS certificate by default, or plain HTTP).
 * Returns a handle in the style of testcontainers: URLs, the registry, the clock, the event log,
 * `close()` and `await using`.
 *
 *   GET  /health                              200 {status: "ok", …} when ready, 503 {status: "starting", missing} before
 *   GET  /                                     admin page (HTML)
 *   *    /admin/api/…                          admin API (src/control/admin-api.ts)
 *   POST /{env}/SecurityTokenService.svc       STS (step 1)
 *   POST /{env}/smdb                           SMDB (step 2)
 *   GET  /{env}/SecurityTokenService.svc?wsdl, /{env}/smdb?wsdl (and ?xsd=N)   WSDL and schemas
 *
 * With `role` (roles.ts) one process runs only the NemLog-in side or only SMDB; the two sides of
 * such a pair know each other only over the network (smdb-service.ts, follow-nemlogin.ts).
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import express, { type NextFunction, type Request, type Response } from "express";
import { adminRouter, errorResponse } from "../control/admin-api.js";
import { LocalBoard } from "../control/board/board.js";
import type { ScenarioLibrary } from "../control/board/scenario-player.js";
import {
  type ControlledHarness,
  type HarnessIdentities,
  LocalControl,
  type WspRegistration,
  type WspTrustSettings,
} from "../control/local-control.js";
import { type Clock, clocksOf, RealClock, VirtualClock } from "../core/clock.js";
import { RefusedError } from "../core/errors.js";
import { ENVIRONMENTS, type Environment, EventLog } from "../core/events.js";
import { Registry } from "../sts/registry/registry.js";
import type { RolloverPolicy } from "../sts/rollover.js";
import { stsRouter } from "../sts/token-service.js";
import { stsWsdlRouter } from "../sts/wsdl-route.js";
import { serveAdminPage } from "../ui/ui.js";
import {
  type StsTrust,
  type WspEnvironment,
  WspService,
  wspEnvironmentFromState,
  wspRouter,
} from "../wsp/service.js";
import { SmdbStore } from "../wsp/store.js";
import { smdbWsdlRouter } from "../wsp/wsdl-route.js";
import type { NemloginFollower } from "./follow-nemlogin.js";
import { adminRouteRefusal, type Role, servesSmdb, servesSts, serviceRefusal } from "./roles.js";
import { SmdbService } from "./smdb-service.js";
import { HarnessState } from "./state.js";
import type { OwnTls } from "./tls.js";

export type FaultMode = "verbose" | "realistic";

export interface HarnessOptions {
  /** Where state is persisted; undefined keeps everything in memory (scenarios, tests). */
  stateDir?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (an ephemeral port; `url` tells which). */
  port?: number;
  /** Plain HTTP instead of HTTPS. */
  http?: boolean;
  /** Default: the real clock. */
  clock?: Clock;
  /**
   * The clock message freshness is judged against: the request's wsu:Timestamp in steps 1 and 2,
   * the SMDB's replay window and the Timestamps the STS and SMDB put on their responses.
   * Default: `clock`. Certificate validity, rollover, token NotBefore/NotOnOrAfter and events
   * always use `clock`. `up --virtual-clock` passes a `RealClock` here, so that a client stamping
   * its messages with its machine's time works against a harness on a virtual clock.
   */
  messageClock?: Clock;
  /** Rollover policy; default: the persisted one, else `at-expiry`. */
  policy?: RolloverPolicy;
  /** STS fault detail: `verbose` (reason code and sentence, default) or `realistic`. */
  faultMode?: FaultMode;
  /** Accept rsa-sha1/sha1 in client signatures (default false). */
  allowSha1?: boolean;
  /** Tolerated clock skew for timestamps and token validity (default 5 minutes). */
  clockSkewMs?: number;
  /** Token lifetime when the client asks for none (default 8 h). */
  defaultTokenLifetimeMs?: number;
  /** Longest token lifetime granted (default 8 h). */
  maxTokenLifetimeMs?: number;
  /** Share an event log (default: a new one on the harness clock). */
  events?: EventLog;
  /** Reuse already loaded state (e.g. many in-memory harnesses in one process). */
  state?: HarnessState;
  /** Which STS signing certificates the SMDB trusts per environment (default: the current one). */
  wspTrust?: Partial<Record<Environment, StsTrust>>;
  /** Scenarios the trainer board can play ("Afspil scenarie"); `up` gives the built-in ones. */
  scenarios?: ScenarioLibrary;
  /** Which services this process runs (roles.ts); default `all`. */
  role?: Role;
  /**
   * Role `smdb`: the nemlogin service it learns the STS from (start it with `clock` and
   * `messageClock` set to the follower's); the caller starts and stops it.
   */
  nemlogin?: NemloginFollower;
  /**
   * The base URL clients reach this harness by (e.g. `https://nemlogin:8443` in a compose
   * network); default: the address it listens on. Used for the client files and in `url`.
   */
  publicUrl?: string;
  /** Extra names of the generated TLS certificate (besides localhost, 127.0.0.1, ::1). */
  tlsHostnames?: readonly string[];
  /** The user's own TLS certificate (`loadOwnTls`). */
  ownTls?: OwnTls;
  /**
   * What `GET /health` waits for: resolves to what is still missing (empty when ready). Default:
   * ready once listening. `up` waits for every file it prints and the demo systembruger.
   */
  readiness?: () => Promise<string[]>;
}

/** Where the SMDB keeps its records inside the state dir. */
export const SMDB_STORE_DIR = "smdb";

export interface HarnessSettings {
  faultMode: FaultMode;
  allowSha1: boolean;
  clockSkewMs: number;
  defaultTokenLifetimeMs: number;
  maxTokenLifetimeMs: number;
}

const HOUR_MS = 3_600_000;

/**
 * `C` is the type of `clock`: `new HarnessBuilder().withVirtualClock(…).start()` and
 * `startHarness({clock: new VirtualClock(…)})` give a `Harness<VirtualClock>`, whose
 * `clock.advance()` / `clock.set()` typecheck without a cast.
 */
export class Harness<C extends Clock = Clock> {
  readonly #server: Server;
  readonly #url: string;
  readonly #port: number;
  #closed: Promise<void> | undefined;

  constructor(
    server: Server,
    url: string,
    readonly registry: Registry,
    readonly clock: C,
    readonly events: EventLog,
    readonly state: HarnessState,
    readonly settings: HarnessSettings,
    readonly store: SmdbStore,
    /** Drives this harness in-process: the same interface `RemoteControl` offers over HTTP. */
    readonly control: LocalControl,
    /** The clock message Timestamps and the replay window are judged against (default: `clock`). */
    readonly messageClock: Clock = clock,
    /** Which services this process runs. */
    readonly role: Role = "all",
    /** Role `nemlogin`: what the smdb service told about itself when it registered. */
    readonly smdbService: SmdbService | undefined = undefined,
    /** The trainer board's server side (not in role smdb): its client, timeline, inspector and scenario player. */
    readonly board: LocalBoard | undefined = undefined,
  ) {
    this.#server = server;
    this.#url = url;
    this.#port = (server.address() as AddressInfo).port;
  }

  /** Base URL, e.g. `https://127.0.0.1:8080`. */
  get url(): string {
    return this.#url;
  }
  get port(): number {
    return this.#port;
  }
  get protocol(): "http" | "https" {
    return this.#url.startsWith("https:") ? "https" : "http";
  }
  stsUrl(env: Environment): string {
    return `${this.#url}/${env}/SecurityTokenService.svc`;
  }
  wspUrl(env: Environment): string {
    return `${this.#url}/${env}/smdb`;
  }
  get adminUrl(): string {
    return `${this.#url}/admin/api`;
  }
  /** The PEM a client needs to trust this harness's TLS certificate (the test CA's root + issuing, or the own certificate's CA). */
  get tlsCaPem(): string {
    return this.state.tlsCaPem;
  }

  /** Stops the server (open connections are closed) and waits for pending writes. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = (async () => {
        await this.board?.close();
        const closing = new Promise<void>((resolve) => this.#server.close(() => resolve()));
        this.#server.closeAllConnections();
        await closing;
        await this.registry.flush();
        await this.store.close();
      })();
    }
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function hostForUrl(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

export async function startHarness<C extends Clock = Clock>(
  options: HarnessOptions & { clock?: C } = {},
): Promise<Harness<C>> {
  const clock = options.clock ?? new RealClock();
  const clocks = clocksOf(clock, options.messageClock);
  const messageClock = clocks.message;
  const events = options.events ?? new EventLog(() => clock.nowMs());
  const role = options.role ?? "all";
  const follower = options.nemlogin;
  if (role === "smdb" && !follower)
    throw new Error("role smdb needs the nemlogin service to follow (options.nemlogin)");
  const state =
    options.state ??
    (await HarnessState.open({
      ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
      clock,
      events,
      ...(options.tlsHostnames ? { tlsHostnames: options.tlsHostnames } : {}),
      ...(options.ownTls ? { ownTls: options.ownTls } : {}),
      // What a split service learns from its peer, it writes itself.
      exports: { tlsCa: role !== "nemlogin", sts: role !== "smdb", wsp: role !== "nemlogin" },
    }));
  const registry = await Registry.open({
    clock,
    events,
    // The smdb service has no systembrugere: its registry stays in memory, unused.
    ...(options.stateDir !== undefined && role !== "smdb" ? { stateDir: options.stateDir } : {}),
    builtInTrustAnchors: state.caCertificates(),
    ...(options.policy ? { policy: options.policy } : {}),
  });
  // The nemlogin service encrypts to the certificate the smdb service registers, not to one of its own.
  if (role === "all") {
    for (const env of ENVIRONMENTS) {
      const identity = state.environment(env);
      await registry.registerWsp(env, identity.wspEntityId, identity.wsp.certificate, { builtIn: true });
    }
  }
  const ownTlsCaPem = options.http ? null : state.tlsCaPem;
  const smdbService = role === "nemlogin" ? await SmdbService.open(options.stateDir, ownTlsCaPem) : undefined;
  const settings: HarnessSettings = {
    faultMode: options.faultMode ?? "verbose",
    allowSha1: options.allowSha1 ?? false,
    clockSkewMs: options.clockSkewMs ?? 5 * 60_000,
    defaultTokenLifetimeMs: options.defaultTokenLifetimeMs ?? 8 * HOUR_MS,
    maxTokenLifetimeMs: options.maxTokenLifetimeMs ?? 8 * HOUR_MS,
  };
  const store = await SmdbStore.open(
    options.stateDir !== undefined ? { dir: join(options.stateDir, SMDB_STORE_DIR) } : {},
  );
  const wspTrust: WspTrustSettings = {
    integration: options.wspTrust?.integration ?? { mode: "current" },
    production: options.wspTrust?.production ?? { mode: "current" },
  };
  const wspEnvironment = (env: Environment): WspEnvironment =>
    follower
      ? followedWspEnvironment(state, follower, env, () => wspTrust[env])
      : wspEnvironmentFromState(state, env, () => wspTrust[env]);
  const host = options.host ?? "127.0.0.1";
  let baseUrl = "";
  /** Where the other service of a split pair is, for the answers that send a caller there. */
  const peerUrl = (): string | undefined =>
    follower?.url ??
    (smdbService?.endpoint("production")?.url.replace(/\/production\/smdb$/, "") || undefined);

  const app = express();
  app.disable("x-powered-by");
  app.get("/health", async (_req, res) => {
    const missing = options.readiness ? await options.readiness() : [];
    res.status(missing.length === 0 ? 200 : 503).json({
      status: missing.length === 0 ? "ok" : "starting",
      ...(missing.length > 0 ? { missing } : {}),
      role,
      now: clock.now().toISOString(),
      virtualClock: clock instanceof VirtualClock || (follower?.clock.virtual ?? false),
      ...(role !== "smdb" ? { policy: registry.policy } : {}),
      environments: ENVIRONMENTS,
      ...(follower ? { nemlogin: nemloginHealth(follower) } : {}),
      ...(smdbService
        ? {
            smdb: smdbService.complete
              ? "registered"
              : "not registered yet: tokens for SMDB are refused (UNKNOWN_SERVICE) until the smdb service registers",
          }
        : {}),
    });
  });
  if (role !== "smdb") app.get("/", serveAdminPage);
  else
    app.get("/", (_req, res) => {
      res
        .type("text/plain")
        .send(`${serviceRefusal(role, "sts", peerUrl())}; its admin page is there too.\n`);
    });
  const identities: HarnessIdentities = follower
    ? followedIdentities(state, follower)
    : smdbService
      ? registeredSmdbIdentities(state, smdbService)
      : state;
  const controlled: ControlledHarness = {
    registry,
    identities,
    clock,
    events,
    wspTrust,
    baseUrl: () => baseUrl,
    tlsCaPem: () => (smdbService ? smdbService.tlsCaPem : ownTlsCaPem),
    settings: () => ({
      ...settings,
      messageClock: follower ? follower.messageClock.mode : messageClockName(messageClock, clock),
      role,
      ...(follower ? { nemlogin: follower.url } : {}),
    }),
    ...(follower || smdbService
      ? {
          serviceUrls: (env: Environment, base: string) => ({
            stsUrl: follower?.sts(env)?.stsUrl ?? `${base}/${env}/SecurityTokenService.svc`,
            wspUrl: smdbService?.endpoint(env)?.url ?? `${base}/${env}/smdb`,
          }),
        }
      : {}),
    ...(smdbService ? { onWspRegistered: (r: WspRegistration) => smdbService.record(r) } : {}),
  };
  const control = new LocalControl(controlled);
  // The board is the NemLog-in administrator's and the vendor's view: not in the smdb service.
  const board =
    role === "smdb"
      ? undefined
      : new LocalBoard({
          harness: controlled,
          control,
          messageClock,
          issue: (o) => state.ca.issue(o),
          ...(options.scenarios ? { scenarios: options.scenarios } : {}),
        });
  app.use("/admin/api", (req, _res, next) => {
    const refusal = adminRouteRefusal(role, req.method, req.path, peerUrl());
    next(refusal ? new RefusedError("not-found", "NOT_THIS_SERVICE", refusal) : undefined);
  });
  app.use("/admin/api", adminRouter({ control, ...(board ? { board } : {}) }));
  if (servesSts(role)) {
    app.use(
      stsRouter({
        clocks,
        events,
        directory: registry,
        environments: {
          integration: state.stsEnvironment("integration"),
          production: state.stsEnvironment("production"),
        },
        options: { ...settings },
      }),
    );
    app.use(
      stsWsdlRouter({
        endpointReference: (env) => state.environment(env).stsEndpointReference,
        signingCertificate: (env) => state.environment(env).stsSigning.certificate,
      }),
    );
  } else {
    app.post("/:env/SecurityTokenService.svc", (_req, _res, next) => {
      next(
        Object.assign(new Error(serviceRefusal(role, "sts", peerUrl())), {
          status: 404,
          type: "not this service",
        }),
      );
    });
  }
  if (servesSmdb(role)) {
    app.use(
      wspRouter(
        new WspService({
          clocks,
          events,
          store,
          environments: {
            integration: wspEnvironment("integration"),
            production: wspEnvironment("production"),
          },
          options: { faultMode: settings.faultMode, clockSkewMs: settings.clockSkewMs },
        }),
      ),
    );
    app.use(smdbWsdlRouter({ certificate: (env) => state.environment(env).wsp.certificate }));
  } else {
    app.post("/:env/smdb", (_req, _res, next) => {
      next(
        Object.assign(new Error(serviceRefusal(role, "smdb", peerUrl())), {
          status: 404,
          type: "not this service",
        }),
      );
    });
  }
  app.use((req, _res, next) => {
    const served = [
      "/health",
      "/admin/api",
      ...(servesSts(role) ? ["POST /{integration|production}/SecurityTokenService.svc"] : []),
      ...(servesSmdb(role) ? ["POST /{integration|production}/smdb"] : []),
    ];
    const error = Object.assign(
      new Error(
        `nothing at ${req.method} ${req.path}; this harness (role ${role}) serves ${served.join(", ")}`,
      ),
      { status: 404, type: "not found" },
    );
    next(error);
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, body } = errorResponse(error);
    res.status(status).json(body);
  });

  const server = options.http
    ? createHttpServer(app)
    : createHttpsServer({ key: state.tls.key.privateKeyPem, cert: state.tlsServerChainPem }, app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl =
    options.publicUrl?.replace(/\/+$/, "") ??
    `${options.http ? "http" : "https"}://${hostForUrl(host)}:${port}`;
  return new Harness<C>(
    server,
    baseUrl,
    registry,
    // Without options.clock, C is the default Clock and this is the RealClock.
    clock as C,
    events,
    state,
    settings,
    store,
    control,
    messageClock,
    role,
    smdbService,
    board,
  );
}

/** The smdb service's view of itself: its own certificate and entity ID, the STS as learned. */
function followedIdentities(state: HarnessState, follower: NemloginFollower): HarnessIdentities {
  return {
    environment(env) {
      const own = state.environment(env);
      const sts = follower.sts(env);
      return {
        stsEndpointReference: sts?.stsEndpointReference ?? own.stsEndpointReference,
        // Before the first contact nothing is known; the readiness check says so.
        stsSigning: { certificate: sts?.certificate ?? own.stsSigning.certificate },
        stsHistory: sts?.history ?? [],
        wspEntityId: own.wspEntityId,
        wsp: own.wsp,
      };
    },
    caCertificates: () => follower.trustAnchors(),
    rotateStsSigningCertificate: () => {
      throw new RefusedError("not-found", "NOT_THIS_SERVICE", serviceRefusal("smdb", "sts", follower.url));
    },
    issueWspCredential: (entityId) => state.issueWspCredential(entityId),
  };
}

/** The nemlogin service's view: its own STS, SMDB's certificate as SMDB registered it. */
function registeredSmdbIdentities(state: HarnessState, smdb: SmdbService): HarnessIdentities {
  return {
    environment(env) {
      const own = state.environment(env);
      const registered = smdb.endpoint(env);
      return { ...own, wsp: registered ? { certificate: registered.certificate } : own.wsp };
    },
    caCertificates: () => state.caCertificates(),
    rotateStsSigningCertificate: (env, events) => state.rotateStsSigningCertificate(env, events),
    issueWspCredential: (entityId) => state.issueWspCredential(entityId),
  };
}

/** SMDB of the smdb service: its own key, the STS certificate and issuer as learned from nemlogin. */
function followedWspEnvironment(
  state: HarnessState,
  follower: NemloginFollower,
  env: Environment,
  trust: () => StsTrust,
): WspEnvironment {
  return {
    env,
    get entityId() {
      return state.environment(env).wspEntityId;
    },
    get stsIssuer() {
      return follower.sts(env)?.stsEndpointReference ?? state.environment(env).stsEndpointReference;
    },
    credential: () => state.environment(env).wsp,
    stsCertificates: () => {
      const sts = follower.sts(env);
      return sts ? [sts.certificate] : [];
    },
    trust,
  };
}

/** `/health`'s account of the nemlogin service, in words when it is away. */
function nemloginHealth(follower: NemloginFollower): Record<string, unknown> {
  const status = follower.status();
  return {
    ...status,
    ...(status.reachable || status.lastContact === null
      ? {}
      : {
          note: `the nemlogin service at ${status.url} has not answered since ${status.lastContact}; SMDB keeps serving with the STS certificates it learned then`,
        }),
  };
}

/** How `GET /admin/api/settings` names the message clock. */
function messageClockName(messageClock: Clock, clock: Clock): "harness" | "real" | "custom" {
  if (messageClock === clock) return "harness";
  return messageClock instanceof RealClock ? "real" : "custom";
}

/** Fluent construction: `new HarnessBuilder().withVirtualClock("2026-01-01").withHttp().start()`. */
export class HarnessBuilder<C extends Clock = Clock> {
  readonly #options: HarnessOptions = {};

  withStateDir(dir: string): this {
    this.#options.stateDir = dir;
    return this;
  }
  /** The started harness's `clock` is then typed `VirtualClock` (`h.clock.advance("30d")`). */
  withVirtualClock(start: Date | number | string): HarnessBuilder<VirtualClock> {
    this.#options.clock = new VirtualClock(start);
    return this as unknown as HarnessBuilder<VirtualClock>;
  }
  withClock<D extends Clock>(clock: D): HarnessBuilder<D> {
    this.#options.clock = clock;
    return this as unknown as HarnessBuilder<D>;
  }
  /** The clock message Timestamps are judged against: `"real"`, `"harness"` (default) or a Clock. */
  withMessageClock(clock: Clock | "real" | "harness"): this {
    if (clock === "harness") delete this.#options.messageClock;
    else this.#options.messageClock = clock === "real" ? new RealClock() : clock;
    return this;
  }
  withPolicy(policy: RolloverPolicy): this {
    this.#options.policy = policy;
    return this;
  }
  withHttp(http = true): this {
    this.#options.http = http;
    return this;
  }
  withHost(host: string): this {
    this.#options.host = host;
    return this;
  }
  withPort(port: number): this {
    this.#options.port = port;
    return this;
  }
  withFaultMode(mode: FaultMode): this {
    this.#options.faultMode = mode;
    return this;
  }
  withSha1(allow = true): this {
    this.#options.allowSha1 = allow;
    return this;
  }
  withClockSkew(ms: number): this {
    this.#options.clockSkewMs = ms;
    return this;
  }
  withOptions(options: HarnessOptions): this {
    Object.assign(this.#options, options);
    return this;
  }
  start(): Promise<Harness<C>> {
    return startHarness({ ...this.#options }) as Promise<Harness<C>>;
  }
}
