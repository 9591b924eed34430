/**
 * The SMDB's faults: which SOAP fault (code, WS-Security subcode, HTTP status) each refusal gets,
 * and the fault message. docs/protocol.md, step 2: `env:Sender` with a WS-Security subcode (HTTP 400); the
 * service's own limits are `env:Receiver`; SOAP's own VersionMismatch and MustUnderstand faults
 * (HTTP 500, SOAP 1.2 part 2 §7.5.2.2) with their `Upgrade` and `NotUnderstood` header blocks.
 */
import type { WspFailureReason } from "../core/reason-codes.js";
import type { FieldError } from "../smdb/course.js";
import { escapeText, NS } from "../xml/ns.js";
import { SOAP11_CONTENT_TYPE, soap11Fault } from "../xml/soap.js";
import { type HeaderName, notUnderstoodHeadersXml, upgradeHeaderXml } from "../xml/soap-version.js";
import {
  harnessFaultDetailXml,
  SOAP12_CONTENT_TYPE,
  type Soap12FaultCode,
  type Soap12Subcode,
  soap12FaultEnvelope,
} from "../xml/soap12.js";
import type { ServiceResponse, WspFaultMode } from "./types.js";

/** Fault subcode per step-2 reason code (docs/protocol.md, step 2: `env:Sender` with a WS-Security subcode). */
export const FAULT_SUBCODES: Readonly<Record<string, Soap12Subcode | undefined>> = {
  MALFORMED_REQUEST: undefined,
  HEADER_NOT_UNDERSTOOD: undefined,
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

/** The SOAP fault a refusal gets. */
export interface WspFault {
  code: Soap12FaultCode;
  subcode?: Soap12Subcode;
  status: number;
}

/**
 * The fault for `reason`, or the step's own fault code for it (VersionMismatch). Not the
 * sender's fault: REPLAY_CACHE_FULL (the service's own limit; the same message may pass later) and
 * INTERNAL_ERROR (a harness bug).
 */
export function wspFault(reason: string, stepFault?: string): WspFault {
  if (stepFault === "env:VersionMismatch") return { code: "env:VersionMismatch", status: 500 };
  if (reason === "HEADER_NOT_UNDERSTOOD") return { code: "env:MustUnderstand", status: 500 };
  if (reason === "REPLAY_CACHE_FULL") return { code: "env:Receiver", status: 503 };
  // A client over its share of the replay cache is told to slow down; others are served.
  if (reason === "REPLAY_CLIENT_QUOTA") return { code: "env:Sender", status: 429 };
  if (reason === "INTERNAL_ERROR") return { code: "env:Receiver", status: 500 };
  const subcode = FAULT_SUBCODES[reason];
  return { code: "env:Sender", ...(subcode ? { subcode } : {}), status: 400 };
}

const REALISTIC_TEXT: Record<string, string> = {
  "wsse:InvalidSecurity": "An error was discovered processing the <wsse:Security> header",
  "wsse:InvalidSecurityToken": "An invalid security token was provided",
  "wsse:FailedAuthentication": "The security token could not be authenticated or authorized",
  "wsse:FailedCheck": "The signature or decryption was invalid",
  "wsu:MessageExpired": "The message has expired",
  "env:VersionMismatch": "Version Mismatch",
  "env:MustUnderstand": "One or more mandatory SOAP header blocks not understood",
  "": "The request could not be processed",
};

export interface FaultMessage {
  reason: string;
  /** One sentence for a developer (verbose mode). */
  message: string;
  fault: WspFault;
  faultMode: WspFaultMode;
  /** VALIDATION_ERROR: every bad field (sent in both fault modes). */
  fields?: readonly FieldError[];
  /** The request's MessageID, for RelatesTo (a fault of the WS-Addressing layer and later). */
  relatesTo?: string;
  /** MustUnderstand: the header blocks not understood (a NotUnderstood block each). */
  notUnderstood?: readonly HeaderName[];
  /** VersionMismatch to a SOAP 1.1 request: the fault is a SOAP 1.1 message (SOAP 1.2 appendix A). */
  soap11?: boolean;
}

/** The fault message as sent. */
export function faultResponse(f: FaultMessage): ServiceResponse {
  const verbose = f.faultMode === "verbose";
  const fields = f.fields ?? [];
  const generic = REALISTIC_TEXT[f.fault.subcode ?? f.fault.code] ?? REALISTIC_TEXT[""]!;
  const reasonText = verbose ? `${f.reason}: ${f.message}` : generic;
  if (f.soap11) {
    return {
      status: f.fault.status,
      contentType: SOAP11_CONTENT_TYPE,
      body: soap11Fault({
        code: "s:VersionMismatch",
        reason: f.reason,
        message: f.message,
        mode: f.faultMode,
        headerXml: upgradeHeaderXml(),
      }),
    };
  }
  const detailXml =
    verbose || fields.length > 0
      ? harnessFaultDetailXml(
          verbose ? f.reason : "VALIDATION_ERROR",
          verbose ? f.message : "invalid fields",
          [...fields],
        )
      : undefined;
  let headerXml = "";
  if (f.fault.code === "env:VersionMismatch") headerXml = upgradeHeaderXml();
  else if (f.fault.code === "env:MustUnderstand") headerXml = notUnderstoodHeadersXml(f.notUnderstood ?? []);
  else if (f.relatesTo) {
    headerXml = `<wsa:RelatesTo xmlns:wsa="${NS.wsa}">${escapeText(f.relatesTo)}</wsa:RelatesTo><wsa:Action xmlns:wsa="${NS.wsa}">http://www.w3.org/2005/08/addressing/soap/fault</wsa:Action>`;
  }
  return {
    status: f.fault.status,
    contentType: SOAP12_CONTENT_TYPE,
    body: soap12FaultEnvelope(
      {
        code: f.fault.code,
        ...(f.fault.subcode ? { subcode: f.fault.subcode } : {}),
        reason: reasonText,
        ...(detailXml ? { detailXml } : {}),
      },
      headerXml,
    ),
  };
}
