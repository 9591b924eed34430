/**
 * The checks of the SMDB service (docs/protocol.md "Step 2") as data: `WSP_CHECKS`, an ordered list of
 * named steps, each a small function of one request's context. docs/smdb.md shows the same list as
 * its table (test/wsp/checks-doc.test.ts compares them). The first step that refuses ends the
 * request; nothing is written to the store unless every check before `execute` passed.
 *
 * Token checks run on harness time; the Timestamp and the replay window on the message clock.
 */
import type { Document, Element } from "@xmldom/xmldom";
import { HarnessError } from "../core/errors.js";
import type { Environment } from "../core/events.js";
import type { CheckStep } from "../core/pipeline.js";
import type { WspFailureReason } from "../core/reason-codes.js";
import type { Certificate } from "../pki/index.js";
import { OPERATION_PRIVILEGE, type OperationName, operationOf, requestAction } from "../smdb/operations.js";
import type { PreparedSignature } from "../xml/dsig.js";
import {
  type IdwsEnvelope,
  type IdwsRequestParts,
  readIdwsEnvelope,
  readIdwsSecurity,
  tokenEncryptedData,
  verifyHolderOfKey,
  verifyIdwsCoverage,
  WSA_ANONYMOUS,
} from "../xml/idws.js";
import { NS, SAML } from "../xml/ns.js";
import { childElements, parseXml } from "../xml/parse.js";
import type { AssertionContent } from "../xml/saml.js";
import {
  checkContentType,
  checkEnvelopeVersion,
  checkMustUnderstand,
  isSecurityOrAddressingHeader,
} from "../xml/soap-version.js";
import type { Soap12FaultCode } from "../xml/soap12.js";
import { checkMessageIdLength } from "../xml/wsa.js";
import { parseXsdDateTime } from "../xml/wsse.js";
import { executeOperation, type OperationResult } from "./operations.js";
import type { ReplayAdmission } from "./replay-cache.js";
import type { SmdbStore } from "./store.js";
import { type StsTrust, type VerifiedToken, verifyToken } from "./token.js";
import type { WspEnvironment, WspOptions } from "./types.js";

/** What the replay step asks of the environment's replay cache (src/wsp/replay-cache.ts). */
export interface ReplayMemory {
  /**
   * Checks `messageId` from `client` (its holder-of-key certificate) at `nowMs` and remembers it
   * when it is new and there is room.
   */
  check(messageId: string, client: string, nowMs: number): ReplayAdmission;
}

/** One step-2 request, and what the steps found out about it. */
export interface WspCheckContext {
  readonly env: Environment;
  readonly environment: WspEnvironment;
  /** Every environment, to name the other one in a message. */
  readonly environments: Readonly<Record<Environment, WspEnvironment>>;
  readonly options: WspOptions;
  readonly replay: ReplayMemory;
  readonly store: SmdbStore;
  readonly body: Buffer | string;
  readonly contentType: string | undefined;
  /** Harness time (token lifetime, records) and message time (Timestamp, replay window). */
  readonly nowMs: number;
  readonly messageNowMs: number;
  doc?: Document;
  envelope?: IdwsEnvelope;
  parts?: IdwsRequestParts;
  encryptedData?: Element;
  token?: VerifiedToken;
  /** The token's holder-of-key certificate, when it names one. */
  hok?: Certificate;
  prepared?: PreparedSignature;
  result?: OperationResult;
  /** For the event (and RelatesTo on faults). */
  messageId?: string;
  systemUser?: string;
  certSha256?: string;
  operation?: OperationName;
}

export type WspCheck = CheckStep<WspCheckContext, WspFailureReason, Soap12FaultCode>;

const WHO = "the SMDB service";

function reject(reason: WspFailureReason, message: string): never {
  throw new HarnessError(reason, message);
}

/** A value a previous step has set; its absence is a bug in the list's order. */
function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`WSP check order: ${what} is read before the step that sets it`);
  return value;
}

