/**
 * Adversarial review of step 2 (the SMDB WSP) through real HTTP, adding to test/wsp/attacks.test.ts:
 * signature wrapping by id-attribute games, token substitution under the STR-Transform, comment
 * and CDATA injection into signed content, disallowed transforms and algorithms, hostile
 * EncryptedData (rsa-1_5, altered ciphertext as a padding oracle, plaintexts that are not one
 * assertion), replay at the edge of the window and across environments, odd timestamps.
 * Every rejection is a well-formed SOAP 1.2 fault with the right reason, exactly one event, no
 * record written, and the service answers a good request afterwards.
 */
import {
  constants,
  createCipheriv,
  createHash,
  createPrivateKey,
  createSign,
  publicEncrypt,
  randomBytes,
} from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Environment } from "../../src/core/events.js";
import { DEFAULT_PRIVILEGES, PRIVILEGE_HENT } from "../../src/smdb/privileges.js";
import { canonicalize } from "../../src/xml/c14n.js";
import { buildIdIndex } from "../../src/xml/dsig.js";
import { encryptAssertion, issuerNameRfc2253, serialNumberDecimal } from "../../src/xml/encryption.js";
import { ALG, NS } from "../../src/xml/ns.js";
import { parseXml } from "../../src/xml/parse.js";
import { buildSignedAssertion } from "../../src/xml/saml.js";
import {
  type Bench,
  buildRequest,
  COURSE,
  CVR_A,
  eventsDuring,
  expectRejection,
  HOUR,
  issueToken,
  post,
  START,
  useBench,
} from "../wsp/helpers.js";
import { nonRsaCertificate } from "./non-rsa.js";

let bench: Bench;
useBench((created) => {
  bench = created;
});

/** A rejection: SOAP 1.2 env:Sender fault, HTTP 400, the reason and subcode, one event, no record, still healthy. */
async function expectRejected(body: string | Buffer, reason: string, env: Environment = "production") {
  const rejection = await expectRejection(bench, body, reason, env);
  await expectHealthy();
  return rejection;
}

/** A fresh, good request is still answered. */
async function expectHealthy() {
  const res = await post(bench, buildRequest(bench, "Ping").xml);
  expect(res.status, res.body.slice(0, 400)).toBe(200);
}

const indberet = (options: Parameters<typeof buildRequest>[2] = {}) =>
  buildRequest(bench, "IndberetForloeb", { payload: COURSE, ...options });

/** A signed assertion as the production STS issues it (XML, before encryption). */
function signedAssertion(overrides: { nameId?: string; cvr?: string; privileges?: readonly string[] } = {}) {
  const id = bench.state.environment("production");
  const now = bench.clock.nowMs();
  return buildSignedAssertion({
    issueInstantMs: now,
    issuer: id.stsEndpointReference,
    nameId: overrides.nameId ?? "https://fagsystem-a.example.dk",
    subjectCertificate: bench.clientA.certificate,
    notBeforeMs: now,
    notOnOrAfterMs: now + 8 * HOUR,
    audience: id.wspEntityId,
    cvr: overrides.cvr ?? CVR_A,
    privileges: overrides.privileges ?? DEFAULT_PRIVILEGES,
    signing: id.stsSigning,
  }).xml;
}

