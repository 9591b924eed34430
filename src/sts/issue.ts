/**
 * Issuing, once every check passed: the holder-of-key assertion (signed by the environment's STS
 * key, enveloped, exc-c14n), encrypted to the WSP's certificate, in an RSTRC whose Action,
 * MessageID, RelatesTo, Timestamp and Body are signed by the STS key with no KeyInfo (the client
 * must already hold the STS certificate).
 */
import { SIGNATURE_PLACEHOLDER, signXml } from "../xml/dsig.js";
import { encryptAssertion } from "../xml/encryption.js";
import { NS, WST } from "../xml/ns.js";
import { buildSignedAssertion } from "../xml/saml.js";
import { newMessageId, wsaHeaderXml } from "../xml/wsa.js";
import { timestampXml } from "../xml/wsse.js";
import { rstrcXml } from "../xml/wstrust.js";
import type { StsCheckContext } from "./checks.js";

export interface IssuedToken {
  /** The signed RSTRC envelope. */
  xml: string;
  /** The event's sentence. */
  detail: string;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function checked<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`issueToken: ${what} was not set by the checks`);
  return value;
}

/** The answer to a request that passed `STS_CHECKS`. */
export function issueToken(ctx: StsCheckContext): IssuedToken {
  const now = ctx.nowMs;
  const messageNow = ctx.messageNowMs;
  const cert = checked(ctx.certificate, "the client certificate");
  const user = checked(ctx.systemUser, "the systembruger");
  const wsp = checked(ctx.wsp, "the WSP");
  const request = checked(ctx.request, "the RST");
  const expiresMs = checked(ctx.expiresMs, "the token lifetime");
  const stsEnv = ctx.deps.environments[ctx.env];
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
  // The response's Timestamp is on the message clock, as long as the token is valid.
  const envelope =
    `<s:Envelope xmlns:s="${NS.soap11}" xmlns:wsa="${NS.wsa}" xmlns:wsu="${NS.wsu}" xmlns:wsse="${NS.wsse}" xmlns:wst="${NS.wst}" xmlns:wsp="${NS.wsp}">` +
    `<s:Header>${wsaHeaderXml("Action", "action", WST.issueResponseAction)}${wsaHeaderXml("MessageID", "messageid", newMessageId())}${wsaHeaderXml("RelatesTo", "relatesto", checked(ctx.messageId, "the MessageID"))}` +
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
    detail: `token issued for systembruger "${user.name}" (CVR ${user.cvr}) with certificate ${cert.sha256} (issuer CA ${checked(ctx.issuer, "the issuing CA").sha256}) for ${wsp.entityId}, valid ${iso(now)} – ${iso(expiresMs)}; assertion ${assertion.id} signed by STS certificate ${signing.certificate.sha256}, encrypted to ${wsp.encryptionCertificate.sha256}`,
  };
}
