/**
 * The checks of the STS token endpoint as data: `STS_CHECKS`, an ordered list of named steps, each
 * a small function of one request's context. docs/sts.md shows the same list as its table
 * (test/sts/checks-doc.test.ts compares them). The first step that refuses decides the fault; when
 * every step passed, the context holds what `issueToken` needs.
 *
 * Business data (addressing values, AppliesTo, lifetime) is read only from the nodes the verified
 * signature covers, after the `coverage` step.
 */
import type { Document, Element } from "@xmldom/xmldom";
import type { Clocks } from "../core/clock.js";
import { HarnessError } from "../core/errors.js";
import type { Environment, EventLog } from "../core/events.js";
import type { CheckStep } from "../core/pipeline.js";
import type { StsFailureReason } from "../core/reason-codes.js";
import type { Certificate } from "../pki/index.js";
import {
  buildIdIndex,
  type IdIndex,
  type PreparedSignature,
  requireSigned,
  type VerifiedSignature,
  verifyPreparedSignature,
} from "../xml/dsig.js";
import { NS, WSS, WST } from "../xml/ns.js";
import { childElements, DEFAULT_MAX_XML_BYTES, parseXml, textOf, XmlParseError } from "../xml/parse.js";
import { bodyPayload, readSoap11Envelope, type Soap11FaultCode } from "../xml/soap.js";
import {
  checkContentType,
  checkEnvelopeVersion,
  checkMustUnderstand,
  isSecurityOrAddressingHeader,
} from "../xml/soap-version.js";
import { type AddressingHeaders, checkMessageIdLength, readAddressingHeaders } from "../xml/wsa.js";
import {
  checkKeyInfoNamesBst,
  prepareSecurityHeaderSignature,
  readSecurityHeader,
  readTimestamp,
  type SecurityHeader,
} from "../xml/wsse.js";
import { type RstContent, readRst } from "../xml/wstrust.js";
import type { StsDirectory, StsEnvironment, SystemUserIdentity, WspRegistration } from "./types.js";
import { stsCertificateVerdict } from "./verdict.js";

export interface StsOptions {
  faultMode: "verbose" | "realistic";
  allowSha1: boolean;
  clockSkewMs: number;
  defaultTokenLifetimeMs: number;
  maxTokenLifetimeMs: number;
  /** Largest accepted request body (default 1 MiB). */
  maxRequestBytes?: number;
  /** Longest time a request body may take to arrive (default 30 s); a slower one is answered 408. */
  bodyTimeoutMs?: number;
}

export interface StsDeps {
  /**
   * `harness` rules certificate validity, rollover and the token's lifetime; `message` the
   * request's wsu:Timestamp and the Timestamp on the response.
   */
  clocks: Clocks;
  events: EventLog;
  directory: StsDirectory;
  environments: Record<Environment, StsEnvironment>;
  options: StsOptions;
}

/** Why the STS refused a request: a reason code of src/core/reason-codes.ts `STS_REASONS`. */
export type StsRefusalReason = StsFailureReason;

/** The WS-Trust (or SOAP) fault code sent for each reason, unless the step says otherwise. */
export const FAULT_CODES: Record<StsRefusalReason, Soap11FaultCode> = {
  MALFORMED_REQUEST: "wst:InvalidRequest",
  HEADER_NOT_UNDERSTOOD: "s:MustUnderstand",
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

/**
 * A refusal written by the STS itself: its message already names the certificate. (Errors from
 * the XML layer get "certificate …: " put in front.)
 */
export class Rejection extends HarnessError {
  override readonly name = "Rejection";
  constructor(reason: StsRefusalReason, message: string) {
    super(reason, message);
  }
}

/** One token request, and what the steps found out about it. */
export interface StsCheckContext {
  readonly deps: StsDeps;
  readonly env: Environment;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Harness time (certificates, rollover, token lifetime) and message time (Timestamps). */
  readonly nowMs: number;
  readonly messageNowMs: number;
  doc?: Document;
  header?: Element;
  soapBody?: Element;
  rst?: Element;
  addressing?: AddressingHeaders;
  security?: SecurityHeader;
  index?: IdIndex;
  prepared?: PreparedSignature;
  verified?: VerifiedSignature;
  request?: RstContent;
  issuer?: Certificate;
  wsp?: WspRegistration;
  expiresMs?: number;
  /** For the event: known once read (the certificate from the BST, the MessageID once signed). */
  certificate?: Certificate;
  systemUser?: SystemUserIdentity;
  messageId?: string;
}

export type StsCheck = CheckStep<StsCheckContext, StsRefusalReason, Soap11FaultCode>;

/** The fault code of a refusal: the step's own for the reason, or the reason's. */
export function stsFaultCode(step: Pick<StsCheck, "faults"> | undefined, reason: StsRefusalReason) {
  return step?.faults?.[reason] ?? FAULT_CODES[reason];
}

/** A header value (first one) by name, any case. */
export function headerValue(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A value a previous step has set; its absence is a bug in the list's order. */
function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`STS check order: ${what} is read before the step that sets it`);
  return value;
}

