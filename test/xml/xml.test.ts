import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildSignedRst } from "../../src/client/rst.js";
import { HarnessError } from "../../src/core/errors.js";
import type { Credential, TestCa } from "../../src/pki/index.js";
import { canonicalize } from "../../src/xml/c14n.js";
import {
  buildIdIndex,
  digestOf,
  prepareSignature,
  requireSigned,
  SIGNATURE_PLACEHOLDER,
  signatureValueVerifies,
  signXml,
  unsignedParts,
  verifyReferences,
  verifySignature,
} from "../../src/xml/dsig.js";
import { DecryptionError, decryptAssertion, encryptAssertion } from "../../src/xml/encryption.js";
import { ALG, ENCRYPTED_ASSERTION_ID, NS, SAML } from "../../src/xml/ns.js";
import { parseXml, XmlParseError } from "../../src/xml/parse.js";
import { decodePrivileges, encodePrivileges, privilegesForCvr } from "../../src/xml/privileges.js";
import { buildSignedAssertion, readAssertion, verifyAssertionSignature } from "../../src/xml/saml.js";
import { readSoap11Envelope, readSoap11Fault, soap11Fault } from "../../src/xml/soap.js";
import { readSecurityHeader, verifySecurityHeaderSignature } from "../../src/xml/wsse.js";
import { rawEncryptedAssertion } from "../../src/xml/wstrust.js";
import { referenceFixture } from "../helpers/fixtures.js";
import { issueClient, sharedCa } from "../sts/fixture.js";

const REFERENCE = referenceFixture("dotnet-wsc-rst-issue-request.xml");
const DAY = 86_400_000;
const NOW = Date.parse("2026-03-01T10:00:00Z");

let ca: TestCa;
let client: Credential;
let other: Credential;
let sts: Credential;
let wsp: Credential;

beforeAll(async () => {
  ca = await sharedCa();
  client = await issueClient(ca, NOW - DAY, NOW + 100 * DAY);
  other = await issueClient(ca, NOW - DAY, NOW + 100 * DAY, "Other");
  sts = await ca.issue({ profile: "sts", notBefore: new Date(NOW - DAY), notAfter: new Date(NOW + DAY) });
  wsp = await ca.issue({ profile: "wsp", notBefore: new Date(NOW - DAY), notAfter: new Date(NOW + DAY) });
});

function expectReason(fn: () => unknown, reason: string, pattern?: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect((error as { reason?: string }).reason).toBe(reason);
    if (pattern) expect((error as Error).message).toMatch(pattern);
    return;
  }
  throw new Error(`expected a ${reason} error`);
}

