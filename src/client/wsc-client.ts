/**
 * The WSC library, step 1: asks the STS for a token with the systembruger certificate, as the
 * reference clients do, verifies that the answer is signed by a trusted STS certificate, and
 * caches the token until shortly before it expires (on the client's own clock, which may be a
 * SkewedClock). Step 2 (`call`) lives in src/client/call.ts.
 *
 * When the STS's clock is in another time than the client's (a harness on a virtual clock, with
 * the client on its machine's clock), the token's stated expiry means nothing on the client's
 * clock: the client then counts the token's lifetime from when it received it
 * (`Token.clientExpiresMs`), and relies on a TOKEN_EXPIRED fault from the WSP to fetch a new one.
 */
import { readFile } from "node:fs/promises";
import type { Element } from "@xmldom/xmldom";
import type { Clock } from "../core/clock.js";
import type { Environment } from "../core/events.js";
import { fileErrorSentence } from "../core/file-errors.js";
import { Certificate, type Credential } from "../pki/index.js";
import {
  buildIdIndex,
  requireSigned,
  SignatureError,
  type VerifiedSignature,
  verifySignature,
} from "../xml/dsig.js";
import { NS, WSS, WST } from "../xml/ns.js";
import { childElements, LARGE_DOCUMENT_LIMITS, parseXml, textOf, XmlParseError } from "../xml/parse.js";
import { bodyPayload, readSoap11Envelope, readSoap11Fault } from "../xml/soap.js";
import { readTimestamp } from "../xml/wsse.js";
import { rawEncryptedAssertion, readRstrc } from "../xml/wstrust.js";
import { callBodyWithClient, callWithClient, type WspCallResult } from "./call.js";
import { loadCertificateSource } from "./certificate-source.js";
import type { ClientConfig } from "./config.js";
import { ClientError } from "./errors.js";
import { HttpClient, type Transport } from "./http.js";
import { buildSignedRst } from "./rst.js";

export interface Token {
  /** The `saml:EncryptedAssertion` element's XML exactly as it occurs in the STS response. */
  encryptedAssertionXml: string;
  /** The parsed element (inside the parsed response). */
  encryptedAssertion: Element;
  /** wst:Lifetime as the STS stated it (the STS's clock). */
  createdMs: number;
  expiresMs: number;
  /** When the response arrived, on the client's clock. */
  receivedMs: number;
  /**
   * When the token expires on the client's clock: `expiresMs`, unless the STS's clock was more
   * than an hour away from the client's when the token arrived (the STS runs in another time,
   * e.g. a harness on a virtual clock); then the lifetime counted from `receivedMs`.
   */
  clientExpiresMs: number;
  appliesTo: string;
  /** The client credential the token was issued for (holder of key). */
  credential: Credential;
  /** The trusted STS certificate whose signature on the response verified. */
  stsCertificate: Certificate;
  /** The complete STS response as received. */
  responseXml: string;
  /** Our request's MessageID. */
  messageId: string;
}

/** Called with every message as sent or received (for `--dump-dir`). */
export type DumpHook = (name: string, content: string | Buffer) => void | Promise<void>;

export interface WscClientOptions {
  clock: Clock;
  environment?: Environment;
  stsUrl: string;
  stsEndpointReference: string;
  /** Trusted STS signing certificates. */
  stsCertificates: Certificate[];
  wspUrl: string;
  wspEntityId: string;
  /**
   * The WSP certificate(s) its responses must be signed by (`wspCertificate` in the config);
   * absent or empty: any correctly signed response that relates to the request is accepted.
   */
  wspCertificates?: Certificate[];
  credential: Credential;
  /** Tried when the STS rejects `credential` (a fault, not a transport or trust failure). */
  fallbackCredential?: Credential;
  /** How to send requests (default: HTTP via `http`). */
  transport?: Transport;
  http?: HttpClient;
  /** Requested token lifetime (wst:Lifetime), if any. */
  tokenLifetimeMs?: number;
  /** Renew this long before the token expires (default 60 s). */
  refreshBeforeMs?: number;
  /** Accept rsa-sha1 in STS responses (default false). */
  allowSha1?: boolean;
  dump?: DumpHook;
}

/**
 * A token whose Lifetime Created is further than this from the client's clock on arrival comes
 * from an STS in another time (no real STS accepts a request with more than minutes of skew).
 */
export const OTHER_TIME_THRESHOLD_MS = 60 * 60_000;

/** The token's expiry on the client's clock (see `Token.clientExpiresMs`). */
export function clientExpiry(createdMs: number, expiresMs: number, receivedMs: number): number {
  // Without a Created (createdMs = expiresMs) there is nothing to compare the clocks with.
  if (createdMs >= expiresMs || Math.abs(receivedMs - createdMs) <= OTHER_TIME_THRESHOLD_MS) return expiresMs;
  return receivedMs + (expiresMs - createdMs);
}

