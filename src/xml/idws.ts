/**
 * OIO IDWS SOAP binding (step 2, SOAP 1.2): the WSC's request that carries the encrypted token
 * exactly as the STS issued it and proves possession of the token's key, and the WSP's signed
 * response.
 *
 * Request (shapes as in the Java reference trace `java-trace-3`):
 * - wsa headers `Action`, `MessageID`, `To`, `ReplyTo` (default namespace, each with `wsu:Id`);
 * - `wsse:Security` (mustUnderstand) with `wsu:Timestamp` (Created, Expires), the
 *   `saml2:EncryptedAssertion` byte for byte as received, a `wsse:SecurityTokenReference`
 *   (`wsse11:TokenType` …#SAMLV2.0, `wsse:KeyIdentifier` ValueType …#SAMLID = `encryptedassertion`)
 *   and a `ds:Signature` by the client's key over Timestamp, Body, every wsa header and the STR
 *   (the last through the STR-Transform), with KeyInfo = an STR to the same SAMLID.
 *
 * Response (`java-trace-4`): wsa `Action`, `MessageID`, `To` (anonymous), `RelatesTo`, and a
 * Security header with the WSP's BinarySecurityToken, a Timestamp and a signature over all of it.
 */
import {
  createHash,
  createSign,
  createVerify,
  type KeyObject,
  randomUUID,
  timingSafeEqual,
} from "node:crypto";
import type { Document, Element } from "@xmldom/xmldom";
import { HarnessError } from "../core/errors.js";
import type { Certificate } from "../pki/index.js";
import { canonicalize } from "./c14n.js";
import {
  buildIdIndex,
  type CustomTransform,
  type IdIndex,
  SIGNATURE_PLACEHOLDER,
  SignatureError,
  signXml,
  type VerifiedSignature,
  verifySignature,
} from "./dsig.js";
import { ALG, ENCRYPTED_ASSERTION_ID, escapeAttr, escapeText, NS, WSS } from "./ns.js";
import {
  childElements,
  LARGE_DOCUMENT_LIMITS,
  parseXml,
  requireElementOnlyContent,
  XmlParseError,
} from "./parse.js";
import { SOAP12_NS } from "./soap12.js";
import {
  dereferenceStr,
  type StrForm,
  strCanonicalForm,
  strCanonicalForms,
  strSamlId,
} from "./str-transform.js";
import {
  binarySecurityTokenXml,
  formatXsdDateTime,
  readSecurityHeader,
  strToBstXml,
  timestampXml,
  verifySecurityHeaderSignature,
} from "./wsse.js";

export const WSA_ANONYMOUS = "http://www.w3.org/2005/08/addressing/anonymous";

/** Parts of a request a signature can cover. */
export type IdwsPart = "Timestamp" | "Body" | "STR" | "Action" | "MessageID" | "To" | "ReplyTo";
export const IDWS_REQUEST_PARTS: readonly IdwsPart[] = [
  "Timestamp",
  "STR",
  "Body",
  "To",
  "ReplyTo",
  "MessageID",
  "Action",
];

const DIGEST_HASH: Record<string, "sha256" | "sha1"> = { [ALG.sha256]: "sha256", [ALG.sha1]: "sha1" };
const SIGNATURE_HASH: Record<string, "sha256" | "sha1"> = {
  [ALG.rsaSha256]: "sha256",
  [ALG.rsaSha1]: "sha1",
};

export interface IdwsRequestInput {
  action: string;
  /** wsa:To: the WSP endpoint. */
  to: string;
  messageId?: string;
  createdMs: number;
  /** Default: 5 minutes after Created. */
  expiresMs?: number;
  /** The `saml2:EncryptedAssertion` element exactly as the STS issued it (self-contained XML). */
  encryptedAssertionXml: string;
  /** The operation element for the Body (declares its own namespaces). */
  bodyXml: string;
  /** The client's private key: the key of the certificate in the token's SubjectConfirmation. */
  privateKey: KeyObject;
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
  /** Canonical form for the STR-Transform (default `java`, the standard WSS4J form). */
  strForm?: StrForm;
  /** Which parts the signature covers (default all of them, as the binding requires). */
  sign?: readonly IdwsPart[];
}

