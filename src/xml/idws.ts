/**
 * OIO IDWS SOAP binding (step 2, SOAP 1.2): the WSC's request that carries the encrypted token
 * exactly as the STS issued it and proves possession of the token's key, and the WSP's signed
 * response. Signatures are built and checked by src/xml/dsig.ts; this module adds what the
 * binding says: the STR-Transform reference, the key named by the token, the parts to be signed.
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
import { type KeyObject, randomUUID } from "node:crypto";
import type { Document, Element } from "@xmldom/xmldom";
import { HarnessError } from "../core/errors.js";
import type { Certificate } from "../pki/index.js";
import {
  buildIdIndex,
  type CustomTransform,
  digestMatches,
  type IdIndex,
  type PreparedSignature,
  prepareSignature,
  type RequiredPart,
  requireSigned,
  SIGNATURE_PLACEHOLDER,
  SignatureError,
  type SignaturePolicy,
  type SignTransform,
  signatureValueVerifies,
  signXml,
  type VerifiedSignature,
  verifyReferences,
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

/** The STR-Transform's parameters as the signer writes them (canonical; `ds` in scope). */
const STR_TRANSFORM_PARAMETERS = `<wsse:TransformationParameters xmlns:wsse="${NS.wsse}"><ds:CanonicalizationMethod Algorithm="${ALG.excC14n}"></ds:CanonicalizationMethod></wsse:TransformationParameters>`;

/** Signing through the STR-Transform: the token the STR names, in the given canonical form. */
function strSignTransform(form: StrForm): SignTransform {
  return {
    algorithm: ALG.strTransform,
    parametersXml: STR_TRANSFORM_PARAMETERS,
    apply: (str) => strCanonicalForm(str, form),
  };
}

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
  const unsigned =
    `<soap:Envelope xmlns:soap="${SOAP12_NS}"><soap:Header>${headers}` +
    `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}" soap:mustUnderstand="true">` +
    timestampXml(ids.Timestamp, input.createdMs, expiresMs, "ms") +
    input.encryptedAssertionXml +
    strXml(ids.STR) +
    SIGNATURE_PLACEHOLDER +
    `</wsse:Security></soap:Header><soap:Body xmlns:wsu="${NS.wsu}" wsu:Id="${ids.Body}">${input.bodyXml}</soap:Body></soap:Envelope>`;
  const str = strSignTransform(input.strForm ?? "java");
  const xml = signXml(unsigned, {
    privateKey: input.privateKey,
    references: (input.sign ?? IDWS_REQUEST_PARTS).map((part) =>
      part === "STR" ? { id: ids[part], transform: str } : { id: ids[part] },
    ),
    signatureAlgorithm: input.signatureAlgorithm ?? ALG.rsaSha256,
    digestAlgorithm: input.digestAlgorithm ?? ALG.sha256,
    signatureId: `SIG-${randomUUID()}`,
    keyInfoXml: strXml(),
    canonicalSignedInfoText: true,
  });
  return { xml, messageId };
}

// ---------------------------------------------------------------------------------------------
// Reading a request (WSP side)

/** The SOAP 1.2 envelope of a step-2 request: structure and WS-Addressing headers, nothing read yet. */
export interface IdwsEnvelope {
  doc: Document;
  envelope: Element;
  header: Element | undefined;
  body: Element;
  /** The one element in the Body. */
  operation: Element;
  wsa: { action?: Element; messageId?: Element; to?: Element; replyTo?: Element; relatesTo?: Element };
}

/** A step-2 request taken apart: the envelope and its Security header. */
export interface IdwsRequestParts extends IdwsEnvelope {
  header: Element;
  security: Element;
  timestamp?: Element;
  encryptedAssertion: Element;
  /** The EncryptedData elements in the EncryptedAssertion (exactly one for a usable token). */
  encryptedDatas: Element[];
  /** The STR directly in the Security header (the one the STR-Transform reference covers). */
  str?: Element;
  signature?: Element;
  index: IdIndex;
}

function onlyChild(parent: Element, ns: string, local: string, what: string): Element | undefined {
  const found = childElements(parent, ns, local);
  if (found.length > 1)
    throw new XmlParseError(`${what} occurs ${found.length} times; expected at most once`);
  return found[0];
}

/**
 * The SOAP 1.2 envelope of a request (the root is known to be one): only Header and Body, the
 * Header first, one operation in the Body, each header block namespace-qualified, each wsa
 * header at most once. Throws MALFORMED_REQUEST.
 */
