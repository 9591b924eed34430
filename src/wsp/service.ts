/**
 * The simulated SMDB web service (WSP), `POST /{env}/smdb` (SOAP 1.2, OIO IDWS SOAP binding).
 *
 * Every request goes through the checks of DESIGN.md §2 "Step 2" in this order, and the first
 * that fails answers with a SOAP 1.2 `env:Sender` fault (HTTP 400) and exactly one event:
 *
 *   parse / structure            MALFORMED_REQUEST, TOKEN_MISSING
 *   decrypt (WSP key)            TOKEN_DECRYPT_FAILED
 *   assertion signature + trust  TOKEN_SIGNATURE_INVALID, TOKEN_ISSUER_UNTRUSTED
 *   saml2:Issuer                 TOKEN_ISSUER_UNTRUSTED (not this environment's STS endpoint reference)
 *   audience                     AUDIENCE_MISMATCH
 *   NotBefore / NotOnOrAfter     TOKEN_LIFETIME_INVALID (missing), TOKEN_NOT_YET_VALID, TOKEN_EXPIRED (with clock skew)
 *   holder-of-key                HOK_PROOF_INVALID (the signature verifies with the token's certificate)
 *   signature coverage/digests   SIGNATURE_INVALID (Timestamp, Body, wsa headers, STR via STR-Transform)
 *   wsa:To (signed)              WRONG_ENDPOINT (addressed to another endpoint than this environment's SMDB)
 *   timestamp freshness          TIMESTAMP_EXPIRED
 *   MessageID replay             REPLAY (src/wsp/replay-cache.ts: entries live as long as a message can be
 *                                accepted, capacity by memory); REPLAY_CLIENT_QUOTA (HTTP 429: this holder-of-key
 *                                certificate holds its share of the cache, others go on); REPLAY_CACHE_FULL
 *                                (env:Receiver, HTTP 503: full past the reserve, none is dropped)
 *   operation + privilege        MALFORMED_REQUEST (unknown operation), PRIVILEGE_MISSING
 *   the operation itself         VALIDATION_ERROR (every bad field listed)
 *
 * A success is one `OK` event and a response signed by the WSP with MessageID/RelatesTo.
 * Nothing is written to the store unless every check passed.
 */
import type { Element } from "@xmldom/xmldom";
import express, { type Request, type Response, type Router } from "express";
import type { Clock } from "../core/clock.js";
import { clipMessage, HarnessError } from "../core/errors.js";
import { type Environment, type EventLog, isEnvironment } from "../core/events.js";
import {
  bodyRefusalMessage,
  closeAfterResponse,
  DEFAULT_BODY_TIMEOUT_MS,
  readRequestBody,
} from "../core/http-body.js";
import type { WspFailureReason } from "../core/reason-codes.js";
import type { Certificate, Credential } from "../pki/index.js";
import {
  OPERATION_PRIVILEGE,
  type OperationName,
  OperationValidationError,
  operationOf,
  requestAction,
  responseAction,
} from "../smdb/operations.js";
import {
  buildIdwsResponse,
  type IdwsRequestParts,
  readIdwsRequest,
  verifyHolderOfKey,
  verifyIdwsCoverage,
  WSA_ANONYMOUS,
} from "../xml/idws.js";
import { escapeText, NS, SAML } from "../xml/ns.js";
import { childElements } from "../xml/parse.js";
import type { AssertionContent } from "../xml/saml.js";
import {
  harnessFaultDetailXml,
  SOAP12_CONTENT_TYPE,
  type Soap12Subcode,
  soap12FaultEnvelope,
} from "../xml/soap12.js";
import { checkMessageIdLength } from "../xml/wsa.js";
import { parseXsdDateTime } from "../xml/wsse.js";
import { executeOperation } from "./operations.js";
import {
  DEFAULT_REPLAY_MEMORY_BYTES,
  ReplayCache as MemoryBoundReplayCache,
  type ReplayCacheOptions,
} from "./replay-cache.js";
import type { SmdbStore } from "./store.js";
import { type StsTrust, verifyToken } from "./token.js";

export type { StsTrust };