const WHO = "the STS";

function cert(ctx: StsCheckContext): Certificate {
  return need(ctx.certificate, "the client certificate");
}

// ---------------------------------------------------------------------------------------------
// The steps, in order

const parse: StsCheck = {
  name: "parse",
  reasons: ["MALFORMED_REQUEST"],
  run(ctx) {
    ctx.doc = parseXml(ctx.body, {
      maxBytes: ctx.deps.options.maxRequestBytes ?? DEFAULT_MAX_XML_BYTES,
      label: "request",
    });
  },
};

const soapVersion: StsCheck = {
  name: "soap-version",
  reasons: ["MALFORMED_REQUEST"],
  faults: { MALFORMED_REQUEST: "s:VersionMismatch" },
  run(ctx) {
    checkEnvelopeVersion(need(ctx.doc, "the document"), "1.1", WHO);
  },
};

const contentType: StsCheck = {
  name: "content-type",
  reasons: ["MALFORMED_REQUEST"],
  run(ctx) {
    checkContentType(headerValue(ctx.headers, "content-type"), "1.1", WHO);
  },
};

/** Structure only: the addressing values are read after the signature covering them verified. */
const envelope: StsCheck = {
  name: "envelope",
  reasons: ["MALFORMED_REQUEST"],
  run(ctx) {
    const soap = readSoap11Envelope(need(ctx.doc, "the document"));
    if (!soap.header) {
      throw new XmlParseError(
        "the request has no SOAP Header; expected WS-Addressing and WS-Security headers",
      );
    }
    for (const block of childElements(soap.header)) {
      if (!block.namespaceURI) {
        throw new XmlParseError(
          `the SOAP header entry <${block.tagName}> has no namespace; SOAP 1.1 requires every header entry to be namespace-qualified`,
        );
      }
    }
    const rst = bodyPayload(soap.body);
    if (rst.namespaceURI !== NS.wst || rst.localName !== "RequestSecurityToken") {
      throw new XmlParseError(`the Body holds ${rst.tagName}; expected wst:RequestSecurityToken (${NS.wst})`);
    }
    const addressing = readAddressingHeaders(soap.header, { to: true });
    checkMessageIdLength(addressing.messageId);
    Object.assign(ctx, { header: soap.header, soapBody: soap.body, rst, addressing });
  },
};

const mustUnderstand: StsCheck = {
  name: "must-understand",
  reasons: ["HEADER_NOT_UNDERSTOOD", "MALFORMED_REQUEST"],
  run(ctx) {
    checkMustUnderstand(ctx.header, "1.1", isSecurityOrAddressingHeader, WHO);
  },
};

const securityHeader: StsCheck = {
  name: "security-header",
  reasons: ["MALFORMED_REQUEST", "UNSIGNED_PART"],
  run(ctx) {
    ctx.security = readSecurityHeader(need(ctx.header, "the SOAP header"));
    ctx.certificate = ctx.security.certificate;
  },
};

/** The policy before any digest or key operation; the signer's key is the BST's (RSA). */
const algorithms: StsCheck = {
  name: "algorithms",
  reasons: ["UNSUPPORTED_ALGORITHM", "SIGNATURE_INVALID", "UNSIGNED_PART"],
  run(ctx) {
    ctx.prepared = prepareSecurityHeaderSignature(need(ctx.security, "the Security header"), {
      allowSha1: ctx.deps.options.allowSha1,
    });
  },
};