/** An EncryptedAssertion with the given plaintext, encrypted the way the STS does (any bytes). */
function encryptRaw(
  plaintext: Buffer,
  options: { keyTransport?: string; rawPadding?: boolean; env?: Environment } = {},
): string {
  const wsp = bench.state.environment(options.env ?? "production").wsp.certificate;
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  if (options.rawPadding) cipher.setAutoPadding(false);
  const cipherText = Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
  const rsa15 = options.keyTransport === "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
  const wrapped = publicEncrypt(
    rsa15
      ? { key: wsp.publicKey, padding: constants.RSA_PKCS1_PADDING }
      : { key: wsp.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
    key,
  );
  return (
    `<EncryptedAssertion xmlns="${NS.saml}">` +
    `<xenc:EncryptedData xmlns:xenc="${NS.xenc}" xmlns:wsu="${NS.wsu}" Type="${ALG.xencElement}" Id="encryptedassertion" wsu:Id="encryptedassertion">` +
    `<xenc:EncryptionMethod Algorithm="${ALG.aes256cbc}"></xenc:EncryptionMethod>` +
    `<KeyInfo xmlns="${NS.ds}"><e:EncryptedKey xmlns:e="${NS.xenc}">` +
    `<e:EncryptionMethod Algorithm="${options.keyTransport ?? ALG.rsaOaepMgf1p}"><DigestMethod Algorithm="${ALG.sha1}"></DigestMethod></e:EncryptionMethod>` +
    `<KeyInfo><o:SecurityTokenReference xmlns:o="${NS.wsse}"><X509Data><X509IssuerSerial>` +
    `<X509IssuerName>${issuerNameRfc2253(wsp)}</X509IssuerName><X509SerialNumber>${serialNumberDecimal(wsp)}</X509SerialNumber>` +
    `</X509IssuerSerial></X509Data></o:SecurityTokenReference></KeyInfo>` +
    `<e:CipherData><e:CipherValue>${wrapped.toString("base64")}</e:CipherValue></e:CipherData></e:EncryptedKey></KeyInfo>` +
    `<xenc:CipherData><xenc:CipherValue>${cipherText.toString("base64")}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedData></EncryptedAssertion>`
  );
}

/** The token with the content CipherValue's bytes changed by `edit` (IV first, then the blocks). */
function alterCipherText(token: string, edit: (bytes: Buffer) => void): string {
  const values = [...token.matchAll(/<xenc:CipherValue>([^<]*)<\/xenc:CipherValue>/g)];
  const content = values[values.length - 1]!;
  const bytes = Buffer.from(content[1]!, "base64");
  edit(bytes);
  return token.replace(content[1]!, bytes.toString("base64"));
}

/**
 * Signs `xml` again after an edit of signed parts, as a client holding the key would: the
 * exc-c14n references get fresh digests (the STR-Transform one is left as is), then a new
 * SignatureValue over the SignedInfo (written canonically by buildIdwsRequest).
 */
function resign(xml: string, client = bench.clientA): string {
  const index = buildIdIndex(parseXml(xml));
  let signedInfo = /<ds:SignedInfo[\s\S]*?<\/ds:SignedInfo>/.exec(xml)![0];
  const original = signedInfo;
  signedInfo = signedInfo.replace(
    /<ds:Reference URI="#([^"]+)"><ds:Transforms><ds:Transform Algorithm="([^"]+)"><\/ds:Transform><\/ds:Transforms>(<ds:DigestMethod [^>]*><\/ds:DigestMethod>)<ds:DigestValue>[^<]*<\/ds:DigestValue>/g,
    (all: string, id: string, transform: string, digestMethod: string) => {
      if (!index.get(id)?.[0]) return all;
      const digest = createHash("sha256")
        .update(canonicalize(index.get(id)![0]!), "utf8")
        .digest("base64");
      return `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="${transform}"></ds:Transform></ds:Transforms>${digestMethod}<ds:DigestValue>${digest}</ds:DigestValue>`;
    },
  );
  const value = createSign("sha256")
    .update(signedInfo, "utf8")
    .sign(client.key.privateKey)
    .toString("base64");
  return xml
    .replace(original, signedInfo)
    .replace(
      /<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/,
      `<ds:SignatureValue>${value}</ds:SignatureValue>`,
    );
}

/** Edits the Timestamp of a signed request and signs it again. */
const resignTimestamp = (xml: string) => resign(xml);

describe("signature wrapping in step 2", () => {
  it("the signed Body kept in place and a second, unsigned Body added after it → MALFORMED_REQUEST", async () => {
    const { xml } = indberet();
    const evil = `<soap:Body xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><smdb:HentForloeb xmlns:smdb="urn:dk:dst:smdb:2026"><smdb:forloebId>X</smdb:forloebId></smdb:HentForloeb></soap:Body>`;
    await expectRejected(xml.replace("</soap:Envelope>", `${evil}</soap:Envelope>`), "MALFORMED_REQUEST");
  });

  it("a copy of the signed Body under another id attribute name (Id, ID, wsu:Id) → SIGNATURE_INVALID", async () => {
    for (const attr of ["Id", "ID"]) {
      const { xml } = indberet();
      const body = /<soap:Body[\s\S]*<\/soap:Body>/.exec(xml)![0];
      const id = /wsu:Id="([^"]+)"/.exec(body)![1]!;
      // The evil Body in place carries the signed id under another attribute name; the signed
      // one moves into a header.
      const evilBody = body
        .replace(`wsu:Id="${id}"`, `${attr}="${id}"`)
        .replace("<smdb:kommunekode>101</smdb:kommunekode>", "<smdb:kommunekode>851</smdb:kommunekode>");
      const wrapped = xml
        .replace(body, evilBody)
        .replace("</soap:Header>", `<w:Wrapper xmlns:w="urn:attacker">${body}</w:Wrapper></soap:Header>`);
      const { fault } = await expectRejected(wrapped, "SIGNATURE_INVALID");
      expect(fault.harness?.message).toMatch(/matches 2 elements/);
    }
  });

  it("the evil Body under xml:id (not an id the verifier knows) and the signed one wrapped → SIGNATURE_INVALID", async () => {
    const { xml } = indberet();
    const body = /<soap:Body[\s\S]*<\/soap:Body>/.exec(xml)![0];
    const id = /wsu:Id="([^"]+)"/.exec(body)![1]!;
    const evilBody = body
      .replace(`wsu:Id="${id}"`, `xml:id="${id}"`)
      .replace("<smdb:kommunekode>101</smdb:kommunekode>", "<smdb:kommunekode>851</smdb:kommunekode>");
    const wrapped = xml
      .replace(body, evilBody)
      .replace("</soap:Header>", `<w:Wrapper xmlns:w="urn:attacker">${body}</w:Wrapper></soap:Header>`);
    const { fault } = await expectRejected(wrapped, "SIGNATURE_INVALID");
    expect(fault.harness?.message).toMatch(/does not cover the Body/);
  });

  it("a signed wsa:MessageID moved into an ignored header and a fresh unsigned one in its place → SIGNATURE_INVALID", async () => {
    const first = buildRequest(bench, "Ping");
    expect((await post(bench, first.xml)).status).toBe(200);
    // Replaying with a new MessageID: the signed one is hidden in an unknown header.
    const signed = /<MessageID [\s\S]*?<\/MessageID>/.exec(first.xml)![0];
    const fresh = `<MessageID xmlns="${NS.wsa}">urn:uuid:00000000-0000-0000-0000-000000000001</MessageID>`;
    const replay = first.xml
      .replace(signed, fresh)
      .replace("</soap:Header>", `<w:Ignored xmlns:w="urn:attacker">${signed}</w:Ignored></soap:Header>`);
    const { fault } = await expectRejected(replay, "SIGNATURE_INVALID");
    expect(fault.harness?.message).toMatch(/wsa:MessageID/);
  });

  it("an unsigned wsa header the binding does not use (FaultTo, From, RelatesTo) → SIGNATURE_INVALID", async () => {
    for (const header of [
      `<FaultTo xmlns="${NS.wsa}"><Address>https://attacker.example/faults</Address></FaultTo>`,
      `<From xmlns="${NS.wsa}"><Address>https://fagsystem-b.example.dk</Address></From>`,
      `<RelatesTo xmlns="${NS.wsa}">urn:uuid:00000000-0000-0000-0000-000000000002</RelatesTo>`,
    ]) {
      const { xml } = indberet();
      const { fault } = await expectRejected(
        xml.replace("<wsse:Security ", `${header}<wsse:Security `),
        "SIGNATURE_INVALID",
      );
      expect(fault.harness?.message).toMatch(/wsa:/);
    }
  });

  it("a signature that sits inside the signed Timestamp, or outside wsse:Security → rejected", async () => {
    const { xml } = indberet();
    const signature = /<ds:Signature [\s\S]*<\/ds:Signature>/.exec(xml)![0];
    const withoutSig = xml.replace(signature, "");
    await expectRejected(
      withoutSig.replace("</wsu:Timestamp>", `${signature}</wsu:Timestamp>`),
      "HOK_PROOF_INVALID",
    );
    await expectRejected(
      withoutSig.replace(
        "</soap:Header>",
        `<w:X xmlns:w="urn:attacker" xmlns:wsse="${NS.wsse}">${signature}</w:X></soap:Header>`,
      ),
      "HOK_PROOF_INVALID",
    );
  });

  it("the Body before the Header (SOAP 1.2 puts the Header first) → MALFORMED_REQUEST", async () => {
    const { xml } = indberet();
    const header = /<soap:Header>[\s\S]*<\/soap:Header>/.exec(xml)![0];
    const swapped = xml.replace(header, "").replace("</soap:Envelope>", `${header}</soap:Envelope>`);
    const { fault } = await expectRejected(swapped, "MALFORMED_REQUEST");
    expect(fault.harness?.message).toMatch(/Header/);
  });

  it("KeyInfo with an X509Data certificate instead of the STR to the token → HOK_PROOF_INVALID", async () => {
    // Client B holds A's token and signs with its own key, naming its own certificate in KeyInfo.
    const token = issueToken(bench, { client: bench.clientA });
    const { xml } = indberet({ token, client: bench.clientB });
    const keyInfo = /<ds:KeyInfo>[\s\S]*?<\/ds:KeyInfo>/.exec(xml)![0];
    const x509 = `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${bench.clientB.certificate.base64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
    await expectRejected(xml.replace(keyInfo, x509), "HOK_PROOF_INVALID");
    // Also with the token's own certificate there: the key is still not the token holder's.
    const named = `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${bench.clientA.certificate.base64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
    await expectRejected(xml.replace(keyInfo, named), "HOK_PROOF_INVALID");
  });

  it("a token confirmed to an EC or Ed25519 certificate → HOK_PROOF_INVALID (not an internal error)", async () => {
    for (const kind of ["ec", "ed25519"] as const) {
      const other = nonRsaCertificate(kind);
      const id = bench.state.environment("production");
      const now = bench.clock.nowMs();
      const { xml: assertion } = buildSignedAssertion({
        issueInstantMs: now,
        issuer: id.stsEndpointReference,
        nameId: "https://fagsystem-a.example.dk",
        subjectCertificate: other.certificate,
        notBeforeMs: now,
        notOnOrAfterMs: now + 8 * HOUR,
        audience: id.wspEntityId,
        cvr: CVR_A,
        privileges: DEFAULT_PRIVILEGES,
        signing: id.stsSigning,
      });
      const token = encryptAssertion(assertion, id.wsp.certificate);
      const privateKey = kind === "ec" ? createPrivateKey(other.privateKeyPem) : bench.clientA.key.privateKey;
      const { fault } = await expectRejected(indberet({ token, privateKey }).xml, "HOK_PROOF_INVALID");
      expect(fault.harness?.message).toMatch(new RegExp(`has a ${kind} key`));
    }
  });

  it("token substitution: the STR-Transform steered to a copy of the signed token while another token is used → SIGNATURE_INVALID", async () => {
    // The client signed a request carrying token T1. An intermediary who saw another token T2 of
    // the same client (here: one with more privileges) swaps T2 in, hides T1 in an ignored
    // header, and moves T2's id from wsu:Id to Id (with a decoy ID), so that the STR-Transform's
    // SAMLID lookup finds T1 (whose digest the client signed) while the WSP decrypts T2.
    const t1 = issueToken(bench, { privileges: [PRIVILEGE_HENT] });
    const t2 = issueToken(bench);
    const { xml } = indberet({ token: t1 });
    const t2Moved = t2.replace(
      'Id="encryptedassertion" wsu:Id="encryptedassertion"',
      'ID="decoy" Id="encryptedassertion"',
    );
    expect(t2Moved).not.toBe(t2);
    const swapped = xml
      .replace(t1, t2Moved)
      .replace("</soap:Header>", `<w:Ignored xmlns:w="urn:attacker">${t1}</w:Ignored></soap:Header>`);
    const { fault } = await expectRejected(swapped, "SIGNATURE_INVALID");
    expect(fault.harness?.message).toMatch(/token/);
  });

  it("an STR whose KeyIdentifier names another element of the message → rejected", async () => {
    const { xml } = indberet();
    // The message's STR (signed through the STR-Transform) now names the Timestamp's id.
    const tsId = /<wsu:Timestamp wsu:Id="([^"]+)"/.exec(xml)![1]!;
    const renamed = xml.replace(
      /(<wsse:SecurityTokenReference [^>]*wsu:Id="[^"]+"><wsse:KeyIdentifier [^>]*>)encryptedassertion</,
      `$1${tsId}<`,
    );
    expect(renamed).not.toBe(xml);
    await expectRejected(renamed, "SIGNATURE_INVALID");
  });
});

