/**
 * The NemLog-in STS token endpoint (step 1, OIO WS-Trust over SOAP 1.1):
 * `POST /{env}/SecurityTokenService.svc`.
 *
 * Every request gets exactly one event and either a token or a SOAP 1.1 fault (HTTP 500, as the
 * SOAP 1.1 HTTP binding prescribes). The checks run in this fixed order; the first that fails
 * decides the fault:
 *
 *   1. size limit and safe parse (no DTD/entities, depth limit, one root)   MALFORMED_REQUEST
 *   2. SOAP 1.1 envelope: Header, Body with one wst:RequestSecurityToken;
 *      exactly one wsa:Action, wsa:MessageID (≤ 1024 characters), wsa:To    MALFORMED_REQUEST
 *   3. wsse:Security: exactly one Timestamp, one BinarySecurityToken (X509v3,
 *      a parsable certificate) and one Signature, each directly in it       MALFORMED_REQUEST
 *      (no Signature at all: the message is unsigned)                       UNSIGNED_PART
 *   4. signature algorithms: exc-c14n, rsa-sha256 and sha256 (rsa-sha1/sha1
 *      only when `allowSha1`)                                               UNSUPPORTED_ALGORITHM
 *   5. signature: KeyInfo only a SecurityTokenReference to that BST; every
 *      reference resolves to exactly one element (duplicate ids = wrapping);
 *      digests and SignatureValue verify with the BST's key                 SIGNATURE_INVALID
 *   6. coverage: every SOAP header (except wsse:Security) and the Body are
 *      among the signed elements (the very nodes read below)               UNSIGNED_PART
 *   7. wsa:Action is RST/Issue (and matches SOAPAction when sent)           MALFORMED_REQUEST
 *   8. wsa:To is this environment's STS endpoint reference                  WRONG_ENDPOINT
 *   9. Timestamp: Expires after now − skew                                  TIMESTAMP_EXPIRED
 *      Created not after now + skew                                         TIMESTAMP_NOT_YET_VALID
 *  10. RST: RequestType Issue, TokenType (if any) SAML 2.0, AppliesTo      MALFORMED_REQUEST
 *      no ActAs / OnBehalfOf                                                ACT_AS_NOT_ALLOWED
 *  11. client certificate: chains to a trust anchor                        CERT_UNTRUSTED_ISSUER
 *      within its validity                                      CERT_NOT_YET_VALID / CERT_EXPIRED
 *      not revoked                                                          CERT_REVOKED
 *  12. registry decision (exact registered certificate, provisioning,
 *      rollover policy)         CERT_NOT_REGISTERED / CERT_NOT_PROVISIONED /
 *                               CERT_NOT_YET_ACTIVE / CERT_SUPERSEDED
 *  13. AppliesTo is a WSP registered in this environment                   UNKNOWN_SERVICE
 *  14. requested wst:Lifetime/Expires, if any, lies after now              INVALID_LIFETIME
 *      (it is honoured up to `maxTokenLifetimeMs`; default `defaultTokenLifetimeMs`)
 *
 * An unexpected exception (a harness bug) becomes STS_INTERNAL_ERROR (wst:RequestFailed).
 *
 * Then: the holder-of-key assertion (signed by the environment's STS key, enveloped, exc-c14n),
 * encrypted to the WSP's certificate, in an RSTRC whose Action, MessageID, RelatesTo, Timestamp
 * and Body are signed by the STS key, with no KeyInfo (the client must already hold the STS
 * certificate). Business data (AppliesTo, lifetime, addressing values) is read only from nodes
 * the verified signature covers.
 */
import type { Document } from "@xmldom/xmldom";
import express, { type Request, type Response, type Router } from "express";
import type { Clock } from "../core/clock.js";
import { clipMessage } from "../core/errors.js";
import { type Environment, type EventLog, isEnvironment } from "../core/events.js";
import { bodyRefusalMessage, closeAfterResponse, readRequestBody } from "../core/http-body.js";
import type { OK, StsFailureReason } from "../core/reason-codes.js";
import type { Certificate } from "../pki/index.js";
import { buildIdIndex, SIGNATURE_PLACEHOLDER, SignatureError, signXml } from "../xml/dsig.js";
import { encryptAssertion } from "../xml/encryption.js";
import { NS, WSS, WST } from "../xml/ns.js";
import { childElements, DEFAULT_MAX_XML_BYTES, parseXml, textOf, XmlParseError } from "../xml/parse.js";
import { buildSignedAssertion } from "../xml/saml.js";
import {
  bodyPayload,
  readSoap11Envelope,
  SOAP11_CONTENT_TYPE,
  soap11Fault,
  type WstFaultCode,
} from "../xml/soap.js";
import { checkMessageIdLength, newMessageId, readAddressingHeaders, wsaHeaderXml } from "../xml/wsa.js";
import {
  readSecurityHeader,
  readTimestamp,
  timestampXml,
  verifySecurityHeaderSignature,
} from "../xml/wsse.js";
import { readRst, rstrcXml } from "../xml/wstrust.js";
import type { StsDirectory, StsEnvironment, SystemUserIdentity } from "./types.js";
import { stsCertificateVerdict } from "./verdict.js";

