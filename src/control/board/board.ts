/**
 * `LocalBoard`: what the trainer board needs beyond `HarnessControl`, in-process: the board's
 * client (client-station.ts), the live timeline (timeline.ts) kept from the event log, clock moves
 * that make a call at every instant where the answer can change on the way (so that the downtime
 * so far is exact, as a scenario's is), the inspector (the messages behind a decision, the failing
 * element, exchanges.ts) and the scenario player (scenario-player.ts). The admin API maps it to
 * HTTP (board-api.ts); the page talks only to that.
 *
 * The harness fills its ports: its registry (for the STS's own verdict, synchronously), the
 * message clock, a way to issue certificates under its CA, and — from `up` — the built-in
 * scenarios (which live on a higher floor).
 */
import { parseDuration, parseTime, VirtualClock } from "../../core/clock.js";
import { RefusedError } from "../../core/errors.js";
import { ENVIRONMENTS, type Environment, type HarnessEvent } from "../../core/events.js";
import type { Certificate, Credential, IssueOptions } from "../../pki/index.js";
import type { CertificateSet } from "../../sts/registry/model.js";
import { stsCertificateVerdict } from "../../sts/verdict.js";
import type { ClockView } from "../harness-control.js";
import { type ControlledHarness, inRange, type LocalControl, parsed } from "../local-control.js";
import { type CallView, ClientStation } from "./client-station.js";
import { type CapturedMessage, ExchangeLog } from "./exchanges.js";
import { FAULT_ELEMENTS, failingElement } from "./failing-element.js";
import { type ScenarioLibrary, ScenarioPlayer } from "./scenario-player.js";
import { CALLS_LANE, type LaneValue, Timeline, type TimelineView } from "./timeline.js";
import { type XmlView, xmlView } from "./xml-view.js";

export interface BoardDeps {
  harness: ControlledHarness;
  control: LocalControl;
  /** The clock the client stamps its messages with (default: harness time). */
  messageClock?: ControlledHarness["clock"];
  /** Issues a certificate under the harness's CA (the STS trusts it). */
  issue?: (options: IssueOptions) => Promise<Credential>;
  /** Scenarios the board can play (filled by `up` with the built-in ones). */
  scenarios?: ScenarioLibrary;
}

export const TIMELINE_LANES = [
  ...ENVIRONMENTS.slice()
    .reverse()
    .flatMap((env) => [`${env}.draft`, `${env}.saved`, `${env}.provisioned`]),
  "client",
  "verdict",
  CALLS_LANE,
] as const;

export interface CertificateRefView {
  sha256: string;
  /** The client store's label, if the client has the certificate. */
  label: string | null;
  /** The CN of its subject. */
  cn: string;
  notAfter: string;
}

export interface BoardView {
  clock: ClockView;
  /** The systembruger the board shows first: the client's, else the first one. */
  systemUserId: string | null;
  /** "Spring til udløb": the instant the old certificate's expiry takes effect, if ahead. */
  expiry: { at: string; certificate: CertificateRefView } | null;
  /** Where "Nulstil" sets the clock. */
  resetTo: string;
  scenariosAvailable: boolean;
}

export interface MessageView extends XmlView {
  name: string;
  step: 1 | 2;
  direction: "request" | "response";
  truncated: boolean;
}

export interface InspectionView {
  event: HarnessEvent;
  call: CallView | null;
  /** The element the refusal is about, e.g. `wsse:BinarySecurityToken`. */
  failingElement: string | null;
  messages: MessageView[];
  /** Why there are no messages, when there are none. */
  noMessages: "NOT_FROM_BOARD_CLIENT" | "NO_LONGER_KEPT" | "NOT_SENT" | "NOT_A_CALL" | null;
}

export interface ClockMoveInput {
  advance?: string;
  back?: string;
  set?: string;
  jump?: "expiry";
  reset?: boolean;
}

function commonName(cert: Certificate): string {
  const cn = cert.subject.split("\n").find((p) => p.startsWith("CN="));
  return cn ? cn.slice(3) : cert.subject;
}

export class LocalBoard {
  readonly client: ClientStation;
  readonly exchanges = new ExchangeLog();
  readonly timeline: Timeline;
  readonly player: ScenarioPlayer | undefined;
  readonly #deps: BoardDeps;
  readonly #originMs: number;
  #watchers = 0;
  readonly #unsubscribe: () => void;