export interface IdwsRequest {
  xml: string;
  messageId: string;
}

/** The canonical octets of a SignedInfo for references that carry their own transform XML. */
function signedInfoXml(
  signatureAlgorithm: string,
  refs: Array<{ uri: string; transformsXml: string; digestAlgorithm: string; digestValue: string }>,
): string {
  let out = `<ds:SignedInfo xmlns:ds="${NS.ds}"><ds:CanonicalizationMethod Algorithm="${ALG.excC14n}"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm="${signatureAlgorithm}"></ds:SignatureMethod>`;
  for (const ref of refs) {
    out += `<ds:Reference URI="${escapeAttr(ref.uri)}"><ds:Transforms>${ref.transformsXml}</ds:Transforms><ds:DigestMethod Algorithm="${ref.digestAlgorithm}"></ds:DigestMethod><ds:DigestValue>${ref.digestValue}</ds:DigestValue></ds:Reference>`;
  }
  return `${out}</ds:SignedInfo>`;
}

const EXC_C14N_TRANSFORM = `<ds:Transform Algorithm="${ALG.excC14n}"></ds:Transform>`;
const STR_TRANSFORM = `<ds:Transform Algorithm="${ALG.strTransform}"><wsse:TransformationParameters xmlns:wsse="${NS.wsse}"><ds:CanonicalizationMethod Algorithm="${ALG.excC14n}"></ds:CanonicalizationMethod></wsse:TransformationParameters></ds:Transform>`;

function strXml(id?: string): string {
  const idAttr = id ? ` wsu:Id="${escapeAttr(id)}"` : "";
  return `<wsse:SecurityTokenReference xmlns:wsse11="${NS.wsse11}" wsse11:TokenType="${WSS.samlV20}"${idAttr}><wsse:KeyIdentifier ValueType="${WSS.samlId}">${ENCRYPTED_ASSERTION_ID}</wsse:KeyIdentifier></wsse:SecurityTokenReference>`;
}

function wsaHeader(name: string, id: string, content: string): string {
  return `<${name} xmlns="${NS.wsa}" xmlns:wsu="${NS.wsu}" wsu:Id="${id}">${content}</${name}>`;
}

/** Builds and signs an OIO IDWS request. */
export function buildIdwsRequest(input: IdwsRequestInput): IdwsRequest {
  const messageId = input.messageId ?? `urn:uuid:${randomUUID()}`;
  const ids: Record<IdwsPart, string> = {
    Action: `_${randomUUID()}`,
    MessageID: `_${randomUUID()}`,
    To: `_${randomUUID()}`,
    ReplyTo: `_${randomUUID()}`,
    Timestamp: `TS-${randomUUID()}`,
    STR: `STR-${randomUUID()}`,
    Body: `_${randomUUID()}`,
  };
  const expiresMs = input.expiresMs ?? input.createdMs + 5 * 60_000;
  const headers =
    wsaHeader("Action", ids.Action, escapeText(input.action)) +
    wsaHeader("MessageID", ids.MessageID, escapeText(messageId)) +
    wsaHeader("To", ids.To, escapeText(input.to)) +
    wsaHeader("ReplyTo", ids.ReplyTo, `<Address>${WSA_ANONYMOUS}</Address>`);
  const before =
    `<soap:Envelope xmlns:soap="${SOAP12_NS}"><soap:Header>${headers}` +
    `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}" soap:mustUnderstand="true">` +
    timestampXml(ids.Timestamp, input.createdMs, expiresMs, "ms") +
    input.encryptedAssertionXml +
    strXml(ids.STR);
  const after = `</wsse:Security></soap:Header><soap:Body xmlns:wsu="${NS.wsu}" wsu:Id="${ids.Body}">${input.bodyXml}</soap:Body></soap:Envelope>`;
  const unsigned = before + after;
  const doc = parseXml(unsigned, {
    maxBytes: 16 * 1024 * 1024,
    limits: LARGE_DOCUMENT_LIMITS,
    label: "request to sign",
  });
  const index = buildIdIndex(doc);
  const digestAlgorithm = input.digestAlgorithm ?? ALG.sha256;
  const signatureAlgorithm = input.signatureAlgorithm ?? ALG.rsaSha256;
  const hash = DIGEST_HASH[digestAlgorithm];
  const sigHash = SIGNATURE_HASH[signatureAlgorithm];
  if (!hash || !sigHash) throw new Error(`unsupported algorithms ${signatureAlgorithm} / ${digestAlgorithm}`);
  const refs = (input.sign ?? IDWS_REQUEST_PARTS).map((part) => {
    const el = index.get(ids[part])?.[0];
    if (!el) throw new Error(`buildIdwsRequest: part ${part} not found`);
    const octets = part === "STR" ? strCanonicalForm(el, input.strForm ?? "java") : canonicalize(el);
    return {
      uri: `#${ids[part]}`,
      transformsXml: part === "STR" ? STR_TRANSFORM : EXC_C14N_TRANSFORM,
      digestAlgorithm,
      digestValue: createHash(hash).update(octets, "utf8").digest("base64"),
    };
  });
  const signedInfo = signedInfoXml(signatureAlgorithm, refs);
  const value = createSign(sigHash).update(signedInfo, "utf8").sign(input.privateKey).toString("base64");
  const signature =
    `<ds:Signature xmlns:ds="${NS.ds}" Id="SIG-${randomUUID()}">${signedInfo}` +
    `<ds:SignatureValue>${value}</ds:SignatureValue><ds:KeyInfo>${strXml()}</ds:KeyInfo></ds:Signature>`;
  return { xml: before + signature + after, messageId };
}

