/** Namespace URIs and algorithm identifiers of OIO WS-Trust / OIO IDWS (docs/protocol.md). */
export const NS = {
  soap11: "http://schemas.xmlsoap.org/soap/envelope/",
  soap12: "http://www.w3.org/2003/05/soap-envelope",
  wsa: "http://www.w3.org/2005/08/addressing",
  wsse: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
  wsse11: "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd",
  wsu: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
  wst: "http://docs.oasis-open.org/ws-sx/ws-trust/200512",
  wst14: "http://docs.oasis-open.org/ws-sx/ws-trust/200802",
  wsp: "http://schemas.xmlsoap.org/ws/2002/12/policy",
  ds: "http://www.w3.org/2000/09/xmldsig#",
  xenc: "http://www.w3.org/2001/04/xmlenc#",
  saml: "urn:oasis:names:tc:SAML:2.0:assertion",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
  xs: "http://www.w3.org/2001/XMLSchema",
  bpp: "http://itst.dk/oiosaml/basic_privilege_profile",
  xmlns: "http://www.w3.org/2000/xmlns/",
  xml: "http://www.w3.org/XML/1998/namespace",
  harness: "urn:smdb-harness:fault",
} as const;

export const ALG = {
  excC14n: "http://www.w3.org/2001/10/xml-exc-c14n#",
  envelopedSignature: "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
  rsaSha256: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  rsaSha1: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
  sha256: "http://www.w3.org/2001/04/xmlenc#sha256",
  sha1: "http://www.w3.org/2000/09/xmldsig#sha1",
  aes256cbc: "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
  rsaOaepMgf1p: "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
  xencElement: "http://www.w3.org/2001/04/xmlenc#Element",
  strTransform:
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#STR-Transform",
} as const;

export const WSS = {
  x509v3: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3",
  base64Binary:
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary",
  samlV20: "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
  samlId: "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID",
} as const;

export const WST = {
  issueAction: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue",
  /** The STS answers with the same action as the request (as NemLog-in does). */
  issueResponseAction: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue",
  requestTypeIssue: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
  keyTypePublicKey: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/PublicKey",
} as const;

export const SAML = {
  entityFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity",
  holderOfKey: "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key",
  basicNameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
  attrSpecVer: "dk:gov:saml:attribute:SpecVer",
  attrAssuranceLevel: "dk:gov:saml:attribute:AssuranceLevel",
  attrCvr: "dk:gov:saml:attribute:CvrNumberIdentifier",
  attrPrivileges: "dk:gov:saml:attribute:Privileges_intermediate",
} as const;

/** The id the STS gives the EncryptedData of every token (docs/protocol.md; the SAMLID of step 2). */
export const ENCRYPTED_ASSERTION_ID = "encryptedassertion";

/** Escapes text for element content. */
export function escapeText(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;");
}

/** Escapes text for a double-quoted attribute value. */
export function escapeAttr(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/"/g, "&quot;")
    .replace(/\t/g, "&#x9;")
    .replace(/\n/g, "&#xA;")
    .replace(/\r/g, "&#xD;");
}
