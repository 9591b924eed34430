/**
 * XML-DSig signing and verification under an explicit policy, for WS-Security headers and
 * enveloped SAML signatures.
 *
 * Signing: the caller builds the document with one placeholder `<ds:Signature/>` element
 * (`SIGNATURE_PLACEHOLDER`) where the signature goes; `signXml` canonicalizes every referenced
 * element once (exc-c14n), signs the SignedInfo and puts the signature in place of the
 * placeholder. An enveloped reference (the placeholder inside the referenced element) gets the
 * enveloped-signature transform.
 *
 * Verification: `verifySignature` checks one ds:Signature element against an `IdIndex` of the
 * parsed document with a key the caller chose (never one from KeyInfo). Policy: exc-c14n only,
 * rsa-sha256 (rsa-sha1 and sha1 digests only when allowed), each reference a same-document
 * `#id` that resolves to exactly one element. It returns the set of elements the signature
 * covers, so that the caller can check that the elements it reads are the signed ones.
 */
import { createHash, createSign, createVerify, type KeyObject, timingSafeEqual } from "node:crypto";
import type { Document, Element } from "@xmldom/xmldom";
import { HarnessError } from "../core/errors.js";
import { canonicalize } from "./c14n.js";
import { ALG, escapeAttr, NS } from "./ns.js";
import { childElements, LARGE_DOCUMENT_LIMITS, parseXml } from "./parse.js";

export type SignatureReason =
  | "MALFORMED_REQUEST"
  | "UNSUPPORTED_ALGORITHM"
  | "SIGNATURE_INVALID"
  | "UNSIGNED_PART";

/** A signature that does not verify under the policy; `reason` is a step-1/step-2 reason code. */
export class SignatureError extends HarnessError {
  override readonly name = "SignatureError";
  constructor(reason: SignatureReason | string, message: string) {
    super(reason, message);
  }
}

/** The placeholder a document carries where `signXml` puts the signature. */
export const SIGNATURE_PLACEHOLDER = `<ds:Signature xmlns:ds="${NS.ds}"></ds:Signature>`;

const SIGNATURE_HASH: Record<string, "sha256" | "sha1"> = {
  [ALG.rsaSha256]: "sha256",
  [ALG.rsaSha1]: "sha1",
};
const DIGEST_HASH: Record<string, "sha256" | "sha1"> = {
  [ALG.sha256]: "sha256",
  [ALG.sha1]: "sha1",
};

// ---------------------------------------------------------------------------------------------
// Id index

/** Elements by id (`wsu:Id`, `Id`, `ID`); an id that occurs more than once maps to all its elements. */
export type IdIndex = Map<string, Element[]>;

/** Indexes every element of the document by its id attributes, in one walk. */
export function buildIdIndex(doc: Document | Element): IdIndex {
  const index: IdIndex = new Map();
  const root = "documentElement" in doc ? (doc as Document).documentElement : (doc as Element);
  if (!root) return index;
  const stack: Element[] = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    const attrs = el.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const attr = attrs.item(i)!;
      const local = attr.localName;
      const isId =
        (local === "Id" && (attr.namespaceURI === NS.wsu || !attr.namespaceURI)) ||
        (local === "ID" && !attr.namespaceURI);
      if (!isId) continue;
      const list = index.get(attr.value);
      if (list) {
        if (!list.includes(el)) list.push(el);
      } else index.set(attr.value, [el]);
    }
    for (let child = el.lastChild; child; child = child.previousSibling) {
      if (child.nodeType === 1) stack.push(child as Element);
    }
  }
  return index;
}

/** Resolves a same-document reference `#id` to exactly one element, or throws SIGNATURE_INVALID. */
export function resolveReference(index: IdIndex, uri: string, what = "reference"): Element {
  if (!uri.startsWith("#") || uri.length < 2 || uri.startsWith("#xpointer(")) {
    throw new SignatureError(
      "SIGNATURE_INVALID",
      `the ${what} URI "${uri}" is not a same-document #id reference; only #id references are accepted`,
    );
  }
  const id = uri.slice(1);
  const found = index.get(id);
  if (!found || found.length === 0) {
    throw new SignatureError("SIGNATURE_INVALID", `the ${what} "${uri}" points at no element with that id`);
  }
  if (found.length > 1) {
    throw new SignatureError(
      "SIGNATURE_INVALID",
      `the ${what} "${uri}" matches ${found.length} elements with id "${id}" (signature wrapping?); expected exactly one`,
    );
  }
  return found[0]!;
}

