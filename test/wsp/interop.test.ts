/**
 * An independent verifier for our step-2 requests: xml-crypto's SignedXml with the STR-Transform
 * registered in its per-instance `CanonicalizationAlgorithms` map (as docs/protocol.md suggests).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { SignedXml } from "xml-crypto";
import { ALG, NS } from "../../src/xml/ns.js";
import { parseXml } from "../../src/xml/parse.js";
import { type StrForm, StrTransform } from "../../src/xml/str-transform.js";
import { type Bench, buildRequest, createBench } from "./helpers.js";

let bench: Bench;
beforeAll(async () => {
  bench = await createBench();
});

function xmlCryptoVerifies(xml: string, form: StrForm): boolean {
  const doc = parseXml(xml);
  const signature = doc.getElementsByTagNameNS(NS.ds, "Signature").item(0)!;
  const verifier = new SignedXml({
    publicCert: bench.clientA.certificate.pem,
    idAttribute: "wsu:Id",
    getCertFromKeyInfo: () => null,
  });
  (verifier.CanonicalizationAlgorithms as Record<string, unknown>)[ALG.strTransform] = class extends (
    StrTransform
  ) {
    constructor() {
      super(form);
    }
  };
  verifier.loadSignature(signature as never);
  try {
    return verifier.checkSignature(xml);
  } catch {
    return false;
  }
}

describe("xml-crypto verifies our OIO IDWS requests", () => {
  it("accepts the signature over all seven parts, Java and .NET STR forms", () => {
    expect(xmlCryptoVerifies(buildRequest(bench, "Ping").xml, "java")).toBe(true);
    expect(xmlCryptoVerifies(buildRequest(bench, "Ping", { strForm: "net" }).xml, "net")).toBe(true);
  });

  it("rejects a changed Body, and a token digested in the other form", () => {
    const { xml } = buildRequest(bench, "HentForloeb", { payload: { forloebId: "A-1" } });
    expect(xmlCryptoVerifies(xml.replace(">A-1<", ">A-2<"), "java")).toBe(false);
    // In our own messages the token re-declares wsu, which is in scope at the STR: the forms differ.
    expect(xmlCryptoVerifies(xml, "net")).toBe(false);
  });
});