describe("parseXml", () => {
  it("parses a document and rejects DOCTYPEs and entity expansion", () => {
    expect(parseXml("<a><b/></a>").documentElement!.localName).toBe("a");
    expectReason(() => parseXml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'), "MALFORMED_REQUEST", /DOCTYPE/);
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`;
    expectReason(() => parseXml(laughs), "MALFORMED_REQUEST", /DOCTYPE|entity/);
    expectReason(() => parseXml('<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>'), "MALFORMED_REQUEST");
  });
  it("enforces size and depth limits", () => {
    expectReason(
      () => parseXml(Buffer.alloc(2048, 32), { maxBytes: 1024 }),
      "MALFORMED_REQUEST",
      /limit of|limit is/,
    );
    const deep = `${"<a>".repeat(100)}${"</a>".repeat(100)}`;
    expectReason(() => parseXml(deep), "MALFORMED_REQUEST", /deeper/);
    expect(parseXml(deep, { maxDepth: 200 }).documentElement).toBeTruthy();
  });
  it("treats parse errors as errors", () => {
    for (const bad of ["", "<a>", "<a></b>", "<a/><b/>", "text", "<a><?pi x?></a>", "<a b='1' b='2'/>"]) {
      expect(() => parseXml(bad), bad).toThrow(XmlParseError);
    }
    expectReason(() => parseXml(Buffer.from([0x3c, 0x61, 0xff, 0x3e])), "MALFORMED_REQUEST", /UTF-8/);
  });
});

describe("XML-DSig", () => {
  const doc = (body: string) =>
    `<r xmlns:wsu="${NS.wsu}"><h wsu:Id="h1">head</h><b wsu:Id="b1">${body}</b><sig>${SIGNATURE_PLACEHOLDER}</sig></r>`;

  it("signs and verifies by wsu:Id; tampering and wrong keys fail", () => {
    const signed = signXml(doc("x"), {
      privateKey: client.key.privateKey,
      references: [{ id: "h1" }, { id: "b1" }],
    });
    const parsed = parseXml(signed);
    const signature = parsed.getElementsByTagNameNS(NS.ds, "Signature")[0]!;
    const result = verifySignature(signature, buildIdIndex(parsed), client.certificate.publicKey, {
      allowSha1: false,
    });
    expect([...result.signedElements].map((e) => e.localName)).toEqual(["h", "b"]);
    const [h, b] = [...result.signedElements];
    requireSigned(result, [h!, b!], "test");
    expectReason(
      () => requireSigned(result, [parsed.documentElement!], "test"),
      "UNSIGNED_PART",
      /^test: r is not covered/,
    );
    const tampered = parseXml(signed.replace(">x<", ">y<"));
    expectReason(
      () =>
        verifySignature(
          tampered.getElementsByTagNameNS(NS.ds, "Signature")[0]!,
          buildIdIndex(tampered),
          client.certificate.publicKey,
          { allowSha1: false },
        ),
      "SIGNATURE_INVALID",
      /digest/,
    );
    expectReason(
      () =>
        verifySignature(signature, buildIdIndex(parsed), other.certificate.publicKey, { allowSha1: false }),
      "SIGNATURE_INVALID",
      /SignatureValue/,
    );
  });

  it("verifies in two halves, each once: the SignatureValue with the key, the references with no key", () => {
    const signed = signXml(doc("x"), {
      privateKey: client.key.privateKey,
      references: [{ id: "h1" }, { id: "b1" }],
    });
    const parsed = parseXml(signed);
    const signature = parsed.getElementsByTagNameNS(NS.ds, "Signature")[0]!;
    const policy = { allowSha1: false };
    const right = prepareSignature(signature, client.certificate.publicKey, policy);
    const wrong = prepareSignature(signature, other.certificate.publicKey, policy);
    expect(signatureValueVerifies(right)).toBe(true);
    expect(signatureValueVerifies(wrong)).toBe(false);
    // The digests do not depend on the key: the coverage half never repeats the RSA operation.
    expect(verifyReferences(wrong, buildIdIndex(parsed)).signedElements.size).toBe(2);
    // A changed element fails its digest; the SignedInfo, and so the SignatureValue, still verify.
    const tampered = parseXml(signed.replace(">x<", ">y<"));
    const prepared = prepareSignature(
      tampered.getElementsByTagNameNS(NS.ds, "Signature")[0]!,
      client.certificate.publicKey,
      policy,
    );
    expect(signatureValueVerifies(prepared)).toBe(true);
    expectReason(() => verifyReferences(prepared, buildIdIndex(tampered)), "SIGNATURE_INVALID", /digest/);
  });

  it("requireSigned: named and absent parts, further problems, and the caller's own error", () => {
    const signed = signXml(doc("x"), { privateKey: client.key.privateKey, references: [{ id: "b1" }] });
    const parsed = parseXml(signed);
    const verified = verifySignature(
      parsed.getElementsByTagNameNS(NS.ds, "Signature")[0]!,
      buildIdIndex(parsed),
      client.certificate.publicKey,
      { allowSha1: false },
    );
    const [h, b] = ["h", "b"].map((name) => parsed.getElementsByTagName(name)[0]!);
    const parts = [
      { name: "the body", element: b },
      { name: "the head", element: h },
      { name: "the stamp", element: undefined },
    ];
    expect(unsignedParts(verified, parts)).toEqual(["the head", "the stamp (absent)"]);
    expect(() => requireSigned(verified, [b!], "test")).not.toThrow();
    try {
      requireSigned(verified, parts, (missing) => new HarnessError("MY_REASON", missing.join(" + ")), [
        "a problem",
      ]);
      throw new Error("expected a refusal");
    } catch (error) {
      expect(error).toMatchObject({
        reason: "MY_REASON",
        message: "the head + the stamp (absent) + a problem",
      });
    }
  });

  it("signs a reference through another transform (as the STR-Transform): its Algorithm, parameters and octets", () => {
    const signed = signXml(doc("x"), {
      privateKey: client.key.privateKey,
      references: [
        {
          id: "b1",
          transform: {
            algorithm: "urn:example:transform",
            parametersXml: `<ds:CanonicalizationMethod Algorithm="${ALG.excC14n}"></ds:CanonicalizationMethod>`,
            apply: (el) => `octets of ${el.localName}`,
          },
        },
      ],
      canonicalSignedInfoText: true,
    });
    const parsed = parseXml(signed);
    const signedInfo = parsed.getElementsByTagNameNS(NS.ds, "SignedInfo")[0]!;
    // With canonicalSignedInfoText the SignedInfo's text is exactly the octets that were signed.
    expect(signed).toContain(canonicalize(signedInfo));
    expect(signed).toContain(
      `<ds:Transform Algorithm="urn:example:transform"><ds:CanonicalizationMethod Algorithm="${ALG.excC14n}"></ds:CanonicalizationMethod></ds:Transform>`,
    );
    expect(signedInfo.getElementsByTagNameNS(NS.ds, "DigestValue")[0]!.textContent).toBe(
      digestOf("octets of b", ALG.sha256).toString("base64"),
    );
    const verified = verifySignature(
      parsed.getElementsByTagNameNS(NS.ds, "Signature")[0]!,
      buildIdIndex(parsed),
      client.certificate.publicKey,
      {
        allowSha1: false,
        customTransforms: { "urn:example:transform": (el) => `octets of ${el.localName}` },
      },
    );
    expect(verified.references.map((r) => r.transforms)).toEqual([["urn:example:transform"]]);
  });

  it("refuses sha1 unless allowed, and non-exc-c14n canonicalization", () => {
    const signed = signXml(doc("x"), {
      privateKey: client.key.privateKey,
      references: [{ id: "b1" }],
      signatureAlgorithm: ALG.rsaSha1,
      digestAlgorithm: ALG.sha1,
    });
    const parsed = parseXml(signed);
    const sig = () => parsed.getElementsByTagNameNS(NS.ds, "Signature")[0]!;
    expectReason(
      () => verifySignature(sig(), buildIdIndex(parsed), client.certificate.publicKey, { allowSha1: false }),
      "UNSUPPORTED_ALGORITHM",
      /rsa-sha1/,
    );
    expect(
      verifySignature(sig(), buildIdIndex(parsed), client.certificate.publicKey, { allowSha1: true })
        .signedElements.size,
    ).toBe(1);
    const inclusive = parseXml(
      signed.replace(
        `CanonicalizationMethod Algorithm="${ALG.excC14n}"`,
        'CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"',
      ),
    );
    expectReason(
      () =>
        verifySignature(
          inclusive.getElementsByTagNameNS(NS.ds, "Signature")[0]!,
          buildIdIndex(inclusive),
          client.certificate.publicKey,
          { allowSha1: true },
        ),
      "UNSUPPORTED_ALGORITHM",
      /exc-c14n/,
    );
  });

  it("refuses a signature with an absurd number of references", () => {
    const signed = signXml(doc("x"), {
      privateKey: client.key.privateKey,
      references: Array.from({ length: 40 }, () => ({ id: "b1" })),
    });
    const parsed = parseXml(signed);
    expectReason(
      () =>
        verifySignature(
          parsed.getElementsByTagNameNS(NS.ds, "Signature")[0]!,
          buildIdIndex(parsed),
          client.certificate.publicKey,
          { allowSha1: false },
        ),
      "SIGNATURE_INVALID",
      /40 references/,
    );
  });

  it("checks every reference's algorithms before any digest", () => {
    const signed = signXml(doc("x"), {
      privateKey: client.key.privateKey,
      references: [{ id: "h1" }, { id: "b1" }],
    });
    // The first reference's element is tampered, the second uses sha1: the algorithm is reported.
    const mixed = parseXml(
      signed
        .replace(">head<", ">HEAD<")
        .replace(/(URI="#b1">[\s\S]*?DigestMethod Algorithm=")[^"]+/, `$1${ALG.sha1}`),
    );
    expectReason(
      () =>
        verifySignature(
          mixed.getElementsByTagNameNS(NS.ds, "Signature")[0]!,
          buildIdIndex(mixed),
          client.certificate.publicKey,
          { allowSha1: false },
        ),
      "UNSUPPORTED_ALGORITHM",
      /#b1/,
    );
  });

  it("refuses a reference that resolves to two elements (a copy with the same id)", () => {
    const signed = signXml(doc("x"), { privateKey: client.key.privateKey, references: [{ id: "b1" }] });
    const wrapped = parseXml(signed.replace("<sig>", `<sig><b wsu:Id="b1">evil</b>`));
    expectReason(
      () =>
        verifySignature(
          wrapped.getElementsByTagNameNS(NS.ds, "Signature")[0]!,
          buildIdIndex(wrapped),
          client.certificate.publicKey,
          { allowSha1: false },
        ),
      "SIGNATURE_INVALID",
      /matches 2 elements/,
    );
  });

  it("verifies the .NET reference request (BST key, six references)", () => {
    const parsed = parseXml(readFileSync(REFERENCE));
    const header = readSecurityHeader(readSoap11Envelope(parsed).header!);
    const verified = verifySecurityHeaderSignature(header, buildIdIndex(parsed), { allowSha1: false });
    expect(verified.signedElements.size).toBe(6);
    expect(header.certificate.subject).toContain("CVR:34051178");
  });

  it("refuses a KeyInfo that carries its own certificate instead of referencing the BST", () => {
    const rst = buildSignedRst({
      credential: client,
      to: "https://sts/",
      appliesTo: "https://wsp",
      nowMs: NOW,
    });
    const swapped = rst.xml.replace(
      /<KeyInfo>[\s\S]*?<\/KeyInfo>/,
      `<KeyInfo><X509Data><X509Certificate>${other.certificate.base64}</X509Certificate></X509Data></KeyInfo>`,
    );
    const parsed = parseXml(swapped);
    const header = readSecurityHeader(readSoap11Envelope(parsed).header!);
    expectReason(
      () => verifySecurityHeaderSignature(header, buildIdIndex(parsed), { allowSha1: false }),
      "SIGNATURE_INVALID",
      /SecurityTokenReference/,
    );
  });
});

describe("SAML assertion, encryption, privileges", () => {
  const params = () => ({
    issueInstantMs: NOW,
    issuer: "https://signature.sts.nemlog-in.dk/",
    nameId: "https://wsc.example",
    subjectCertificate: client.certificate,
    notBeforeMs: NOW,
    notOnOrAfterMs: NOW + 8 * 3_600_000,
    audience: "https://smdb.dst.dk/production",
    cvr: "91234567",
    privileges: ["urn:dk:dst:smdb:privilege:indberet", "urn:dk:dst:smdb:privilege:hent"],
    signing: sts,
  });

  it("builds, encrypts, decrypts, verifies and reads the holder-of-key assertion", () => {
    const { xml, id } = buildSignedAssertion(params());
    const encrypted = encryptAssertion(xml, wsp.certificate);
    expect(encrypted).toContain(`Id="${ENCRYPTED_ASSERTION_ID}" wsu:Id="${ENCRYPTED_ASSERTION_ID}"`);
    expect(
      buildIdIndex(parseXml(encrypted))
        .get(ENCRYPTED_ASSERTION_ID)
        ?.map((e) => e.localName),
    ).toEqual(["EncryptedData"]);
    expect(rawEncryptedAssertion(`<x>${encrypted}</x>`)).toBe(encrypted);
    const decrypted = decryptAssertion(encrypted, wsp.key.privateKey);
    expect(decrypted.assertionXml).toBe(xml);
    expect(
      verifyAssertionSignature(decrypted.assertion, [other.certificate, sts.certificate], {
        allowSha1: false,
      }).sha256,
    ).toBe(sts.certificate.sha256);
    const content = readAssertion(decrypted.assertion);
    expect(content).toMatchObject({
      id,
      issuer: "https://signature.sts.nemlog-in.dk/",
      nameId: "https://wsc.example",
      subjectConfirmationMethod: SAML.holderOfKey,
      audiences: ["https://smdb.dst.dk/production"],
      cvr: "91234567",
      privileges: ["urn:dk:dst:smdb:privilege:indberet", "urn:dk:dst:smdb:privilege:hent"],
      notOnOrAfterMs: NOW + 8 * 3_600_000,
    });
    expect(content.subjectCertificate?.sha256).toBe(client.certificate.sha256);
    expect(content.attributes[SAML.attrSpecVer]).toEqual(["DK-SAML-2.0"]);
    expect(content.attributes[SAML.attrAssuranceLevel]).toEqual(["3"]);
  });

  it("rejects an assertion from an untrusted signer, a tampered one, and the wrong decryption key", () => {
    const { xml } = buildSignedAssertion(params());
    const parsed = parseXml(xml);
    expectReason(
      () => verifyAssertionSignature(parsed.documentElement!, [other.certificate], { allowSha1: false }),
      "TOKEN_ISSUER_UNTRUSTED",
      new RegExp(sts.certificate.sha256),
    );
    const tampered = parseXml(xml.replace("91234567</AttributeValue>", "99999999</AttributeValue>"));
    expectReason(
      () => verifyAssertionSignature(tampered.documentElement!, [sts.certificate], { allowSha1: false }),
      "TOKEN_SIGNATURE_INVALID",
    );
    expect(() => decryptAssertion(encryptAssertion(xml, wsp.certificate), client.key.privateKey)).toThrow(
      DecryptionError,
    );
  });

  it("round-trips the Basic Privilege Profile list", () => {
    const encoded = encodePrivileges("91234567", ["urn:a", "urn:b"]);
    const groups = decodePrivileges(encoded);
    expect(groups).toEqual([
      { scope: "urn:dk:gov:saml:CvrNumberIdentifier:91234567", privileges: ["urn:a", "urn:b"] },
    ]);
    expect(privilegesForCvr(groups, "91234567")).toEqual(["urn:a", "urn:b"]);
    expect(privilegesForCvr(groups, "12345678")).toEqual([]);
    expect(() => decodePrivileges(Buffer.from("<!DOCTYPE x><x/>").toString("base64"))).toThrow(XmlParseError);
  });
});

describe("SOAP 1.1 faults", () => {
  it("writes verbose faults with the reason and realistic ones in a double envelope", () => {
    const verbose = readSoap11Fault(
      parseXml(
        soap11Fault({
          code: "wst:FailedAuthentication",
          reason: "CERT_EXPIRED",
          message: "certificate AB expired",
          mode: "verbose",
        }),
      ),
    );
    expect(verbose).toMatchObject({
      faultcode: "wst:FailedAuthentication",
      reason: "CERT_EXPIRED",
      message: "certificate AB expired",
      doubleEnvelope: false,
    });
    const realistic = readSoap11Fault(
      parseXml(
        soap11Fault({
          code: "wst:FailedAuthentication",
          reason: "CERT_EXPIRED",
          message: "x",
          mode: "realistic",
        }),
      ),
    );
    expect(realistic).toMatchObject({
      faultcode: "wst:FailedAuthentication",
      faultstring: "Authentication failed",
      doubleEnvelope: true,
    });
    expect(realistic?.reason).toBeUndefined();
  });
});
