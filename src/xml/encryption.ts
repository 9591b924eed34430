/**
 * XML Encryption of the SAML assertion as the NemLog-in STS does it: the assertion as an
 * `xenc:EncryptedData` (Type Element, aes256-cbc) inside
 * `saml:EncryptedAssertion`, the AES key wrapped with rsa-oaep-mgf1p (SHA-1) to the WSP's
 * certificate, which the EncryptedKey names by issuer and serial number.
 *
 * The EncryptedData carries its id `encryptedassertion` twice: as `Id` (XML Encryption's own
 * attribute, as docs/protocol.md words it) and as `wsu:Id` (what the real STS writes, see the Java trace
 * and the STR-Transform examples), so that a SAMLID lookup by either finds it. Both name the
 * same element, so an id index sees one element, not a duplicate.
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from "node:crypto";
import type { Document, Element } from "@xmldom/xmldom";
import { HarnessError } from "../core/errors.js";
import type { Certificate } from "../pki/index.js";
import { ALG, ENCRYPTED_ASSERTION_ID, escapeText, NS } from "./ns.js";
import { childElements, parseXml } from "./parse.js";

/** RFC 2253-style issuer name as .NET writes it in X509IssuerName: "CN=…, O=…, C=DK". */
export function issuerNameRfc2253(certificate: Certificate): string {
  return certificate.issuer
    .split("\n")
    .filter((line) => line !== "")
    .reverse()
    .join(", ");
}

export function serialNumberDecimal(certificate: Certificate): string {
  return BigInt(`0x${certificate.serialNumber}`).toString(10);
}

export interface EncryptOptions {
  /** Id of the EncryptedData (default `encryptedassertion`). */
  id?: string;
}

