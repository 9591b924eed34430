/**
 * Builds and signs the step-1 request as the .NET reference client does (docs/protocol.md): headers
 * wsa:Action, wsa:MessageID, wsa:To and wsse:Security (Timestamp, BST, Signature), every header
 * and the Body signed by wsu:Id with rsa-sha256/exc-c14n, KeyInfo a SecurityTokenReference to
 * the BST.
 */
import { randomUUID } from "node:crypto";
import type { Credential } from "../pki/index.js";
import { SIGNATURE_PLACEHOLDER, signXml } from "../xml/dsig.js";
import { ALG, NS, WST } from "../xml/ns.js";
import { newMessageId, wsaHeaderXml } from "../xml/wsa.js";
import { binarySecurityTokenXml, strToBstXml, timestampXml } from "../xml/wsse.js";
import { rstXml } from "../xml/wstrust.js";

export interface RstRequestParams {
  credential: Credential;
  /** wsa:To: the STS endpoint reference. */
  to: string;
  /** The WSP's entity ID. */
  appliesTo: string;
  nowMs: number;
  /** Timestamp validity (default 5 minutes, as the reference clients). */
  timestampTtlMs?: number;
  /** Requested token expiry (wst:Lifetime). */
  lifetimeExpiresMs?: number;
  messageId?: string;
  context?: string;
  /** Include wst:KeyType and wst:UseKey with the certificate (the .NET client does; default true). */
  useKey?: boolean;
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
}

export interface BuiltRst {
  xml: string;
  messageId: string;
  context: string;
}

/** The request envelope with the signature placeholder (unsigned). */
export function rstEnvelopeTemplate(params: RstRequestParams, messageId: string, context: string): string {
  const cert = params.credential.certificate;
  const ttl = params.timestampTtlMs ?? 5 * 60_000;
  return (
    `<S11:Envelope xmlns:S11="${NS.soap11}" xmlns:wsa="${NS.wsa}" xmlns:wsp="${NS.wsp}" xmlns:wsse="${NS.wsse}" xmlns:wst="${NS.wst}" xmlns:wsu="${NS.wsu}">` +
    `<S11:Header>${wsaHeaderXml("Action", "action", WST.issueAction)}${wsaHeaderXml("MessageID", "msgid", messageId)}${wsaHeaderXml("To", "to", params.to)}` +
    `<wsse:Security S11:mustUnderstand="1">${timestampXml("sec-ts", params.nowMs, params.nowMs + ttl)}${binarySecurityTokenXml("sec-binsectoken", cert)}${SIGNATURE_PLACEHOLDER}</wsse:Security></S11:Header>` +
    `<S11:Body wsu:Id="body">${rstXml({
      context,
      appliesTo: params.appliesTo,
      ...(params.lifetimeExpiresMs !== undefined ? { lifetimeExpiresMs: params.lifetimeExpiresMs } : {}),
      ...(params.useKey === false ? {} : { useKey: { certificate: cert, id: `uuid-${randomUUID()}-1` } }),
    })}</S11:Body></S11:Envelope>`
  );
}

/** Builds and signs a token request. */
export function buildSignedRst(params: RstRequestParams): BuiltRst {
  const messageId = params.messageId ?? newMessageId();
  const context = params.context ?? `urn:uuid:${randomUUID()}`;
  const xml = signXml(rstEnvelopeTemplate(params, messageId, context), {
    privateKey: params.credential.key.privateKey,
    references: ["action", "msgid", "to", "sec-ts", "sec-binsectoken", "body"].map((id) => ({ id })),
    signatureAlgorithm: params.signatureAlgorithm ?? ALG.rsaSha256,
    digestAlgorithm: params.digestAlgorithm ?? ALG.sha256,
    keyInfoXml: strToBstXml("sec-binsectoken"),
    prefix: "",
  });
  return { xml, messageId, context };
}