// ---------------------------------------------------------------------------------------------
// Reading a request (WSP side)

export interface IdwsRequestParts {
  doc: Document;
  envelope: Element;
  header: Element;
  body: Element;
  /** The one element in the Body. */
  operation: Element;
  security: Element;
  timestamp?: Element;
  encryptedAssertion: Element;
  encryptedData: Element;
  /** The STR directly in the Security header (the one the STR-Transform reference covers). */
  str?: Element;
  signature?: Element;
  wsa: { action?: Element; messageId?: Element; to?: Element; replyTo?: Element; relatesTo?: Element };
  index: IdIndex;
}

function onlyChild(parent: Element, ns: string, local: string, what: string): Element | undefined {
  const found = childElements(parent, ns, local);
  if (found.length > 1)
    throw new XmlParseError(`${what} occurs ${found.length} times; expected at most once`);
  return found[0];
}

/**
 * Parses and takes apart a step-2 request. Throws `HarnessError` with MALFORMED_REQUEST (not a
 * SOAP 1.2 envelope, duplicated parts) or TOKEN_MISSING (no Security header or no token).
 */
export function readIdwsRequest(body: Buffer | string, maxBytes: number): IdwsRequestParts {
  const doc = parseXml(body, { maxBytes, label: "request" });
  const envelope = doc.documentElement!;
  if (envelope.localName !== "Envelope" || envelope.namespaceURI !== SOAP12_NS) {
    throw new XmlParseError(
      envelope.localName === "Envelope" && envelope.namespaceURI === NS.soap11
        ? "the request is a SOAP 1.1 envelope; the SMDB service speaks SOAP 1.2 (http://www.w3.org/2003/05/soap-envelope)"
        : `the request's root is <${envelope.tagName}>; expected a SOAP 1.2 Envelope`,
    );
  }
  for (const child of childElements(envelope)) {
    if (child.namespaceURI !== SOAP12_NS || !["Header", "Body"].includes(child.localName!)) {
      throw new XmlParseError(`unexpected element <${child.tagName}> in the SOAP Envelope`);
    }
  }
  const bodyEl = onlyChild(envelope, SOAP12_NS, "Body", "soap:Body");
  if (!bodyEl) throw new XmlParseError("the SOAP Envelope has no Body");
  const operations = childElements(bodyEl);
  if (operations.length !== 1) {
    throw new XmlParseError(
      `the SOAP Body holds ${operations.length} elements; expected exactly one operation`,
    );
  }
  const header = onlyChild(envelope, SOAP12_NS, "Header", "soap:Header");
  requireElementOnlyContent(envelope, "SOAP Envelope");
  if (header) requireElementOnlyContent(header, "SOAP Header");
  requireElementOnlyContent(bodyEl, "SOAP Body");
  if (header && header !== childElements(envelope)[0]) {
    throw new XmlParseError("the SOAP Header comes after the Body; SOAP 1.2 puts the Header first");
  }
  if (!header)
    throw new HarnessError(
      "TOKEN_MISSING",
      "the request has no SOAP Header, so no wsse:Security header and no token",
    );
  const security = onlyChild(header, NS.wsse, "Security", "wsse:Security");
  if (!security) {
    throw new HarnessError(
      "TOKEN_MISSING",
      "the request has no wsse:Security header, so no token; expected the EncryptedAssertion from the STS in it",
    );
  }
  const encryptedAssertion = onlyChild(security, NS.saml, "EncryptedAssertion", "saml2:EncryptedAssertion");
  if (!encryptedAssertion) {
    throw new HarnessError(
      "TOKEN_MISSING",
      "the wsse:Security header holds no saml2:EncryptedAssertion; expected the token from the STS exactly as issued",
    );
  }
  const encryptedDatas = childElements(encryptedAssertion, NS.xenc, "EncryptedData");
  if (encryptedDatas.length !== 1) {
    throw new HarnessError(
      "TOKEN_DECRYPT_FAILED",
      `the EncryptedAssertion holds ${encryptedDatas.length} xenc:EncryptedData elements; expected exactly one`,
    );
  }
  const wsa = {
    action: onlyChild(header, NS.wsa, "Action", "wsa:Action"),
    messageId: onlyChild(header, NS.wsa, "MessageID", "wsa:MessageID"),
    to: onlyChild(header, NS.wsa, "To", "wsa:To"),
    replyTo: onlyChild(header, NS.wsa, "ReplyTo", "wsa:ReplyTo"),
    relatesTo: onlyChild(header, NS.wsa, "RelatesTo", "wsa:RelatesTo"),
  };
  return {
    doc,
    envelope,
    header,
    body: bodyEl,
    operation: operations[0]!,
    security,
    timestamp: onlyChild(security, NS.wsu, "Timestamp", "wsu:Timestamp"),
    encryptedAssertion,
    encryptedData: encryptedDatas[0]!,
    str: onlyChild(
      security,
      NS.wsse,
      "SecurityTokenReference",
      "wsse:SecurityTokenReference in wsse:Security",
    ),
    signature: onlyChild(security, NS.ds, "Signature", "ds:Signature in wsse:Security"),
    wsa,
    index: buildIdIndex(doc),
  };
}