/** What the WSP needs to know about one environment (wired by the harness from its state). */
export interface WspEnvironment {
  env: Environment;
  /** The WSP's entity ID: the audience tokens must be issued for. */
  entityId: string;
  /**
   * The endpoint reference of this environment's STS: the `saml2:Issuer` every token must carry
   * (the production WSP refuses a token the integration STS issued, even one signed with a key it trusts).
   */
  stsIssuer: string;
  /** The WSP's credential: decrypts tokens, signs responses. */
  credential(): Credential;
  /** The certificate(s) the environment's STS signs tokens with now. */
  stsCertificates(): Certificate[];
  /** Which STS certificates this WSP trusts (default `{mode: "current"}`); a function to allow changes at run time. */
  trust?: StsTrust | (() => StsTrust);
}

export type WspFaultMode = "verbose" | "realistic";

export interface WspOptions {
  /** Allowed difference between the clocks of client/STS and WSP (token times, Created). Default 5 min. */
  clockSkewMs: number;
  /** How old a request's wsu:Created may be, and how long MessageIDs are remembered. Default 5 min. */
  timestampWindowMs: number;
  /**
   * Memory for the MessageIDs remembered per environment (src/wsp/replay-cache.ts). Default 64 MiB
   * (over half a million entries). None is forgotten before its window has passed.
   */
  replayCacheBytes: number;
  /** Capacity in MessageIDs instead of `replayCacheBytes` (small configurations, tests). */
  replayCacheSize?: number;
  /** `verbose` (default): reason code and sentence in the fault; `realistic`: generic texts only. */
  faultMode: WspFaultMode;
  /** Largest request body. Default 1 MiB: a larger one is answered 413 without being read. */
  maxRequestBytes: number;
  /** Longest time a request body may take to arrive. Default 30 s: a slower one is answered 408. */
  bodyTimeoutMs: number;
  /** Accept rsa-sha1/sha1 (the Java reference client signs with them). Default true. */
  allowSha1: boolean;
  /**
   * The clock message freshness is judged against: the request's wsu:Timestamp, the replay
   * window and the Timestamp on the response. Default: `WspDeps.clock` (harness time), which
   * still rules the token's NotBefore/NotOnOrAfter and the records' times.
   */
  messageClock?: Clock;
}

export const DEFAULT_WSP_OPTIONS: WspOptions = {
  clockSkewMs: 5 * 60_000,
  timestampWindowMs: 5 * 60_000,
  replayCacheBytes: DEFAULT_REPLAY_MEMORY_BYTES,
  faultMode: "verbose",
  maxRequestBytes: 1024 * 1024,
  bodyTimeoutMs: DEFAULT_BODY_TIMEOUT_MS,
  allowSha1: true,
};

export interface WspDeps {
  clock: Clock;
  events: EventLog;
  environments: Record<Environment, WspEnvironment>;
  store: SmdbStore;
  /** Options, or a function returning them (read on every request, so a harness can change them at run time). */
  options?: Partial<WspOptions> | (() => Partial<WspOptions>);
}

export interface ServiceResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Fault subcode per step-2 reason code (DESIGN.md §2: `env:Sender` with a WS-Security subcode). */
export const FAULT_SUBCODES: Readonly<Record<string, Soap12Subcode | undefined>> = {
  MALFORMED_REQUEST: undefined,
  TOKEN_MISSING: "wsse:InvalidSecurity",
  TOKEN_DECRYPT_FAILED: "wsse:InvalidSecurityToken",
  TOKEN_SIGNATURE_INVALID: "wsse:InvalidSecurityToken",
  TOKEN_ISSUER_UNTRUSTED: "wsse:FailedAuthentication",
  AUDIENCE_MISMATCH: "wsse:FailedAuthentication",
  TOKEN_NOT_YET_VALID: "wsse:InvalidSecurityToken",
  TOKEN_EXPIRED: "wsse:InvalidSecurityToken",
  TOKEN_LIFETIME_INVALID: "wsse:InvalidSecurityToken",
  HOK_PROOF_INVALID: "wsse:FailedCheck",
  SIGNATURE_INVALID: "wsse:FailedCheck",
  TIMESTAMP_EXPIRED: "wsu:MessageExpired",
  REPLAY: "wsse:InvalidSecurity",
  REPLAY_CACHE_FULL: undefined,
  REPLAY_CLIENT_QUOTA: undefined,
  PRIVILEGE_MISSING: "wsse:FailedAuthentication",
  VALIDATION_ERROR: undefined,
  WRONG_ENDPOINT: undefined,
} satisfies Record<Exclude<WspFailureReason, "INTERNAL_ERROR">, Soap12Subcode | undefined>;

