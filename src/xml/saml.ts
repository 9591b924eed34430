/**
 * The holder-of-key SAML 2.0 assertion the NemLog-in STS issues for a systembruger (docs/protocol.md,
 * and the decrypted token example in the reference fixtures): default-namespace elements,
 * Issuer (entity), an enveloped exc-c14n signature by the STS signing key whose KeyInfo carries
 * the STS certificate (as the real STS does; verifiers must not trust it — they verify against
 * their configured STS certificates), Subject NameID (entity) with a holder-of-key
 * SubjectConfirmation carrying the client certificate, Conditions with one audience, and the
 * DK-SAML-2.0 attributes.
 */
import { randomUUID } from "node:crypto";
import type { Element } from "@xmldom/xmldom";
import { HarnessError } from "../core/errors.js";
import { Certificate, type Credential } from "../pki/index.js";
import {
  buildIdIndex,
  type IdIndex,
  SIGNATURE_PLACEHOLDER,
  SignatureError,
  signXml,
  verifySignature,
} from "./dsig.js";
import { ALG, escapeAttr, escapeText, NS, SAML } from "./ns.js";
import { childElements, textOf } from "./parse.js";
import { decodePrivileges, encodePrivileges, privilegesForCvr } from "./privileges.js";
import { formatXsdDateTime, parseXsdDateTime } from "./wsse.js";

export interface AssertionParams {
  /** Assertion ID (default `_` + UUID). */
  id?: string;
  issueInstantMs: number;
  /** Issuer entity ID: the wsa:To the client used. */
  issuer: string;
  /** The WSC's registered entity ID. */
  nameId: string;
  /** The client certificate (holder-of-key). */
  subjectCertificate: Certificate;
  notBeforeMs: number;
  notOnOrAfterMs: number;
  audience: string;
  cvr: string;
  privileges: readonly string[];
  /** The STS token-signing credential. */
  signing: Credential;
  /** Default rsa-sha256 / sha256. */
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
}

function attributeXml(name: string, friendly: string, value: string | null): string {
  const content =
    value === null
      ? `<AttributeValue xmlns:a="${NS.xsi}" a:nil="true"></AttributeValue>`
      : `<AttributeValue>${escapeText(value)}</AttributeValue>`;
  return `<Attribute Name="${name}" NameFormat="${SAML.basicNameFormat}" FriendlyName="${friendly}">${content}</Attribute>`;
}

/** The assertion XML with the signature placeholder (unsigned). */
export function assertionTemplate(params: AssertionParams, id: string): string {
  const privileges = params.privileges.length > 0 ? encodePrivileges(params.cvr, params.privileges) : null;
  return (
    `<Assertion xmlns="${NS.saml}" ID="${escapeAttr(id)}" IssueInstant="${formatXsdDateTime(params.issueInstantMs, "ms")}" Version="2.0">` +
    `<Issuer Format="${SAML.entityFormat}">${escapeText(params.issuer)}</Issuer>` +
    SIGNATURE_PLACEHOLDER +
    `<Subject><NameID Format="${SAML.entityFormat}">${escapeText(params.nameId)}</NameID>` +
    `<SubjectConfirmation Method="${SAML.holderOfKey}"><SubjectConfirmationData xmlns:a="${NS.xsi}" a:type="KeyInfoConfirmationDataType">` +
    `<KeyInfo xmlns="${NS.ds}"><X509Data><X509Certificate>${params.subjectCertificate.base64}</X509Certificate></X509Data></KeyInfo>` +
    `</SubjectConfirmationData></SubjectConfirmation></Subject>` +
    `<Conditions NotBefore="${formatXsdDateTime(params.notBeforeMs, "ms")}" NotOnOrAfter="${formatXsdDateTime(params.notOnOrAfterMs, "ms")}">` +
    `<AudienceRestriction><Audience>${escapeText(params.audience)}</Audience></AudienceRestriction></Conditions>` +
    `<AttributeStatement>` +
    attributeXml(SAML.attrSpecVer, "SpecVer", "DK-SAML-2.0") +
    attributeXml(SAML.attrAssuranceLevel, "AssuranceLevel", "3") +
    attributeXml(SAML.attrPrivileges, "Privileges", privileges) +
    attributeXml(SAML.attrCvr, "CVR", params.cvr) +
    `</AttributeStatement></Assertion>`
  );
}