describe("signed content is read canonically (comments, CDATA)", () => {
  it("a comment inside a signed NameID and CVR changes nothing: the WSP reads the canonical values", async () => {
    // Inserting comments into a signed assertion keeps its digest (exc-c14n drops comments); a
    // reader that stops at the first text node would see a truncated value.
    const xml = signedAssertion({ nameId: "https://fagsystem-a.example.dk.evil.example" })
      .replace(
        "https://fagsystem-a.example.dk.evil.example</NameID>",
        "https://fagsystem-a.example.dk<!---->.evil.example</NameID>",
      )
      .replace(
        `<AttributeValue>${CVR_A}</AttributeValue>`,
        `<AttributeValue>9123<!-- x -->4567</AttributeValue>`,
      );
    expect(xml).toContain("<!---->");
    const token = encryptAssertion(xml, bench.state.environment("production").wsp.certificate);
    const forloebId = "F-COMMENT-1";
    const { result, events } = await eventsDuring(bench, () =>
      post(bench, indberet({ token, payload: { ...COURSE, forloebId } }).xml),
    );
    expect(result.status, result.body.slice(0, 400)).toBe(200);
    expect(events).toHaveLength(1);
    expect(events[0]!.systemUser).toBe("https://fagsystem-a.example.dk.evil.example");
    expect(bench.store.get("production", CVR_A, forloebId)).toBeDefined();
  });

  it("a comment that truncates the signed CVR to another organisation's does not move the data", async () => {
    // Signed CVR "91234567" with privileges for it; the comment splits it so that a truncating
    // reader would see "9123". The record must land under the canonical CVR.
    const xml = signedAssertion().replace(
      `<AttributeValue>${CVR_A}</AttributeValue>`,
      `<AttributeValue>9123<!---->4567</AttributeValue>`,
    );
    const token = encryptAssertion(xml, bench.state.environment("production").wsp.certificate);
    const forloebId = "F-COMMENT-2";
    const res = await post(bench, indberet({ token, payload: { ...COURSE, forloebId } }).xml);
    expect(res.status, res.body.slice(0, 400)).toBe(200);
    expect(bench.store.get("production", CVR_A, forloebId)).toBeDefined();
    expect(bench.store.get("production", "9123", forloebId)).toBeUndefined();
  });

  it("comments and CDATA put into the signed Body after signing keep the digest and the same values", async () => {
    const forloebId = "F-CDATA-1";
    const { xml } = indberet({ payload: { ...COURSE, forloebId } });
    const altered = xml
      .replace(
        `<smdb:forloebId>${forloebId}</smdb:forloebId>`,
        "<smdb:forloebId><![CDATA[F-CDATA]]><!--x-->-1</smdb:forloebId>",
      )
      .replace("<smdb:kommunekode>101</smdb:kommunekode>", "<smdb:kommunekode>1<!---->01</smdb:kommunekode>");
    expect(altered).not.toBe(xml);
    const res = await post(bench, altered);
    expect(res.status, res.body.slice(0, 400)).toBe(200);
    expect(bench.store.get("production", CVR_A, forloebId)?.versions.at(-1)?.course.kommunekode).toBe("101");
  });
});