// ---------------------------------------------------------------------------------------------
// Signing

export interface SignReference {
  /** The id (wsu:Id or Id) of the element to sign. */
  id: string;
  /** The placeholder is inside this element: add the enveloped-signature transform. */
  enveloped?: boolean;
}

export interface SignOptions {
  privateKey: KeyObject;
  references: SignReference[];
  /** Default rsa-sha256. */
  signatureAlgorithm?: string;
  /** Default sha256. */
  digestAlgorithm?: string;
  /** Inner XML of ds:KeyInfo (written with the `ds` prefix in scope when prefix is "ds"); none when omitted. */
  keyInfoXml?: string;
  /** "ds" (default: `<ds:Signature xmlns:ds=…>`) or "" (`<Signature xmlns=…>`, as .NET writes it). */
  prefix?: "ds" | "";
  /** Id attribute of the Signature element. */
  signatureId?: string;
  /** Parse limit for the document being signed (default 16 MiB: we sign our own documents). */
  maxBytes?: number;
}

export interface SignedInfoParts {
  signatureAlgorithm: string;
  references: Array<{ uri: string; enveloped: boolean; digestAlgorithm: string; digestValue: string }>;
}

/** Canonical SignedInfo text (exc-c14n of what `signatureXml` writes). */
function canonicalSignedInfo(parts: SignedInfoParts, prefix: "ds" | ""): string {
  const p = prefix ? `${prefix}:` : "";
  const xmlns = prefix ? ` xmlns:${prefix}="${NS.ds}"` : ` xmlns="${NS.ds}"`;
  let out = `<${p}SignedInfo${xmlns}><${p}CanonicalizationMethod Algorithm="${ALG.excC14n}"></${p}CanonicalizationMethod><${p}SignatureMethod Algorithm="${parts.signatureAlgorithm}"></${p}SignatureMethod>`;
  for (const ref of parts.references) {
    out += `<${p}Reference URI="${escapeAttr(ref.uri)}"><${p}Transforms>`;
    if (ref.enveloped) out += `<${p}Transform Algorithm="${ALG.envelopedSignature}"></${p}Transform>`;
    out += `<${p}Transform Algorithm="${ALG.excC14n}"></${p}Transform></${p}Transforms><${p}DigestMethod Algorithm="${ref.digestAlgorithm}"></${p}DigestMethod><${p}DigestValue>${ref.digestValue}</${p}DigestValue></${p}Reference>`;
  }
  return `${out}</${p}SignedInfo>`;
}

/** Digest of a canonical string, base64. */
export function digestBase64(canonical: string, digestAlgorithm: string): string {
  const hash = DIGEST_HASH[digestAlgorithm];
  if (!hash) throw new Error(`unsupported digest algorithm ${digestAlgorithm}`);
  return createHash(hash).update(canonical, "utf8").digest("base64");
}

/**
 * Builds a complete ds:Signature from already-computed digests: one RSA signature over the
 * canonical SignedInfo. For callers that canonicalize the referenced parts themselves.
 */
export function buildSignature(
  parts: SignedInfoParts,
  privateKey: KeyObject,
  options: { keyInfoXml?: string; prefix?: "ds" | ""; signatureId?: string } = {},
): string {
  const prefix = options.prefix ?? "ds";
  const signedInfo = canonicalSignedInfo(parts, prefix);
  const hash = SIGNATURE_HASH[parts.signatureAlgorithm];
  if (!hash) throw new Error(`unsupported signature algorithm ${parts.signatureAlgorithm}`);
  const value = createSign(hash).update(signedInfo, "utf8").sign(privateKey).toString("base64");
  const p = prefix ? `${prefix}:` : "";
  const xmlns = prefix ? ` xmlns:${prefix}="${NS.ds}"` : ` xmlns="${NS.ds}"`;
  const id = options.signatureId ? ` Id="${escapeAttr(options.signatureId)}"` : "";
  const keyInfo = options.keyInfoXml !== undefined ? `<${p}KeyInfo>${options.keyInfoXml}</${p}KeyInfo>` : "";
  // The SignedInfo is embedded in its canonical form minus its namespace declaration, which the
  // Signature element makes; exc-c14n of the embedded SignedInfo gives `signedInfo` back.
  const embedded = signedInfo.replace(`<${p}SignedInfo${xmlns}>`, `<${p}SignedInfo>`);
  return `<${p}Signature${xmlns}${id}>${embedded}<${p}SignatureValue>${value}</${p}SignatureValue>${keyInfo}</${p}Signature>`;
}