const SIGNATURE_VALUE_RE = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Holder-of-key proof: the request's signature value verifies over its SignedInfo with the key
 * of the certificate confirmed in the token, and its KeyInfo names the token. Throws
 * HOK_PROOF_INVALID otherwise.
 */
export function verifyHolderOfKey(parts: IdwsRequestParts, hokCertificate: Certificate): void {
  const thumb = hokCertificate.sha256;
  const signature = parts.signature;
  if (!signature) {
    throw new HarnessError(
      "HOK_PROOF_INVALID",
      `the request carries no ds:Signature, so it does not prove possession of the key of the token's certificate (SHA-256 ${thumb})`,
    );
  }
  const keyInfo = childElements(signature, NS.ds, "KeyInfo");
  const keyStr = keyInfo.length === 1 ? childElements(keyInfo[0]!) : [];
  let samlId: string | undefined;
  try {
    if (keyStr.length === 1) samlId = strSamlId(keyStr[0]!);
  } catch {
    samlId = undefined;
  }
  const tokenId =
    parts.encryptedData.getAttributeNS(NS.wsu, "Id") || parts.encryptedData.getAttribute("Id") || "";
  if (samlId === undefined || samlId !== tokenId) {
    throw new HarnessError(
      "HOK_PROOF_INVALID",
      `the signature's KeyInfo must be a SecurityTokenReference to the token (SAMLID "${tokenId}"); the key that signs must be the one of the token's certificate (SHA-256 ${thumb})`,
    );
  }
  const signedInfos = childElements(signature, NS.ds, "SignedInfo");
  const values = childElements(signature, NS.ds, "SignatureValue");
  if (signedInfos.length !== 1 || values.length !== 1) {
    throw new HarnessError(
      "HOK_PROOF_INVALID",
      "the ds:Signature needs exactly one SignedInfo and one SignatureValue",
    );
  }
  const methods = childElements(signedInfos[0]!, NS.ds, "SignatureMethod");
  const c14nMethods = childElements(signedInfos[0]!, NS.ds, "CanonicalizationMethod");
  const hash = methods.length === 1 ? SIGNATURE_HASH[methods[0]!.getAttribute("Algorithm") ?? ""] : undefined;
  if (!hash || c14nMethods.length !== 1 || c14nMethods[0]!.getAttribute("Algorithm") !== ALG.excC14n) {
    throw new HarnessError(
      "SIGNATURE_INVALID",
      `the signature must use exc-c14n and ${ALG.rsaSha256} (or ${ALG.rsaSha1}); got ${methods[0]?.getAttribute("Algorithm") ?? "none"}`,
    );
  }
  if (hokCertificate.publicKey.asymmetricKeyType !== "rsa") {
    throw new HarnessError(
      "HOK_PROOF_INVALID",
      `the token's certificate (SHA-256 ${thumb}) has a ${hokCertificate.publicKey.asymmetricKeyType ?? "non-RSA"} key; the binding's signatures (rsa-sha256, rsa-sha1) need an RSA key`,
    );
  }
  const inclusive = childElements(c14nMethods[0]!, ALG.excC14n, "InclusiveNamespaces")[0];
  const prefixes = (inclusive?.getAttribute("PrefixList") ?? "").split(/\s+/).filter(Boolean);
  const value = (values[0]!.textContent ?? "").replace(/\s+/g, "");
  const ok =
    SIGNATURE_VALUE_RE.test(value) &&
    createVerify(hash)
      .update(canonicalize(signedInfos[0]!, prefixes), "utf8")
      .verify(hokCertificate.publicKey, Buffer.from(value, "base64"));
  if (!ok) {
    throw new HarnessError(
      "HOK_PROOF_INVALID",
      `the request's signature does not verify with the key of the certificate the token is confirmed to (SHA-256 ${thumb}): the sender does not hold the token's key`,
    );
  }
}