describe("disallowed algorithms and references in the request signature", () => {
  /**
   * Changes the signed request's SignedInfo and signs it again with the client's key, so that the
   * holder-of-key proof holds and the policy itself is what rejects it.
   */
  function editSignedInfo(xml: string, edit: (signedInfo: string) => string): string {
    const signedInfo = /<ds:SignedInfo[\s\S]*?<\/ds:SignedInfo>/.exec(xml)![0];
    const changed = edit(signedInfo);
    expect(changed).not.toBe(signedInfo);
    return resign(xml.replace(signedInfo, changed));
  }
  const EXC = `<ds:Transform Algorithm="${ALG.excC14n}"></ds:Transform>`;

  it("XPath, XSLT, c14n with comments, inclusive c14n and enveloped-signature transforms → SIGNATURE_INVALID", async () => {
    const transforms = [
      `<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath></ds:Transform>`,
      `<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"><xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0"></xsl:stylesheet></ds:Transform>`,
      `<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#WithComments"></ds:Transform>`,
      `<ds:Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"></ds:Transform>`,
      `<ds:Transform Algorithm="${ALG.envelopedSignature}"></ds:Transform>${EXC}`,
    ];
    for (const transform of transforms) {
      const xml = editSignedInfo(indberet().xml, (si) => si.replace(EXC, transform));
      const { fault } = await expectRejected(xml, "SIGNATURE_INVALID");
      expect(fault.harness?.message).toMatch(/transforms/);
    }
  });

  it("an HMAC signature method (key confusion with the certificate) → SIGNATURE_INVALID", async () => {
    const xml = editSignedInfo(indberet().xml, (si) =>
      si.replace(
        `<ds:SignatureMethod Algorithm="${ALG.rsaSha256}"></ds:SignatureMethod>`,
        `<ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1"><ds:HMACOutputLength>0</ds:HMACOutputLength></ds:SignatureMethod>`,
      ),
    );
    const { fault } = await expectRejected(xml, "SIGNATURE_INVALID");
    expect(fault.harness?.message).toMatch(/hmac-sha1/);
  });

  it("a reference with an empty URI, no URI, an XPointer or an external URI → SIGNATURE_INVALID", async () => {
    for (const uri of ['URI=""', "", 'URI="#xpointer(/)"', 'URI="http://attacker.example/body.xml"']) {
      const xml = editSignedInfo(indberet().xml, (si) => si.replace(/ URI="#_[^"]+"/, uri ? ` ${uri}` : ""));
      const { fault } = await expectRejected(xml, "SIGNATURE_INVALID");
      expect(fault.harness?.message).toMatch(/same-document #id/);
    }
  });
});

describe("hostile encrypted tokens", () => {
  it("rsa-1_5 key transport (Bleichenbacher) → TOKEN_DECRYPT_FAILED before any RSA decryption", async () => {
    const token = encryptRaw(Buffer.from(signedAssertion(), "utf8"), {
      keyTransport: "http://www.w3.org/2001/04/xmlenc#rsa-1_5",
    });
    const { fault } = await expectRejected(indberet({ token }).xml, "TOKEN_DECRYPT_FAILED");
    expect(fault.harness?.message).toMatch(/rsa-oaep-mgf1p/);
  });

  it("altered ciphertext gives one and the same answer, whatever the plaintext turned into (no padding oracle)", async () => {
    const good = issueToken(bench);
    const variants = [
      // Last octet of the IV before the last block flipped: the padding octet changes.
      alterCipherText(good, (b) => {
        b[b.length - 17]! ^= 0x5a;
      }),
      // A middle block garbled: the plaintext is no longer XML.
      alterCipherText(good, (b) => {
        b[40]! ^= 0xff;
      }),
      // The IV changed: the first block decrypts to other characters (< becomes something else).
      alterCipherText(good, (b) => {
        b[0]! ^= 0x01;
      }),
      // The key wrapped for another WSP.
      issueToken(bench, { encryptFor: "integration" }),
    ];
    const answers: string[] = [];
    const details: unknown[] = [];
    for (const token of variants) {
      const { fault, event } = await expectRejected(indberet({ token }).xml, "TOKEN_DECRYPT_FAILED");
      answers.push(fault.harness!.message);
      details.push(event.detail);
      expect(fault.harness!.message).not.toMatch(/padding|well-formed|position|line|bytes/i);
    }
    expect(new Set(answers).size, answers.join("\n")).toBe(1);
    expect(new Set(details.map((d) => JSON.stringify(d))).size).toBe(1);
  });

  it("a decrypted plaintext with a DOCTYPE, two assertions, or not an assertion → TOKEN_DECRYPT_FAILED", async () => {
    const assertion = signedAssertion();
    const plaintexts = [
      `<!DOCTYPE a [<!ENTITY x "xxxxxxxxxx">]>${assertion}`,
      `${assertion}${assertion}`,
      `<x:NotAnAssertion xmlns:x="urn:x"/>`,
      "",
      `<?xml-stylesheet href="http://attacker.example/x.xsl"?>${assertion}`,
    ];
    for (const plaintext of plaintexts) {
      const token = encryptRaw(Buffer.from(plaintext, "utf8"));
      await expectRejected(indberet({ token }).xml, "TOKEN_DECRYPT_FAILED");
    }
  });

  it("an EncryptedKey that is missing, doubled, or carries a RetrievalMethod instead → TOKEN_DECRYPT_FAILED", async () => {
    const token = issueToken(bench);
    const encryptedKey = /<e:EncryptedKey[\s\S]*<\/e:EncryptedKey>/.exec(token)![0];
    const retrieval = `<RetrievalMethod URI="#other-key" Type="http://www.w3.org/2001/04/xmlenc#EncryptedKey"></RetrievalMethod>`;
    for (const replacement of ["", encryptedKey + encryptedKey, retrieval]) {
      await expectRejected(
        indberet({ token: token.replace(encryptedKey, replacement) }).xml,
        "TOKEN_DECRYPT_FAILED",
      );
    }
  });

  it("a signed assertion with the signature moved out (wrapped assertion) inside the encryption → TOKEN_SIGNATURE_INVALID", async () => {
    // The signed assertion wrapped in an unsigned one that claims CVR B: the signature reference
    // then points at an element that is not the assertion read.
    const signed = signedAssertion();
    const signedId = /ID="([^"]+)"/.exec(signed)![1]!;
    const outer = signedAssertion({ cvr: "98765432" })
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "")
      .replace(/ID="[^"]+"/, `ID="${signedId}x"`)
      .replace("</Assertion>", `<Advice>${signed}</Advice></Assertion>`);
    const token = encryptRaw(Buffer.from(outer, "utf8"));
    await expectRejected(indberet({ token }).xml, "TOKEN_SIGNATURE_INVALID");

    // The outer one with the signed ID and the signature moved onto it: the ID is ambiguous.
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
    const sameId = outer
      .replace(`ID="${signedId}x"`, `ID="${signedId}"`)
      .replace("</Issuer>", `</Issuer>${signature}`);
    await expectRejected(
      indberet({ token: encryptRaw(Buffer.from(sameId, "utf8")) }).xml,
      "TOKEN_SIGNATURE_INVALID",
    );

    // The signature moved onto the outer one, still pointing at the inner signed assertion.
    const pointing = outer.replace("</Issuer>", `</Issuer>${signature}`);
    await expectRejected(
      indberet({ token: encryptRaw(Buffer.from(pointing, "utf8")) }).xml,
      "TOKEN_SIGNATURE_INVALID",
    );
  });
});