const signature: StsCheck = {
  name: "signature",
  reasons: ["SIGNATURE_INVALID"],
  run(ctx) {
    const index = buildIdIndex(need(ctx.doc, "the document"));
    checkKeyInfoNamesBst(need(ctx.security, "the Security header"), index);
    ctx.verified = verifyPreparedSignature(need(ctx.prepared, "the prepared signature"), index);
    ctx.index = index;
  },
};

/** The nodes read below are the signed ones: every header but Security, the Timestamp, the Body. */
const coverage: StsCheck = {
  name: "coverage",
  reasons: ["UNSIGNED_PART"],
  run(ctx) {
    const security = need(ctx.security, "the Security header");
    const headers = childElements(need(ctx.header, "the SOAP header")).filter((h) => h !== security.security);
    requireSigned(
      need(ctx.verified, "the verified signature"),
      [...headers, security.timestamp, need(ctx.soapBody, "the Body")],
      (missing) =>
        new Rejection(
          "UNSIGNED_PART",
          `certificate ${cert(ctx).sha256}: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not covered by the signature; expected every SOAP header, the Timestamp and the Body to be signed (by wsu:Id)`,
        ),
    );
    ctx.messageId = textOf(need(ctx.addressing, "the addressing headers").messageId);
  },
};

const action: StsCheck = {
  name: "action",
  reasons: ["MALFORMED_REQUEST"],
  run(ctx) {
    const value = textOf(need(ctx.addressing, "the addressing headers").action);
    if (value !== WST.issueAction) {
      throw new Rejection(
        "MALFORMED_REQUEST",
        `certificate ${cert(ctx).sha256}: wsa:Action is "${value}"; expected ${WST.issueAction}`,
      );
    }
    const soapAction = headerValue(ctx.headers, "soapaction")?.replace(/^"|"$/g, "");
    if (soapAction !== undefined && soapAction !== "" && soapAction !== WST.issueAction) {
      throw new Rejection(
        "MALFORMED_REQUEST",
        `certificate ${cert(ctx).sha256}: the SOAPAction HTTP header is "${soapAction}"; expected ${WST.issueAction}`,
      );
    }
  },
};

const endpoint: StsCheck = {
  name: "endpoint",
  reasons: ["WRONG_ENDPOINT"],
  run(ctx) {
    const to = textOf(need(need(ctx.addressing, "the addressing headers").to, "wsa:To"));
    const expected = ctx.deps.environments[ctx.env].endpointReference;
    if (to !== expected) {
      throw new Rejection(
        "WRONG_ENDPOINT",
        `certificate ${cert(ctx).sha256}: wsa:To is "${to}"; the ${ctx.env} STS expects "${expected}" (is the client configured for the other environment?)`,
      );
    }
  },
};

/** On the message clock. */
const timestamp: StsCheck = {
  name: "timestamp",
  reasons: ["MALFORMED_REQUEST", "TIMESTAMP_EXPIRED", "TIMESTAMP_NOT_YET_VALID"],
  run(ctx) {
    const { clockSkewMs } = ctx.deps.options;
    const now = ctx.messageNowMs;
    const ts = readTimestamp(need(ctx.security, "the Security header").timestamp);
    if (ts.expiresMs <= now - clockSkewMs) {
      throw new Rejection(
        "TIMESTAMP_EXPIRED",
        `certificate ${cert(ctx).sha256}: the request's Timestamp expired at ${iso(ts.expiresMs)}; STS time is ${iso(now)} (tolerated skew ${clockSkewMs / 1000} s): check the client's clock`,
      );
    }
    if (ts.createdMs !== undefined && ts.createdMs > now + clockSkewMs) {
      throw new Rejection(
        "TIMESTAMP_NOT_YET_VALID",
        `certificate ${cert(ctx).sha256}: the request's Timestamp was created at ${iso(ts.createdMs)}, in the future; STS time is ${iso(now)} (tolerated skew ${clockSkewMs / 1000} s): check the client's clock`,
      );
    }
  },
};