/**
 * Signs `xml` (which contains `SIGNATURE_PLACEHOLDER` exactly once) over the referenced
 * elements and returns the document with the signature in place of the placeholder.
 */
export function signXml(xml: string, options: SignOptions): string {
  const at = xml.indexOf(SIGNATURE_PLACEHOLDER);
  if (at < 0 || xml.indexOf(SIGNATURE_PLACEHOLDER, at + 1) >= 0) {
    throw new Error("signXml: the document must contain the signature placeholder exactly once");
  }
  const doc = parseXml(xml, {
    maxBytes: options.maxBytes ?? 16 * 1024 * 1024,
    limits: LARGE_DOCUMENT_LIMITS,
    label: "document to sign",
  });
  const index = buildIdIndex(doc);
  // Remove the placeholder: this is the enveloped-signature transform for enveloped references
  // and changes nothing for the others (the placeholder is outside them).
  const placeholder = findPlaceholder(doc.documentElement!);
  if (!placeholder) throw new Error("signXml: placeholder element not found");
  placeholder.parentNode!.removeChild(placeholder);
  const digestAlgorithm = options.digestAlgorithm ?? ALG.sha256;
  const parts: SignedInfoParts = {
    signatureAlgorithm: options.signatureAlgorithm ?? ALG.rsaSha256,
    references: options.references.map((ref) => {
      const el = resolveReference(index, `#${ref.id}`);
      return {
        uri: `#${ref.id}`,
        enveloped: !!ref.enveloped,
        digestAlgorithm,
        digestValue: digestBase64(canonicalize(el), digestAlgorithm),
      };
    }),
  };
  const signature = buildSignature(parts, options.privateKey, options);
  return xml.slice(0, at) + signature + xml.slice(at + SIGNATURE_PLACEHOLDER.length);
}