export interface VerifiedStsResponse {
  stsCertificate: Certificate;
  encryptedAssertion: Element;
  encryptedAssertionXml: string;
  createdMs: number;
  expiresMs: number;
  appliesTo: string | undefined;
}

/**
 * Checks an STS answer: a fault becomes a ClientError with the STS's reason (or STS_FAULT); a
 * token response must be signed (Action, MessageID, RelatesTo, Timestamp and Body) by one of
 * the trusted STS certificates, else STS_RESPONSE_UNTRUSTED.
 */
export function verifyStsResponse(
  raw: Buffer | string,
  trusted: readonly Certificate[],
  expect: { relatesTo: string; allowSha1?: boolean },
): VerifiedStsResponse {
  const text = typeof raw === "string" ? raw : raw.toString("utf8");
  let doc: ReturnType<typeof parseXml>;
  try {
    doc = parseXml(text, {
      maxBytes: 16 * 1024 * 1024,
      limits: LARGE_DOCUMENT_LIMITS,
      label: "STS response",
    });
  } catch (error) {
    throw new ClientError(
      1,
      "STS_RESPONSE_MALFORMED",
      `the STS answered with something that is not XML: ${(error as Error).message}`,
    );
  }
  let fault: ReturnType<typeof readSoap11Fault>;
  try {
    fault = readSoap11Fault(doc);
  } catch (error) {
    throw new ClientError(
      1,
      "STS_RESPONSE_MALFORMED",
      `the STS answer is not a SOAP 1.1 message: ${(error as Error).message}`,
    );
  }
  if (fault) {
    throw new ClientError(
      1,
      fault.reason ?? "STS_FAULT",
      `the STS refused the token request with ${fault.faultcode}${fault.reason ? ` (${fault.reason})` : ""}: ${fault.message ?? fault.faultstring}`,
      { faultcode: fault.faultcode, faultstring: fault.faultstring, doubleEnvelope: fault.doubleEnvelope },
    );
  }
  try {
    const soap = readSoap11Envelope(doc);
    if (!soap.header) throw new XmlParseError("the response has no SOAP Header");
    const securities = childElements(soap.header, NS.wsse, "Security");
    if (securities.length !== 1)
      throw new XmlParseError(`the response has ${securities.length} wsse:Security headers`);
    const signatures = childElements(securities[0]!, NS.ds, "Signature");
    const timestamps = childElements(securities[0]!, NS.wsu, "Timestamp");
    if (signatures.length !== 1 || timestamps.length !== 1) {
      throw new ClientError(
        1,
        "STS_RESPONSE_UNTRUSTED",
        `the STS response's Security header holds ${signatures.length} signatures and ${timestamps.length} timestamps; expected one signed Timestamp`,
      );
    }
    const action = childElements(soap.header, NS.wsa, "Action");
    const relatesTo = childElements(soap.header, NS.wsa, "RelatesTo");
    const messageId = childElements(soap.header, NS.wsa, "MessageID");
    if (action.length !== 1 || relatesTo.length !== 1 || messageId.length !== 1) {
      throw new XmlParseError(
        "the response must carry exactly one wsa:Action, wsa:MessageID and wsa:RelatesTo",
      );
    }
    const index = buildIdIndex(doc);
    const errors: string[] = [];
    let signer: Certificate | undefined;
    let signed: VerifiedSignature | undefined;
    for (const cert of trusted) {
      try {
        signed = verifySignature(signatures[0]!, index, cert.publicKey, {
          allowSha1: expect.allowSha1 ?? false,
        });
        signer = cert;
        break;
      } catch (error) {
        errors.push(`${cert.sha256}: ${(error as Error).message}`);
      }
    }
    if (!signer || !signed) {
      throw new ClientError(
        1,
        "STS_RESPONSE_UNTRUSTED",
        `the STS response is not signed by a trusted STS certificate (trusted: ${trusted.map((c) => c.sha256).join(", ") || "none"}): ${errors.join("; ")}. Has the STS rotated its signing certificate? Trust the new one (stsCertificate)`,
        { trusted: trusted.map((c) => c.sha256) },
      );
    }
    requireSigned(
      signed,
      [action[0]!, messageId[0]!, relatesTo[0]!, timestamps[0]!, soap.body],
      (missing) =>
        new ClientError(
          1,
          "STS_RESPONSE_UNTRUSTED",
          `the STS response's ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not covered by its signature`,
        ),
    );
    if (textOf(relatesTo[0]!) !== expect.relatesTo) {
      throw new ClientError(
        1,
        "STS_RESPONSE_MALFORMED",
        `the STS response relates to ${textOf(relatesTo[0]!)}; expected our MessageID ${expect.relatesTo}`,
      );
    }
    if (textOf(action[0]!) !== WST.issueResponseAction && !textOf(action[0]!).startsWith(`${NS.wst}/RSTR`)) {
      throw new XmlParseError(`the response's wsa:Action is "${textOf(action[0]!)}"`);
    }
    readTimestamp(timestamps[0]!);
    const rstr = readRstrc(bodyPayload(soap.body));
    if (rstr.tokenType !== undefined && rstr.tokenType !== WSS.samlV20) {
      throw new XmlParseError(`the token type is "${rstr.tokenType}"; expected ${WSS.samlV20}`);
    }
    const exact = rawEncryptedAssertion(text);
    if (!exact) throw new XmlParseError("the EncryptedAssertion cannot be located in the response text");
    if (rstr.lifetimeExpiresMs === undefined)
      throw new XmlParseError("the response has no wst:Lifetime/wsu:Expires");
    return {
      stsCertificate: signer,
      encryptedAssertion: rstr.encryptedAssertion,
      encryptedAssertionXml: exact,
      createdMs: rstr.lifetimeCreatedMs ?? rstr.lifetimeExpiresMs,
      expiresMs: rstr.lifetimeExpiresMs,
      appliesTo: rstr.appliesTo,
    };
  } catch (error) {
    if (error instanceof ClientError) throw error;
    if (error instanceof XmlParseError || error instanceof SignatureError) {
      throw new ClientError(1, "STS_RESPONSE_MALFORMED", `the STS response cannot be used: ${error.message}`);
    }
    throw error;
  }
}

