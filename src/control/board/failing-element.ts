/**
 * Which element of which message a refusal is about: the inspector highlights it. A pure table
 * from (step, reason code) to an element of the request or of the response — e.g. a certificate
 * the STS refuses is the request's `wsse:BinarySecurityToken`, an expired token in step 2 is the
 * `saml2:EncryptedAssertion` the client sent, an STS answer the client does not trust is the
 * response's `ds:Signature`. Unknown reasons point at nothing (the response's Fault is marked
 * anyway).
 */
import { STS_REASONS } from "../../core/reason-codes.js";
import { NS } from "../../xml/ns.js";

export interface ElementName {
  ns: string;
  local: string;
}

export interface FailingElement {
  /** Which message of the step holds the element. */
  in: "request" | "response";
  element: ElementName;
  /** The element as people write it, e.g. `wsse:BinarySecurityToken`. */
  label: string;
  /** A parent the element must sit in (e.g. the message's own signature, in wsse:Security). */
  within?: ElementName;
}

const el = (ns: string, local: string): ElementName => ({ ns, local });
const BST = el(NS.wsse, "BinarySecurityToken");
const TIMESTAMP = el(NS.wsu, "Timestamp");
const SIGNATURE = el(NS.ds, "Signature");
const SECURITY = el(NS.wsse, "Security");
const ASSERTION = el(NS.saml, "EncryptedAssertion");

function request(element: ElementName, label: string, within?: ElementName): FailingElement {
  return { in: "request", element, label, ...(within ? { within } : {}) };
}
function response(element: ElementName, label: string, within?: ElementName): FailingElement {
  return { in: "response", element, label, ...(within ? { within } : {}) };
}

/** Every STS refusal of the client's certificate, which the request carries in its BST. */
const CERTIFICATE_REASONS = STS_REASONS.filter((reason) => reason.startsWith("CERT_"));

const STEP1: Record<string, FailingElement> = {
  ...Object.fromEntries(
    CERTIFICATE_REASONS.map((r) => [r, request(BST, "wsse:BinarySecurityToken")] as const),
  ),
  TIMESTAMP_EXPIRED: request(TIMESTAMP, "wsu:Timestamp"),
  TIMESTAMP_NOT_YET_VALID: request(TIMESTAMP, "wsu:Timestamp"),
  SIGNATURE_INVALID: request(SIGNATURE, "ds:Signature", SECURITY),
  UNSUPPORTED_ALGORITHM: request(SIGNATURE, "ds:Signature", SECURITY),
  UNSIGNED_PART: request(SIGNATURE, "ds:Signature", SECURITY),
  WRONG_ENDPOINT: request(el(NS.wsa, "To"), "wsa:To"),
  UNKNOWN_SERVICE: request(el(NS.wsp, "AppliesTo"), "wsp:AppliesTo"),
  INVALID_LIFETIME: request(el(NS.wst, "Lifetime"), "wst:Lifetime"),
  ACT_AS_NOT_ALLOWED: request(el(NS.wst14, "ActAs"), "wst14:ActAs"),
  MALFORMED_REQUEST: request(el(NS.wst, "RequestSecurityToken"), "wst:RequestSecurityToken"),
  STS_RESPONSE_UNTRUSTED: response(SIGNATURE, "ds:Signature", SECURITY),
  STS_RESPONSE_MALFORMED: response(el(NS.soap11, "Body"), "s:Body"),
};

const STEP2: Record<string, FailingElement> = {
  TOKEN_MISSING: request(SECURITY, "wsse:Security"),
  TOKEN_DECRYPT_FAILED: request(ASSERTION, "saml2:EncryptedAssertion"),
  TOKEN_SIGNATURE_INVALID: request(ASSERTION, "saml2:EncryptedAssertion"),
  TOKEN_ISSUER_UNTRUSTED: request(ASSERTION, "saml2:EncryptedAssertion"),
  AUDIENCE_MISMATCH: request(ASSERTION, "saml2:EncryptedAssertion"),
  TOKEN_LIFETIME_INVALID: request(ASSERTION, "saml2:EncryptedAssertion"),
  TOKEN_NOT_YET_VALID: request(ASSERTION, "saml2:EncryptedAssertion"),
  TOKEN_EXPIRED: request(ASSERTION, "saml2:EncryptedAssertion"),
  HOK_PROOF_INVALID: request(SIGNATURE, "ds:Signature", SECURITY),
  SIGNATURE_INVALID: request(SIGNATURE, "ds:Signature", SECURITY),
  WRONG_ENDPOINT: request(el(NS.wsa, "To"), "wsa:To"),
  TIMESTAMP_EXPIRED: request(TIMESTAMP, "wsu:Timestamp"),
  REPLAY: request(el(NS.wsa, "MessageID"), "wsa:MessageID"),
  PRIVILEGE_MISSING: request(el(NS.soap12, "Body"), "env:Body"),
  VALIDATION_ERROR: request(el(NS.soap12, "Body"), "env:Body"),
  MALFORMED_REQUEST: request(el(NS.soap12, "Body"), "env:Body"),
  WSP_RESPONSE_UNTRUSTED: response(SIGNATURE, "ds:Signature", SECURITY),
  WSP_RESPONSE_MALFORMED: response(el(NS.soap12, "Body"), "env:Body"),
};

/** The element a refusal in `step` with `reason` is about, or null when no one element is. */
export function failingElement(step: number | null, reason: string): FailingElement | null {
  if (step === 1) return STEP1[reason] ?? null;
  if (step === 2) return STEP2[reason] ?? null;
  return null;
}

/** A SOAP Fault in either SOAP version: marked in every refused response. */
export const FAULT_ELEMENTS: readonly ElementName[] = [el(NS.soap11, "Fault"), el(NS.soap12, "Fault")];