function findPlaceholder(root: Element): Element | undefined {
  const stack: Element[] = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    if (el.localName === "Signature" && el.namespaceURI === NS.ds && !el.firstChild) return el;
    for (const child of childElements(el)) stack.push(child);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Verification

/** A custom transform (e.g. the STR-Transform of step 2): returns the canonical octets to digest. */
export type CustomTransform = (target: Element, transform: Element, index: IdIndex) => string;

export interface SignaturePolicy {
  /** Accept rsa-sha1 signatures and sha1 digests. */
  allowSha1: boolean;
  /** Accept the enveloped-signature transform (SAML assertions), only for the element enveloping the signature. */
  allowEnveloped?: boolean;
  /** Further transform algorithms by URI; each must be the reference's only transform. */
  customTransforms?: Record<string, CustomTransform>;
  /** Most references accepted in one signature (default 32; a real request has six). */
  maxReferences?: number;
}

export interface VerifiedReference {
  uri: string;
  element: Element;
  digestAlgorithm: string;
  transforms: string[];
}

export interface VerifiedSignature {
  signatureAlgorithm: string;
  references: VerifiedReference[];
  /** The elements whose digests were verified (identity, not id). */
  signedElements: Set<Element>;
}

function algorithmOf(el: Element): string {
  return el.getAttribute("Algorithm") ?? "";
}

function inclusivePrefixesOf(el: Element): string[] {
  const inclusive = childElements(el, ALG.excC14n, "InclusiveNamespaces");
  if (inclusive.length === 0) return [];
  return (inclusive[0]!.getAttribute("PrefixList") ?? "").split(/\s+/).filter((p) => p !== "");
}

function single(parent: Element, localName: string, ns: string = NS.ds): Element {
  const found = childElements(parent, ns, localName);
  if (found.length !== 1) {
    throw new SignatureError(
      "SIGNATURE_INVALID",
      `ds:${parent.localName} has ${found.length} ds:${localName} elements; expected exactly one`,
    );
  }
  return found[0]!;
}

/** Reads the SignedInfo of `signature` and checks its algorithms against the policy. */
function readSignedInfo(signature: Element, policy: SignaturePolicy) {
  const signedInfo = single(signature, "SignedInfo");
  const c14nMethod = single(signedInfo, "CanonicalizationMethod");
  if (algorithmOf(c14nMethod) !== ALG.excC14n) {
    throw new SignatureError(
      "UNSUPPORTED_ALGORITHM",
      `the SignedInfo canonicalization is "${algorithmOf(c14nMethod)}"; only exc-c14n (${ALG.excC14n}) is accepted`,
    );
  }
  const signatureAlgorithm = algorithmOf(single(signedInfo, "SignatureMethod"));
  if (!(signatureAlgorithm === ALG.rsaSha256 || (policy.allowSha1 && signatureAlgorithm === ALG.rsaSha1))) {
    throw new SignatureError(
      "UNSUPPORTED_ALGORITHM",
      `the signature algorithm "${signatureAlgorithm}" is not accepted; expected ${ALG.rsaSha256}${policy.allowSha1 ? ` or ${ALG.rsaSha1}` : " (rsa-sha1 is switched off)"}`,
    );
  }
  const references = childElements(signedInfo, NS.ds, "Reference");
  if (references.length === 0) throw new SignatureError("UNSIGNED_PART", "the signature has no references");
  const maxReferences = policy.maxReferences ?? 32;
  if (references.length > maxReferences) {
    throw new SignatureError(
      "SIGNATURE_INVALID",
      `the signature has ${references.length} references; at most ${maxReferences} are accepted`,
    );
  }
  for (const child of childElements(signedInfo)) {
    if (
      child.namespaceURI !== NS.ds ||
      !["CanonicalizationMethod", "SignatureMethod", "Reference"].includes(child.localName!)
    ) {
      throw new SignatureError("SIGNATURE_INVALID", `unexpected element ${child.tagName} in ds:SignedInfo`);
    }
  }
  return { signedInfo, c14nMethod, signatureAlgorithm, references };
}

type TransformKind = "exc" | "enveloped" | "custom";

interface CheckedReference {
  reference: Element;
  uri: string;
  digestAlgorithm: string;
  transforms: Element[];
  names: string[];
  kind: TransformKind;
}

/**
 * The algorithm part of the policy, for the whole signature before any digest is computed:
 * canonicalization, signature method, and each reference's digest method and transforms.
 * Throws UNSUPPORTED_ALGORITHM (or SIGNATURE_INVALID for a structurally broken SignedInfo).
 */
export function checkSignatureAlgorithms(signature: Element, policy: SignaturePolicy) {
  const info = readSignedInfo(signature, policy);
  const checked: CheckedReference[] = info.references.map((reference) => {
    const uri = reference.getAttribute("URI") ?? "";
    const digestAlgorithm = algorithmOf(single(reference, "DigestMethod"));
    if (!(digestAlgorithm === ALG.sha256 || (policy.allowSha1 && digestAlgorithm === ALG.sha1))) {
      throw new SignatureError(
        "UNSUPPORTED_ALGORITHM",
        `the digest algorithm "${digestAlgorithm}" of reference "${uri}" is not accepted; expected ${ALG.sha256}${policy.allowSha1 ? ` or ${ALG.sha1}` : " (sha1 is switched off)"}`,
      );
    }
    const transformsEl = childElements(reference, NS.ds, "Transforms");
    if (transformsEl.length > 1) {
      throw new SignatureError("SIGNATURE_INVALID", `reference "${uri}" has several Transforms`);
    }
    const transforms = transformsEl.length === 1 ? childElements(transformsEl[0]!, NS.ds, "Transform") : [];
    const names = transforms.map(algorithmOf);
    let kind: TransformKind;
    if (names.length === 1 && policy.customTransforms?.[names[0]!]) kind = "custom";
    else if (names.length === 1 && names[0] === ALG.excC14n) kind = "exc";
    else if (
      policy.allowEnveloped &&
      names.length === 2 &&
      names[0] === ALG.envelopedSignature &&
      names[1] === ALG.excC14n
    ) {
      kind = "enveloped";
    } else {
      throw new SignatureError(
        "UNSUPPORTED_ALGORITHM",
        `reference "${uri}" uses transforms [${names.join(", ") || "none"}]; only exc-c14n (${ALG.excC14n})${policy.allowEnveloped ? " after enveloped-signature" : ""} is accepted`,
      );
    }
    return { reference, uri, digestAlgorithm, transforms, names, kind };
  });
  return { ...info, checked };
}

/**
 * Verifies `signature` with `publicKey`. Throws `SignatureError`: UNSUPPORTED_ALGORITHM (checked
 * for every reference first), then SIGNATURE_INVALID.
 */
export function verifySignature(
  signature: Element,
  index: IdIndex,
  publicKey: KeyObject,
  policy: SignaturePolicy,
): VerifiedSignature {
  const { signedInfo, c14nMethod, signatureAlgorithm, checked } = checkSignatureAlgorithms(signature, policy);
  // rsa-sha256/rsa-sha1 name the key type too: node would verify ECDSA with an EC key under
  // that URI, and throw for an Ed25519 key.
  if (publicKey.asymmetricKeyType !== "rsa") {
    throw new SignatureError(
      "UNSUPPORTED_ALGORITHM",
      `the signer's key is ${publicKey.asymmetricKeyType ?? "of an unknown type"}, not RSA; ${signatureAlgorithm} needs an RSA key`,
    );
  }
  // Canonicalize SignedInfo before any transform touches the document.
  const signedInfoCanonical = canonicalize(signedInfo, inclusivePrefixesOf(c14nMethod));
  const signatureValueText = (single(signature, "SignatureValue").textContent ?? "").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureValueText)) {
    throw new SignatureError("SIGNATURE_INVALID", "ds:SignatureValue is not base64");
  }
  const verified: VerifiedReference[] = [];
  const signedElements = new Set<Element>();
  for (const { reference, uri, digestAlgorithm, transforms, names, kind } of checked) {
    const target = resolveReference(index, uri);
    let canonical: string;
    if (kind === "custom") {
      canonical = policy.customTransforms![names[0]!]!(target, transforms[0]!, index);
    } else if (kind === "exc") {
      if (isAncestorOrSelf(target, signature)) {
        throw new SignatureError(
          "SIGNATURE_INVALID",
          `reference "${uri}" covers its own signature without the enveloped-signature transform`,
        );
      }
      canonical = canonicalize(target, inclusivePrefixesOf(transforms[0]!));
    } else {
      if (!isAncestorOrSelf(target, signature) || target === signature) {
        throw new SignatureError(
          "SIGNATURE_INVALID",
          `reference "${uri}" uses the enveloped-signature transform but does not envelope the signature`,
        );
      }
      const parent = signature.parentNode!;
      const next = signature.nextSibling;
      parent.removeChild(signature);
      try {
        canonical = canonicalize(target, inclusivePrefixesOf(transforms[1]!));
      } finally {
        parent.insertBefore(signature, next);
      }
    }
    const expected = Buffer.from(
      (single(reference, "DigestValue").textContent ?? "").replace(/\s+/g, ""),
      "base64",
    );
    const actual = createHash(DIGEST_HASH[digestAlgorithm]!).update(canonical, "utf8").digest();
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw new SignatureError(
        "SIGNATURE_INVALID",
        `the digest of reference "${uri}" (${target.tagName}) does not match: the element was changed after signing; expected it exactly as signed`,
      );
    }
    verified.push({ uri, element: target, digestAlgorithm, transforms: names });
    signedElements.add(target);
  }
  const ok = createVerify(SIGNATURE_HASH[signatureAlgorithm]!)
    .update(signedInfoCanonical, "utf8")
    .verify(publicKey, Buffer.from(signatureValueText, "base64"));
  if (!ok) {
    throw new SignatureError("SIGNATURE_INVALID", "the SignatureValue does not verify with the signer's key");
  }
  return { signatureAlgorithm, references: verified, signedElements };
}

function isAncestorOrSelf(ancestor: Element, node: Element): boolean {
  for (let n: Element | null = node; n; n = n.parentNode as Element | null) {
    if (n === ancestor) return true;
  }
  return false;
}

/** True when `el` or one of its ancestors is among the signed elements. */
export function isCoveredBy(el: Element, signed: Set<Element>): boolean {
  for (let n: Element | null = el; n && n.nodeType === 1; n = n.parentNode as Element | null) {
    if (signed.has(n)) return true;
  }
  return false;
}

/**
 * The policy's "which elements must be signed": throws UNSIGNED_PART naming every element of
 * `required` that is not itself among the verified signature's signed elements (identity, so a
 * wrapped copy elsewhere does not count). `who` starts the message (e.g. "certificate AB12…").
 */
export function requireSigned(verified: VerifiedSignature, required: readonly Element[], who: string): void {
  const missing = required.filter((el) => !verified.signedElements.has(el)).map((el) => el.tagName);
  if (missing.length > 0) {
    throw new SignatureError(
      "UNSIGNED_PART",
      `${who}: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not covered by the signature; expected ${required.map((el) => el.tagName).join(", ")} to be signed (by id)`,
    );
  }
}