const rst: StsCheck = {
  name: "rst",
  reasons: ["MALFORMED_REQUEST", "ACT_AS_NOT_ALLOWED"],
  run(ctx) {
    const request = readRst(need(ctx.rst, "the RST"));
    if (request.requestType !== WST.requestTypeIssue) {
      throw new Rejection(
        "MALFORMED_REQUEST",
        `certificate ${cert(ctx).sha256}: wst:RequestType is "${request.requestType}"; expected ${WST.requestTypeIssue}`,
      );
    }
    if (request.tokenType !== undefined && request.tokenType !== WSS.samlV20) {
      throw new Rejection(
        "MALFORMED_REQUEST",
        `certificate ${cert(ctx).sha256}: wst:TokenType is "${request.tokenType}"; expected ${WSS.samlV20}`,
      );
    }
    if (request.actAs) {
      throw new Rejection(
        "ACT_AS_NOT_ALLOWED",
        `certificate ${cert(ctx).sha256}: the request carries ActAs/OnBehalfOf; a systembruger asks for a token for itself only (remove ActAs)`,
      );
    }
    ctx.request = request;
  },
};

/** Chain, validity, revocation, then the registry: the one verdict the admin views show too. */
const clientCertificate: StsCheck = {
  name: "client-certificate",
  reasons: [
    "CERT_UNTRUSTED_ISSUER",
    "CERT_NOT_YET_VALID",
    "CERT_EXPIRED",
    "CERT_REVOKED",
    "CERT_NOT_REGISTERED",
    "CERT_NOT_PROVISIONED",
    "CERT_NOT_YET_ACTIVE",
    "CERT_SUPERSEDED",
  ],
  run(ctx) {
    const verdict = stsCertificateVerdict(ctx.deps.directory, ctx.env, cert(ctx), ctx.nowMs);
    if (verdict.systemUser) ctx.systemUser = verdict.systemUser;
    if (verdict.reason !== "OK" || !verdict.systemUser || !verdict.issuer) {
      throw new Rejection(verdict.reason === "OK" ? "CERT_NOT_REGISTERED" : verdict.reason, verdict.message);
    }
    ctx.issuer = verdict.issuer;
  },
};

const service: StsCheck = {
  name: "service",
  reasons: ["UNKNOWN_SERVICE"],
  run(ctx) {
    const appliesTo = need(ctx.request, "the RST").appliesTo;
    const wsp = ctx.deps.directory.findWsp(ctx.env, appliesTo);
    if (!wsp) {
      throw new Rejection(
        "UNKNOWN_SERVICE",
        `certificate ${cert(ctx).sha256}: AppliesTo "${appliesTo}" is not a WSP registered in ${ctx.env}; expected the exact entity ID of a registered service`,
      );
    }
    ctx.wsp = wsp;
  },
};

/** The requested lifetime is honoured up to `maxTokenLifetimeMs`; default `defaultTokenLifetimeMs`. */
const lifetime: StsCheck = {
  name: "lifetime",
  reasons: ["INVALID_LIFETIME"],
  run(ctx) {
    const { defaultTokenLifetimeMs, maxTokenLifetimeMs } = ctx.deps.options;
    const now = ctx.nowMs;
    const requested = need(ctx.request, "the RST").lifetimeExpiresMs;
    if (requested === undefined) {
      ctx.expiresMs = now + defaultTokenLifetimeMs;
      return;
    }
    if (requested <= now) {
      throw new Rejection(
        "INVALID_LIFETIME",
        `certificate ${cert(ctx).sha256}: the requested wst:Lifetime expires at ${iso(requested)}, which is not after STS time ${iso(now)}`,
      );
    }
    ctx.expiresMs = Math.min(requested, now + maxTokenLifetimeMs);
  },
};

/** Every check of a token request, in order (docs/sts.md "Checks, in order"). */
export const STS_CHECKS: readonly StsCheck[] = [
  parse,
  soapVersion,
  contentType,
  envelope,
  mustUnderstand,
  securityHeader,
  algorithms,
  signature,
  coverage,
  action,
  endpoint,
  timestamp,
  rst,
  clientCertificate,
  service,
  lifetime,
];
