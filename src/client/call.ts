/**
 * Step 2 for the WSC: call an SMDB operation with the token from step 1 (OIO IDWS SOAP binding).
 *
 * `callWsp` builds the request (token copied as received, STR, signature by the client's key over
 * Timestamp, Body, wsa headers and the STR), posts it, verifies the WSP's signed response
 * (RelatesTo = our MessageID; signer = a trusted WSP certificate when configured) and returns the
 * operation's result as JSON. A token past its expiry (on the client's clock) is refreshed before
 * the call, and a TOKEN_EXPIRED or TOKEN_NOT_YET_VALID fault (clocks disagree, e.g. the harness's
 * virtual clock was moved; in realistic fault mode: wsse:InvalidSecurityToken) makes it fetch a
 * new token and retry once. A new token is used even when the client's clock calls it expired:
 * the WSP judges it.
 */

import type { Clock } from "../core/clock.js";
import { HarnessError } from "../core/errors.js";
import type { Certificate, Credential } from "../pki/index.js";
import {
  isOperationName,
  OPERATIONS,
  type OperationName,
  requestAction,
  requestBodyXml,
  resultFromXml,
} from "../smdb/operations.js";
import { buildIdwsRequest, verifyIdwsResponse } from "../xml/idws.js";
import { childElements, LARGE_DOCUMENT_LIMITS, parseXml } from "../xml/parse.js";
import { readHarnessFaultDetail, readSoap12Fault, SOAP12_CONTENT_TYPE, SOAP12_NS } from "../xml/soap12.js";
import { ClientError } from "./errors.js";
import { HttpClient, type Transport } from "./http.js";

/** The token of step 1 as step 2 needs it. */
export interface StepTwoToken {
  /** The `saml2:EncryptedAssertion` exactly as the STS issued it. */
  encryptedAssertionXml: string;
  /** The credential the token is bound to (its certificate is the token's holder-of-key). */
  credential: Credential;
  /** When the token expires (RSTR Lifetime), when known. */
  expiresMs?: number;
  /** When the token expires on the client's clock, when that differs from `expiresMs` (see `Token.clientExpiresMs`). */
  clientExpiresMs?: number;
}

export interface WspCallDeps {
  /** Step 1: a (cached) token, or a new one when `refresh`. */
  getToken(options: { refresh: boolean }): Promise<StepTwoToken>;
  transport: Transport;
  wspUrl: string;
  clock: Clock;
  /**
   * The WSP's certificate(s) the client trusts; when given (non-empty), the response must be
   * signed by one of them, else WSP_RESPONSE_UNTRUSTED.
   */
  wspCertificates?: Certificate[];
  /** Called with every message exactly as sent and received (for --dump-dir). */
  dump?: (name: string, content: string | Buffer) => Promise<void> | void;
}

export interface WspCallResult {
  operation: OperationName;
  /** The operation's result (Ping: environment, cvr, …; IndberetForloeb: forloebId, version, status; HentForloeb: forloeb[]). */
  result: unknown;
  messageId: string;
  /** SHA-256 of the certificate that signed the request (the token's holder-of-key). */
  certSha256: string;
  /** True when a new token had to be fetched for this call. */
  tokenRefreshed: boolean;
}

let dumpSeq = 0;

/** Calls `operation` with `payload` (JSON, as `client call --payload` reads it). Throws ClientError(2, reason). */
export async function callWsp(
  deps: WspCallDeps,
  operation: string,
  payload: unknown = {},
): Promise<WspCallResult> {
  const op = knownOperation(operation);
  let bodyXml: string;
  try {
    bodyXml = requestBodyXml(op, payload);
  } catch (error) {
    if (error instanceof HarnessError) {
      throw new ClientError(
        2,
        error.reason,
        `the payload for ${operation} is not valid: ${error.message}`,
        error.detail,
      );
    }
    throw error;
  }
  return callWspBody(deps, op, bodyXml);
}

function knownOperation(operation: string): OperationName {
  if (!isOperationName(operation)) {
    throw new ClientError(
      2,
      "UNKNOWN_OPERATION",
      `"${operation}" is not an SMDB operation; use one of ${OPERATIONS.join(", ")}`,
    );
  }
  return operation;
}