function text(el: Element | undefined): string {
  return (el?.textContent ?? "").trim();
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function parts(ctx: WspCheckContext): IdwsRequestParts {
  return need(ctx.parts, "the request's parts");
}

function claims(ctx: WspCheckContext): AssertionContent {
  return need(ctx.token, "the verified token").content;
}

/** The thumbprint messages name: the token's holder-of-key certificate. */
function thumb(ctx: WspCheckContext): string {
  return ctx.hok?.sha256 ?? "(none)";
}

function trustOf(environment: WspEnvironment): StsTrust {
  const trust = environment.trust;
  if (!trust) return { mode: "current" };
  return typeof trust === "function" ? trust() : trust;
}

/** The path of an environment's SMDB endpoint (what `wspRouter` serves; the end of the wsa:To URL). */
export function wspEndpointPath(env: Environment): string {
  return `/${env}/smdb`;
}

// ---------------------------------------------------------------------------------------------
// The steps, in order

const parse: WspCheck = {
  name: "parse",
  reasons: ["MALFORMED_REQUEST"],
  run(ctx) {
    ctx.doc = parseXml(ctx.body, { maxBytes: ctx.options.maxRequestBytes, label: "request" });
  },
};

const soapVersion: WspCheck = {
  name: "soap-version",
  reasons: ["MALFORMED_REQUEST"],
  faults: { MALFORMED_REQUEST: "env:VersionMismatch" },
  run(ctx) {
    checkEnvelopeVersion(need(ctx.doc, "the document"), "1.2", WHO);
  },
};

const contentType: WspCheck = {
  name: "content-type",
  reasons: ["MALFORMED_REQUEST"],
  run(ctx) {
    checkContentType(ctx.contentType, "1.2", WHO);
  },
};

/** Structure. The MessageID is read here for the event only; it is trusted after the signature check. */
const envelope: WspCheck = {
  name: "envelope",
  reasons: ["MALFORMED_REQUEST"],
  run(ctx) {
    const envelope = readIdwsEnvelope(need(ctx.doc, "the document"));
    ctx.envelope = envelope;
    if (envelope.wsa.messageId) {
      checkMessageIdLength(envelope.wsa.messageId);
      ctx.messageId = text(envelope.wsa.messageId);
    }
  },
};

const mustUnderstand: WspCheck = {
  name: "must-understand",
  reasons: ["HEADER_NOT_UNDERSTOOD", "MALFORMED_REQUEST"],
  run(ctx) {
    checkMustUnderstand(need(ctx.envelope, "the envelope").header, "1.2", isSecurityOrAddressingHeader, WHO);
  },
};

const securityHeader: WspCheck = {
  name: "security-header",
  reasons: ["TOKEN_MISSING", "MALFORMED_REQUEST"],
  run(ctx) {
    ctx.parts = readIdwsSecurity(need(ctx.envelope, "the envelope"));
  },
};

/** Decrypt with the environment's WSP key, then the assertion's signature against the STS trust policy. */
const token: WspCheck = {
  name: "token",
  reasons: ["TOKEN_DECRYPT_FAILED", "TOKEN_SIGNATURE_INVALID", "TOKEN_ISSUER_UNTRUSTED", "MALFORMED_REQUEST"],
  run(ctx) {
    ctx.encryptedData = tokenEncryptedData(parts(ctx));
    const environment = ctx.environment;
    ctx.token = verifyToken(parts(ctx).encryptedAssertion, {
      wspCredential: environment.credential(),
      trust: trustOf(environment),
      currentSts: environment.stsCertificates(),
      nowMs: ctx.nowMs,
      allowSha1: ctx.options.allowSha1,
    });
    const { content } = ctx.token;
    if (content.nameId) ctx.systemUser = content.nameId;
    if (content.subjectCertificate) {
      ctx.certSha256 = content.subjectCertificate.sha256;
      ctx.hok = content.subjectCertificate;
    }
  },
};

/** The Issuer is this environment's STS, compared exactly. */
const issuer: WspCheck = {
  name: "issuer",
  reasons: ["TOKEN_ISSUER_UNTRUSTED"],
  run(ctx) {
    const { issuer: found } = claims(ctx);
    const expected = ctx.environment.stsIssuer;
    if (found === expected) return;
    const other = Object.values(ctx.environments).find((e) => e.env !== ctx.env && e.stsIssuer === found);
    reject(
      "TOKEN_ISSUER_UNTRUSTED",
      `the token (holder-of-key certificate SHA-256 ${thumb(ctx)}, signed by STS certificate SHA-256 ${need(ctx.token, "the verified token").stsCertificate.sha256}) has saml2:Issuer "${found}"${other ? `, the ${other.env} STS` : ""}; SMDB ${ctx.env} accepts only tokens issued by the ${ctx.env} STS, "${expected}"`,
    );
  },
};

/** Every AudienceRestriction names this WSP (SAML core §2.5.1.4), and there is one. */
const audience: WspCheck = {
  name: "audience",
  reasons: ["AUDIENCE_MISMATCH"],
  run(ctx) {
    const { audiences, audienceRestrictions } = claims(ctx);
    const entityId = ctx.environment.entityId;
    if (!audiences.includes(entityId)) {
      reject(
        "AUDIENCE_MISMATCH",
        `the token (holder-of-key certificate SHA-256 ${thumb(ctx)}) is for audience ${audiences.map((a) => `"${a}"`).join(", ") || "(none)"}; this is SMDB ${ctx.env} with entity ID "${entityId}"`,
      );
    }
    const unmet = audienceRestrictions.filter((names) => !names.includes(entityId));
    if (unmet.length > 0) {
      reject(
        "AUDIENCE_MISMATCH",
        `the token (holder-of-key certificate SHA-256 ${thumb(ctx)}) has ${audienceRestrictions.length} AudienceRestriction elements and ${unmet.length} of them (${unmet.map((a) => `[${a.map((x) => `"${x}"`).join(", ")}]`).join(", ")}) do not name this SMDB ${ctx.env}, entity ID "${entityId}"; every AudienceRestriction must be satisfied (SAML 2.0 core §2.5.1.4)`,
      );
    }
  },
};

/**
 * The token's Conditions carry NotBefore and NotOnOrAfter, both xs:dateTime, NotOnOrAfter after
 * NotBefore, as the STS always issues them; otherwise TOKEN_LIFETIME_INVALID (not TOKEN_EXPIRED:
 * the token has not expired, and a client takes TOKEN_EXPIRED as "fetch a new token").
 */
const tokenLifetime: WspCheck = {
  name: "token-lifetime",
  reasons: ["TOKEN_LIFETIME_INVALID"],
  run(ctx) {
    const content = claims(ctx);
    const conditions = childElements(need(ctx.token, "the verified token").assertion, NS.saml, "Conditions");
    const problems: string[] = [];
    if (conditions.length !== 1) {
      problems.push(`it has ${conditions.length} saml2:Conditions elements`);
    } else {
      const bounds = [
        ["NotBefore", content.notBeforeMs],
        ["NotOnOrAfter", content.notOnOrAfterMs],
      ] as const;
      for (const [name, ms] of bounds) {
        if (!conditions[0]!.hasAttribute(name)) problems.push(`Conditions has no ${name}`);
        else if (ms === undefined)
          problems.push(`Conditions ${name} "${conditions[0]!.getAttribute(name)}" is not an xs:dateTime`);
      }
      if (
        problems.length === 0 &&
        content.notOnOrAfterMs !== undefined &&
        content.notBeforeMs !== undefined &&
        content.notOnOrAfterMs <= content.notBeforeMs
      ) {
        problems.push(
          `Conditions NotOnOrAfter (${iso(content.notOnOrAfterMs)}) is not after NotBefore (${iso(content.notBeforeMs)})`,
        );
      }
    }
    if (problems.length > 0) {
      reject(
        "TOKEN_LIFETIME_INVALID",
        `the token (holder-of-key certificate SHA-256 ${thumb(ctx)}) has no valid lifetime: ${problems.join("; ")}; the STS issues every token with one saml2:Conditions carrying NotBefore and NotOnOrAfter, and a token without them would never expire`,
      );
    }
  },
};

/** NotBefore / NotOnOrAfter on harness time, with the skew. */
const tokenValidity: WspCheck = {
  name: "token-validity",
  reasons: ["TOKEN_NOT_YET_VALID", "TOKEN_EXPIRED"],
  run(ctx) {
    const { notBeforeMs, notOnOrAfterMs } = claims(ctx);
    const { clockSkewMs } = ctx.options;
    const now = iso(ctx.nowMs);
    if (notBeforeMs !== undefined && ctx.nowMs + clockSkewMs < notBeforeMs) {
      reject(
        "TOKEN_NOT_YET_VALID",
        `the token (holder-of-key certificate SHA-256 ${thumb(ctx)}) is valid from ${iso(notBeforeMs)}; it is ${now} here (skew allowed: ${clockSkewMs / 1000} s)`,
      );
    }
    if (notOnOrAfterMs !== undefined && ctx.nowMs - clockSkewMs >= notOnOrAfterMs) {
      reject(
        "TOKEN_EXPIRED",
        `the token (holder-of-key certificate SHA-256 ${thumb(ctx)}) expired at ${iso(notOnOrAfterMs)}; it is ${now} here: get a new token from the STS`,
      );
    }
  },
};

/** The message is signed with the key of the token's certificate: the one RSA verification. */
const holderOfKey: WspCheck = {
  name: "holder-of-key",
  reasons: ["HOK_PROOF_INVALID", "SIGNATURE_INVALID"],
  run(ctx) {
    if (!ctx.hok || claims(ctx).subjectConfirmationMethod !== SAML.holderOfKey) {
      reject(
        "HOK_PROOF_INVALID",
        "the token has no holder-of-key SubjectConfirmation with a certificate to check the message signature against",
      );
    }
    ctx.prepared = verifyHolderOfKey(parts(ctx), need(ctx.encryptedData, "the token"), ctx.hok!, {
      allowSha1: ctx.options.allowSha1,
    });
  },
};

/** The same signature covers Timestamp, Body, the wsa headers and the STR, and every digest holds. */
const signature: WspCheck = {
  name: "signature",
  reasons: ["SIGNATURE_INVALID"],
  run(ctx) {
    verifyIdwsCoverage(
      parts(ctx),
      need(ctx.encryptedData, "the token"),
      need(ctx.prepared, "the verified signature"),
      need(ctx.hok, "the holder-of-key certificate"),
    );
  },
};

/**
 * wsa:To, read only after the signature covering it has been verified: absent or anonymous (the
 * WS-Addressing default: whatever endpoint the transport reached), or an http(s) URL whose path
 * ends with this environment's SMDB path. Host and port are not compared, since the harness may be
 * reached under another name or through a mapped port or a path prefix (a container, a proxy).
 */
const addressedHere: WspCheck = {
  name: "addressed-here",
  reasons: ["WRONG_ENDPOINT"],
  run(ctx) {
    const toEl = parts(ctx).wsa.to;
    if (!toEl) return;
    const to = text(toEl);
    if (to === WSA_ANONYMOUS) return;
    const expectedPath = wspEndpointPath(ctx.env);
    let url: URL | undefined;
    try {
      url = new URL(to);
    } catch {
      url = undefined;
    }
    const path = url?.pathname.replace(/\/+$/, "");
    if (url && (url.protocol === "https:" || url.protocol === "http:") && path?.endsWith(expectedPath))
      return;
    reject(
      "WRONG_ENDPOINT",
      `the request (signed by SHA-256 ${thumb(ctx)}) is addressed (wsa:To) to "${to}", another endpoint; this is SMDB ${ctx.env}: expected an http(s) URL ending in ${expectedPath} (the SMDB URL the request is posted to; the entity ID "${ctx.environment.entityId}" is the token's audience, not an address)`,
    );
  },
};

/** Created required, not in the future (beyond skew), not older than the window; Expires not past. */
const timestamp: WspCheck = {
  name: "timestamp",
  reasons: ["TIMESTAMP_EXPIRED"],
  run(ctx) {
    const { clockSkewMs, timestampWindowMs } = ctx.options;
    const nowMs = ctx.messageNowMs;
    const ts = need(parts(ctx).timestamp, "the Timestamp");
    const createdEls = childElements(ts, NS.wsu, "Created");
    const expiresEls = childElements(ts, NS.wsu, "Expires");
    const created = createdEls.length === 1 ? parseXsdDateTime(text(createdEls[0])) : undefined;
    if (created === undefined) {
      return reject(
        "TIMESTAMP_EXPIRED",
        `the request's wsu:Timestamp (signed by SHA-256 ${thumb(ctx)}) has no valid wsu:Created; the binding requires one`,
      );
    }
    const now = iso(nowMs);
    if (created > nowMs + clockSkewMs) {
      reject(
        "TIMESTAMP_EXPIRED",
        `the request was created at ${iso(created)}, in the future of this WSP's clock (${now}) by more than the allowed skew of ${clockSkewMs / 1000} s`,
      );
    }
    if (created < nowMs - timestampWindowMs - clockSkewMs) {
      reject(
        "TIMESTAMP_EXPIRED",
        `the request was created at ${iso(created)}; at ${now} it is older than the accepted ${timestampWindowMs / 1000} s (+ ${clockSkewMs / 1000} s skew)`,
      );
    }
    if (expiresEls.length === 1) {
      const expires = parseXsdDateTime(text(expiresEls[0]));
      if (expires === undefined)
        return reject("TIMESTAMP_EXPIRED", "the request's wsu:Expires is not an xs:dateTime");
      if (expires <= created) {
        reject(
          "TIMESTAMP_EXPIRED",
          `the request's wsu:Expires (${iso(expires)}) is not after its wsu:Created (${iso(created)})`,
        );
      }
      if (expires <= nowMs - clockSkewMs) {
        reject("TIMESTAMP_EXPIRED", `the request's timestamp expired at ${iso(expires)} (now ${now})`);
      }
    }
  },
};

/**
 * A MessageID not seen within its window. The cache (src/wsp/replay-cache.ts) never drops a live
 * entry: a client holding its share of it is refused alone (REPLAY_CLIENT_QUOTA), and when it is
 * full past the reserve every new message is (REPLAY_CACHE_FULL).
 */
const replay: WspCheck = {
  name: "replay",
  reasons: ["MALFORMED_REQUEST", "REPLAY", "REPLAY_CLIENT_QUOTA", "REPLAY_CACHE_FULL"],
  run(ctx) {
    if (!parts(ctx).wsa.messageId || ctx.messageId === "") {
      reject(
        "MALFORMED_REQUEST",
        `the request (signed by SHA-256 ${thumb(ctx)}) has no wsa:MessageID; the binding requires one`,
      );
    }
    const { timestampWindowMs, clockSkewMs } = ctx.options;
    const window = (timestampWindowMs + 2 * clockSkewMs) / 1000;
    const messageId = need(ctx.messageId, "the MessageID");
    const admission = ctx.replay.check(messageId, thumb(ctx), ctx.messageNowMs);
    if (admission.verdict === "replay") {
      reject(
        "REPLAY",
        `MessageID ${messageId} (signed by SHA-256 ${thumb(ctx)}) was already received within the last ${window} s; every request needs a new MessageID`,
      );
    }
    if (admission.verdict === "client-quota") {
      reject(
        "REPLAY_CLIENT_QUOTA",
        `MessageID ${messageId}: the holder-of-key certificate SHA-256 ${thumb(ctx)} already has ${admission.held} MessageIDs in SMDB ${ctx.env}'s replay cache, its share (${admission.quota}); other clients are served, this one from ${iso(admission.retryAtMs)} (send fewer requests)`,
      );
    }
    if (admission.verdict === "full") {
      reject(
        "REPLAY_CACHE_FULL",
        `MessageID ${messageId} (signed by SHA-256 ${thumb(ctx)}) cannot be checked for replay: SMDB ${ctx.env} remembers ${admission.capacity} MessageIDs and more, and all of them are still within their ${window} s window, which none leaves early (that would let a message be replayed); the request is refused, try again from ${iso(admission.retryAtMs)}`,
      );
    }
  },
};

/** A known operation, and wsa:Action (when sent) naming it. */
const operation: WspCheck = {
  name: "operation",
  reasons: ["MALFORMED_REQUEST"],
  run(ctx) {
    const name = operationOf(parts(ctx).operation);
    ctx.operation = name;
    const actionEl = parts(ctx).wsa.action;
    const action = text(actionEl);
    if (actionEl && action !== requestAction(name)) {
      reject(
        "MALFORMED_REQUEST",
        `wsa:Action is "${action}" but the Body asks for ${name}; expected "${requestAction(name)}"`,
      );
    }
  },
};

/** The operation's privilege, scoped to the token's CVR. */
const privilege: WspCheck = {
  name: "privilege",
  reasons: ["PRIVILEGE_MISSING"],
  run(ctx) {
    const { cvr, privileges, nameId } = claims(ctx);
    const name = need(ctx.operation, "the operation");
    const needed = OPERATION_PRIVILEGE[name];
    if (needed && (!cvr || !privileges.includes(needed))) {
      reject(
        "PRIVILEGE_MISSING",
        `${name} needs privilege ${needed} for CVR ${cvr ?? "(none in token)"}; the token of systembruger "${nameId}" (certificate SHA-256 ${thumb(ctx)}) grants ${privileges.join(", ") || "none"}`,
      );
    }
    if (!cvr) {
      reject(
        "PRIVILEGE_MISSING",
        `the token of systembruger "${nameId}" (certificate SHA-256 ${thumb(ctx)}) names no CVR number`,
      );
    }
  },
};

/** The operation itself: the course or query is validated (every bad field listed), then stored or read. */
const execute: WspCheck = {
  name: "execute",
  reasons: ["VALIDATION_ERROR"],
  async run(ctx) {
    const { cvr, nameId } = claims(ctx);
    ctx.result = await executeOperation(need(ctx.operation, "the operation"), parts(ctx).operation, {
      env: ctx.env,
      cvr: need(cvr, "the CVR"),
      systemUser: nameId,
      nowMs: ctx.nowMs,
      store: ctx.store,
    });
  },
};

/** Every check of a step-2 request, in order (docs/smdb.md "Checks, reason codes, faults"). */
export const WSP_CHECKS: readonly WspCheck[] = [
  parse,
  soapVersion,
  contentType,
  envelope,
  mustUnderstand,
  securityHeader,
  token,
  issuer,
  audience,
  tokenLifetime,
  tokenValidity,
  holderOfKey,
  signature,
  addressedHere,
  timestamp,
  replay,
  operation,
  privilege,
  execute,
];
