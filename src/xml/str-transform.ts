/**
 * The WS-Security STR-Transform (`…oasis-200401-wss-soap-message-security-1.0#STR-Transform`,
 * WSS 1.1 §8.3): a signature reference to a `wsse:SecurityTokenReference` digests the token the
 * STR points at, canonicalized with the algorithm named in `wsse:TransformationParameters`
 * (always exc-c14n in OIO IDWS). In step 2 the STR carries a SAMLID KeyIdentifier
 * (`encryptedassertion`) naming the `xenc:EncryptedData` inside the `saml2:EncryptedAssertion`.
 *
 * The reference stacks disagree on the exact bytes (see the fixtures
 * `str-transform-canonical-{net,java}.pretty.xml`):
 * - `java` (WSS4J): exc-c14n of the `EncryptedData` as a standalone apex — every visibly used
 *   prefix is declared in the output;
 * - `net` (WCF): exc-c14n of the `EncryptedData`, but prefixes already declared at the
 *   referencing STR in the message (WCF's `o:` for wsse) count as already rendered and are left
 *   out — which is why the .NET form has `<o:SecurityTokenReference>` without `xmlns:o`;
 * - `assertion`: the same canonicalization rooted at the `saml2:EncryptedAssertion` wrapper
 *   (what the original brief said .NET does: docs/contract-changes.md), with either namespace treatment.
 * A verifier accepts any of them (`strCanonicalForms`); a signer picks one (default `java`).
 */
import type { Element, Node } from "@xmldom/xmldom";
import { ExclusiveCanonicalization } from "xml-crypto";
import { HarnessError } from "../core/errors.js";
import { ALG, NS, WSS } from "./ns.js";

export type StrForm = "java" | "net" | "assertion" | "assertion-net";
export const STR_FORMS: readonly StrForm[] = ["java", "net", "assertion", "assertion-net"];

interface NamespacePrefix {
  prefix: string;
  namespaceURI: string;
}

/** exc-c14n whose output context can be seeded with prefixes that count as already rendered. */
class SeededExcC14n extends ExclusiveCanonicalization {
  canonicalize(el: Element, alreadyRendered: NamespacePrefix[]): string {
    return this.processInner(el, alreadyRendered.slice(), "", {}, []);
  }
}
const c14n = new SeededExcC14n();

const ELEMENT_NODE = 1;

function isElement(node: Node | null | undefined): node is Element {
  return !!node && node.nodeType === ELEMENT_NODE;
}

/** Prefixed namespace declarations in scope at `el` (nearest declaration of each prefix wins). */
export function prefixesInScope(el: Element): NamespacePrefix[] {
  const seen = new Set<string>();
  const out: NamespacePrefix[] = [];
  for (let node: Node | null = el; isElement(node); node = node.parentNode) {
    const attrs = node.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const attr = attrs.item(i)!;
      if (attr.namespaceURI !== NS.xmlns || attr.prefix !== "xmlns") continue;
      const prefix = attr.localName!;
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      out.push({ prefix, namespaceURI: attr.value });
    }
  }
  return out;
}

/** The SAMLID the STR names (its `wsse:KeyIdentifier` with ValueType …#SAMLID). */
export function strSamlId(str: Element): string {
  if (str.namespaceURI !== NS.wsse || str.localName !== "SecurityTokenReference") {
    throw new HarnessError(
      "SIGNATURE_INVALID",
      `the STR-Transform was applied to <${str.tagName}>, not a wsse:SecurityTokenReference`,
    );
  }
  const identifiers: Element[] = [];
  for (let node = str.firstChild; node; node = node.nextSibling) {
    if (isElement(node) && node.namespaceURI === NS.wsse && node.localName === "KeyIdentifier")
      identifiers.push(node);
  }
  if (identifiers.length !== 1 || identifiers[0]!.getAttribute("ValueType") !== WSS.samlId) {
    throw new HarnessError(
      "SIGNATURE_INVALID",
      `the SecurityTokenReference must hold exactly one wsse:KeyIdentifier with ValueType ${WSS.samlId}`,
    );
  }
  return (identifiers[0]!.textContent ?? "").trim();
}

