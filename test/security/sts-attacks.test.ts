/**
 * Adversarial review of step 1 (the STS) through real HTTP, adding to test/sts/attacks.test.ts:
 * wrapping by id-attribute games and ignored parts, signatures in the wrong place, disallowed
 * transforms and methods, references without a usable URI, KeyInfo with a certificate, an STR to
 * a second BST, comment injection into signed values, odd timestamps and a cross-environment
 * replay. Every rejection is a well-formed SOAP 1.1 fault with the right wst code and reason,
 * exactly one event, and the STS still issues a token afterwards.
 */
import { createPrivateKey, createSign } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { buildSignedRst, type RstRequestParams } from "../../src/client/rst.js";
import type { Environment } from "../../src/core/events.js";
import type { Credential } from "../../src/pki/index.js";
import type { StsReason } from "../../src/sts/token-service.js";
import { canonicalize } from "../../src/xml/c14n.js";
import { decryptAssertion } from "../../src/xml/encryption.js";
import { ALG, NS } from "../../src/xml/ns.js";
import { childElements, parseXml } from "../../src/xml/parse.js";
import { readAssertion } from "../../src/xml/saml.js";
import { readSoap11Envelope } from "../../src/xml/soap.js";
import { strToBstXml } from "../../src/xml/wsse.js";
import { readRstrc } from "../../src/xml/wstrust.js";
import {
  ENDPOINTS,
  expectIssued,
  expectStsFault,
  issueClient,
  rstTemplate,
  type StsFixture,
  signRst,
  stsFixture,
  WSP_ID,
} from "../sts/fixture.js";
import { nonRsaCertificate } from "./non-rsa.js";

const DAY = 86_400_000;

let f: StsFixture;
beforeEach(async () => {
  f = await stsFixture();
});

function rstParams(overrides: Partial<RstRequestParams> = {}): RstRequestParams {
  return {
    credential: f.client,
    to: ENDPOINTS.production,
    appliesTo: WSP_ID.production,
    nowMs: f.clock.nowMs(),
    useKey: false,
    ...overrides,
  };
}

function template(overrides: Partial<RstRequestParams> = {}): string {
  return rstTemplate(rstParams(overrides), "uuid:aaaaaaaa-2222-3333-4444-555555555555");
}

/** Signs a (possibly modified) template as the client does. */
function sign(xml: string, options: { ids?: string[]; key?: Credential; keyInfoXml?: string } = {}): string {
  return signRst(f, xml, options);
}

/** Replaces the SignedInfo of a signed request and signs the new one (digests left as they are). */
function resignSignedInfo(xml: string, edit: (signedInfo: string) => string, key: Credential = f.client) {
  const signedInfo = /<SignedInfo>[\s\S]*?<\/SignedInfo>/.exec(xml)![0];
  const edited = xml.replace(signedInfo, edit(signedInfo));
  expect(edited).not.toBe(xml);
  const doc = parseXml(edited);
  const si = doc.getElementsByTagNameNS(NS.ds, "SignedInfo")[0]!;
  const value = createSign("sha256")
    .update(canonicalize(si), "utf8")
    .sign(key.key.privateKey)
    .toString("base64");
  return edited.replace(
    /<SignatureValue>[^<]*<\/SignatureValue>/,
    `<SignatureValue>${value}</SignatureValue>`,
  );
}

async function expectOk(body?: string, env: Environment = "production") {
  return expectIssued(f, body ?? buildSignedRst(rstParams({ nowMs: f.clock.nowMs() })).xml, env);
}

async function expectFault(
  body: string | Buffer,
  reason: Exclude<StsReason, "OK">,
  options: { env?: Environment; pattern?: RegExp } = {},
) {
  const fault = await expectStsFault(f, body, reason, options);
  await expectOk();
  return fault;
}

/** The assertion inside an STS answer, decrypted with the production WSP key. */
function tokenOf(responseXml: string) {
  const body = readSoap11Envelope(parseXml(responseXml)).body;
  const rstr = readRstrc(childElements(body)[0]!);
  return readAssertion(decryptAssertion(rstr.encryptedAssertion, f.wsp.production.key.privateKey).assertion);
}