/**
 * The certificates in the PEM files of a configuration field (each file: one or more PEM blocks).
 * A file that cannot be read or holds no certificate is CONFIG_INVALID naming the file and field.
 */
export async function readPemCertificates(
  configFile: string,
  field: string,
  files: readonly string[],
): Promise<Certificate[]> {
  const certificates: Certificate[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new ClientError(
        0,
        "CONFIG_INVALID",
        `${configFile}: ${field}: ${fileErrorSentence(file, error)}`,
        {
          file: configFile,
          field,
        },
      );
    }
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) {
      throw new ClientError(
        0,
        "CONFIG_INVALID",
        `${configFile}: ${field}: ${file} holds no PEM certificate; expected -----BEGIN CERTIFICATE----- blocks`,
        { file: configFile, field },
      );
    }
    for (const block of blocks) {
      try {
        certificates.push(Certificate.fromPem(block));
      } catch (error) {
        throw new ClientError(
          0,
          "CONFIG_INVALID",
          `${configFile}: ${field}: ${file} holds a PEM block that is not an X.509 certificate (${(error as Error).message})`,
          { file: configFile, field },
        );
      }
    }
  }
  return certificates;
}

export class WscClient {
  readonly options: WscClientOptions;
  readonly #transport: Transport;
  readonly #ownHttp: HttpClient | undefined;
  #cached: Token | undefined;
  #pending: Promise<Token> | undefined;
  #counter = 0;

  constructor(options: WscClientOptions) {
    this.options = options;
    if (options.transport) this.#transport = options.transport;
    else {
      const http = options.http ?? new HttpClient();
      if (!options.http) this.#ownHttp = http;
      this.#transport = http.transport(1);
    }
  }

  /** A client from a configuration file's content (loads certificates and TLS settings). */
  static async fromConfig(
    config: ClientConfig,
    options: { clock: Clock; dump?: DumpHook; transport?: Transport; refreshBeforeMs?: number },
  ): Promise<WscClient> {
    const stsCertificates = await readPemCertificates(config.file, "stsCertificate", config.stsCertificate);
    const wspCertificates = await readPemCertificates(config.file, "wspCertificate", config.wspCertificate);
    const credential = await loadCertificateSource(config.clientCertificate);
    const fallbackCredential = config.fallbackCertificate
      ? await loadCertificateSource(config.fallbackCertificate)
      : undefined;
    let http: HttpClient | undefined;
    if (!options.transport) {
      let ca: string | undefined;
      if (config.tls.ca) {
        try {
          ca = await readFile(config.tls.ca, "utf8");
        } catch (error) {
          throw new ClientError(
            0,
            "CONFIG_INVALID",
            `${config.file}: tls.ca: ${fileErrorSentence(config.tls.ca, error)}`,
          );
        }
      }
      http = new HttpClient({
        ...(ca !== undefined ? { ca } : {}),
        ...(config.tls.insecure ? { insecure: true } : {}),
      });
    }
    return new WscClient({
      clock: options.clock,
      environment: config.environment,
      stsUrl: config.stsUrl,
      stsEndpointReference: config.stsEndpointReference,
      stsCertificates,
      wspUrl: config.wspUrl,
      wspEntityId: config.wspEntityId,
      ...(wspCertificates.length > 0 ? { wspCertificates } : {}),
      credential,
      ...(fallbackCredential ? { fallbackCredential } : {}),
      ...(options.transport ? { transport: options.transport } : {}),
      ...(http ? { http } : {}),
      ...(config.tokenLifetimeMs !== undefined ? { tokenLifetimeMs: config.tokenLifetimeMs } : {}),
      ...(options.refreshBeforeMs !== undefined ? { refreshBeforeMs: options.refreshBeforeMs } : {}),
      ...(options.dump ? { dump: options.dump } : {}),
    });
  }