export interface StsOptions {
  faultMode: "verbose" | "realistic";
  allowSha1: boolean;
  clockSkewMs: number;
  defaultTokenLifetimeMs: number;
  maxTokenLifetimeMs: number;
  /** Largest accepted request body (default 1 MiB): a larger one is answered 413 without being read. */
  maxRequestBytes?: number;
  /** Longest time a request body may take to arrive (default 30 s); a slower one is answered 408. */
  bodyTimeoutMs?: number;
  /**
   * The clock message freshness is judged against: the request's wsu:Timestamp (Created/Expires)
   * and the Timestamp on the response. Default: `StsDeps.clock` (harness time), which still rules
   * certificate validity, rollover and the token's lifetime. `up --virtual-clock` sets the real
   * clock here, so that a client stamping its messages with its machine's time is not refused.
   */
  messageClock?: Clock;
}

export interface StsDeps {
  clock: Clock;
  events: EventLog;
  directory: StsDirectory;
  environments: Record<Environment, StsEnvironment>;
  options: StsOptions;
}

export interface StsResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Every reason code the token endpoint can give (src/core/reason-codes.ts `STS_REASONS`, and OK). */
export type StsReason = typeof OK | StsFailureReason;

/** The WS-Trust fault code sent for each reason. */
export const FAULT_CODES: Record<Exclude<StsReason, "OK">, WstFaultCode> = {
  MALFORMED_REQUEST: "wst:InvalidRequest",
  UNSUPPORTED_ALGORITHM: "wst:BadRequest",
  SIGNATURE_INVALID: "wst:FailedAuthentication",
  UNSIGNED_PART: "wst:FailedAuthentication",
  WRONG_ENDPOINT: "wst:InvalidRequest",
  TIMESTAMP_EXPIRED: "wst:ExpiredData",
  TIMESTAMP_NOT_YET_VALID: "wst:InvalidTimeRange",
  ACT_AS_NOT_ALLOWED: "wst:BadRequest",
  CERT_UNTRUSTED_ISSUER: "wst:FailedAuthentication",
  CERT_EXPIRED: "wst:FailedAuthentication",
  CERT_NOT_YET_VALID: "wst:FailedAuthentication",
  CERT_REVOKED: "wst:FailedAuthentication",
  CERT_NOT_REGISTERED: "wst:FailedAuthentication",
  CERT_NOT_PROVISIONED: "wst:FailedAuthentication",
  CERT_NOT_YET_ACTIVE: "wst:FailedAuthentication",
  CERT_SUPERSEDED: "wst:FailedAuthentication",
  UNKNOWN_SERVICE: "wst:InvalidRequest",
  INVALID_LIFETIME: "wst:InvalidTimeRange",
  STS_INTERNAL_ERROR: "wst:RequestFailed",
};

/** A check that failed: the reason code and the sentence for the fault and the event. */
class Rejection extends Error {
  constructor(
    readonly reason: Exclude<StsReason, "OK">,
    message: string,
  ) {
    super(message);
  }
}

const SOAP_ACTION_ISSUE = WST.issueAction;

/** Per-request facts collected for the event. */
interface Context {
  certificate?: Certificate;
  systemUser?: SystemUserIdentity;
  messageId?: string;
}

function certText(cert: Certificate | undefined): string {
  return cert ? `certificate ${cert.sha256}` : "the request (no client certificate read yet)";
}

function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Handles one token request for `env`. Never throws for anything the client sent: every
 * outcome is a response and one event.
 */
