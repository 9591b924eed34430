/**
 * OIO WS-Trust 1.3 messages: the RequestSecurityToken (Issue) a WSC sends and the
 * RequestSecurityTokenResponseCollection the STS answers with (docs/protocol.md "Step 1").
 */
import type { Element } from "@xmldom/xmldom";
import type { Certificate } from "../pki/index.js";
import { escapeAttr, escapeText, NS, WSS, WST } from "./ns.js";
import { childElements, descendants, textOf, XmlParseError } from "./parse.js";
import { formatXsdDateTime, parseXsdDateTime } from "./wsse.js";

export interface RstParams {
  context: string;
  appliesTo: string;
  /** Requested token expiry (wst:Lifetime/wsu:Expires). */
  lifetimeExpiresMs?: number;
  /** Add wst:KeyType PublicKey and wst:UseKey with the certificate (as the .NET client does). */
  useKey?: { certificate: Certificate; id: string };
}

/** The wst:RequestSecurityToken element (prefixes wst, wsu, wsse, wsp, wsa must be in scope). */
export function rstXml(params: RstParams): string {
  let out = `<wst:RequestSecurityToken Context="${escapeAttr(params.context)}">`;
  if (params.useKey) out += `<wst:KeyType>${WST.keyTypePublicKey}</wst:KeyType>`;
  if (params.lifetimeExpiresMs !== undefined) {
    out += `<wst:Lifetime><wsu:Expires>${formatXsdDateTime(params.lifetimeExpiresMs)}</wsu:Expires></wst:Lifetime>`;
  }
  out += `<wst:RequestType>${WST.requestTypeIssue}</wst:RequestType><wst:TokenType>${WSS.samlV20}</wst:TokenType>`;
  if (params.useKey) {
    out += `<wst:UseKey><wsse:BinarySecurityToken wsu:Id="${escapeAttr(params.useKey.id)}" ValueType="${WSS.x509v3}" EncodingType="${WSS.base64Binary}">${params.useKey.certificate.base64}</wsse:BinarySecurityToken></wst:UseKey>`;
  }
  out += `<wsp:AppliesTo><wsa:EndpointReference><wsa:Address>${escapeText(params.appliesTo)}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>`;
  return `${out}</wst:RequestSecurityToken>`;
}

export interface RstContent {
  context: string | undefined;
  requestType: string;
  tokenType: string | undefined;
  appliesTo: string;
  lifetimeCreatedMs: number | undefined;
  lifetimeExpiresMs: number | undefined;
  /** ActAs / OnBehalfOf present (not allowed for a systembruger). */
  actAs: boolean;
}

function atMostOne(parent: Element, ns: string, name: string): Element | undefined {
  const found = childElements(parent, ns, name);
  if (found.length > 1)
    throw new XmlParseError(
      `wst:RequestSecurityToken holds ${found.length} ${name} elements; expected at most one`,
    );
  return found[0];
}

/** Reads a wst:RequestSecurityToken (Issue). Throws XmlParseError for a malformed one. */
export function readRst(rst: Element): RstContent {
  if (rst.namespaceURI !== NS.wst || rst.localName !== "RequestSecurityToken") {
    throw new XmlParseError(`the Body holds ${rst.tagName}; expected wst:RequestSecurityToken (${NS.wst})`);
  }
  const requestType = atMostOne(rst, NS.wst, "RequestType");
  if (!requestType) throw new XmlParseError("wst:RequestSecurityToken has no wst:RequestType");
  const tokenType = atMostOne(rst, NS.wst, "TokenType");
  const appliesTo = atMostOne(rst, NS.wsp, "AppliesTo");
  if (!appliesTo) throw new XmlParseError("wst:RequestSecurityToken has no wsp:AppliesTo");
  const epr = childElements(appliesTo, NS.wsa, "EndpointReference");
  const address = epr.length === 1 ? childElements(epr[0]!, NS.wsa, "Address") : [];
  if (address.length !== 1) {
    throw new XmlParseError("wsp:AppliesTo must hold one wsa:EndpointReference with one wsa:Address");
  }
  const lifetime = atMostOne(rst, NS.wst, "Lifetime");
  let lifetimeCreatedMs: number | undefined;
  let lifetimeExpiresMs: number | undefined;
  if (lifetime) {
    const created = childElements(lifetime, NS.wsu, "Created")[0];
    const expires = childElements(lifetime, NS.wsu, "Expires")[0];
    if (created) {
      lifetimeCreatedMs = parseXsdDateTime(textOf(created));
      if (lifetimeCreatedMs === undefined)
        throw new XmlParseError(`wst:Lifetime/wsu:Created "${textOf(created)}" is not an xs:dateTime`);
    }
    if (expires) {
      lifetimeExpiresMs = parseXsdDateTime(textOf(expires));
      if (lifetimeExpiresMs === undefined)
        throw new XmlParseError(`wst:Lifetime/wsu:Expires "${textOf(expires)}" is not an xs:dateTime`);
    }
  }
  const actAs =
    descendants(rst, NS.wst14, "ActAs").length > 0 ||
    descendants(rst, NS.wst, "ActAs").length > 0 ||
    descendants(rst, NS.wst, "OnBehalfOf").length > 0;
  return {
    context: rst.getAttribute("Context") ?? undefined,
    requestType: textOf(requestType),
    tokenType: tokenType ? textOf(tokenType) : undefined,
    appliesTo: textOf(address[0]!),
    lifetimeCreatedMs,
    lifetimeExpiresMs,
    actAs,
  };
}