/**
 * The STR-Transform for `verifySignature`: accepts whichever canonical form of the token (Java,
 * .NET, rooted at EncryptedAssertion) matches the reference's digest.
 */
const strTransform: CustomTransform = (target, transform) => {
  const params = childElements(transform, NS.wsse, "TransformationParameters");
  const method = params.length === 1 ? childElements(params[0]!, NS.ds, "CanonicalizationMethod") : [];
  if (method.length !== 1 || method[0]!.getAttribute("Algorithm") !== ALG.excC14n) {
    throw new SignatureError(
      "SIGNATURE_INVALID",
      `the STR-Transform must name exc-c14n (${ALG.excC14n}) in wsse:TransformationParameters`,
    );
  }
  const reference = transform.parentNode!.parentNode as Element;
  const digestMethod = childElements(reference, NS.ds, "DigestMethod")[0];
  const digestValue = childElements(reference, NS.ds, "DigestValue")[0];
  const hash = DIGEST_HASH[digestMethod?.getAttribute("Algorithm") ?? ""];
  const expected = Buffer.from((digestValue?.textContent ?? "").replace(/\s+/g, ""), "base64");
  let first: string | undefined;
  for (const { octets } of strCanonicalForms(target)) {
    first ??= octets;
    if (!hash) break;
    const actual = createHash(hash).update(octets, "utf8").digest();
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) return octets;
  }
  return first ?? "";
};

/**
 * Verifies the request's signature (digests of every reference, under exc-c14n and the
 * STR-Transform) and that it covers Timestamp, Body, the STR and every wsa header present.
 * Throws SIGNATURE_INVALID. Call after `verifyHolderOfKey`.
 */
