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
 * A reference may carry another transform (`SignTransform`, e.g. the STR-Transform of step 2).
 *
 * Verification: `verifySignature` checks one ds:Signature element against an `IdIndex` of the
 * parsed document with a key the caller chose (never one from KeyInfo). Policy: exc-c14n only,
 * rsa-sha256 (rsa-sha1 and sha1 digests only when allowed), each reference a same-document
 * `#id` that resolves to exactly one element. It returns the set of elements the signature
 * covers, so that the caller can check that the elements it reads are the signed ones
 * (`requireSigned`). Its halves — `prepareSignature`, then `signatureValueVerifies` and
 * `verifyReferences` — let a caller decide in its own order while every signature is still
 * canonicalized and RSA-verified once.
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

/**
 * A transform other than exc-c14n for one reference (e.g. the STR-Transform of step 2): how it is
 * written in the SignedInfo and the octets it yields for the referenced element.
 */
export interface SignTransform {
  algorithm: string;
  /** Content of the ds:Transform element (canonical form; the `ds` prefix is in scope). */
  parametersXml?: string;
  /** The octets to digest for the referenced element. */
  apply(target: Element): string;
}

export interface SignReference {
  /** The id (wsu:Id or Id) of the element to sign. */
  id: string;
  /** The placeholder is inside this element: add the enveloped-signature transform. */
  enveloped?: boolean;
  /** Digest through this transform instead of exc-c14n. */
  transform?: SignTransform;
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
  /**
   * Write the SignedInfo exactly in its canonical form, its own namespace declaration included (as
   * the WSC's step-2 requests always have been), so its text is the octets that were signed.
   */
  canonicalSignedInfoText?: boolean;
  /** Parse limit for the document being signed (default 16 MiB: we sign our own documents). */
  maxBytes?: number;
}

interface SignedInfoReference {
  uri: string;
  /** The transforms in order: algorithm and the canonical content of the ds:Transform element. */
  transforms: Array<{ algorithm: string; parametersXml?: string }>;
  digestAlgorithm: string;
  digestValue: string;
}

/** Canonical SignedInfo text (exc-c14n of what `buildSignature` writes). */
function canonicalSignedInfo(
  signatureAlgorithm: string,
  references: readonly SignedInfoReference[],
  prefix: "ds" | "",
): string {
  const p = prefix ? `${prefix}:` : "";
  const xmlns = prefix ? ` xmlns:${prefix}="${NS.ds}"` : ` xmlns="${NS.ds}"`;
  let out = `<${p}SignedInfo${xmlns}><${p}CanonicalizationMethod Algorithm="${ALG.excC14n}"></${p}CanonicalizationMethod><${p}SignatureMethod Algorithm="${signatureAlgorithm}"></${p}SignatureMethod>`;
  for (const ref of references) {
    out += `<${p}Reference URI="${escapeAttr(ref.uri)}"><${p}Transforms>`;
    for (const transform of ref.transforms) {
      out += `<${p}Transform Algorithm="${escapeAttr(transform.algorithm)}">${transform.parametersXml ?? ""}</${p}Transform>`;
    }
    out += `</${p}Transforms><${p}DigestMethod Algorithm="${ref.digestAlgorithm}"></${p}DigestMethod><${p}DigestValue>${ref.digestValue}</${p}DigestValue></${p}Reference>`;
  }
  return `${out}</${p}SignedInfo>`;
}

function hashOf(
  table: Record<string, "sha256" | "sha1">,
  algorithm: string,
  what: string,
): "sha256" | "sha1" {
  const hash = table[algorithm];
  if (!hash) throw new Error(`unsupported ${what} algorithm ${algorithm}`);
  return hash;
}

/** The digest of canonical octets under a digest algorithm URI (sha256 or sha1). */
export function digestOf(canonical: string, digestAlgorithm: string): Buffer {
  return createHash(hashOf(DIGEST_HASH, digestAlgorithm, "digest"))
    .update(canonical, "utf8")
    .digest();
}