/**
 * Calls `operation` with a Body element the caller built — by hand, or by a WSDL-generated or
 * SOAP library client from the served WSDL — put into the signed request exactly as given (its
 * namespaces declared on it). Not checked here: SMDB judges it (VALIDATION_ERROR with every bad
 * field). Throws ClientError(2, reason).
 */
export async function callWspBody(
  deps: WspCallDeps,
  operation: string,
  bodyXml: string,
): Promise<WspCallResult> {
  const op = knownOperation(operation);
  let token = await deps.getToken({ refresh: false });
  let refreshed = false;
  const expiry = token.clientExpiresMs ?? token.expiresMs;
  if (expiry !== undefined && expiry <= deps.clock.nowMs()) {
    token = await deps.getToken({ refresh: true });
    refreshed = true;
  }
  for (;;) {
    try {
      const result = await attempt(deps, op, bodyXml, token);
      return { ...result, tokenRefreshed: refreshed };
    } catch (error) {
      if (!refreshed && error instanceof ClientError && isExpiredTokenFault(error)) {
        token = await deps.getToken({ refresh: true });
        refreshed = true;
        continue;
      }
      throw error;
    }
  }
}

/**
 * A fault that a new token may cure: TOKEN_EXPIRED, TOKEN_NOT_YET_VALID (the harness's virtual
 * clock was set back behind a cached token), or — when the WSP sends generic faults (realistic
 * mode) — an invalid-token fault without a reason code.
 */
function isExpiredTokenFault(error: ClientError): boolean {
  return (
    error.reason === "TOKEN_EXPIRED" ||
    error.reason === "TOKEN_NOT_YET_VALID" ||
    (error.reason === "WSP_FAULT" && error.detail["subcode"] === "wsse:InvalidSecurityToken")
  );
}

async function attempt(
  deps: WspCallDeps,
  operation: OperationName,
  bodyXml: string,
  token: StepTwoToken,
): Promise<Omit<WspCallResult, "tokenRefreshed">> {
  const { xml, messageId } = buildIdwsRequest({
    action: requestAction(operation),
    to: deps.wspUrl,
    createdMs: deps.clock.nowMs(),
    encryptedAssertionXml: token.encryptedAssertionXml,
    bodyXml,
    privateKey: token.credential.key.privateKey,
  });
  const seq = String(++dumpSeq).padStart(3, "0");
  await deps.dump?.(`${seq}-wsp-${operation}-request.xml`, xml);
  const response = await deps.transport(deps.wspUrl, xml, {
    "content-type": `${SOAP12_CONTENT_TYPE}; action="${requestAction(operation)}"`,
  });
  await deps.dump?.(`${seq}-wsp-${operation}-response.xml`, response.body);
  const certSha256 = token.credential.certificate.sha256;
  if (response.status !== 200) throw faultError(response.status, response.body, certSha256, operation);
  let verified: ReturnType<typeof verifyIdwsResponse>;
  try {
    verified = verifyIdwsResponse(response.body, { relatesTo: messageId });
  } catch (error) {
    if (error instanceof HarnessError) throw new ClientError(2, error.reason, error.message);
    throw error;
  }
  checkWspSigner(verified.signer, deps.wspCertificates, operation);
  try {
    return { operation, result: resultFromXml(operation, verified.operation), messageId, certSha256 };
  } catch (error) {
    if (error instanceof HarnessError) throw new ClientError(2, error.reason, error.message);
    throw error;
  }
}

/**
 * The response's (verified) signer must be a WSP certificate the client trusts, when it is
 * configured (`wspCertificate`); otherwise WSP_RESPONSE_UNTRUSTED naming both.
 */
function checkWspSigner(
  signer: Certificate,
  trusted: readonly Certificate[] | undefined,
  operation: string,
): void {
  if (!trusted || trusted.length === 0) return;
  if (trusted.some((c) => c.sha256 === signer.sha256)) return;
  const name = (c: Certificate) => c.subject.replace(/\n/g, ", ");
  throw new ClientError(
    2,
    "WSP_RESPONSE_UNTRUSTED",
    `the WSP's answer to ${operation} is signed by certificate SHA-256 ${signer.sha256} (${name(signer)}); the client trusts only ${trusted.map((c) => `SHA-256 ${c.sha256} (${name(c)})`).join(", ")} (wspCertificate). Is the client talking to another environment's SMDB, or has the SMDB's certificate been replaced? Then trust the new one (wspCertificate)`,
    { signer: signer.sha256, trusted: trusted.map((c) => c.sha256) },
  );
}