/**
 * Refusals that are not the sender's fault: `env:Receiver` with this HTTP status. The replay
 * cache full of live MessageIDs is the service's own limit, and the same message may pass later.
 */
const RECEIVER_FAULT_STATUS: Readonly<Record<string, number>> = { REPLAY_CACHE_FULL: 503 };

/** Sender refusals with another HTTP status than 400: a client over its replay-cache share is told to slow down. */
const SENDER_FAULT_STATUS: Readonly<Record<string, number>> = { REPLAY_CLIENT_QUOTA: 429 };

const REALISTIC_TEXT: Record<string, string> = {
  "wsse:InvalidSecurity": "An error was discovered processing the <wsse:Security> header",
  "wsse:InvalidSecurityToken": "An invalid security token was provided",
  "wsse:FailedAuthentication": "The security token could not be authenticated or authorized",
  "wsse:FailedCheck": "The signature or decryption was invalid",
  "wsu:MessageExpired": "The message has expired",
  "": "The request could not be processed",
};

/**
 * The cache before src/wsp/replay-cache.ts (no longer used by the service; kept for the
 * restructuring of this file to remove). What it says about a MessageID: new, a replay, or no room.
 */
export type ReplayVerdict = "new" | "replay" | "full";

/**
 * MessageIDs seen recently, bounded in number and failing closed: an entry leaves only when its
 * window has passed (a message with that MessageID can no longer be accepted), never to make
 * room. When the cache is full of live entries, a new MessageID is refused ("full") instead of
 * forgetting one that could then be replayed.
 */
export class ReplayCache {
  readonly #seen = new Map<string, number>();
  constructor(
    public maxEntries: number,
    public ttlMs: number,
  ) {}

  /** Checks `id` at `nowMs` and remembers it when it is new and there is room. */
  record(id: string, nowMs: number): ReplayVerdict {
    this.#evictExpired(nowMs, false);
    const seenAt = this.#seen.get(id);
    if (seenAt !== undefined && nowMs - seenAt < this.ttlMs) return "replay";
    this.#seen.delete(id);
    // Full: sweep every entry (a virtual clock set back can leave expired ones behind live ones).
    if (this.#seen.size >= this.maxEntries) this.#evictExpired(nowMs, true);
    if (this.#seen.size >= this.maxEntries) return "full";
    this.#seen.set(id, nowMs);
    return "new";
  }

  /** When the next entry leaves (its window has passed), at or after `nowMs`. */
  nextExpiryMs(nowMs: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const at of this.#seen.values()) next = Math.min(next, at + this.ttlMs);
    return Math.max(next === Number.POSITIVE_INFINITY ? nowMs : next, nowMs);
  }

  #evictExpired(nowMs: number, all: boolean): void {
    // Insertion order is time order unless a virtual clock moved back, so the usual pass stops at
    // the first live entry; `all` looks at every entry. An entry from the (clock's) future stays.
    for (const [id, at] of this.#seen) {
      if (nowMs - at < this.ttlMs) {
        if (all) continue;
        break;
      }
      this.#seen.delete(id);
    }
  }