export interface RstrcParams {
  context: string | undefined;
  appliesTo: string;
  encryptedAssertionXml: string;
  createdMs: number;
  expiresMs: number;
}

/** The RSTRC payload (prefixes wst, wsu, wsse, wsp, wsa in scope). */
export function rstrcXml(params: RstrcParams): string {
  const context = params.context !== undefined ? ` Context="${escapeAttr(params.context)}"` : "";
  const ref = `<wsse:SecurityTokenReference><wsse:Reference URI="#encryptedassertion"></wsse:Reference></wsse:SecurityTokenReference>`;
  return (
    `<wst:RequestSecurityTokenResponseCollection><wst:RequestSecurityTokenResponse${context}>` +
    `<wst:TokenType>${WSS.samlV20}</wst:TokenType>` +
    `<wsp:AppliesTo><wsa:EndpointReference><wsa:Address>${escapeText(params.appliesTo)}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>` +
    `<wst:RequestedSecurityToken>${params.encryptedAssertionXml}</wst:RequestedSecurityToken>` +
    `<wst:RequestedAttachedReference>${ref}</wst:RequestedAttachedReference>` +
    `<wst:RequestedUnattachedReference>${ref}</wst:RequestedUnattachedReference>` +
    `<wst:Lifetime><wsu:Created>${formatXsdDateTime(params.createdMs, "ms")}</wsu:Created><wsu:Expires>${formatXsdDateTime(params.expiresMs, "ms")}</wsu:Expires></wst:Lifetime>` +
    `</wst:RequestSecurityTokenResponse></wst:RequestSecurityTokenResponseCollection>`
  );
}

export interface RstrContent {
  context: string | undefined;
  tokenType: string | undefined;
  appliesTo: string | undefined;
  encryptedAssertion: Element;
  lifetimeCreatedMs: number | undefined;
  lifetimeExpiresMs: number | undefined;
}

/** Reads the one RSTR of an RSTRC (or a bare RSTR). Throws XmlParseError. */
export function readRstrc(payload: Element): RstrContent {
  let rstr = payload;
  if (payload.namespaceURI === NS.wst && payload.localName === "RequestSecurityTokenResponseCollection") {
    const all = childElements(payload, NS.wst, "RequestSecurityTokenResponse");
    if (all.length !== 1)
      throw new XmlParseError(`the RSTRC holds ${all.length} responses; expected exactly one`);
    rstr = all[0]!;
  } else if (!(payload.namespaceURI === NS.wst && payload.localName === "RequestSecurityTokenResponse")) {
    throw new XmlParseError(
      `the response Body holds ${payload.tagName}; expected wst:RequestSecurityTokenResponseCollection`,
    );
  }
  const requested = childElements(rstr, NS.wst, "RequestedSecurityToken");
  if (requested.length !== 1) throw new XmlParseError("the RSTR has no wst:RequestedSecurityToken");
  const encrypted = childElements(requested[0]!, NS.saml, "EncryptedAssertion");
  if (encrypted.length !== 1)
    throw new XmlParseError("wst:RequestedSecurityToken holds no saml:EncryptedAssertion");
  const tokenType = childElements(rstr, NS.wst, "TokenType")[0];
  const appliesTo = childElements(rstr, NS.wsp, "AppliesTo")[0];
  const address = appliesTo ? descendants(appliesTo, NS.wsa, "Address")[0] : undefined;
  const lifetime = childElements(rstr, NS.wst, "Lifetime")[0];
  const created = lifetime ? childElements(lifetime, NS.wsu, "Created")[0] : undefined;
  const expires = lifetime ? childElements(lifetime, NS.wsu, "Expires")[0] : undefined;
  return {
    context: rstr.getAttribute("Context") ?? undefined,
    tokenType: tokenType ? textOf(tokenType) : undefined,
    appliesTo: address ? textOf(address) : undefined,
    encryptedAssertion: encrypted[0]!,
    lifetimeCreatedMs: created ? parseXsdDateTime(textOf(created)) : undefined,
    lifetimeExpiresMs: expires ? parseXsdDateTime(textOf(expires)) : undefined,
  };
}

/**
 * The `EncryptedAssertion` element's text exactly as it occurs in `raw` (the response as
 * received), so that step 2 can send it on unchanged. Undefined when it is not found once.
 */
export function rawEncryptedAssertion(raw: string): string | undefined {
  const pattern =
    /<(?:([A-Za-z_][\w.-]*):)?EncryptedAssertion[\s>/][\s\S]*?<\/(?:\1:)?EncryptedAssertion\s*>/g;
  const matches = raw.match(pattern);
  return matches && matches.length === 1 ? matches[0] : undefined;
}