function idOf(el: Element): string | null {
  return el.getAttributeNS(NS.wsu, "Id") || el.getAttribute("ID") || el.getAttribute("Id") || null;
}

/** The token element (EncryptedData or Assertion) with the STR's SAMLID; exactly one must exist. */
export function dereferenceStr(str: Element): Element {
  const id = strSamlId(str);
  const doc = str.ownerDocument;
  const found: Element[] = [];
  const stack: Node[] = doc?.documentElement ? [doc.documentElement] : [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!isElement(node)) continue;
    if (idOf(node) === id) found.push(node);
    for (let child = node.lastChild; child; child = child.previousSibling)
      if (isElement(child)) stack.push(child);
  }
  if (found.length !== 1) {
    throw new HarnessError(
      "SIGNATURE_INVALID",
      found.length === 0
        ? `the SecurityTokenReference names SAMLID "${id}", but no token with that id is in the message`
        : `the SecurityTokenReference names SAMLID "${id}", which ${found.length} elements carry; expected exactly one`,
    );
  }
  const token = found[0]!;
  const isEncryptedData = token.namespaceURI === NS.xenc && token.localName === "EncryptedData";
  const isAssertion = token.namespaceURI === NS.saml && token.localName === "Assertion";
  if (!isEncryptedData && !isAssertion) {
    throw new HarnessError(
      "SIGNATURE_INVALID",
      `the SecurityTokenReference names SAMLID "${id}", which is a <${token.tagName}>, not a SAML token`,
    );
  }
  return token;
}

/** The canonical octets of the token referenced by `str` in one of the forms. */
export function strCanonicalForm(
  str: Element,
  form: StrForm,
  token: Element = dereferenceStr(str),
  /** Prefixes in scope at the STR, when `str` is a detached copy (as xml-crypto passes it). */
  scope?: NamespacePrefix[],
): string {
  const wrapper = token.parentNode;
  const root =
    (form === "assertion" || form === "assertion-net") &&
    isElement(wrapper) &&
    wrapper.namespaceURI === NS.saml &&
    wrapper.localName === "EncryptedAssertion"
      ? wrapper
      : token;
  const seeded = form === "net" || form === "assertion-net" ? (scope ?? prefixesInScope(str)) : [];
  return c14n.canonicalize(root, seeded);
}

/**
 * The distinct canonical forms a verifier accepts for `str`, computed lazily in order of
 * likelihood (so a matching first form costs one canonicalization).
 */
export function* strCanonicalForms(str: Element): Generator<{ form: StrForm; octets: string }> {
  const token = dereferenceStr(str);
  const seen = new Set<string>();
  for (const form of STR_FORMS) {
    const octets = strCanonicalForm(str, form, token);
    if (seen.has(octets)) continue;
    seen.add(octets);
    yield { form, octets };
  }
}

/**
 * The STR-Transform as an xml-crypto transform (for its per-instance `CanonicalizationAlgorithms`
 * map): `process` gets the referenced STR and returns the canonical token octets of `form`.
 */
export class StrTransform {
  constructor(readonly form: StrForm = "java") {}
  process(node: unknown, options: { ancestorNamespaces?: NamespacePrefix[] } = {}): string {
    const str = node as Element;
    // xml-crypto hands over a detached deep copy; the namespaces in scope at the original STR
    // come as `ancestorNamespaces`.
    const scope = str.parentNode
      ? undefined
      : [...prefixesInScope(str), ...(options.ancestorNamespaces ?? [])];
    return strCanonicalForm(str, this.form, undefined, scope);
  }
  getAlgorithmName(): string {
    return ALG.strTransform;
  }
}