export function readIdwsEnvelope(doc: Document): IdwsEnvelope {
  const envelope = doc.documentElement!;
  if (envelope.localName !== "Envelope" || envelope.namespaceURI !== SOAP12_NS) {
    throw new XmlParseError(`the request's root is <${envelope.tagName}>; expected a SOAP 1.2 Envelope`);
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
  for (const block of header ? childElements(header) : []) {
    if (!block.namespaceURI) {
      throw new XmlParseError(
        `the SOAP header block <${block.tagName}> has no namespace; SOAP 1.2 requires every header block to be namespace-qualified`,
      );
    }
  }
  const wsa = header
    ? {
        action: onlyChild(header, NS.wsa, "Action", "wsa:Action"),
        messageId: onlyChild(header, NS.wsa, "MessageID", "wsa:MessageID"),
        to: onlyChild(header, NS.wsa, "To", "wsa:To"),
        replyTo: onlyChild(header, NS.wsa, "ReplyTo", "wsa:ReplyTo"),
        relatesTo: onlyChild(header, NS.wsa, "RelatesTo", "wsa:RelatesTo"),
      }
    : {};
  return { doc, envelope, header, body: bodyEl, operation: operations[0]!, wsa };
}

/**
 * The request's wsse:Security header: the token (TOKEN_MISSING when there is no header, no
 * Security or no EncryptedAssertion) and, each at most once (MALFORMED_REQUEST), the Timestamp,
 * the STR and the Signature.
 */
export function readIdwsSecurity(envelope: IdwsEnvelope): IdwsRequestParts {
  const { header } = envelope;
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
  return {
    ...envelope,
    header,
    security,
    timestamp: onlyChild(security, NS.wsu, "Timestamp", "wsu:Timestamp"),
    encryptedAssertion,
    encryptedDatas: childElements(encryptedAssertion, NS.xenc, "EncryptedData"),
    str: onlyChild(
      security,
      NS.wsse,
      "SecurityTokenReference",
      "wsse:SecurityTokenReference in wsse:Security",
    ),
    signature: onlyChild(security, NS.ds, "Signature", "ds:Signature in wsse:Security"),
    index: buildIdIndex(envelope.doc),
  };
}

/** The one xenc:EncryptedData of the token, or TOKEN_DECRYPT_FAILED. */
export function tokenEncryptedData(parts: IdwsRequestParts): Element {
  if (parts.encryptedDatas.length !== 1) {
    throw new HarnessError(
      "TOKEN_DECRYPT_FAILED",
      `the EncryptedAssertion holds ${parts.encryptedDatas.length} xenc:EncryptedData elements; expected exactly one`,
    );
  }
  return parts.encryptedDatas[0]!;
}

function tokenIdOf(encryptedData: Element): string {
  return encryptedData.getAttributeNS(NS.wsu, "Id") || encryptedData.getAttribute("Id") || "";
}

/**
 * The STR-Transform for verification: accepts whichever canonical form of the token (Java,
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
  const digestAlgorithm = childElements(reference, NS.ds, "DigestMethod")[0]?.getAttribute("Algorithm") ?? "";
  const digestValue = childElements(reference, NS.ds, "DigestValue")[0]?.textContent ?? "";
  let first: string | undefined;
  for (const { octets } of strCanonicalForms(target)) {
    first ??= octets;
    if (digestMatches(octets, digestAlgorithm, digestValue)) return octets;
  }
  return first ?? "";
};

/** The binding's signature policy: dsig's, plus the STR-Transform. */
function idwsSignaturePolicy(allowSha1: boolean): SignaturePolicy {
  return { allowSha1, customTransforms: { [ALG.strTransform]: strTransform } };
}

/**
 * Holder-of-key proof: the request's signature names the token as its key (KeyInfo = an STR to
 * the token's SAMLID) and its SignatureValue verifies with the key of the certificate confirmed in
 * the token — the one RSA verification of the request's signature. Throws HOK_PROOF_INVALID, or
 * SIGNATURE_INVALID for algorithms the policy refuses. Returns the prepared signature for
 * `verifyIdwsCoverage`.
 */
export function verifyHolderOfKey(
  parts: IdwsRequestParts,
  encryptedData: Element,
  hokCertificate: Certificate,
  options: { allowSha1: boolean },
): PreparedSignature {
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
  const tokenId = tokenIdOf(encryptedData);
  if (samlId === undefined || samlId !== tokenId) {
    throw new HarnessError(
      "HOK_PROOF_INVALID",
      `the signature's KeyInfo must be a SecurityTokenReference to the token (SAMLID "${tokenId}"); the key that signs must be the one of the token's certificate (SHA-256 ${thumb})`,
    );
  }
  if (
    childElements(signature, NS.ds, "SignedInfo").length !== 1 ||
    childElements(signature, NS.ds, "SignatureValue").length !== 1
  ) {
    throw new HarnessError(
      "HOK_PROOF_INVALID",
      "the ds:Signature needs exactly one SignedInfo and one SignatureValue",
    );
  }
  if (hokCertificate.publicKey.asymmetricKeyType !== "rsa") {
    throw new HarnessError(
      "HOK_PROOF_INVALID",
      `the token's certificate (SHA-256 ${thumb}) has a ${hokCertificate.publicKey.asymmetricKeyType ?? "non-RSA"} key; the binding's signatures (rsa-sha256, rsa-sha1) need an RSA key`,
    );
  }
  let prepared: PreparedSignature;
  try {
    prepared = prepareSignature(signature, hokCertificate.publicKey, idwsSignaturePolicy(options.allowSha1));
  } catch (error) {
    if (error instanceof HarnessError) throw new HarnessError("SIGNATURE_INVALID", error.message);
    throw error;
  }
  if (!signatureValueVerifies(prepared)) {
    throw new HarnessError(
      "HOK_PROOF_INVALID",
      `the request's signature does not verify with the key of the certificate the token is confirmed to (SHA-256 ${thumb}): the sender does not hold the token's key`,
    );
  }
  return prepared;
}

/**
 * The request's signature (already verified with the token's key by `verifyHolderOfKey`) covers
 * Timestamp, Body, the STR (through the STR-Transform, naming the very token used) and every wsa
 * header present, and every digest holds. Throws SIGNATURE_INVALID.
 */
export function verifyIdwsCoverage(
  parts: IdwsRequestParts,
  encryptedData: Element,
  prepared: PreparedSignature,
  hokCertificate: Certificate,
): VerifiedSignature {
  let verified: VerifiedSignature;
  try {
    verified = verifyReferences(prepared, parts.index);
  } catch (error) {
    if (error instanceof HarnessError) throw new HarnessError("SIGNATURE_INVALID", error.message);
    throw error;
  }
  const named: RequiredPart[] = [
    { name: "the Body", element: parts.body },
    { name: "the wsu:Timestamp", element: parts.timestamp },
    { name: "the SecurityTokenReference", element: parts.str },
  ];
  // Every wsa header present (FaultTo, From, RelatesTo, ... too): the binding signs each one.
  const known = [parts.wsa.action, parts.wsa.messageId, parts.wsa.to, parts.wsa.replyTo];
  const wsaHeaders = [
    ...known.filter((el): el is Element => el !== undefined),
    ...childElements(parts.header, NS.wsa).filter((el) => !known.includes(el)),
  ].map((el): RequiredPart => ({ name: `wsa:${el.localName}`, element: el }));
  requireSigned(
    verified,
    [...named, ...wsaHeaders],
    (missing) =>
      new HarnessError(
        "SIGNATURE_INVALID",
        `the request's signature by the token's key (SHA-256 ${hokCertificate.sha256}) does not cover ${missing.join(", ")}; the binding requires Timestamp, Body, every wsa header and the STR`,
      ),
    strProblems(parts, encryptedData, verified),
  );
  return verified;
}

/** What is wrong with the signed STR: not through the STR-Transform, or naming another token than the one used. */
function strProblems(parts: IdwsRequestParts, encryptedData: Element, verified: VerifiedSignature): string[] {
  if (!parts.str) return [];
  const strRef = verified.references.find((ref) => ref.element === parts.str);
  if (!strRef) return [];
  const problems: string[] = [];
  if (!(strRef.transforms.length === 1 && strRef.transforms[0] === ALG.strTransform)) {
    problems.push("the token (the STR must be signed through the STR-Transform)");
  }
  if (strSamlId(parts.str) !== tokenIdOf(encryptedData))
    problems.push("the token in the message (the STR names another SAMLID)");
  // The STR-Transform digested the element its SAMLID lookup found; that must be the very token
  // decrypted and used, not a copy of a signed token elsewhere in the message.
  else if (dereferenceStr(parts.str) !== encryptedData)
    problems.push("the token in the message (the STR-Transform resolves to another element)");
  return problems;
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
  let timestamp: Element;
  try {
    const security = readSecurityHeader(header!);
    signer = security.certificate;
    timestamp = security.timestamp;
    verified = verifySecurityHeaderSignature(security, buildIdIndex(doc), { allowSha1: true });
  } catch (error) {
    return fail(`the WSP response's signature does not hold: ${(error as Error).message}`);
  }
  const wsaHeader = (local: string): Element => {
    const el = childElements(header!, NS.wsa, local)[0];
    return el ?? fail(`the WSP response has no wsa:${local}`);
  };
  const relatesToEl = wsaHeader("RelatesTo");
  const messageIdEl = wsaHeader("MessageID");
  requireSigned(
    verified,
    [
      { name: "its Timestamp", element: timestamp },
      { name: "its Body", element: body! },
      { name: "its wsa:RelatesTo", element: relatesToEl },
      { name: "its wsa:MessageID", element: messageIdEl },
    ],
    (missing) =>
      new HarnessError(
        "WSP_RESPONSE_UNTRUSTED",
        `the WSP response's signature does not cover ${missing.join(", ")}`,
      ),
  );
  const read = (el: Element): string => (el.textContent ?? "").trim();
  const relatesTo = read(relatesToEl);
  const messageId = read(messageIdEl);
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