export function verifyIdwsCoverage(
  parts: IdwsRequestParts,
  hokCertificate: Certificate,
  options: { allowSha1: boolean },
): VerifiedSignature {
  let verified: VerifiedSignature;
  try {
    verified = verifySignature(parts.signature!, parts.index, hokCertificate.publicKey, {
      allowSha1: options.allowSha1,
      customTransforms: { [ALG.strTransform]: strTransform },
    });
  } catch (error) {
    if (error instanceof HarnessError) throw new HarnessError("SIGNATURE_INVALID", error.message);
    throw error;
  }
  const required: Array<[string, Element | undefined]> = [
    ["the Body", parts.body],
    ["the wsu:Timestamp", parts.timestamp],
    ["the SecurityTokenReference", parts.str],
    ["wsa:Action", parts.wsa.action],
    ["wsa:MessageID", parts.wsa.messageId],
    ["wsa:To", parts.wsa.to],
    ["wsa:ReplyTo", parts.wsa.replyTo],
  ];
  const missing: string[] = [];
  for (const [name, el] of required) {
    if (name === "the wsu:Timestamp" || name === "the SecurityTokenReference" || name === "the Body") {
      if (!el) missing.push(`${name} (absent)`);
      else if (!verified.signedElements.has(el)) missing.push(name);
    } else if (el && !verified.signedElements.has(el)) missing.push(name);
  }
  // Every other wsa header too (FaultTo, From, RelatesTo, ...): the binding signs each one.
  const named = new Set(required.map(([, el]) => el));
  for (const el of childElements(parts.header, NS.wsa)) {
    if (!named.has(el) && !verified.signedElements.has(el)) missing.push(`wsa:${el.localName}`);
  }
  if (parts.str) {
    const strRef = verified.references.find((ref) => ref.element === parts.str);
    if (strRef && !(strRef.transforms.length === 1 && strRef.transforms[0] === ALG.strTransform)) {
      missing.push("the token (the STR must be signed through the STR-Transform)");
    }
    const tokenId =
      parts.encryptedData.getAttributeNS(NS.wsu, "Id") || parts.encryptedData.getAttribute("Id");
    if (strRef && strSamlId(parts.str) !== tokenId)
      missing.push("the token in the message (the STR names another SAMLID)");
    // The STR-Transform digested the element its SAMLID lookup found; that must be the very token
    // decrypted and used, not a copy of a signed token elsewhere in the message.
    else if (strRef && dereferenceStr(parts.str) !== parts.encryptedData)
      missing.push("the token in the message (the STR-Transform resolves to another element)");
  }
  if (missing.length > 0) {
    throw new HarnessError(
      "SIGNATURE_INVALID",
      `the request's signature by the token's key (SHA-256 ${hokCertificate.sha256}) does not cover ${missing.join(", ")}; the binding requires Timestamp, Body, every wsa header and the STR`,
    );
  }
  return verified;
}

// ---------------------------------------------------------------------------------------------
// Response

export interface IdwsResponseInput {
  action: string;
  relatesTo: string;
  nowMs: number;
  /** The operation's response element (or a fault element) for the Body. */
  bodyXml: string;
  certificate: Certificate;
  privateKey: KeyObject;
  messageId?: string;
}

/** A signed response: signature over Action, MessageID, To, RelatesTo, Timestamp, BST and Body. */
export function buildIdwsResponse(input: IdwsResponseInput): { xml: string; messageId: string } {
  const messageId = input.messageId ?? `urn:uuid:${randomUUID()}`;
  const id = () => `_${randomUUID()}`;
  const ids = {
    action: id(),
    messageId: id(),
    to: id(),
    relatesTo: id(),
    ts: `TS-${randomUUID()}`,
    bst: `X509-${randomUUID()}`,
    body: id(),
  };
  const xml =
    `<soap:Envelope xmlns:soap="${SOAP12_NS}"><soap:Header>` +
    wsaHeader("Action", ids.action, escapeText(input.action)) +
    wsaHeader("MessageID", ids.messageId, escapeText(messageId)) +
    wsaHeader("To", ids.to, WSA_ANONYMOUS) +
    wsaHeader("RelatesTo", ids.relatesTo, escapeText(input.relatesTo)) +
    `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}" soap:mustUnderstand="true">` +
    binarySecurityTokenXml(ids.bst, input.certificate) +
    timestampXml(ids.ts, input.nowMs, input.nowMs + 5 * 60_000, "ms") +
    SIGNATURE_PLACEHOLDER +
    `</wsse:Security></soap:Header><soap:Body xmlns:wsu="${NS.wsu}" wsu:Id="${ids.body}">${input.bodyXml}</soap:Body></soap:Envelope>`;
  const signed = signXml(xml, {
    privateKey: input.privateKey,
    references: [ids.ts, ids.body, ids.to, ids.messageId, ids.relatesTo, ids.action, ids.bst].map((i) => ({
      id: i,
    })),
    keyInfoXml: strToBstXml(ids.bst),
  });
  return { xml: signed, messageId };
}

