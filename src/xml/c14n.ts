/**
 * Exclusive XML canonicalization (exc-c14n, without comments) of DOM nodes, via xml-crypto's
 * implementation. The only canonicalization the harness accepts or produces.
 */
import type { Element, Node } from "@xmldom/xmldom";
import { ExclusiveCanonicalization } from "xml-crypto";
import { NS } from "./ns.js";

const excC14n = new ExclusiveCanonicalization();

/** Namespace declarations in scope at `el` (from its ancestors and itself), nearest first. */
function namespacesInScope(el: Element): Array<{ prefix: string; namespaceURI: string }> {
  const seen = new Set<string>();
  const out: Array<{ prefix: string; namespaceURI: string }> = [];
  for (let node: Node | null = el; node && node.nodeType === 1; node = node.parentNode) {
    const attrs = (node as Element).attributes;
    for (let i = 0; i < attrs.length; i++) {
      const attr = attrs.item(i)!;
      if (attr.namespaceURI !== NS.xmlns || attr.prefix !== "xmlns") continue;
      if (seen.has(attr.localName!)) continue;
      seen.add(attr.localName!);
      out.push({ prefix: attr.localName!, namespaceURI: attr.value });
    }
  }
  return out;
}

/**
 * Canonical form of `el`. `inclusivePrefixes` is the InclusiveNamespaces PrefixList of the
 * transform (rarely used; the Java reference client sends one): those prefixes, when in scope,
 * are rendered on the apex element. Nothing in the document is changed.
 */
export function canonicalize(el: Element, inclusivePrefixes: string[] = []): string {
  if (inclusivePrefixes.length === 0) {
    return excC14n.process(el as never, {}) as string;
  }
  // Render the in-scope declarations of the listed prefixes on the apex element (exc-c14n §3):
  // canonicalize a shallow wrapper-free copy by temporarily declaring them on the element.
  const scope = namespacesInScope(el);
  const added: string[] = [];
  for (const prefix of inclusivePrefixes) {
    const declaration = scope.find((ns) => ns.prefix === prefix);
    if (!declaration) continue;
    const name = `xmlns:${prefix}`;
    if (el.hasAttribute(name)) continue;
    el.setAttributeNS(NS.xmlns, name, declaration.namespaceURI);
    added.push(name);
  }
  try {
    return excC14n.process(el as never, { inclusiveNamespacesPrefixList: inclusivePrefixes }) as string;
  } finally {
    for (const name of added) el.removeAttribute(name);
  }
}