  constructor(deps: BoardDeps) {
    this.#deps = deps;
    const h = deps.harness;
    this.#originMs = h.clock.nowMs();
    this.timeline = new Timeline(this.#originMs, TIMELINE_LANES);
    this.client = new ClientStation({
      control: deps.control,
      events: h.events,
      clock: h.clock,
      messageClock: deps.messageClock ?? h.clock,
      exchanges: this.exchanges,
      ...(deps.issue ? { issue: deps.issue } : {}),
      watched: () => this.#watchers > 0,
      onCall: (call) => this.#observe(call),
      onDeploy: () => this.#observe(),
    });
    this.#unsubscribe = h.events.subscribe((event) => {
      // Time alone changes a lane only through the client's certificate (its verdict): without a
      // deployed client a clock move is not worth an observation (a scenario moves it thousands of times).
      if (event.component === "admin" || (event.component === "clock" && this.client.deployed))
        this.#observe();
    });
    this.player = deps.scenarios
      ? new ScenarioPlayer({
          library: deps.scenarios,
          control: deps.control,
          client: this.client,
          timeline: this.timeline,
          moveTo: (ms) => this.#stepTo(ms),
          virtualClock: () => h.clock instanceof VirtualClock,
          issue: deps.issue,
        })
      : undefined;
  }

  // --- what the board shows --------------------------------------------------------------------

  /** The systembruger the board follows: the client's, else the first one. */
  get systemUserId(): string | null {
    const registry = this.#deps.harness.registry;
    const clientUser = this.client.view().systemUserId;
    if (clientUser && registry.systemUsers().some((u) => u.identity.id === clientUser)) return clientUser;
    return registry.systemUsers()[0]?.identity.id ?? null;
  }

  #ref(cert: Certificate): CertificateRefView {
    const stored = this.client.certificates().find((c) => c.sha256 === cert.sha256);
    return {
      sha256: cert.sha256,
      label: stored?.label ?? null,
      cn: commonName(cert),
      notAfter: cert.notAfter.toISOString(),
    };
  }

  #setValue(set: CertificateSet | undefined): LaneValue {
    const current = set?.current ? this.#ref(set.current) : null;
    const next = set?.next ? this.#ref(set.next) : null;
    return { tone: current || next ? "info" : "none", data: { current, next } };
  }

  /** One observation of every lane at harness time now (a call's lane only when one is given). */
  #observe(call?: CallView): void {
    const h = this.#deps.harness;
    const now = h.clock.nowMs();
    const values: Record<string, LaneValue> = {};
    const id = this.systemUserId;
    const user = id ? h.registry.systemUsers().find((u) => u.identity.id === id) : undefined;
    for (const env of ENVIRONMENTS) {
      values[`${env}.draft`] = this.#setValue(user?.draft[env]);
      values[`${env}.saved`] = this.#setValue(user?.saved[env]);
      values[`${env}.provisioned`] = this.#setValue(user?.provisioned[env]);
    }
    const deployed = this.client.deployed;
    const startError = this.client.view().deployment?.startError ?? null;
    values.client = deployed
      ? {
          tone: startError ? "fail" : "info",
          data: {
            certificate: deployed.primary ? this.#ref(deployed.primary) : null,
            fallback: deployed.fallback ? this.#ref(deployed.fallback) : null,
            ...(startError ? { reason: startError.reason } : {}),
          },
        }
      : { tone: "none", data: {} };
    if (deployed?.primary) {
      const verdict = stsCertificateVerdict(h.registry, deployed.stsEnvironment, deployed.primary, now);
      values.verdict = {
        tone: verdict.reason === "OK" ? "ok" : "fail",
        data: { reason: verdict.reason, env: deployed.stsEnvironment },
      };
    } else values.verdict = { tone: "none", data: {} };
    if (call) {
      // Successive good calls are one segment; a failed one keeps its event for the inspector.
      values[CALLS_LANE] = call.ok
        ? { tone: "ok", data: { step: call.step, reason: call.reason } }
        : {
            tone: "fail",
            data: { callId: call.id, step: call.step, reason: call.reason, eventSeq: call.eventSeq },
          };
    }
    this.timeline.observe(call ? call.atMs : now, values);
  }

  timelineView(): TimelineView {
    return this.timeline.view(this.#deps.harness.clock.nowMs());
  }

  async view(): Promise<BoardView> {
    await this.client.systemUserId();
    const expiry = this.#expiryTarget();
    return {
      clock: await this.#deps.control.clock(),
      systemUserId: this.systemUserId,
      expiry: expiry
        ? { at: new Date(expiry.atMs).toISOString(), certificate: this.#ref(expiry.cert) }
        : null,
      resetTo: new Date(this.#originMs).toISOString(),
      scenariosAvailable: this.player !== undefined,
    };
  }

  // --- the event stream ------------------------------------------------------------------------

  /**
   * Events after `since`, then every new one, until the returned function is called. While any
   * stream is open the client's automatic calls run.
   */
  watch(since: number, listener: (event: HarnessEvent) => void): () => void {
    const events = this.#deps.harness.events;
    for (const event of events.since(since)) listener(event);
    const unsubscribe = events.subscribe(listener);
    this.#watchers++;
    // A board that opens shows how a call goes now.
    if (this.#watchers === 1 && this.client.mode !== "manual") void this.client.requestCall();
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.#watchers--;
      unsubscribe();
    };
  }

  get watchers(): number {
    return this.#watchers;
  }

  // --- the clock -----------------------------------------------------------------------------

  /** The provisioned current certificate of the client's systembruger and environment, if it expires ahead. */
  #expiryTarget(): { atMs: number; cert: Certificate } | undefined {
    const h = this.#deps.harness;
    const now = h.clock.nowMs();
    const env: Environment = this.client.deployed?.stsEnvironment ?? "production";
    const id = this.systemUserId;
    const user = id ? h.registry.systemUsers().find((u) => u.identity.id === id) : undefined;
    const candidates = [
      user?.provisioned[env]?.current,
      this.client.deployed?.primary,
      user?.provisioned[env]?.next,
    ].filter((c): c is Certificate => c !== undefined && c.notAfter.getTime() + 1 > now);
    const cert = candidates[0];
    return cert ? { atMs: cert.notAfter.getTime() + 1, cert } : undefined;
  }

  /**
   * Instants in (now, to) at which a call's answer can change by time alone: the bounds of the
   * certificates that matter, the rollover's next change, a scheduled activation, the client's
   * token expiry.
   */
  async #instants(toMs: number): Promise<number[]> {
    const h = this.#deps.harness;
    const now = h.clock.nowMs();
    const out: number[] = [];
    const bounds = (c: Certificate | undefined) => {
      if (c) out.push(c.notBefore.getTime(), c.notAfter.getTime() + 1);
    };
    const deployed = this.client.deployed;
    bounds(deployed?.primary);
    bounds(deployed?.fallback);
    const id = await this.client.systemUserId();
    const user = id ? h.registry.systemUsers().find((u) => u.identity.id === id) : undefined;
    if (user && deployed) {
      const env = deployed.stsEnvironment;
      const set = user.provisioned[env];
      bounds(set?.current);
      bounds(set?.next);
      if (set?.activateAtMs !== undefined) out.push(set.activateAtMs);
      const change = h.registry.rollover(user.identity.id, env, now)?.nextChangeMs;
      if (change !== undefined) out.push(change);
    }
    // A token fetched under an earlier answer of the STS hides a change until it expires; one the
    // last call fetched reflects the answer now, and its renewals change nothing.
    if (!this.client.lastCall?.newToken) {
      const settings = await this.#deps.control.settings();
      const tolerance = typeof settings.clockSkewMs === "number" ? settings.clockSkewMs : 5 * 60_000;
      out.push(...this.client.tokenInstants(tolerance));
    }
    // The token the client holds at the next instant (or at the end) is the one its renewals
    // fetched last before it: a call there fetches that token.
    const nextStatic = Math.min(toMs, ...out.filter((t) => t > now));
    const renewal = this.client.lastRenewalBefore(nextStatic);
    if (renewal !== undefined) out.push(renewal);
    return [...new Set(out)].filter((t) => t > now && t < toMs).sort((a, b) => a - b);
  }

  /**
   * Moves harness time to `toMs`; forward, it stops at every instant on the way where the answer
   * can change and makes a call there, so the timeline's downtime is exact. Returns the calls.
   */
  async #stepTo(toMs: number): Promise<CallView[]> {
    const control = this.#deps.control;
    const clock = this.#deps.harness.clock;
    const calls: CallView[] = [];
    const calling = this.client.mode !== "manual" && this.client.deployed !== undefined;
    return this.client.withoutAutoCalls(async () => {
      for (let guard = 0; guard < 200; guard++) {
        const now = clock.nowMs();
        const next = calling && toMs > now ? ((await this.#instants(toMs))[0] ?? toMs) : toMs;
        if (next > now) await control.advanceClock(next - now);
        else await control.setClock(next);
        if (calling) {
          const call = await this.client.call();
          if (call) calls.push(call);
        }
        if (next === toMs) break;
      }
      return calls;
    });
  }

  async moveClock(input: ClockMoveInput): Promise<{ clock: ClockView; calls: CallView[] }> {
    const control = this.#deps.control;
    const clock = control.requireVirtualClock();
    const given = (["advance", "back", "set", "jump", "reset"] as const).filter(
      (k) => input[k] !== undefined,
    );
    if (given.length !== 1) {
      throw new RefusedError(
        "invalid",
        "BAD_REQUEST",
        'give exactly one of {"advance": "10d"}, {"back": "1d"}, {"set": ISO time}, {"jump": "expiry"} or {"reset": true}',
      );
    }
    let target: number;
    const now = clock.nowMs();
    if (input.advance !== undefined || input.back !== undefined) {
      const by = String(input.advance ?? input.back).replace(/^[+-]/, "");
      const sign = input.back !== undefined ? -1 : 1;
      target = inRange(
        now + sign * parsed(() => parseDuration(by)),
        input.back !== undefined ? "back" : "advance",
      );
    } else if (input.set !== undefined) {
      target = inRange(
        parsed(() => parseTime(String(input.set), now)),
        "set",
      );
    } else if (input.jump !== undefined) {
      if (input.jump !== "expiry") {
        throw new RefusedError("invalid", "BAD_REQUEST", 'jump must be "expiry"');
      }
      const expiry = this.#expiryTarget();
      if (!expiry) {
        throw new RefusedError(
          "conflict",
          "NO_EXPIRY_AHEAD",
          "no provisioned certificate of the client's systembruger expires ahead of harness time",
        );
      }
      target = expiry.atMs;
    } else {
      if (input.reset !== true) throw new RefusedError("invalid", "BAD_REQUEST", "reset must be true");
      target = this.#originMs;
    }
    const calls = await this.#stepTo(target);
    if (input.reset) {
      this.timeline.reset(this.#originMs);
      this.#observe(this.client.lastCall?.atMs === target ? this.client.lastCall : undefined);
    }
    return { clock: await control.clock(), calls };
  }

  // --- the inspector -------------------------------------------------------------------------

  inspect(seq: number): InspectionView {
    const events = this.#deps.harness.events;
    const event = events.since(seq - 1).find((e) => e.seq === seq);
    if (!event) {
      throw new RefusedError(
        "not-found",
        "EVENT_NOT_FOUND",
        `there is no event ${seq} (any more): the log keeps the newest events only`,
      );
    }
    const detail = typeof event.detail === "object" && event.detail !== null ? event.detail : {};
    const callId =
      event.component === "client" && typeof detail.callId === "number" ? detail.callId : undefined;
    const call = callId !== undefined ? (this.client.callById(callId) ?? null) : null;
    let captured: CapturedMessage[] | undefined;
    let noMessages: InspectionView["noMessages"] = null;
    if (callId !== undefined) {
      captured = this.exchanges.call(callId)?.messages;
      if (!captured) noMessages = "NO_LONGER_KEPT";
      else if (captured.length === 0) noMessages = "NOT_SENT";
    } else if (event.messageId && (event.component === "sts" || event.component === "wsp")) {
      captured = this.exchanges.byMessageId(event.messageId)?.messages;
      if (!captured) noMessages = "NOT_FROM_BOARD_CLIENT";
    } else {
      noMessages =
        event.component === "sts" || event.component === "wsp" ? "NOT_FROM_BOARD_CLIENT" : "NOT_A_CALL";
    }
    const failing = event.outcome === "rejected" ? failingElement(event.step, event.reason) : null;
    const list = captured ?? [];
    // The element is marked in the last message of the failing step in its direction.
    let markIndex = -1;
    if (failing) {
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i]!.step === event.step && list[i]!.direction === failing.in) {
          markIndex = i;
          break;
        }
      }
    }
    const messages = list.map(
      (m, i): MessageView => ({
        name: m.name,
        step: m.step,
        direction: m.direction,
        truncated: m.truncated,
        ...xmlView(
          m.xml,
          i === markIndex && failing
            ? { element: failing.element, ...(failing.within ? { within: failing.within } : {}) }
            : null,
          FAULT_ELEMENTS,
        ),
      }),
    );
    return {
      event,
      call,
      failingElement: failing && markIndex >= 0 ? failing.label : null,
      messages,
      noMessages,
    };
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    await this.client.close();
  }
}