/** Builds and signs the assertion (enveloped signature, exc-c14n, KeyInfo = STS certificate). */
export function buildSignedAssertion(params: AssertionParams): { id: string; xml: string } {
  const id = params.id ?? `_${randomUUID()}`;
  const xml = signXml(assertionTemplate(params, id), {
    privateKey: params.signing.key.privateKey,
    references: [{ id, enveloped: true }],
    signatureAlgorithm: params.signatureAlgorithm ?? ALG.rsaSha256,
    digestAlgorithm: params.digestAlgorithm ?? ALG.sha256,
    keyInfoXml: `<ds:X509Data><ds:X509Certificate>${params.signing.certificate.base64}</ds:X509Certificate></ds:X509Data>`,
  });
  return { id, xml };
}

// ---------------------------------------------------------------------------------------------
// Reading and verifying (used by the WSP)

export interface AssertionContent {
  id: string;
  issueInstantMs: number | undefined;
  issuer: string;
  nameId: string;
  subjectConfirmationMethod: string;
  /** The holder-of-key certificate from SubjectConfirmationData. */
  subjectCertificate: Certificate | undefined;
  notBeforeMs: number | undefined;
  notOnOrAfterMs: number | undefined;
  /** Every Audience of every AudienceRestriction. */
  audiences: string[];
  /** The Audiences per AudienceRestriction (SAML core §2.5.1.4: each one must be satisfied). */
  audienceRestrictions: string[][];
  attributes: Record<string, string[]>;
  cvr: string | undefined;
  /** Privileges scoped to the assertion's CVR. */
  privileges: string[];
}

function firstChild(parent: Element | undefined, name: string, ns: string = NS.saml): Element | undefined {
  return parent ? childElements(parent, ns, name)[0] : undefined;
}

/** Reads the assertion's content. Only call this on an assertion whose signature verified. */
export function readAssertion(assertion: Element): AssertionContent {
  const subject = firstChild(assertion, "Subject");
  const confirmation = firstChild(subject, "SubjectConfirmation");
  const data = firstChild(confirmation, "SubjectConfirmationData");
  const x509 = firstChild(
    firstChild(firstChild(data, "KeyInfo", NS.ds), "X509Data", NS.ds),
    "X509Certificate",
    NS.ds,
  );
  let subjectCertificate: Certificate | undefined;
  if (x509) {
    try {
      subjectCertificate = Certificate.fromBase64(textOf(x509));
    } catch {
      subjectCertificate = undefined;
    }
  }
  const conditions = firstChild(assertion, "Conditions");
  const audienceRestrictions = (
    conditions ? childElements(conditions, NS.saml, "AudienceRestriction") : []
  ).map((restriction) => childElements(restriction, NS.saml, "Audience").map(textOf));
  const audiences = audienceRestrictions.flat();
  const attributes: Record<string, string[]> = {};
  for (const statement of childElements(assertion, NS.saml, "AttributeStatement")) {
    for (const attribute of childElements(statement, NS.saml, "Attribute")) {
      const name = attribute.getAttribute("Name") ?? "";
      const values = childElements(attribute, NS.saml, "AttributeValue")
        .filter((v) => v.getAttributeNS(NS.xsi, "nil") !== "true")
        .map(textOf);
      attributes[name] = [...(attributes[name] ?? []), ...values];
    }
  }
  const cvr = attributes[SAML.attrCvr]?.[0];
  let privileges: string[] = [];
  const encoded = attributes[SAML.attrPrivileges]?.[0];
  if (encoded && cvr) privileges = privilegesForCvr(decodePrivileges(encoded), cvr);
  const issuerEl = firstChild(assertion, "Issuer");
  const time = (value: string | null) => (value ? parseXsdDateTime(value) : undefined);
  return {
    id: assertion.getAttribute("ID") ?? "",
    issueInstantMs: time(assertion.getAttribute("IssueInstant")),
    issuer: issuerEl ? textOf(issuerEl) : "",
    nameId: subject && firstChild(subject, "NameID") ? textOf(firstChild(subject, "NameID")!) : "",
    subjectConfirmationMethod: confirmation?.getAttribute("Method") ?? "",
    subjectCertificate,
    notBeforeMs: time(conditions?.getAttribute("NotBefore") ?? null),
    notOnOrAfterMs: time(conditions?.getAttribute("NotOnOrAfter") ?? null),
    audiences,
    audienceRestrictions,
    attributes,
    cvr,
    privileges,
  };
}