  get size(): number {
    return this.#seen.size;
  }
}

function replayCacheOptions(options: WspOptions, ttlMs: number): ReplayCacheOptions {
  return options.replayCacheSize === undefined
    ? { ttlMs, memoryBytes: options.replayCacheBytes }
    : { ttlMs, maxEntries: options.replayCacheSize };
}

interface ServiceState {
  replay: Record<Environment, MemoryBoundReplayCache>;
  options: WspOptions;
}
const states = new WeakMap<WspDeps, ServiceState>();

function resolveOptions(deps: WspDeps): WspOptions {
  const given = typeof deps.options === "function" ? deps.options() : deps.options;
  return { ...DEFAULT_WSP_OPTIONS, ...given };
}

function stateOf(deps: WspDeps): ServiceState {
  const options = resolveOptions(deps);
  // A message is accepted while its wsu:Created lies within [now − window − skew, now + skew]:
  // one created up to `skew` in the future stays acceptable until window + 2 × skew after it was
  // first seen (inclusive), so its MessageID is remembered that long.
  const ttlMs = options.timestampWindowMs + 2 * options.clockSkewMs + 1;
  let state = states.get(deps);
  if (!state) {
    const cache = () => new MemoryBoundReplayCache(replayCacheOptions(options, ttlMs));
    state = { options, replay: { integration: cache(), production: cache() } };
    states.set(deps, state);
  } else {
    state.options = options;
    // Changed options resize the caches; what they remember stays.
    for (const cache of Object.values(state.replay)) cache.configure(replayCacheOptions(options, ttlMs));
  }
  return state;
}

/** Resolved options of a service (defaults filled in). */
export function wspOptions(deps: WspDeps): WspOptions {
  return stateOf(deps).options;
}

/** Event context collected along the pipeline. */
interface Context {
  env: Environment;
  messageId?: string;
  systemUser?: string;
  certSha256?: string;
  operation?: OperationName;
}

function fault(deps: WspDeps, ctx: Context, error: HarnessError): ServiceResponse {
  const { options } = stateOf(deps);
  const message = clipMessage(error.message);
  const subcode = FAULT_SUBCODES[error.reason];
  const fields = error instanceof OperationValidationError ? error.fields : [];
  const receiverStatus = RECEIVER_FAULT_STATUS[error.reason];
  const code = receiverStatus ? "env:Receiver" : "env:Sender";
  deps.events.append({
    env: ctx.env,
    step: 2,
    component: "wsp",
    outcome: "rejected",
    reason: error.reason,
    fault: subcode ?? code,
    ...(ctx.systemUser ? { systemUser: ctx.systemUser } : {}),
    ...(ctx.certSha256 ? { certSha256: ctx.certSha256 } : {}),
    ...(ctx.messageId ? { messageId: ctx.messageId } : {}),
    detail: fields.length > 0 ? { message, operation: ctx.operation, fields } : message,
  });
  const verbose = options.faultMode === "verbose";
  const reasonText = verbose
    ? `${error.reason}: ${message}`
    : (REALISTIC_TEXT[subcode ?? ""] ?? REALISTIC_TEXT[""]!);
  const detailXml =
    verbose || fields.length > 0
      ? harnessFaultDetailXml(
          verbose ? error.reason : "VALIDATION_ERROR",
          verbose ? message : "invalid fields",
          fields,
        )
      : undefined;
  const relatesTo = ctx.messageId
    ? `<wsa:RelatesTo xmlns:wsa="${NS.wsa}">${escapeText(ctx.messageId)}</wsa:RelatesTo><wsa:Action xmlns:wsa="${NS.wsa}">http://www.w3.org/2005/08/addressing/soap/fault</wsa:Action>`
    : "";
  return {
    status: receiverStatus ?? SENDER_FAULT_STATUS[error.reason] ?? 400,
    contentType: SOAP12_CONTENT_TYPE,
    body: soap12FaultEnvelope(
      { code, subcode, reason: reasonText, ...(detailXml ? { detailXml } : {}) },
      relatesTo,
    ),
  };
}

function reject(reason: WspFailureReason, message: string): never {
  throw new HarnessError(reason, message);
}

function text(el: Element | undefined): string {
  return (el?.textContent ?? "").trim();
}

function trustOf(envCfg: WspEnvironment): StsTrust {
  const trust = envCfg.trust;
  if (!trust) return { mode: "current" };
  return typeof trust === "function" ? trust() : trust;
}

/** Timestamp freshness: Created required, not in the future (beyond skew), not older than the window. */
function checkTimestamp(parts: IdwsRequestParts, nowMs: number, options: WspOptions, thumb: string): void {
  const ts = parts.timestamp!;
  const createdEls = childElements(ts, NS.wsu, "Created");
  const expiresEls = childElements(ts, NS.wsu, "Expires");
  const created = createdEls.length === 1 ? parseXsdDateTime(text(createdEls[0])) : undefined;
  if (created === undefined) {
    reject(
      "TIMESTAMP_EXPIRED",
      `the request's wsu:Timestamp (signed by SHA-256 ${thumb}) has no valid wsu:Created; the binding requires one`,
    );
  }
  const now = new Date(nowMs).toISOString();
  if (created! > nowMs + options.clockSkewMs) {
    reject(
      "TIMESTAMP_EXPIRED",
      `the request was created at ${new Date(created!).toISOString()}, in the future of this WSP's clock (${now}) by more than the allowed skew of ${options.clockSkewMs / 1000} s`,
    );
  }
  if (created! < nowMs - options.timestampWindowMs - options.clockSkewMs) {
    reject(
      "TIMESTAMP_EXPIRED",
      `the request was created at ${new Date(created!).toISOString()}; at ${now} it is older than the accepted ${options.timestampWindowMs / 1000} s (+ ${options.clockSkewMs / 1000} s skew)`,
    );
  }
  if (expiresEls.length === 1) {
    const expires = parseXsdDateTime(text(expiresEls[0]));
    if (expires === undefined) reject("TIMESTAMP_EXPIRED", "the request's wsu:Expires is not an xs:dateTime");
    if (expires! <= created!) {
      reject(
        "TIMESTAMP_EXPIRED",
        `the request's wsu:Expires (${new Date(expires!).toISOString()}) is not after its wsu:Created (${new Date(created!).toISOString()})`,
      );
    }
    if (expires! <= nowMs - options.clockSkewMs) {
      reject(
        "TIMESTAMP_EXPIRED",
        `the request's timestamp expired at ${new Date(expires!).toISOString()} (now ${now})`,
      );
    }
  }
}

/**
 * The token's Conditions carry NotBefore and NotOnOrAfter, both xs:dateTime, NotOnOrAfter after
 * NotBefore, as the STS always issues them; otherwise TOKEN_LIFETIME_INVALID (not TOKEN_EXPIRED:
 * the token has not expired, and a client takes TOKEN_EXPIRED as "fetch a new token").
 */
function checkTokenLifetimeBounds(assertion: Element, claims: AssertionContent, thumb: string): void {
  const conditions = childElements(assertion, NS.saml, "Conditions");
  const problems: string[] = [];
  if (conditions.length !== 1) {
    problems.push(`it has ${conditions.length} saml2:Conditions elements`);
  } else {
    const bounds = [
      ["NotBefore", claims.notBeforeMs],
      ["NotOnOrAfter", claims.notOnOrAfterMs],
    ] as const;
    for (const [name, ms] of bounds) {
      if (!conditions[0]!.hasAttribute(name)) problems.push(`Conditions has no ${name}`);
      else if (ms === undefined)
        problems.push(`Conditions ${name} "${conditions[0]!.getAttribute(name)}" is not an xs:dateTime`);
    }
    if (
      problems.length === 0 &&
      claims.notOnOrAfterMs !== undefined &&
      claims.notBeforeMs !== undefined &&
      claims.notOnOrAfterMs <= claims.notBeforeMs
    ) {
      problems.push(
        `Conditions NotOnOrAfter (${new Date(claims.notOnOrAfterMs).toISOString()}) is not after NotBefore (${new Date(claims.notBeforeMs).toISOString()})`,
      );
    }
  }
  if (problems.length > 0) {
    reject(
      "TOKEN_LIFETIME_INVALID",
      `the token (holder-of-key certificate SHA-256 ${thumb}) has no valid lifetime: ${problems.join("; ")}; the STS issues every token with one saml2:Conditions carrying NotBefore and NotOnOrAfter, and a token without them would never expire`,
    );
  }
}

/** The path of an environment's SMDB endpoint (what `wspRouter` serves; the end of the wsa:To URL). */
export function wspEndpointPath(env: Environment): string {
  return `/${env}/smdb`;
}

/**
 * wsa:To, read only after the signature covering it has been verified: absent or anonymous (the
 * WS-Addressing default: whatever endpoint the transport reached), or an http(s) URL whose path
 * ends with this environment's SMDB path. Host and port are not compared, since the harness may be
 * reached under another name or through a mapped port or a path prefix (a container, a proxy).
 */
function checkAddressedHere(
  parts: IdwsRequestParts,
  env: Environment,
  entityId: string,
  thumb: string,
): void {
  const toEl = parts.wsa.to;
  if (!toEl) return;
  const to = text(toEl);
  if (to === WSA_ANONYMOUS) return;
  const expectedPath = wspEndpointPath(env);
  let url: URL | undefined;
  try {
    url = new URL(to);
  } catch {
    url = undefined;
  }
  const path = url?.pathname.replace(/\/+$/, "");
  if (url && (url.protocol === "https:" || url.protocol === "http:") && path?.endsWith(expectedPath)) return;
  reject(
    "WRONG_ENDPOINT",
    `the request (signed by SHA-256 ${thumb}) is addressed (wsa:To) to "${to}", another endpoint; this is SMDB ${env}: expected an http(s) URL ending in ${expectedPath} (the SMDB URL the request is posted to; the entity ID "${entityId}" is the token's audience, not an address)`,
  );
}

/**
 * Handles one step-2 request for `env`. Never throws: every failure is a SOAP 1.2 fault with one
 * event; an unexpected internal error is an `env:Receiver` fault (HTTP 500) with event
 * `INTERNAL_ERROR`.
 */
export async function handleServiceRequest(
  deps: WspDeps,
  env: Environment,
  body: Buffer | string,
): Promise<ServiceResponse> {
  const ctx: Context = { env };
  try {
    return await pipeline(deps, env, body, ctx);
  } catch (error) {
    if (error instanceof HarnessError) return fault(deps, ctx, error);
    const message = error instanceof Error ? error.message : String(error);
    deps.events.append({
      env,
      step: 2,
      component: "wsp",
      outcome: "rejected",
      reason: "INTERNAL_ERROR",
      fault: "env:Receiver",
      ...(ctx.messageId ? { messageId: ctx.messageId } : {}),
      detail: `the WSP failed while handling the request: ${message}`,
    });
    return {
      status: 500,
      contentType: SOAP12_CONTENT_TYPE,
      body: soap12FaultEnvelope({ code: "env:Receiver", reason: `INTERNAL_ERROR: ${message}` }),
    };
  }
}

async function pipeline(
  deps: WspDeps,
  env: Environment,
  body: Buffer | string,
  ctx: Context,
): Promise<ServiceResponse> {
  const { options, replay } = stateOf(deps);
  const envCfg = deps.environments[env];
  const nowMs = deps.clock.nowMs();
  // Message freshness (Timestamp, replay window, response Timestamp) may run on another clock.
  const messageNowMs = options.messageClock ? options.messageClock.nowMs() : nowMs;

  // Structure. The MessageID is read here for the event only; it is trusted after the signature check.
  const parts = readIdwsRequest(body, options.maxRequestBytes);
  if (parts.wsa.messageId) {
    checkMessageIdLength(parts.wsa.messageId);
    ctx.messageId = text(parts.wsa.messageId);
  }

  // 1-2. Decrypt, STS signature and trust.
  const wspCredential = envCfg.credential();
  const currentSts = envCfg.stsCertificates();
  const token = verifyToken(parts.encryptedAssertion, {
    wspCredential,
    trust: trustOf(envCfg),
    currentSts,
    nowMs,
    allowSha1: options.allowSha1,
  });
  const claims = token.content;
  if (claims.nameId) ctx.systemUser = claims.nameId;
  if (claims.subjectCertificate) ctx.certSha256 = claims.subjectCertificate.sha256;
  const hok = claims.subjectCertificate;
  const thumb = hok?.sha256 ?? "(none)";

  // 2b. The Issuer is this environment's STS.
  if (claims.issuer !== envCfg.stsIssuer) {
    const other = Object.values(deps.environments).find(
      (e) => e.env !== env && e.stsIssuer === claims.issuer,
    );
    reject(
      "TOKEN_ISSUER_UNTRUSTED",
      `the token (holder-of-key certificate SHA-256 ${thumb}, signed by STS certificate SHA-256 ${token.stsCertificate.sha256}) has saml2:Issuer "${claims.issuer}"${other ? `, the ${other.env} STS` : ""}; SMDB ${env} accepts only tokens issued by the ${env} STS, "${envCfg.stsIssuer}"`,
    );
  }

  // 3. Audience: every AudienceRestriction names this WSP (SAML core §2.5.1.4), and there is one.
  if (!claims.audiences.includes(envCfg.entityId)) {
    reject(
      "AUDIENCE_MISMATCH",
      `the token (holder-of-key certificate SHA-256 ${thumb}) is for audience ${claims.audiences.map((a) => `"${a}"`).join(", ") || "(none)"}; this is SMDB ${env} with entity ID "${envCfg.entityId}"`,
    );
  }
  const unmet = claims.audienceRestrictions.filter((audiences) => !audiences.includes(envCfg.entityId));
  if (unmet.length > 0) {
    reject(
      "AUDIENCE_MISMATCH",
      `the token (holder-of-key certificate SHA-256 ${thumb}) has ${claims.audienceRestrictions.length} AudienceRestriction elements and ${unmet.length} of them (${unmet.map((a) => `[${a.map((x) => `"${x}"`).join(", ")}]`).join(", ")}) do not name this SMDB ${env}, entity ID "${envCfg.entityId}"; every AudienceRestriction must be satisfied (SAML 2.0 core §2.5.1.4)`,
    );
  }

  // 4. Token lifetime, with skew. The STS always sets both bounds; a token without them would never expire.
  checkTokenLifetimeBounds(token.assertion, claims, thumb);
  const now = new Date(nowMs).toISOString();
  if (claims.notBeforeMs !== undefined && nowMs + options.clockSkewMs < claims.notBeforeMs) {
    reject(
      "TOKEN_NOT_YET_VALID",
      `the token (holder-of-key certificate SHA-256 ${thumb}) is valid from ${new Date(claims.notBeforeMs).toISOString()}; it is ${now} here (skew allowed: ${options.clockSkewMs / 1000} s)`,
    );
  }
  if (claims.notOnOrAfterMs !== undefined && nowMs - options.clockSkewMs >= claims.notOnOrAfterMs) {
    reject(
      "TOKEN_EXPIRED",
      `the token (holder-of-key certificate SHA-256 ${thumb}) expired at ${new Date(claims.notOnOrAfterMs).toISOString()}; it is ${now} here: get a new token from the STS`,
    );
  }

  // 5. Holder-of-key: the message is signed with the key of the token's certificate.
  if (!hok || claims.subjectConfirmationMethod !== SAML.holderOfKey) {
    reject(
      "HOK_PROOF_INVALID",
      "the token has no holder-of-key SubjectConfirmation with a certificate to check the message signature against",
    );
  }
  verifyHolderOfKey(parts, hok!);

  // 6. The signature covers Timestamp, Body, the wsa headers and the STR, and every digest holds.
  verifyIdwsCoverage(parts, hok!, { allowSha1: options.allowSha1 });

  // 6b. The (signed) wsa:To names this endpoint.
  checkAddressedHere(parts, env, envCfg.entityId, thumb);

  // 7. Timestamp freshness.
  checkTimestamp(parts, messageNowMs, options, thumb);

  // 8. Replay.
  if (!parts.wsa.messageId || ctx.messageId === "") {
    reject(
      "MALFORMED_REQUEST",
      `the request (signed by SHA-256 ${thumb}) has no wsa:MessageID; the binding requires one`,
    );
  }
  // Per-client quota: keyed by the holder-of-key certificate the signature was just verified with.
  const admission = replay[env].check(ctx.messageId!, thumb, messageNowMs);
  const verdict = admission.verdict;
  if (verdict === "replay") {
    reject(
      "REPLAY",
      `MessageID ${ctx.messageId} (signed by SHA-256 ${thumb}) was already received within the last ${(options.timestampWindowMs + 2 * options.clockSkewMs) / 1000} s; every request needs a new MessageID`,
    );
  }
  if (verdict === "full") {
    reject(
      "REPLAY_CACHE_FULL",
      `MessageID ${ctx.messageId} (signed by SHA-256 ${thumb}) cannot be checked for replay: SMDB ${env} remembers ${admission.capacity} MessageIDs and more, and all of them are still within their ${(options.timestampWindowMs + 2 * options.clockSkewMs) / 1000} s window, which none leaves early (that would let a message be replayed); the request is refused, try again from ${new Date(admission.retryAtMs).toISOString()}`,
    );
  }
  if (verdict === "client-quota") {
    reject(
      "REPLAY_CLIENT_QUOTA",
      `MessageID ${ctx.messageId}: the holder-of-key certificate SHA-256 ${thumb} already has ${admission.held} MessageIDs in SMDB ${env}'s replay cache, its share (${admission.quota}); other clients are served, this one from ${new Date(admission.retryAtMs).toISOString()} (send fewer requests)`,
    );
  }

  // 9. Operation and privilege.
  const operation = operationOf(parts.operation);
  ctx.operation = operation;
  const action = text(parts.wsa.action);
  if (parts.wsa.action && action !== requestAction(operation)) {
    reject(
      "MALFORMED_REQUEST",
      `wsa:Action is "${action}" but the Body asks for ${operation}; expected "${requestAction(operation)}"`,
    );
  }
  const needed = OPERATION_PRIVILEGE[operation];
  if (needed && (!claims.cvr || !claims.privileges.includes(needed))) {
    reject(
      "PRIVILEGE_MISSING",
      `${operation} needs privilege ${needed} for CVR ${claims.cvr ?? "(none in token)"}; the token of systembruger "${claims.nameId}" (certificate SHA-256 ${thumb}) grants ${claims.privileges.join(", ") || "none"}`,
    );
  }
  if (!claims.cvr) {
    reject(
      "PRIVILEGE_MISSING",
      `the token of systembruger "${claims.nameId}" (certificate SHA-256 ${thumb}) names no CVR number`,
    );
  }

  // 10. The operation.
  const result = await executeOperation(operation, parts.operation, {
    env,
    cvr: claims.cvr!,
    systemUser: claims.nameId,
    nowMs,
    store: deps.store,
  });
  const response = buildIdwsResponse({
    action: responseAction(operation),
    relatesTo: ctx.messageId!,
    nowMs: messageNowMs,
    bodyXml: result.bodyXml,
    certificate: wspCredential.certificate,
    privateKey: wspCredential.key.privateKey,
  });
  deps.events.append({
    env,
    step: 2,
    component: "wsp",
    outcome: "ok",
    reason: "OK",
    ...(ctx.systemUser ? { systemUser: ctx.systemUser } : {}),
    ...(ctx.certSha256 ? { certSha256: ctx.certSha256 } : {}),
    messageId: ctx.messageId!,
    detail: { operation, result: result.summary, stsCertificateSha256: token.stsCertificate.sha256 },
  });
  return { status: 200, contentType: SOAP12_CONTENT_TYPE, body: response.xml };
}

/**
 * Express router for `POST /:env/smdb`: reads the raw body (src/core/http-body.ts, as the STS
 * does: a body over the limit, declared or seen, is a 413 and a slow one a 408, each with a SOAP
 * 1.2 fault, not an HTML error page, and the connection is closed) and calls `handleServiceRequest`.
 */
export function wspRouter(deps: WspDeps): Router {
  const router = express.Router();
  router.post("/:env/smdb", (req: Request, res: Response) => {
    const env = req.params["env"];
    let refused = false;
    const send = (r: ServiceResponse) => {
      if (res.headersSent || res.destroyed) return;
      if (refused) closeAfterResponse(req, res);
      res.status(r.status).type(r.contentType).send(r.body);
    };
    const options = stateOf(deps).options;
    readRequestBody(req, { maxBytes: options.maxRequestBytes, timeoutMs: options.bodyTimeoutMs })
      .then((read) => {
        refused = !read.ok;
        if (!isEnvironment(env)) {
          return {
            status: read.ok ? 404 : read.status,
            contentType: SOAP12_CONTENT_TYPE,
            body: soap12FaultEnvelope({
              reason: `unknown environment "${env}"; use /integration/smdb or /production/smdb`,
            }),
          };
        }
        if (read.ok) return handleServiceRequest(deps, env, read.body);
        // 413 / 408 with the SOAP 1.2 fault as body; the rest of the body is never read.
        const refusal = fault(deps, { env }, new HarnessError("MALFORMED_REQUEST", bodyRefusalMessage(read)));
        return { ...refusal, status: read.status };
      })
      .then(send, (error: Error) =>
        send({
          status: 400,
          contentType: SOAP12_CONTENT_TYPE,
          body: soap12FaultEnvelope({ reason: `the request body could not be read: ${error.message}` }),
        }),
      );
  });
  return router;
}

/** What `wspEnvironmentFromState` reads: the harness state's per-environment identity. */
export interface WspIdentitySource {
  environment(env: Environment): {
    wspEntityId: string;
    wsp: Credential;
    stsSigning: Credential;
    stsEndpointReference: string;
  };
}

/**
 * A `WspEnvironment` that follows the harness state: its WSP credential and entity ID, and — in
 * the default trust mode — whatever the environment's STS signs with now (so a rotation of the
 * STS signing certificate is trusted at once, while `pin-thumbprint` breaks as it would).
 */
export function wspEnvironmentFromState(
  state: WspIdentitySource,
  env: Environment,
  trust?: StsTrust | (() => StsTrust),
): WspEnvironment {
  return {
    env,
    get entityId() {
      return state.environment(env).wspEntityId;
    },
    get stsIssuer() {
      return state.environment(env).stsEndpointReference;
    },
    credential: () => state.environment(env).wsp,
    stsCertificates: () => [state.environment(env).stsSigning.certificate],
    ...(trust ? { trust } : {}),
  };
}