export interface VerifiedIdwsResponse {
  doc: Document;
  /** The one element of the signed Body. */
  operation: Element;
  signer: Certificate;
  relatesTo: string;
  messageId: string;
}

/**
 * Verifies a WSP response: signed by its BST's key over Body, Timestamp and the wsa headers,
 * RelatesTo = the request's MessageID, and (when given) the BST is the expected WSP certificate.
 * Throws HarnessError WSP_RESPONSE_UNTRUSTED.
 */
export function verifyIdwsResponse(
  xml: Buffer | string,
  expect: { relatesTo: string; wspCertificates?: Certificate[]; maxBytes?: number },
): VerifiedIdwsResponse {
  const fail = (message: string): never => {
    throw new HarnessError("WSP_RESPONSE_UNTRUSTED", message);
  };
  let doc: Document;
  try {
    doc = parseXml(xml, {
      maxBytes: expect.maxBytes ?? 16 * 1024 * 1024,
      limits: LARGE_DOCUMENT_LIMITS,
      label: "WSP response",
    });
  } catch (error) {
    return fail(`the WSP response is not usable XML: ${(error as Error).message}`);
  }
  const envelope = doc.documentElement!;
  const header = childElements(envelope, SOAP12_NS, "Header")[0];
  const body = childElements(envelope, SOAP12_NS, "Body")[0];
  if (envelope.namespaceURI !== SOAP12_NS || !header || !body)
    fail("the WSP response is not a SOAP 1.2 envelope with Header and Body");
  let verified: VerifiedSignature;
  let signer: Certificate;
  try {
    const security = readSecurityHeader(header!);
    signer = security.certificate;
    verified = verifySecurityHeaderSignature(security, buildIdIndex(doc), { allowSha1: true });
    if (!verified.signedElements.has(security.timestamp))
      fail("the WSP response's signature does not cover its Timestamp");
  } catch (error) {
    if (error instanceof HarnessError && error.reason === "WSP_RESPONSE_UNTRUSTED") throw error;
    return fail(`the WSP response's signature does not hold: ${(error as Error).message}`);
  }
  if (!verified.signedElements.has(body!)) fail("the WSP response's signature does not cover its Body");
  const read = (local: string): string => {
    const el = childElements(header!, NS.wsa, local)[0];
    if (!el) return fail(`the WSP response has no wsa:${local}`);
    if (!verified.signedElements.has(el)) fail(`the WSP response's wsa:${local} is not signed`);
    return (el.textContent ?? "").trim();
  };
  const relatesTo = read("RelatesTo");
  const messageId = read("MessageID");
  if (relatesTo !== expect.relatesTo) {
    fail(
      `the WSP response relates to "${relatesTo}"; expected the request's MessageID "${expect.relatesTo}"`,
    );
  }
  if (expect.wspCertificates && expect.wspCertificates.length > 0) {
    if (!expect.wspCertificates.some((c) => c.sha256 === signer!.sha256)) {
      fail(
        `the WSP response is signed by certificate SHA-256 ${signer!.sha256}; expected ${expect.wspCertificates.map((c) => c.sha256).join(" or ")}`,
      );
    }
  }
  const operations = childElements(body!);
  if (operations.length !== 1)
    fail(`the WSP response's Body holds ${operations.length} elements; expected one`);
  return { doc, operation: operations[0]!, signer: signer!, relatesTo, messageId };
}

export { formatXsdDateTime };
