/**
 * The token checks of the WSP (docs/protocol.md step 2, in order): decrypt the EncryptedAssertion
 * with the WSP key, verify the assertion's enveloped signature against the STS certificate(s)
 * the environment's trust policy accepts, then read the claims — only from the verified
 * Assertion element. Decryption, signature and reading are the shared src/xml code.
 */
import type { Element } from "@xmldom/xmldom";
import { HarnessError } from "../core/errors.js";
import { Certificate, type Credential } from "../pki/index.js";
import { type DecryptedAssertion, decryptAssertion } from "../xml/encryption.js";
import { NS } from "../xml/ns.js";
import { childElements } from "../xml/parse.js";
import { type AssertionContent, readAssertion, verifyAssertionSignature } from "../xml/saml.js";

export type StsTrust =
  /** Trust the certificate(s) the STS signs with now (default). */
  | { mode: "current" }
  /** Trust exactly these certificate thumbprints (SHA-1 or SHA-256 hex), like .NET `trustedIssuers`. */
  | { mode: "pin-thumbprint"; thumbprints: string[] }
  /** Trust a certificate with this subject that chains to one of the anchors and is valid now. */
  | { mode: "subject-and-chain"; subjects: string[]; anchors: Certificate[] };

export interface VerifiedToken {
  assertion: Element;
  content: AssertionContent;
  /** The STS certificate that signed the token. */
  stsCertificate: Certificate;
}

export interface TokenCheckOptions {
  wspCredential: Credential;
  trust: StsTrust;
  /** The certificate(s) the STS of this environment signs with now. */
  currentSts: Certificate[];
  nowMs: number;
  allowSha1: boolean;
}

function keyInfoCertificate(assertion: Element): Certificate | undefined {
  const signature = childElements(assertion, NS.ds, "Signature")[0];
  const keyInfo = signature && childElements(signature, NS.ds, "KeyInfo")[0];
  const data = keyInfo && childElements(keyInfo, NS.ds, "X509Data")[0];
  const cert = data && childElements(data, NS.ds, "X509Certificate")[0];
  if (!cert) return undefined;
  try {
    return Certificate.fromBase64(cert.textContent ?? "");
  } catch {
    return undefined;
  }
}

/** The certificates the trust policy accepts as token signers for this assertion. */
export function trustedSigners(assertion: Element, options: TokenCheckOptions): Certificate[] {
  const candidates = [...options.currentSts];
  const fromKeyInfo = keyInfoCertificate(assertion);
  if (fromKeyInfo && !candidates.some((c) => c.sha256 === fromKeyInfo.sha256))
    candidates.unshift(fromKeyInfo);
  return candidates.filter((cert) => isTrusted(cert, options.trust, options.currentSts, options.nowMs));
}

/**
 * Step 2's first checks, in the order of docs/protocol.md: decrypt with the WSP key (TOKEN_DECRYPT_FAILED),
 * then the assertion's signature against the certificates the trust policy accepts
 * (TOKEN_SIGNATURE_INVALID, TOKEN_ISSUER_UNTRUSTED). Claims are read only from the verified
 * assertion.
 */
export function verifyToken(encryptedAssertion: Element, options: TokenCheckOptions): VerifiedToken {
  let decrypted: DecryptedAssertion;
  try {
    decrypted = decryptAssertion(encryptedAssertion, options.wspCredential.key.privateKey);
  } catch (error) {
    if (!(error instanceof HarnessError)) throw error;
    throw new HarnessError(
      "TOKEN_DECRYPT_FAILED",
      `${error.message}; this WSP decrypts with the key of its certificate SHA-256 ${options.wspCredential.certificate.sha256} (a token for another service or environment cannot be decrypted here)`,
    );
  }
  const { assertion } = decrypted;
  if (assertion.namespaceURI !== NS.saml || assertion.localName !== "Assertion") {
    throw new HarnessError(
      "TOKEN_SIGNATURE_INVALID",
      `the decrypted token is a <${assertion.tagName}>; expected a saml2:Assertion`,
    );
  }
  const trusted = trustedSigners(assertion, options);
  let stsCertificate: Certificate;
  try {
    stsCertificate = verifyAssertionSignature(assertion, trusted, { allowSha1: options.allowSha1 });
  } catch (error) {
    if (!(error instanceof HarnessError)) throw error;
    if (error.reason === "TOKEN_ISSUER_UNTRUSTED") {
      const signer = keyInfoCertificate(assertion);
      throw new HarnessError(
        "TOKEN_ISSUER_UNTRUSTED",
        `the token is signed by STS certificate ${signer ? `SHA-256 ${signer.sha256} (SHA-1 ${signer.sha1})` : "(not named in its KeyInfo)"}, which this WSP does not trust; it trusts ${trustDescription(options.trust, options.currentSts)} (trust mode ${options.trust.mode})`,
      );
    }
    throw new HarnessError("TOKEN_SIGNATURE_INVALID", error.message);
  }
  return { assertion, content: readAssertion(assertion), stsCertificate };
}

function trustDescription(trust: StsTrust, current: Certificate[]): string {
  switch (trust.mode) {
    case "current":
      return `the STS's current signing certificate${current.length === 1 ? "" : "s"} (SHA-256 ${current.map((c) => c.sha256).join(", ") || "none"})`;
    case "pin-thumbprint":
      return `only the pinned thumbprint${trust.thumbprints.length === 1 ? "" : "s"} ${trust.thumbprints.join(", ") || "(none configured)"}`;
    case "subject-and-chain":
      return `a certificate with subject ${trust.subjects.map((s) => `"${s.replace(/\n/g, ", ")}"`).join(" or ")} issued by a trusted CA and valid now`;
  }
}

function isTrusted(cert: Certificate, trust: StsTrust, current: Certificate[], nowMs: number): boolean {
  switch (trust.mode) {
    case "current":
      return current.some((c) => c.sha256 === cert.sha256);
    case "pin-thumbprint": {
      const pins = trust.thumbprints.map((t) => t.replace(/[^0-9a-f]/gi, "").toUpperCase());
      return pins.includes(cert.sha256) || pins.includes(cert.sha1);
    }
    case "subject-and-chain":
      return (
        trust.subjects.includes(cert.subject) &&
        cert.isValidAt(nowMs) &&
        trust.anchors.some((anchor) => anchor.sha256 !== cert.sha256 && cert.isIssuedBy(anchor))
      );
  }
}
