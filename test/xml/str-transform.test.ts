import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NS } from "../../src/xml/ns.js";
import { childElements, parseXml } from "../../src/xml/parse.js";
import {
  dereferenceStr,
  StrTransform,
  strCanonicalForm,
  strCanonicalForms,
} from "../../src/xml/str-transform.js";
import { referenceFixture } from "../helpers/fixtures.js";

const fixture = (name: string) => readFileSync(referenceFixture(name), "utf8");

/**
 * The fixtures are pretty-printed (attribute order as written, `<x/>` for empty elements), so
 * compare modulo that: attributes sorted per start tag, empty elements expanded.
 */
function normalize(xml: string): string {
  return xml
    .replace(/\r\n/g, "\n")
    .trim()
    .replace(/<([^\s/>!?]+)([^>]*?)\s*\/>/g, "<$1$2></$1>")
    .replace(/<([^\s/>!?]+)((?:\s+[^\s=>]+="[^"]*")*)\s*>/g, (_m, name: string, attrs: string) => {
      const list = [...attrs.matchAll(/\s+([^\s=>]+)="([^"]*)"/g)].map((a) => `${a[1]}="${a[2]}"`).sort();
      return `<${name}${list.length ? ` ${list.join(" ")}` : ""}>`;
    });
}

const STR_JAVA = `<wsse:SecurityTokenReference xmlns:wsse11="${NS.wsse11}" wsse11:TokenType="http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0" wsu:Id="STR-1"><wsse:KeyIdentifier ValueType="http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID">encryptedassertion</wsse:KeyIdentifier></wsse:SecurityTokenReference>`;
const STR_NET = `<o:SecurityTokenReference xmlns:b="${NS.wsse11}" b:TokenType="http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0" u:Id="_str"><o:KeyIdentifier ValueType="http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID">encryptedassertion</o:KeyIdentifier></o:SecurityTokenReference>`;

/** A Java-style message (wsse/wsu prefixes) carrying the token of the Java fixture. */
function javaMessage(): string {
  return `<soap:Envelope xmlns:soap="${NS.soap12}"><soap:Header><wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}"><EncryptedAssertion xmlns="${NS.saml}">${fixture("str-transform-canonical-java.pretty.xml").trim()}</EncryptedAssertion>${STR_JAVA}</wsse:Security></soap:Header><soap:Body></soap:Body></soap:Envelope>`;
}

/**
 * A WCF-style message (`o:` for wsse on the Security header, `u:` for wsu) carrying the token of
 * the .NET fixture as the STS sent it: the inner STR declares its `o` prefix itself.
 */
function netMessage(): string {
  const token = fixture("str-transform-canonical-net.pretty.xml")
    .replace(/\r\n/g, "\n")
    .trim()
    .replace("<o:SecurityTokenReference>", `<o:SecurityTokenReference xmlns:o="${NS.wsse}">`);
  return `<s:Envelope xmlns:s="${NS.soap12}"><s:Header><o:Security xmlns:o="${NS.wsse}" xmlns:u="${NS.wsu}"><EncryptedAssertion xmlns="${NS.saml}">${token}</EncryptedAssertion>${STR_NET}</o:Security></s:Header><s:Body></s:Body></s:Envelope>`;
}

function strOf(xml: string) {
  const doc = parseXml(xml);
  const header = childElements(doc.documentElement!)[0]!;
  const security = childElements(header)[0]!;
  return childElements(security, NS.wsse, "SecurityTokenReference")[0]!;
}

describe("STR-Transform", () => {
  it("dereferences the SAMLID to the EncryptedData", () => {
    const token = dereferenceStr(strOf(javaMessage()));
    expect(token.localName).toBe("EncryptedData");
    expect(token.namespaceURI).toBe(NS.xenc);
  });

  it("produces the Java reference stack's canonical form (fixture str-transform-canonical-java)", () => {
    const out = strCanonicalForm(strOf(javaMessage()), "java");
    expect(out.startsWith(`<xenc:EncryptedData xmlns:wsu="${NS.wsu}" xmlns:xenc="${NS.xenc}" Type=`)).toBe(
      true,
    );
    expect(normalize(out)).toBe(normalize(fixture("str-transform-canonical-java.pretty.xml")));
  });

  it("produces the .NET reference stack's canonical form (fixture str-transform-canonical-net: no xmlns:o)", () => {
    const str = strOf(netMessage());
    const net = strCanonicalForm(str, "net");
    expect(normalize(net)).toBe(normalize(fixture("str-transform-canonical-net.pretty.xml")));
    expect(net).toContain("<o:SecurityTokenReference>");
    // The Java form of the same token differs exactly there.
    const java = strCanonicalForm(str, "java");
    expect(java).toContain(`<o:SecurityTokenReference xmlns:o="${NS.wsse}">`);
    expect(normalize(java)).not.toBe(normalize(fixture("str-transform-canonical-net.pretty.xml")));
  });

  it("offers every distinct form to a verifier, and works as an xml-crypto transform", () => {
    const forms = [...strCanonicalForms(strOf(netMessage()))].map((f) => f.form);
    expect(forms).toEqual(["java", "net", "assertion", "assertion-net"]);
    // In a Java-style message nothing is in scope at the STR that the token uses with the same prefix... except wsu.
    const javaForms = [...strCanonicalForms(strOf(javaMessage()))];
    expect(javaForms[0]!.form).toBe("java");
    const transform = new StrTransform("net");
    expect(transform.getAlgorithmName()).toBe(
      "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#STR-Transform",
    );
    expect(transform.process(strOf(netMessage()))).toBe(strCanonicalForm(strOf(netMessage()), "net"));
    const assertionRooted = strCanonicalForm(strOf(javaMessage()), "assertion");
    expect(assertionRooted.startsWith(`<EncryptedAssertion xmlns="${NS.saml}"><xenc:EncryptedData`)).toBe(
      true,
    );
  });

  it("refuses an STR whose SAMLID names nothing, or several elements", () => {
    const missing = javaMessage().replace(
      ">encryptedassertion</wsse:KeyIdentifier>",
      ">nosuchtoken</wsse:KeyIdentifier>",
    );
    expect(() => dereferenceStr(strOf(missing))).toThrow(/no token with that id/);
    const twice = javaMessage().replace(
      "<soap:Body></soap:Body>",
      `<soap:Body><x xmlns:wsu="${NS.wsu}" wsu:Id="encryptedassertion"/></soap:Body>`,
    );
    expect(() => dereferenceStr(strOf(twice))).toThrow(/2 elements/);
  });
});