/** Whether `canonical` digests to the base64 `expected` under the algorithm (false for an unknown one). */
export function digestMatches(canonical: string, digestAlgorithm: string, expected: string): boolean {
  if (!DIGEST_HASH[digestAlgorithm]) return false;
  const want = Buffer.from(expected.replace(/\s+/g, ""), "base64");
  const actual = digestOf(canonical, digestAlgorithm);
  return want.length === actual.length && timingSafeEqual(want, actual);
}

/** One RSA signature over the canonical SignedInfo; the ds:Signature element around it. */
function buildSignature(
  signatureAlgorithm: string,
  references: readonly SignedInfoReference[],
  privateKey: KeyObject,
  options: Pick<SignOptions, "keyInfoXml" | "prefix" | "signatureId" | "canonicalSignedInfoText">,
): string {
  const prefix = options.prefix ?? "ds";
  const signedInfo = canonicalSignedInfo(signatureAlgorithm, references, prefix);
  const value = createSign(hashOf(SIGNATURE_HASH, signatureAlgorithm, "signature"))
    .update(signedInfo, "utf8")
    .sign(privateKey)
    .toString("base64");
  const p = prefix ? `${prefix}:` : "";
  const xmlns = prefix ? ` xmlns:${prefix}="${NS.ds}"` : ` xmlns="${NS.ds}"`;
  const id = options.signatureId ? ` Id="${escapeAttr(options.signatureId)}"` : "";
  const keyInfo = options.keyInfoXml !== undefined ? `<${p}KeyInfo>${options.keyInfoXml}</${p}KeyInfo>` : "";
  // The SignedInfo is embedded in its canonical form, by default minus its namespace declaration,
  // which the Signature element makes; exc-c14n of the embedded SignedInfo gives `signedInfo` back.
  const embedded = options.canonicalSignedInfoText
    ? signedInfo
    : signedInfo.replace(`<${p}SignedInfo${xmlns}>`, `<${p}SignedInfo>`);
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
  const references = options.references.map((ref): SignedInfoReference => {
    const el = resolveReference(index, `#${ref.id}`);
    const octets = ref.transform ? ref.transform.apply(el) : canonicalize(el);
    const transforms = ref.transform
      ? [{ algorithm: ref.transform.algorithm, parametersXml: ref.transform.parametersXml }]
      : [...(ref.enveloped ? [{ algorithm: ALG.envelopedSignature }] : []), { algorithm: ALG.excC14n }];
    return {
      uri: `#${ref.id}`,
      transforms,
      digestAlgorithm,
      digestValue: digestOf(octets, digestAlgorithm).toString("base64"),
    };
  });
  const signature = buildSignature(
    options.signatureAlgorithm ?? ALG.rsaSha256,
    references,
    options.privateKey,
    options,
  );
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

/** A ds:Reference whose digest method and transforms passed the policy. */
export interface CheckedReference {
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
 * A signature whose SignedInfo passed the policy (algorithms, key type), canonicalized once: the
 * two halves of a verification — the SignatureValue over the SignedInfo, and the digest of every
 * reference — can then run separately, each once (step 2 checks the key before the coverage).
 */
export interface PreparedSignature {
  readonly signature: Element;
  readonly signatureAlgorithm: string;
  readonly references: readonly CheckedReference[];
  readonly policy: SignaturePolicy;
  readonly publicKey: KeyObject;
  readonly signedInfoCanonical: string;
  /** The decoded SignatureValue; undefined when it is not base64. */
  readonly signatureValue: Buffer | undefined;
}

/**
 * Checks `signature`'s algorithms against the policy (UNSUPPORTED_ALGORITHM, checked for every
 * reference first) and that `publicKey` is an RSA key, and canonicalizes its SignedInfo.
 */
export function prepareSignature(
  signature: Element,
  publicKey: KeyObject,
  policy: SignaturePolicy,
): PreparedSignature {
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
  const valueText = (single(signature, "SignatureValue").textContent ?? "").replace(/\s+/g, "");
  return {
    signature,
    signatureAlgorithm,
    references: checked,
    policy,
    publicKey,
    signedInfoCanonical,
    signatureValue: /^[A-Za-z0-9+/]+={0,2}$/.test(valueText) ? Buffer.from(valueText, "base64") : undefined,
  };
}

/** Whether the SignatureValue verifies over the canonical SignedInfo with the prepared key: the one RSA operation. */
export function signatureValueVerifies(prepared: PreparedSignature): boolean {
  if (!prepared.signatureValue) return false;
  return createVerify(SIGNATURE_HASH[prepared.signatureAlgorithm]!)
    .update(prepared.signedInfoCanonical, "utf8")
    .verify(prepared.publicKey, prepared.signatureValue);
}

/**
 * Resolves every reference to exactly one element and checks its digest. Throws SIGNATURE_INVALID.
 * Returns the signed elements; the SignatureValue is not looked at (`signatureValueVerifies`).
 */
export function verifyReferences(prepared: PreparedSignature, index: IdIndex): VerifiedSignature {
  const { signature, policy } = prepared;
  const verified: VerifiedReference[] = [];
  const signedElements = new Set<Element>();
  for (const { reference, uri, digestAlgorithm, transforms, names, kind } of prepared.references) {
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
    if (!digestMatches(canonical, digestAlgorithm, single(reference, "DigestValue").textContent ?? "")) {
      throw new SignatureError(
        "SIGNATURE_INVALID",
        `the digest of reference "${uri}" (${target.tagName}) does not match: the element was changed after signing; expected it exactly as signed`,
      );
    }
    verified.push({ uri, element: target, digestAlgorithm, transforms: names });
    signedElements.add(target);
  }
  return { signatureAlgorithm: prepared.signatureAlgorithm, references: verified, signedElements };
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
  return verifyPreparedSignature(prepareSignature(signature, publicKey, policy), index);
}

/** `verifySignature` for a prepared signature: the SignatureValue is base64, every digest, then the value. */
export function verifyPreparedSignature(prepared: PreparedSignature, index: IdIndex): VerifiedSignature {
  if (!prepared.signatureValue) {
    throw new SignatureError("SIGNATURE_INVALID", "ds:SignatureValue is not base64");
  }
  const verified = verifyReferences(prepared, index);
  if (!signatureValueVerifies(prepared)) {
    throw new SignatureError("SIGNATURE_INVALID", "the SignatureValue does not verify with the signer's key");
  }
  return verified;
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

/** A part a policy requires to be signed, by name; `element` undefined: the part is absent. */
export interface RequiredPart {
  name: string;
  element: Element | undefined;
}

/**
 * The names of the parts in `required` that are not themselves among the verified signature's
 * signed elements (identity, so a wrapped copy elsewhere does not count); an absent part is
 * named "… (absent)". An Element stands for itself, named by its tag.
 */
export function unsignedParts(
  verified: VerifiedSignature,
  required: readonly (Element | RequiredPart)[],
): string[] {
  const missing: string[] = [];
  for (const part of required) {
    const { name, element } = "nodeType" in part ? { name: part.tagName, element: part } : part;
    if (!element) missing.push(`${name} (absent)`);
    else if (!verified.signedElements.has(element)) missing.push(name);
  }
  return missing;
}

/**
 * The policy's "which elements must be signed", for every signature the harness checks: throws
 * naming every part of `required` that is not signed (`unsignedParts`), followed by any further
 * `problems` the caller found with the signed parts. `refusal` is either the start of the message
 * (e.g. "certificate AB12…": UNSIGNED_PART, "X is not covered by the signature; expected …"), or
 * makes the caller's own error from the list of what is missing.
 */
export function requireSigned(
  verified: VerifiedSignature,
  required: readonly (Element | RequiredPart)[],
  refusal: string | ((missing: readonly string[]) => Error),
  problems: readonly string[] = [],
): void {
  const missing = [...unsignedParts(verified, required), ...problems];
  if (missing.length === 0) return;
  if (typeof refusal !== "string") throw refusal(missing);
  const names = required.map((part) => ("nodeType" in part ? part.tagName : part.name));
  throw new SignatureError(
    "UNSIGNED_PART",
    `${refusal}: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not covered by the signature; expected ${names.join(", ")} to be signed (by id)`,
  );
}
