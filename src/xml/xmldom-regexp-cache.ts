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

/** Ids for RegExp parts: parts are compared by identity, strings by value. */
const partIds = new WeakMap<RegExp, number>();
let nextPartId = 0;

function keyOf(parts: ReadonlyArray<RegExp | string>): string | undefined {
  let key = "";
  for (const part of parts) {
    if (typeof part === "string") key += `s${part.length}:${part}`;
    else if (part instanceof RegExp) {
      let id = partIds.get(part);
      if (id === undefined) {
        id = nextPartId++;
        partIds.set(part, id);
      }
      key += `r${id};`;
    } else return undefined; // not a documented part: leave it to the original
  }
  return key;
}

export function installXmldomRegExpCache(): boolean {
  const original = grammar.reg;
  if (typeof original !== "function") return false;
  if (original.memoized) return true;
  const cache = new Map<string, RegExp>();
  const memoized = function (this: unknown, ...parts: Array<RegExp | string>): RegExp {
    const key = keyOf(parts);
    if (key === undefined) return original.apply(this, parts);
    let compiled = cache.get(key);
    if (compiled === undefined) {
      compiled = original.apply(this, parts);
      // Only stateless expressions are shared (reg sets neither flag today; this keeps it so).
      if (compiled.global || compiled.sticky) return compiled;
      cache.set(key, compiled);
    }
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