export function handleTokenRequest(
  deps: StsDeps,
  env: Environment,
  body: Buffer,
  headers: Record<string, string | string[] | undefined> = {},
): StsResponse {
  const ctx: Context = {};
  try {
    const response = issue(deps, env, body, headers, ctx);
    deps.events.append({
      env,
      step: 1,
      component: "sts",
      outcome: "ok",
      reason: "OK",
      ...(ctx.systemUser ? { systemUser: ctx.systemUser.id } : {}),
      ...(ctx.certificate ? { certSha256: ctx.certificate.sha256 } : {}),
      ...(ctx.messageId ? { messageId: ctx.messageId } : {}),
      detail: response.detail,
    });
    return { status: 200, contentType: SOAP11_CONTENT_TYPE, body: response.xml };
  } catch (error) {
    const rejection = toRejection(error, ctx);
    return fault(deps, env, rejection, ctx);
  }
}

function toRejection(error: unknown, ctx: Context): Rejection {
  if (error instanceof Rejection) return error;
  const who = certText(ctx.certificate);
  if (error instanceof XmlParseError) return new Rejection("MALFORMED_REQUEST", `${who}: ${error.message}`);
  if (error instanceof SignatureError) {
    const reason = (
      ["UNSUPPORTED_ALGORITHM", "SIGNATURE_INVALID", "UNSIGNED_PART", "MALFORMED_REQUEST"] as const
    ).find((r) => r === error.reason);
    return new Rejection(reason ?? "SIGNATURE_INVALID", `${who}: ${error.message}`);
  }
  // Anything else is a bug in the harness (or input we did not foresee): still a fault and an
  // event, never a crash, and not blamed on the client.
  const message = error instanceof Error ? error.message : String(error);
  return new Rejection(
    "STS_INTERNAL_ERROR",
    `${who}: the STS failed while processing the request (${message}); expected to issue a token or name what is wrong with the request`,
  );
}

export function faultResponse(
  options: Pick<StsOptions, "faultMode">,
  reason: Exclude<StsReason, "OK">,
  message: string,
): StsResponse {
  return {
    status: 500,
    contentType: SOAP11_CONTENT_TYPE,
    body: soap11Fault({ code: FAULT_CODES[reason], reason, message, mode: options.faultMode }),
  };
}

function fault(deps: StsDeps, env: Environment | null, rejection: Rejection, ctx: Context): StsResponse {
  const code = FAULT_CODES[rejection.reason];
  const message = clipMessage(rejection.message);
  deps.events.append({
    env,
    step: 1,
    component: "sts",
    outcome: "rejected",
    reason: rejection.reason,
    fault: code,
    ...(ctx.systemUser ? { systemUser: ctx.systemUser.id } : {}),
    ...(ctx.certificate ? { certSha256: ctx.certificate.sha256 } : {}),
    ...(ctx.messageId ? { messageId: ctx.messageId } : {}),
    detail: message,
  });
  return faultResponse(deps.options, rejection.reason, message);
}