const BODY_RE = /<S11:Body[\s\S]*<\/S11:Body>/;

describe("signature wrapping in step 1", () => {
  it("a copy of the signed Body carrying its id as Id or ID (not wsu:Id) → SIGNATURE_INVALID", async () => {
    for (const attr of ["Id", "ID"]) {
      const signed = sign(template());
      const body = BODY_RE.exec(signed)![0];
      const evil = body
        .replace('wsu:Id="body"', `${attr}="body"`)
        .replace(WSP_ID.production, WSP_ID.integration);
      const wrapped = signed
        .replace(body, evil)
        .replace("</wsse:Security>", `<W xmlns="urn:x">${body}</W></wsse:Security>`);
      await expectFault(wrapped, "SIGNATURE_INVALID", { pattern: /matches 2 elements/ });
    }
  });

  it("the evil Body under xml:id, the signed one hidden in wsse:Security → UNSIGNED_PART", async () => {
    const signed = sign(template());
    const body = BODY_RE.exec(signed)![0];
    const evil = body
      .replace('wsu:Id="body"', 'xml:id="body"')
      .replace(WSP_ID.production, WSP_ID.integration);
    const wrapped = signed
      .replace(body, evil)
      .replace("</wsse:Security>", `<W xmlns="urn:x">${body}</W></wsse:Security>`);
    await expectFault(wrapped, "UNSIGNED_PART", { pattern: /S11:Body/ });
  });

  it("a signed wsa:To hidden inside wsse:Security (an ignored part) and an unsigned one in its place → UNSIGNED_PART", async () => {
    const signed = sign(template());
    const to = /<wsa:To [^>]*>[^<]*<\/wsa:To>/.exec(signed)![0];
    const evil = `<wsa:To>${ENDPOINTS.integration}</wsa:To>`;
    const moved = signed.replace(to, evil).replace("</wsse:Security>", `${to}</wsse:Security>`);
    await expectFault(moved, "UNSIGNED_PART", { pattern: /wsa:To/ });
    // Same with the evil one carrying the signed id: ambiguous.
    const same = signed
      .replace(to, `<wsa:To wsu:Id="to">${ENDPOINTS.integration}</wsa:To>`)
      .replace("</wsse:Security>", `${to}</wsse:Security>`);
    await expectFault(same, "SIGNATURE_INVALID", { pattern: /matches 2 elements/ });
  });

  it("the signed Body left in place and a second Body in the Header or the Envelope → rejected", async () => {
    const signed = sign(template());
    const body = BODY_RE.exec(signed)![0];
    const second = body.replace(' wsu:Id="body"', "").replace(WSP_ID.production, WSP_ID.integration);
    await expectFault(signed.replace("</S11:Header>", `${second}</S11:Header>`), "UNSIGNED_PART", {
      pattern: /S11:Body/,
    });
    await expectFault(signed.replace("</S11:Envelope>", `${second}</S11:Envelope>`), "MALFORMED_REQUEST", {
      pattern: /2 Body elements/,
    });
  });

  it("the Signature moved into the signed Body or Timestamp → rejected", async () => {
    const signed = sign(template());
    const signature = /<Signature xmlns=[\s\S]*<\/Signature>/.exec(signed)![0];
    const without = signed.replace(signature, "");
    await expectFault(
      without.replace("</wst:RequestSecurityToken>", `${signature}</wst:RequestSecurityToken>`),
      "UNSIGNED_PART",
    );
    await expectFault(
      without.replace("</wsu:Timestamp>", `${signature}</wsu:Timestamp>`),
      "MALFORMED_REQUEST",
      {
        pattern: /directly in the header/,
      },
    );
  });

  it("a signature that references wsse:Security itself (enveloping its own signature) → SIGNATURE_INVALID", async () => {
    const xml = template().replace("<wsse:Security ", '<wsse:Security wsu:Id="sec" ');
    await expectFault(
      sign(xml, { ids: ["action", "msgid", "to", "sec-ts", "sec-binsectoken", "body", "sec"] }),
      "SIGNATURE_INVALID",
      { pattern: /covers its own signature/ },
    );
  });
});