/** Encrypts a (signed) assertion for the WSP; returns the `saml:EncryptedAssertion` XML. */
export function encryptAssertion(
  signedAssertionXml: string,
  wspCertificate: Certificate,
  options: EncryptOptions = {},
): string {
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  const cipherText = Buffer.concat([iv, cipher.update(signedAssertionXml, "utf8"), cipher.final()]);
  const wrapped = publicEncrypt(
    { key: wspCertificate.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
    key,
  );
  const id = options.id ?? ENCRYPTED_ASSERTION_ID;
  return (
    `<EncryptedAssertion xmlns="${NS.saml}">` +
    `<xenc:EncryptedData xmlns:xenc="${NS.xenc}" xmlns:wsu="${NS.wsu}" Type="${ALG.xencElement}" Id="${id}" wsu:Id="${id}">` +
    `<xenc:EncryptionMethod Algorithm="${ALG.aes256cbc}"></xenc:EncryptionMethod>` +
    `<KeyInfo xmlns="${NS.ds}"><e:EncryptedKey xmlns:e="${NS.xenc}">` +
    `<e:EncryptionMethod Algorithm="${ALG.rsaOaepMgf1p}"><DigestMethod Algorithm="${ALG.sha1}"></DigestMethod></e:EncryptionMethod>` +
    `<KeyInfo><o:SecurityTokenReference xmlns:o="${NS.wsse}"><X509Data><X509IssuerSerial>` +
    `<X509IssuerName>${escapeText(issuerNameRfc2253(wspCertificate))}</X509IssuerName>` +
    `<X509SerialNumber>${serialNumberDecimal(wspCertificate)}</X509SerialNumber>` +
    `</X509IssuerSerial></X509Data></o:SecurityTokenReference></KeyInfo>` +
    `<e:CipherData><e:CipherValue>${wrapped.toString("base64")}</e:CipherValue></e:CipherData></e:EncryptedKey></KeyInfo>` +
    `<xenc:CipherData><xenc:CipherValue>${cipherText.toString("base64")}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedData></EncryptedAssertion>`
  );
}

/** A token that cannot be decrypted; reason `TOKEN_DECRYPT_FAILED`. */
export class DecryptionError extends HarnessError {
  override readonly name = "DecryptionError";
  constructor(message: string) {
    super("TOKEN_DECRYPT_FAILED", message);
  }
}

export interface DecryptedAssertion {
  /** The assertion's XML exactly as decrypted. */
  assertionXml: string;
  /** Its own parsed document (safe-parsed). */
  doc: Document;
  assertion: Element;
}

function only(parent: Element, ns: string, name: string): Element {
  const found = childElements(parent, ns, name);
  if (found.length !== 1) {
    throw new DecryptionError(
      `${parent.tagName} holds ${found.length} ${name} elements; expected exactly one`,
    );
  }
  return found[0]!;
}

function cipherValue(parent: Element): Buffer {
  const data = only(parent, NS.xenc, "CipherData");
  const value = (only(data, NS.xenc, "CipherValue").textContent ?? "").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw new DecryptionError("an xenc:CipherValue is not base64");
  return Buffer.from(value, "base64");
}

/**
 * Whatever goes wrong once the private key is used (key unwrap, AES, padding, the plaintext not
 * being one well-formed assertion) gets this one sentence: distinct answers would be a
 * decryption oracle (padding or well-formedness, as in the attacks on XML Encryption's CBC mode),
 * and a parser message could even quote decrypted octets.
 */
const UNDECRYPTABLE =
  "the token cannot be decrypted with this WSP's private key into one saml:Assertion (encrypted to another certificate, or altered)";

/**
 * Decrypts a `saml:EncryptedAssertion` (element, or its XML) with the WSP's private key. Accepts
 * aes256-cbc content and rsa-oaep-mgf1p key transport only. Throws DecryptionError.
 */
export function decryptAssertion(encrypted: Element | string, wspPrivateKey: KeyObject): DecryptedAssertion {
  let root: Element;
  if (typeof encrypted === "string") {
    try {
      root = parseXml(encrypted, { label: "EncryptedAssertion" }).documentElement!;
    } catch (error) {
      throw new DecryptionError(`the EncryptedAssertion is not well-formed: ${(error as Error).message}`);
    }
  } else root = encrypted;
  const data =
    root.namespaceURI === NS.xenc && root.localName === "EncryptedData"
      ? root
      : only(root, NS.xenc, "EncryptedData");
  const method = only(data, NS.xenc, "EncryptionMethod").getAttribute("Algorithm");
  if (method !== ALG.aes256cbc) {
    throw new DecryptionError(`the content encryption is "${method}"; expected ${ALG.aes256cbc}`);
  }
  const keyInfo = only(data, NS.ds, "KeyInfo");
  const encryptedKey = only(keyInfo, NS.xenc, "EncryptedKey");
  const keyMethod = only(encryptedKey, NS.xenc, "EncryptionMethod");
  if (keyMethod.getAttribute("Algorithm") !== ALG.rsaOaepMgf1p) {
    throw new DecryptionError(
      `the key transport is "${keyMethod.getAttribute("Algorithm")}"; expected ${ALG.rsaOaepMgf1p}`,
    );
  }
  const digest = childElements(keyMethod, NS.ds, "DigestMethod")[0];
  if (digest && digest.getAttribute("Algorithm") !== ALG.sha1) {
    throw new DecryptionError(
      `the OAEP digest is "${digest.getAttribute("Algorithm")}"; expected ${ALG.sha1}`,
    );
  }
  let key: Buffer;
  try {
    key = privateDecrypt(
      { key: wspPrivateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
      cipherValue(encryptedKey),
    );
  } catch {
    throw new DecryptionError(UNDECRYPTABLE);
  }
  if (key.length !== 32) throw new DecryptionError(UNDECRYPTABLE);
  return decryptAssertionContent(key, cipherValue(data));
}

/**
 * The part of `decryptAssertion` after the key unwrap: AES-256-CBC with the content key, XML
 * Encryption padding, and the parse into one saml:Assertion. Throws DecryptionError.
 */
export function decryptAssertionContent(key: Buffer, cipherText: Buffer): DecryptedAssertion {
  if (cipherText.length < 32 || cipherText.length % 16 !== 0) {
    throw new DecryptionError("the encrypted content has an invalid length for aes256-cbc");
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-cbc", key, cipherText.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(cipherText.subarray(16)), decipher.final()]);
  } catch {
    throw new DecryptionError(UNDECRYPTABLE);
  }
  const { text: assertionXml, paddingValid } = removeXmlEncPadding(plain);
  // The same work whatever the padding: the plaintext is cut and parsed whether its padding is
  // valid or not, and only then refused. Refusing bad padding at once would make the parse time (a few
  // hundred microseconds for a real assertion) tell an attacker which altered ciphertexts have
  // valid padding: the padding oracle of XML Encryption's CBC mode.
  let doc: Document | undefined;
  try {
    doc = parseXml(assertionXml, { label: "decrypted assertion" });
  } catch {
    doc = undefined;
  }
  const assertion = doc?.documentElement;
  if (
    !paddingValid ||
    !doc ||
    !assertion ||
    assertion.namespaceURI !== NS.saml ||
    assertion.localName !== "Assertion"
  ) {
    throw new DecryptionError(UNDECRYPTABLE);
  }
  return { assertionXml, doc, assertion };
}

/**
 * XML Encryption padding: the last octet says how many octets to drop (1..16). With invalid
 * padding (0, or 17..255) the octet still decides how many to drop — `(octet mod 16) + 1` — so
 * that the text the caller parses next is cut the same way, and as long, whatever the padding.
 */
export function removeXmlEncPadding(plain: Buffer): { text: string; paddingValid: boolean } {
  const octet = plain[plain.length - 1] ?? 0;
  const paddingValid = octet >= 1 && octet <= 16;
  const drop = paddingValid ? octet : (octet % 16) + 1;
  return { text: plain.subarray(0, Math.max(0, plain.length - drop)).toString("utf8"), paddingValid };
}