function issue(
  deps: StsDeps,
  env: Environment,
  body: Buffer,
  headers: Record<string, string | string[] | undefined>,
  ctx: Context,
): { xml: string; detail: string } {
  const { options, clock, directory } = deps;
  const now = clock.nowMs();
  // Message freshness (the Timestamps) may run on another clock than harness time.
  const messageNow = options.messageClock ? options.messageClock.nowMs() : now;
  const stsEnv = deps.environments[env];

  // 1. parse
  const contentType = headerValue(headers, "content-type");
  if (contentType && /application\/soap\+xml/i.test(contentType)) {
    throw new Rejection(
      "MALFORMED_REQUEST",
      `the request is SOAP 1.2 (Content-Type ${contentType}); the STS speaks SOAP 1.1: send text/xml; charset=utf-8`,
    );
  }
  const doc: Document = parseXml(body, {
    maxBytes: options.maxRequestBytes ?? DEFAULT_MAX_XML_BYTES,
    label: "request",
  });

  // 2. envelope and addressing headers (structure only; values are read after verification)
  const soap = readSoap11Envelope(doc);
  if (!soap.header)
    throw new XmlParseError("the request has no SOAP Header; expected WS-Addressing and WS-Security headers");
  const header = soap.header;
  const rst = bodyPayload(soap.body);
  if (rst.namespaceURI !== NS.wst || rst.localName !== "RequestSecurityToken") {
    throw new XmlParseError(`the Body holds ${rst.tagName}; expected wst:RequestSecurityToken (${NS.wst})`);
  }
  const addressing = readAddressingHeaders(header, { to: true });
  checkMessageIdLength(addressing.messageId);

  // 3. security header structure
  const security = readSecurityHeader(header);
  ctx.certificate = security.certificate;
  const cert = security.certificate;

  // 4.+5. algorithms and signature (key from the BST only)
  const index = buildIdIndex(doc);
  const verified = verifySecurityHeaderSignature(security, index, { allowSha1: options.allowSha1 });

  // 6. coverage: the nodes read below are the signed ones
  const unsigned: string[] = [];
  for (const child of childElements(header)) {
    if (child === security.security) continue;
    if (!verified.signedElements.has(child)) unsigned.push(child.tagName);
  }
  if (!verified.signedElements.has(security.timestamp)) unsigned.push(security.timestamp.tagName);
  if (!verified.signedElements.has(soap.body)) unsigned.push(soap.body.tagName);
  if (unsigned.length > 0) {
    throw new Rejection(
      "UNSIGNED_PART",
      `certificate ${cert.sha256}: ${unsigned.join(", ")} ${unsigned.length === 1 ? "is" : "are"} not covered by the signature; expected every SOAP header, the Timestamp and the Body to be signed (by wsu:Id)`,
    );
  }
  ctx.messageId = textOf(addressing.messageId);

  // 7. action
  const action = textOf(addressing.action);
  if (action !== WST.issueAction) {
    throw new Rejection(
      "MALFORMED_REQUEST",
      `certificate ${cert.sha256}: wsa:Action is "${action}"; expected ${WST.issueAction}`,
    );
  }
  const soapAction = headerValue(headers, "soapaction")?.replace(/^"|"$/g, "");
  if (soapAction !== undefined && soapAction !== "" && soapAction !== SOAP_ACTION_ISSUE) {
    throw new Rejection(
      "MALFORMED_REQUEST",
      `certificate ${cert.sha256}: the SOAPAction HTTP header is "${soapAction}"; expected ${SOAP_ACTION_ISSUE}`,
    );
  }

  // 8. endpoint reference
  const to = textOf(addressing.to!);
  if (to !== stsEnv.endpointReference) {
    throw new Rejection(
      "WRONG_ENDPOINT",
      `certificate ${cert.sha256}: wsa:To is "${to}"; the ${env} STS expects "${stsEnv.endpointReference}" (is the client configured for the other environment?)`,
    );
  }

  // 9. timestamp
  const timestamp = readTimestamp(security.timestamp);
  if (timestamp.expiresMs <= messageNow - options.clockSkewMs) {
    throw new Rejection(
      "TIMESTAMP_EXPIRED",
      `certificate ${cert.sha256}: the request's Timestamp expired at ${iso(timestamp.expiresMs)}; STS time is ${iso(messageNow)} (tolerated skew ${options.clockSkewMs / 1000} s): check the client's clock`,
    );
  }
  if (timestamp.createdMs !== undefined && timestamp.createdMs > messageNow + options.clockSkewMs) {
    throw new Rejection(
      "TIMESTAMP_NOT_YET_VALID",
      `certificate ${cert.sha256}: the request's Timestamp was created at ${iso(timestamp.createdMs)}, in the future; STS time is ${iso(messageNow)} (tolerated skew ${options.clockSkewMs / 1000} s): check the client's clock`,
    );
  }

  // 10. RST content
  const request = readRst(rst);
  if (request.requestType !== WST.requestTypeIssue) {
    throw new Rejection(
      "MALFORMED_REQUEST",
      `certificate ${cert.sha256}: wst:RequestType is "${request.requestType}"; expected ${WST.requestTypeIssue}`,
    );
  }
  if (request.tokenType !== undefined && request.tokenType !== WSS.samlV20) {
    throw new Rejection(
      "MALFORMED_REQUEST",
      `certificate ${cert.sha256}: wst:TokenType is "${request.tokenType}"; expected ${WSS.samlV20}`,
    );
  }
  if (request.actAs) {
    throw new Rejection(
      "ACT_AS_NOT_ALLOWED",
      `certificate ${cert.sha256}: the request carries ActAs/OnBehalfOf; a systembruger asks for a token for itself only (remove ActAs)`,
    );
  }

  // 11.+12. the certificate: chain, validity, revocation, then the registry's decision
  // (the one verdict the admin views show too).
  const verdict = stsCertificateVerdict(directory, env, cert, now);
  if (verdict.systemUser) ctx.systemUser = verdict.systemUser;
  if (verdict.reason !== "OK" || !verdict.systemUser || !verdict.issuer) {
    throw new Rejection(verdict.reason === "OK" ? "CERT_NOT_REGISTERED" : verdict.reason, verdict.message);
  }
  const user = verdict.systemUser;
  const anchor = verdict.issuer;

  // 13. the WSP
  const wsp = directory.findWsp(env, request.appliesTo);
  if (!wsp) {
    throw new Rejection(
      "UNKNOWN_SERVICE",
      `certificate ${cert.sha256}: AppliesTo "${request.appliesTo}" is not a WSP registered in ${env}; expected the exact entity ID of a registered service`,
    );
  }

  // 14. lifetime
  let expiresMs = now + options.defaultTokenLifetimeMs;
  if (request.lifetimeExpiresMs !== undefined) {
    if (request.lifetimeExpiresMs <= now) {
      throw new Rejection(
        "INVALID_LIFETIME",
        `certificate ${cert.sha256}: the requested wst:Lifetime expires at ${iso(request.lifetimeExpiresMs)}, which is not after STS time ${iso(now)}`,
      );
    }
    expiresMs = Math.min(request.lifetimeExpiresMs, now + options.maxTokenLifetimeMs);
  }

  // Issue.
  const signing = stsEnv.signing();
  const assertion = buildSignedAssertion({
    issueInstantMs: now,
    issuer: stsEnv.endpointReference,
    nameId: user.entityId,
    subjectCertificate: cert,
    notBeforeMs: now,
    notOnOrAfterMs: expiresMs,
    audience: wsp.entityId,
    cvr: user.cvr,
    privileges: user.privileges,
    signing,
  });
  const encrypted = encryptAssertion(assertion.xml, wsp.encryptionCertificate);
  const envelope =
    `<s:Envelope xmlns:s="${NS.soap11}" xmlns:wsa="${NS.wsa}" xmlns:wsu="${NS.wsu}" xmlns:wsse="${NS.wsse}" xmlns:wst="${NS.wst}" xmlns:wsp="${NS.wsp}">` +
    `<s:Header>${wsaHeaderXml("Action", "action", WST.issueResponseAction)}${wsaHeaderXml("MessageID", "messageid", newMessageId())}${wsaHeaderXml("RelatesTo", "relatesto", ctx.messageId)}` +
    `<wsse:Security s:mustUnderstand="1">${timestampXml("sec_timestamp", messageNow, messageNow + (expiresMs - now), "ms")}${SIGNATURE_PLACEHOLDER}</wsse:Security></s:Header>` +
    `<s:Body wsu:Id="body">${rstrcXml({ context: request.context, appliesTo: wsp.entityId, encryptedAssertionXml: encrypted, createdMs: now, expiresMs })}</s:Body></s:Envelope>`;
  const xml = signXml(envelope, {
    privateKey: signing.key.privateKey,
    references: [
      { id: "action" },
      { id: "messageid" },
      { id: "relatesto" },
      { id: "sec_timestamp" },
      { id: "body" },
    ],
  });
  return {
    xml,
    detail: `token issued for systembruger "${user.name}" (CVR ${user.cvr}) with certificate ${cert.sha256} (issuer CA ${anchor.sha256}) for ${wsp.entityId}, valid ${iso(now)} – ${iso(expiresMs)}; assertion ${assertion.id} signed by STS certificate ${signing.certificate.sha256}, encrypted to ${wsp.encryptionCertificate.sha256}`,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------
// HTTP

/** The STS routes: `POST /:env/SecurityTokenService.svc` for `integration` and `production`. */
export function stsRouter(deps: StsDeps): Router {
  const router = express.Router();
  router.post("/:env/SecurityTokenService.svc", async (req: Request, res: Response) => {
    const env = req.params.env;
    const limit = deps.options.maxRequestBytes ?? DEFAULT_MAX_XML_BYTES;
    let result: StsResponse;
    let refused = false;
    try {
      const read = await readRequestBody(req, { maxBytes: limit, timeoutMs: deps.options.bodyTimeoutMs });
      if (!isEnvironment(env)) {
        result = faultResponse(
          deps.options,
          "MALFORMED_REQUEST",
          `there is no STS environment "${String(env)}"; use /integration/SecurityTokenService.svc or /production/SecurityTokenService.svc`,
        );
        if (!read.ok) result = { ...result, status: read.status };
        refused = !read.ok;
      } else if (!read.ok) {
        // 413 / 408 with the SOAP 1.1 fault as body; the rest of the body is never read.
        refused = true;
        const message = `${bodyRefusalMessage(read)} (no client certificate read)`;
        result = {
          ...fault(deps, env, new Rejection("MALFORMED_REQUEST", message), {}),
          status: read.status,
        };
      } else {
        result = handleTokenRequest(deps, env, read.body, req.headers);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = faultResponse(deps.options, "MALFORMED_REQUEST", `the request could not be read: ${message}`);
    }
    if (res.headersSent || res.destroyed) return;
    if (refused) closeAfterResponse(req, res);
    res.status(result.status).type(result.contentType).send(result.body);
  });
  return router;
}
