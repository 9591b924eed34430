/**
 * xmldom 0.9 compiles a RegExp from its (several-kB) Unicode QName grammar for every end tag it
 * reads (`g.reg('^', g.QName_group, g.S_OPT, '$')` in lib/sax.js): ~4 % of a whole step-2 call
 * in a profile. What `reg` builds depends only on its parts, and it never sets the `g` or `y`
 * flag, so a compiled RegExp holds no state between `exec` calls and one per combination of parts
 * answers exactly the same. sax.js calls `reg` through the grammar module's exports at parse time,
 * so replacing that export with a memoized `reg` is enough. If a later xmldom has no such export,
 * nothing is changed (test/xml/xmldom-regexp-cache.test.ts then fails, so it is noticed).
 */
import { createRequire } from "node:module";

type Reg = (this: unknown, ...parts: Array<RegExp | string>) => RegExp;
interface Grammar {
  reg?: Reg & { memoized?: true };
}

const grammar = createRequire(import.meta.url)("@xmldom/xmldom/lib/grammar.js") as Grammar;

/** Compiled expressions in a trie keyed by the parts, in order (RegExps by identity, strings by value). */
interface Node {
  next: Map<RegExp | string, Node>;
  compiled?: RegExp;
}

export function installXmldomRegExpCache(): boolean {
  const original = grammar.reg;
  if (typeof original !== "function") return false;
  if (original.memoized) return true;
  const root: Node = { next: new Map() };
  const memoized = function (this: unknown, ...parts: Array<RegExp | string>): RegExp {
    let node = root;
    for (const part of parts) {
      // Not a documented part: leave it to the original.
      if (typeof part !== "string" && !(part instanceof RegExp)) return original.apply(this, parts);
      let child = node.next.get(part);
      if (!child) {
        child = { next: new Map() };
        node.next.set(part, child);
      }
      node = child;
    }
    if (node.compiled) return node.compiled;
    const compiled = original.apply(this, parts);
    // Only stateless expressions are shared (reg sets neither flag today; this keeps it so).
    if (!compiled.global && !compiled.sticky) node.compiled = compiled;
    return compiled;
  } as Reg & { memoized?: true };
  memoized.memoized = true;
  grammar.reg = memoized;
  return true;
}

/** The grammar module's current `reg`, for the test. */
export function xmldomGrammarReg(): (Reg & { memoized?: true }) | undefined {
  return grammar.reg;
}

installXmldomRegExpCache();