/** A ClientError for a WSP fault: the harness reason when the fault names one, else WSP_FAULT. */
function faultError(
  status: number,
  body: Buffer | string,
  certSha256: string,
  operation: string,
): ClientError {
  let fault: ReturnType<typeof readSoap12Fault> | undefined;
  try {
    const doc = parseXml(body, {
      maxBytes: 16 * 1024 * 1024,
      limits: LARGE_DOCUMENT_LIMITS,
      label: "WSP response",
    });
    const envelope = doc.documentElement!;
    const soapBody =
      envelope.namespaceURI === SOAP12_NS ? childElements(envelope, SOAP12_NS, "Body")[0] : undefined;
    const faultEl = soapBody && childElements(soapBody, SOAP12_NS, "Fault")[0];
    if (faultEl) fault = readSoap12Fault(faultEl);
  } catch {
    fault = undefined;
  }
  if (!fault) {
    return new ClientError(
      2,
      "WSP_RESPONSE_MALFORMED",
      `the WSP answered ${operation} with HTTP ${status} and no SOAP 1.2 fault`,
    );
  }
  const harness = readHarnessFaultDetail(fault.detail);
  const reason = harness?.reason || "WSP_FAULT";
  const message = harness?.message || fault.reason;
  return new ClientError(
    2,
    reason,
    `the WSP refused ${operation} (${fault.subcode ?? fault.code}): ${message} [client certificate SHA-256 ${certSha256}]`,
    { subcode: fault.subcode, fields: harness?.fields ?? [] },
  );
}

/** What `callWithClient` needs of the step-1 client (a WscClient). */
export interface StepOneClient {
  readonly options: {
    clock: Clock;
    wspUrl: string;
    transport?: Transport;
    http?: HttpClient;
    dump?: (name: string, content: string | Buffer) => void | Promise<void>;
    /** The WSP certificate(s) the client trusts (used unless the call names its own). */
    wspCertificates?: Certificate[];
  };
  getToken(options?: { force?: boolean }): Promise<StepTwoToken>;
}

const ownHttp = new WeakMap<StepOneClient, HttpClient>();

/** The step-2 dependencies of a WscClient: its token cache, transport, trusted WSP certificates, dump. */
function depsOf(client: StepOneClient, options: { wspCertificates?: Certificate[] }): WspCallDeps {
  let transport = client.options.transport;
  if (!transport) {
    let http = client.options.http ?? ownHttp.get(client);
    if (!http) {
      http = new HttpClient();
      ownHttp.set(client, http);
    }
    transport = http.transport(2);
  }
  const wspCertificates = options.wspCertificates ?? client.options.wspCertificates;
  return {
    getToken: ({ refresh }) => client.getToken({ force: refresh }),
    transport,
    wspUrl: client.options.wspUrl,
    clock: client.options.clock,
    ...(wspCertificates ? { wspCertificates } : {}),
    ...(client.options.dump ? { dump: client.options.dump } : {}),
  };
}

/**
 * Step 2 with a WscClient's token cache, fallback certificate, trusted WSP certificates and
 * transport (HTTP with its TLS settings, or the in-process transport it was given).
 */
export function callWithClient(
  client: StepOneClient,
  operation: string,
  payload: unknown = {},
  options: { wspCertificates?: Certificate[] } = {},
): Promise<WspCallResult> {
  return callWsp(depsOf(client, options), operation, payload);
}

/** `callWspBody` (a Body element built by the caller) with a WscClient, as `callWithClient`. */
export function callBodyWithClient(
  client: StepOneClient,
  operation: string,
  bodyXml: string,
  options: { wspCertificates?: Certificate[] } = {},
): Promise<WspCallResult> {
  return callWspBody(depsOf(client, options), operation, bodyXml);
}