/** The assertion is not signed by a trusted STS certificate; reason TOKEN_SIGNATURE_INVALID or TOKEN_ISSUER_UNTRUSTED. */
export class AssertionSignatureError extends HarnessError {
  override readonly name = "AssertionSignatureError";
}

/**
 * Verifies the assertion's enveloped signature against the trusted STS certificates (never the
 * KeyInfo certificate). The one reference must be `#<Assertion/@ID>` resolving to the assertion
 * itself. Returns the certificate that verified.
 */
export function verifyAssertionSignature(
  assertion: Element,
  trusted: readonly Certificate[],
  options: { allowSha1: boolean; index?: IdIndex },
): Certificate {
  const signatures = childElements(assertion, NS.ds, "Signature");
  if (signatures.length !== 1) {
    throw new AssertionSignatureError(
      "TOKEN_SIGNATURE_INVALID",
      `the assertion holds ${signatures.length} ds:Signature elements; expected exactly one`,
    );
  }
  const signature = signatures[0]!;
  const refs = childElements(
    childElements(signature, NS.ds, "SignedInfo")[0] ?? signature,
    NS.ds,
    "Reference",
  );
  const id = assertion.getAttribute("ID") ?? "";
  if (refs.length !== 1 || refs[0]!.getAttribute("URI") !== `#${id}`) {
    throw new AssertionSignatureError(
      "TOKEN_SIGNATURE_INVALID",
      `the assertion signature must have exactly one reference, to the assertion's ID "#${id}"`,
    );
  }
  const index = options.index ?? buildIdIndex(assertion.ownerDocument!);
  const errors: string[] = [];
  for (const cert of trusted) {
    try {
      const verified = verifySignature(signature, index, cert.publicKey, {
        allowSha1: options.allowSha1,
        allowEnveloped: true,
      });
      if (!verified.signedElements.has(assertion))
        throw new SignatureError("SIGNATURE_INVALID", "the reference does not resolve to the assertion");
      return cert;
    } catch (error) {
      if (error instanceof SignatureError && error.reason === "UNSUPPORTED_ALGORITHM") {
        throw new AssertionSignatureError("TOKEN_SIGNATURE_INVALID", error.message);
      }
      errors.push(`${cert.sha256}: ${(error as Error).message}`);
    }
  }
  const signer = keyInfoCertificate(signature);
  const digestOk = errors.every((e) => e.includes("SignatureValue does not verify"));
  if (digestOk && signer && !trusted.some((c) => c.equals(signer))) {
    throw new AssertionSignatureError(
      "TOKEN_ISSUER_UNTRUSTED",
      `the assertion is signed by certificate ${signer.sha256}, which is not a trusted STS certificate; trusted: ${trusted.map((c) => c.sha256).join(", ") || "none"}`,
    );
  }
  throw new AssertionSignatureError(
    digestOk ? "TOKEN_ISSUER_UNTRUSTED" : "TOKEN_SIGNATURE_INVALID",
    `the assertion signature does not verify with any trusted STS certificate (${trusted.map((c) => c.sha256).join(", ") || "none"}): ${errors[0] ?? "no trusted certificate"}`,
  );
}

function keyInfoCertificate(signature: Element): Certificate | undefined {
  const x509 = firstChild(
    firstChild(firstChild(signature, "KeyInfo", NS.ds), "X509Data", NS.ds),
    "X509Certificate",
    NS.ds,
  );
  if (!x509) return undefined;
  try {
    return Certificate.fromBase64(textOf(x509));
  } catch {
    return undefined;
  }
}
