/**
 * Hostile XML: `xml.hostile.<shape>` is how long the safe parser takes to refuse (or to read, for
 * the endpoints' envelope checks to refuse) each parser-exhausting shape of
 * test/security/parser.test.ts, 1 MiB each. The test asserts that each is refused; this measures
 * that it stays cheap — a bound no test can assert on a loaded machine. No ceiling: there is no
 * RSA work.
 */
import { parseXml, XmlParseError } from "../src/xml/parse.js";
import type { BenchCase, BenchModule } from "./types.js";

const MB = 1024 * 1024;

function hostileShapes(): Record<string, string> {
  const depth = Math.floor((MB - 10) / 7);
  let attrs = "";
  for (let i = 0; attrs.length < MB - 100; i++) attrs += ` a${i}="1"`;
  let namespaces = "";
  for (let i = 0; namespaces.length < MB / 2; i++) namespaces += ` xmlns:p${i}="urn:p${i}"`;
  const children = "<c/>".repeat(Math.floor((MB / 2 - 100) / 4));
  const longName = "n".repeat(MB - 100);
  return {
    "nesting-unclosed": "<a>".repeat(Math.floor((MB - 10) / 3)),
    "nesting-closed": `${"<a>".repeat(depth)}${"</a>".repeat(depth)}`,
    attributes: `<r${attrs}/>`,
    namespaces: `<r${namespaces}>${children}</r>`,
    "long-element-name": `<${longName}/>`,
    "long-attribute-name": `<r ${longName}="1"/>`,
    comments: `<r>${"<!--x-->".repeat(Math.floor((MB - 10) / 8))}</r>`,
  };
}

const xmlBench: BenchModule = {
  async cases(): Promise<BenchCase[]> {
    return Object.entries(hostileShapes()).map(([shape, text]) => {
      const bytes = Buffer.from(text, "utf8");
      return {
        name: `xml.hostile.${shape}`,
        keyBits: 0,
        measure: { warmupMs: 0, seconds: 0, minIterations: 3 },
        run: () => {
          try {
            parseXml(bytes);
          } catch (error) {
            if (!(error instanceof XmlParseError)) throw error;
          }
        },
      };
    });
  },
};

export default xmlBench;
