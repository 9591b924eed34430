import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { parseXml } from "../../src/xml/parse.js";
import { xmldomGrammarReg } from "../../src/xml/xmldom-regexp-cache.js";

const grammar = createRequire(import.meta.url)("@xmldom/xmldom/lib/grammar.js") as {
  QName_group: RegExp;
  S_OPT: RegExp;
};

describe("xmldom's end-tag RegExp, compiled once", () => {
  it("is installed on the grammar module xmldom's parser calls (a newer xmldom without it shows here)", () => {
    const reg = xmldomGrammarReg();
    expect(reg?.memoized).toBe(true);
  });

  it("gives the same expression as before, one object per combination of parts, and no stateful flags", () => {
    const reg = xmldomGrammarReg()!;
    const a = reg.call(grammar, "^", grammar.QName_group, grammar.S_OPT, "$");
    const b = reg.call(grammar, "^", grammar.QName_group, grammar.S_OPT, "$");
    const c = reg.call(grammar, "^", grammar.QName_group);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(a.source).toBe(`^${grammar.QName_group.source}${grammar.S_OPT.source}$`);
    expect(a.global || a.sticky).toBe(false);
    // Strings are keyed by value and length, so "ab"+"c" and "a"+"bc" are two expressions.
    expect(reg.call(grammar, "ab", "c")).not.toBe(reg.call(grammar, "a", "bc"));
  });

  it("still refuses a bad end tag and accepts good ones, many times over", () => {
    for (let i = 0; i < 3; i++) {
      expect(parseXml("<a:x xmlns:a='urn:a'><b>t</b ></a:x>").documentElement!.localName).toBe("x");
      expect(() => parseXml("<a><b></b c></a>")).toThrow(/not well-formed/);
      expect(() => parseXml("<a><b></c></a>")).toThrow(/not well-formed/);
    }
  });
});