describe("replay and time", () => {
  it("a message created up to the skew in the future is still refused as a replay when its window ends", async () => {
    // Created at now + skew is accepted; it stays acceptable until Created + window + skew, so
    // its MessageID must be remembered that long (window + 2 × skew after it was first seen).
    // Its sender set Expires an hour ahead (the binding leaves Expires to the client).
    const xml = resign(
      buildRequest(bench, "Ping", { createdMs: START + 5 * 60_000 }).xml.replace(
        /<wsu:Expires>[^<]*<\/wsu:Expires>/,
        "<wsu:Expires>2026-03-01T11:00:00.000Z</wsu:Expires>",
      ),
    );
    expect((await post(bench, xml)).status).toBe(200);
    for (const minutes of [10, 12, 15]) {
      bench.clock.set(START + minutes * 60_000);
      await expectRejected(xml, "REPLAY");
    }
    bench.clock.set(START + 15 * 60_000 + 1);
    await expectRejected(xml, "TIMESTAMP_EXPIRED");
  });

  it("a production request replayed to integration is refused and writes nothing", async () => {
    const { xml } = indberet({ payload: { ...COURSE, forloebId: "F-ENV-1" } });
    expect((await post(bench, xml, "production")).status).toBe(200);
    const { event } = await expectRejected(xml, "TOKEN_DECRYPT_FAILED", "integration");
    expect(event.env).toBe("integration");
    expect(bench.store.get("integration", CVR_A, "F-ENV-1")).toBeUndefined();
  });

  it("timestamps without a zone, with a leap second, in year 10000 or on 30 February → TIMESTAMP_EXPIRED", async () => {
    for (const created of [
      "2026-03-01T10:00:00",
      "2026-03-01T09:59:60Z",
      "10000-03-01T10:00:00Z",
      "2026-02-30T10:00:00Z",
    ]) {
      // Build with the real time, then sign a request whose Created reads `created`.
      const { xml } = buildRequest(bench, "Ping", { createdMs: START });
      const raw = xml.replace(/<wsu:Created>[^<]*<\/wsu:Created>/, `<wsu:Created>${created}</wsu:Created>`);
      // Re-signing is needed: edit the Timestamp before the digest is taken.
      const resigned = resignTimestamp(raw);
      const { fault } = await expectRejected(resigned, "TIMESTAMP_EXPIRED");
      expect(fault.harness?.message).toMatch(/wsu:Created/);
    }
  });

  it("Expires not after Created → TIMESTAMP_EXPIRED", async () => {
    const { xml } = buildRequest(bench, "Ping", { createdMs: START });
    const raw = xml.replace(
      /<wsu:Expires>[^<]*<\/wsu:Expires>/,
      "<wsu:Expires>2026-03-01T09:59:59Z</wsu:Expires>",
    );
    const { fault } = await expectRejected(resignTimestamp(raw), "TIMESTAMP_EXPIRED");
    expect(fault.harness?.message).toMatch(/not after its wsu:Created/);
  });

  it("fractional seconds to nanoseconds and a numeric zone are accepted", async () => {
    const { xml } = buildRequest(bench, "Ping", { createdMs: START });
    const raw = xml.replace(
      /<wsu:Created>[^<]*<\/wsu:Created>/,
      "<wsu:Created>2026-03-01T11:00:00.123456789+01:00</wsu:Created>",
    );
    const res = await post(bench, resignTimestamp(raw));
    expect(res.status, res.body.slice(0, 400)).toBe(200);
  });
});