describe("disallowed algorithms, references and keys", () => {
  const EXC = `<Transform Algorithm="${ALG.excC14n}"></Transform>`;

  it("XPath, XSLT, exc-c14n with comments, inclusive c14n, enveloped on a non-enveloping reference → UNSUPPORTED_ALGORITHM", async () => {
    for (const transform of [
      `<Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><XPath>1</XPath></Transform>`,
      `<Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"></Transform>`,
      `<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#WithComments"></Transform>`,
      `<Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"></Transform>`,
      `<Transform Algorithm="${ALG.envelopedSignature}"></Transform>${EXC}`,
    ]) {
      const xml = resignSignedInfo(sign(template()), (si) => si.replace(EXC, transform));
      await expectFault(xml, "UNSUPPORTED_ALGORITHM", { pattern: /transforms/ });
    }
  });

  it("HMAC-SHA1 and HMAC-SHA256 signature methods (key confusion) → UNSUPPORTED_ALGORITHM", async () => {
    for (const method of [
      "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
      "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
    ]) {
      const xml = resignSignedInfo(sign(template()), (si) => si.replace(ALG.rsaSha256, method));
      await expectFault(xml, "UNSUPPORTED_ALGORITHM", { pattern: /hmac/ });
    }
  });

  it("a SignedInfo canonicalized with comments or inclusively → UNSUPPORTED_ALGORITHM", async () => {
    for (const method of [
      "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
      "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    ]) {
      const xml = resignSignedInfo(sign(template()), (si) =>
        si.replace(
          `<CanonicalizationMethod Algorithm="${ALG.excC14n}">`,
          `<CanonicalizationMethod Algorithm="${method}">`,
        ),
      );
      await expectFault(xml, "UNSUPPORTED_ALGORITHM", { pattern: /canonicalization/ });
    }
  });

  it("a reference with an empty URI, no URI, an XPointer or an external URI → SIGNATURE_INVALID", async () => {
    for (const uri of [
      ' URI=""',
      "",
      ' URI="#xpointer(/)"',
      " URI=\"#xpointer(id('body'))\"",
      ' URI="http://attacker.example/x"',
    ]) {
      const xml = resignSignedInfo(sign(template()), (si) => si.replace(' URI="#body"', uri));
      await expectFault(xml, "SIGNATURE_INVALID", { pattern: /same-document #id/ });
    }
  });

  it("KeyInfo with an X509Data certificate (the attacker's), alone or next to the STR → SIGNATURE_INVALID", async () => {
    const attacker = await issueClient(f.ca, f.clock.nowMs() - DAY, f.clock.nowMs() + DAY, "Attacker");
    const x509 = `<X509Data><X509Certificate>${attacker.certificate.base64}</X509Certificate></X509Data>`;
    for (const keyInfoXml of [
      x509,
      `${strToBstXml("sec-binsectoken")}${x509}`,
      `${x509}${strToBstXml("sec-binsectoken")}`,
    ]) {
      await expectFault(sign(template(), { key: attacker, keyInfoXml }), "SIGNATURE_INVALID", {
        pattern: /KeyInfo must hold only/,
      });
    }
  });

  it("a BST with an EC key (ECDSA signature under the rsa-sha256 URI) or an Ed25519 key → UNSUPPORTED_ALGORITHM", async () => {
    const ec = nonRsaCertificate("ec");
    const ecCredential = {
      certificate: ec.certificate,
      key: { privateKey: createPrivateKey(ec.privateKeyPem) },
      chain: [],
    } as unknown as Credential;
    await expectFault(
      sign(template({ credential: ecCredential }), { key: ecCredential }),
      "UNSUPPORTED_ALGORITHM",
      {
        pattern: /key is ec, not RSA/,
      },
    );
    // Ed25519 cannot even make an "rsa-sha256" signature; the client's RSA key signs instead.
    const ed = nonRsaCertificate("ed25519");
    const edCredential = { ...f.client, certificate: ed.certificate } as Credential;
    await expectFault(sign(template({ credential: edCredential })), "UNSUPPORTED_ALGORITHM", {
      pattern: /key is ed25519, not RSA/,
    });
  });

  it("an STR pointing to a second BST (in wst:UseKey) with the attacker's certificate → SIGNATURE_INVALID", async () => {
    const attacker = await issueClient(f.ca, f.clock.nowMs() - DAY, f.clock.nowMs() + DAY, "Attacker");
    const xml = template({ useKey: true });
    const useKeyId = /<wst:UseKey><wsse:BinarySecurityToken wsu:Id="([^"]+)"/.exec(xml)![1]!;
    const withAttacker = xml.replace(
      /(<wst:UseKey><wsse:BinarySecurityToken [^>]*>)[^<]*/,
      `$1${attacker.certificate.base64}`,
    );
    await expectFault(
      sign(withAttacker, { key: attacker, keyInfoXml: strToBstXml(useKeyId) }),
      "SIGNATURE_INVALID",
      {
        pattern: /does not point at the BinarySecurityToken of the Security header/,
      },
    );
  });
});

describe("signed values are read canonically", () => {
  it("a comment injected into the signed AppliesTo does not truncate it: the full value decides", async () => {
    // The client signed AppliesTo "https://smdb.dst.dk/production.evil" (not registered); a comment
    // keeps the digest. A reader stopping at the first text node would see the registered WSP.
    const signed = sign(template({ appliesTo: `${WSP_ID.production}.evil` }));
    const injected = signed.replace(`${WSP_ID.production}.evil`, `${WSP_ID.production}<!---->.evil`);
    expect(injected).not.toBe(signed);
    await expectFault(injected, "UNKNOWN_SERVICE", { pattern: /production\.evil/ });
  });

  it("comments and CDATA in signed values change nothing: the token carries the canonical AppliesTo", async () => {
    const signed = sign(template());
    const injected = signed
      .replace(WSP_ID.production, `<![CDATA[https://smdb.dst.dk/]]><!-- x -->production`)
      .replace(`>${ENDPOINTS.production}<`, `>https://signature.sts.<!---->nemlog-in.dk/<`);
    expect(injected).not.toBe(signed);
    const res = await expectOk(injected);
    const token = tokenOf(res.text);
    expect(token.audiences).toEqual([WSP_ID.production]);
    expect(token.issuer).toBe(ENDPOINTS.production);
  });
});

describe("time and replay", () => {
  function withTimestamp(created: string, expires: string): string {
    const xml = template().replace(
      /<wsu:Created>[^<]*<\/wsu:Created><wsu:Expires>[^<]*<\/wsu:Expires>/,
      `<wsu:Created>${created}</wsu:Created><wsu:Expires>${expires}</wsu:Expires>`,
    );
    return sign(xml);
  }

  it("Expires without a zone, with a leap second, in year 10000, on 30 February → MALFORMED_REQUEST", async () => {
    const created = "2026-03-01T10:00:00Z";
    for (const expires of [
      "2026-03-01T10:05:00",
      "2026-03-01T10:04:60Z",
      "10000-03-01T10:05:00Z",
      "2026-02-30T10:05:00Z",
      "2026-03-01T10:05:00 Z",
    ]) {
      await expectFault(withTimestamp(created, expires), "MALFORMED_REQUEST", { pattern: /wsu:Expires/ });
    }
  });

  it("Expires not after Created → MALFORMED_REQUEST", async () => {
    for (const expires of ["2026-03-01T10:00:00Z", "2026-03-01T09:59:59Z"]) {
      await expectFault(withTimestamp("2026-03-01T10:00:00Z", expires), "MALFORMED_REQUEST", {
        pattern: /not after wsu:Created/,
      });
    }
  });

  it("fractional seconds (to nanoseconds) and numeric zones are accepted", async () => {
    await expectOk(withTimestamp("2026-03-01T10:00:00.5Z", "2026-03-01T12:05:00.123456789+02:00"));
  });

  it("a request replayed to the other environment's STS → WRONG_ENDPOINT", async () => {
    const { xml } = buildSignedRst(rstParams());
    await expectOk(xml);
    await expectFault(xml, "WRONG_ENDPOINT", { env: "integration" });
  });
});