  /** The cached token when it is still good on the client's clock. */
  get cachedToken(): Token | undefined {
    const token = this.#cached;
    if (!token) return undefined;
    const refreshBefore = this.options.refreshBeforeMs ?? 60_000;
    return this.options.clock.nowMs() < token.clientExpiresMs - refreshBefore ? token : undefined;
  }

  clearCache(): void {
    this.#cached = undefined;
  }

  /** A token for the configured WSP: the cached one while it is good, else a new one from the STS. */
  async getToken(options: { force?: boolean } = {}): Promise<Token> {
    if (!options.force) {
      const cached = this.cachedToken;
      if (cached) return cached;
    }
    this.#pending ??= this.#requestWithFallback().finally(() => {
      this.#pending = undefined;
    });
    const token = await this.#pending;
    this.#cached = token;
    return token;
  }

  async #requestWithFallback(): Promise<Token> {
    try {
      return await this.requestToken(this.options.credential);
    } catch (error) {
      const fallback = this.options.fallbackCredential;
      const stsRejected =
        error instanceof ClientError &&
        error.step === 1 &&
        !["STS_UNREACHABLE", "STS_RESPONSE_UNTRUSTED", "STS_RESPONSE_MALFORMED"].includes(error.reason);
      if (!fallback || !stsRejected) throw error;
      return this.requestToken(fallback);
    }
  }

  /** One token request with `credential` (no cache, no fallback). */
  async requestToken(credential: Credential): Promise<Token> {
    const { clock, stsUrl } = this.options;
    const now = clock.nowMs();
    const rst = buildSignedRst({
      credential,
      to: this.options.stsEndpointReference,
      appliesTo: this.options.wspEntityId,
      nowMs: now,
      ...(this.options.tokenLifetimeMs !== undefined
        ? { lifetimeExpiresMs: now + this.options.tokenLifetimeMs }
        : {}),
    });
    const n = ++this.#counter;
    await this.options.dump?.(`${String(n).padStart(3, "0")}-sts-request.xml`, rst.xml);
    const response = await this.#transport(stsUrl, rst.xml, {
      "content-type": "text/xml; charset=utf-8",
      soapaction: `"${WST.issueAction}"`,
    });
    const receivedMs = clock.nowMs();
    await this.options.dump?.(`${String(n).padStart(3, "0")}-sts-response.xml`, response.body);
    const verified = verifyStsResponse(response.body, this.options.stsCertificates, {
      relatesTo: rst.messageId,
      allowSha1: this.options.allowSha1 ?? false,
    });
    return {
      encryptedAssertionXml: verified.encryptedAssertionXml,
      encryptedAssertion: verified.encryptedAssertion,
      createdMs: verified.createdMs,
      expiresMs: verified.expiresMs,
      receivedMs,
      clientExpiresMs: clientExpiry(verified.createdMs, verified.expiresMs, receivedMs),
      appliesTo: verified.appliesTo ?? this.options.wspEntityId,
      credential,
      stsCertificate: verified.stsCertificate,
      responseXml: typeof response.body === "string" ? response.body : response.body.toString("utf8"),
      messageId: rst.messageId,
    };
  }

  /**
   * Step 2: calls an SMDB operation with the (cached) token; see src/client/call.ts. The response
   * must be signed by one of `options.wspCertificates`, else of the client's `wspCertificates`.
   */
  call(
    operation: string,
    payload: unknown = {},
    options: { wspCertificates?: Certificate[] } = {},
  ): Promise<WspCallResult> {
    return callWithClient(this, operation, payload, options);
  }

  /**
   * Step 2 with a Body element built elsewhere (e.g. by a client generated from the served WSDL),
   * wrapped and signed as `call` does, sent exactly as given; see `callWspBody`.
   */
  callWithBody(
    operation: string,
    bodyXml: string,
    options: { wspCertificates?: Certificate[] } = {},
  ): Promise<WspCallResult> {
    return callBodyWithClient(this, operation, bodyXml, options);
  }

  /** Frees the keep-alive connections of an HTTP client this client created. */
  close(): void {
    this.#ownHttp?.close();
  }
}
