/**
 * Interoperability with an independent XML-DSig implementation (Debian's xmlsec1): our client's
 * request and the STS's response and assertion signatures verify there, and a request signed
 * by xmlsec1 is accepted by our STS.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { beforeAll, describe, expect, it } from "vitest";
import { buildSignedRst, rstEnvelopeTemplate } from "../../src/client/rst.js";
import { verifyStsResponse } from "../../src/client/wsc-client.js";
import { SIGNATURE_PLACEHOLDER } from "../../src/xml/dsig.js";
import { decryptAssertion } from "../../src/xml/encryption.js";
import { ALG, NS } from "../../src/xml/ns.js";
import { ENDPOINTS, rstParams, type StsFixture, stsFixture, WSP_ID } from "./fixture.js";

const ID_ATTRS = [
  `${NS.wsa}:Action`,
  `${NS.wsa}:MessageID`,
  `${NS.wsa}:To`,
  `${NS.wsa}:RelatesTo`,
  `${NS.wsu}:Timestamp`,
  `${NS.wsse}:BinarySecurityToken`,
  `${NS.soap11}:Body`,
].flatMap((node) => ["--id-attr:Id", node]);

let dir: string;
let f: StsFixture;

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function xmlsec(args: string[]): string {
  return execFileSync("xmlsec1", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function xmlsecVerify(file: string, extra: string[]): boolean {
  try {
    xmlsec(["--verify", ...extra, file]);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sts-interop-"));
  f = await stsFixture();
});

describe("xmlsec1 interop", () => {
  it("verifies our client's request, and refuses it when tampered", () => {
    const rst = buildSignedRst(rstParams(f));
    const cert = write("client.pem", f.client.certificate.pem);
    expect(xmlsecVerify(write("rst.xml", rst.xml), ["--pubkey-cert-pem", cert, ...ID_ATTRS])).toBe(true);
    const tampered = write("rst-tampered.xml", rst.xml.replace(WSP_ID.production, "https://evil.example"));
    expect(xmlsecVerify(tampered, ["--pubkey-cert-pem", cert, ...ID_ATTRS])).toBe(false);
  });

  it("verifies the STS response signature (no KeyInfo) and the assertion signature", async () => {
    const rst = buildSignedRst(rstParams(f));
    const res = await request(f.app)
      .post("/production/SecurityTokenService.svc")
      .set("content-type", "text/xml")
      .send(rst.xml);
    expect(res.status).toBe(200);
    const sts = write("sts.pem", f.sts.production.certificate.pem);
    expect(xmlsecVerify(write("rstr.xml", res.text), ["--pubkey-cert-pem", sts, ...ID_ATTRS])).toBe(true);
    const other = write("other.pem", f.sts.integration.certificate.pem);
    expect(xmlsecVerify(join(dir, "rstr.xml"), ["--pubkey-cert-pem", other, ...ID_ATTRS])).toBe(false);

    const token = verifyStsResponse(res.text, [f.sts.production.certificate], { relatesTo: rst.messageId });
    const { assertionXml } = decryptAssertion(token.encryptedAssertionXml, f.wsp.production.key.privateKey);
    const assertion = write("assertion.xml", assertionXml);
    // The assertion's KeyInfo carries the STS certificate; xmlsec1 checks its chain to the test CA.
    const root = write("root.pem", f.ca.root.certificate.pem);
    const issuing = write("issuing.pem", f.ca.issuing.certificate.pem);
    const chain = [
      "--trusted-pem",
      root,
      "--trusted-pem",
      issuing,
      "--verification-time",
      "2026-03-01 10:00:00",
    ];
    expect(xmlsecVerify(assertion, [...chain, "--id-attr:ID", `${NS.saml}:Assertion`])).toBe(true);
    expect(xmlsecVerify(assertion, ["--pubkey-cert-pem", sts, "--id-attr:ID", `${NS.saml}:Assertion`])).toBe(
      true,
    );
  });

  it("accepts a request signed by xmlsec1", async () => {
    const template = rstEnvelopeTemplate(
      rstParams(f),
      "uuid:0f0f0f0f-1111-2222-3333-444444444444",
      "urn:uuid:xmlsec",
    );
    const refs = ["action", "msgid", "to", "sec-ts", "sec-binsectoken", "body"]
      .map(
        (id) =>
          `<Reference URI="#${id}"><Transforms><Transform Algorithm="${ALG.excC14n}"/></Transforms><DigestMethod Algorithm="${ALG.sha256}"/><DigestValue/></Reference>`,
      )
      .join("");
    const signatureTemplate = `<Signature xmlns="${NS.ds}"><SignedInfo><CanonicalizationMethod Algorithm="${ALG.excC14n}"/><SignatureMethod Algorithm="${ALG.rsaSha256}"/>${refs}</SignedInfo><SignatureValue/><KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI="#sec-binsectoken" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"/></wsse:SecurityTokenReference></KeyInfo></Signature>`;
    const unsigned = write("unsigned.xml", template.replace(SIGNATURE_PLACEHOLDER, signatureTemplate));
    const key = write("client.key.pem", f.client.key.privateKeyPem);
    const signed = xmlsec(["--sign", "--privkey-pem", key, ...ID_ATTRS, unsigned]);
    expect(signed).toContain("<SignatureValue>");
    expect(signed).not.toContain("<SignatureValue/>");
    const res = await request(f.app)
      .post("/production/SecurityTokenService.svc")
      .set("content-type", "text/xml; charset=utf-8")
      .send(Buffer.from(signed, "utf8"));
    expect(res.status, res.text).toBe(200);
    expect(
      f.events
        .since()
        .filter((e) => e.component === "sts")
        .at(-1),
    ).toMatchObject({ outcome: "ok", messageId: "uuid:0f0f0f0f-1111-2222-3333-444444444444" });
    expect(readFileSync(unsigned, "utf8")).toContain("<DigestValue/>");
  });

  it("accepts a Java-shaped request signed by xmlsec1 (default-namespace wsa headers, InclusiveNamespaces, rsa-sha1 when allowed)", async () => {
    const java = await stsFixture({ allowSha1: true });
    const now = java.clock.nowMs();
    const created = new Date(now).toISOString();
    const expires = new Date(now + 5 * 60_000).toISOString();
    const inclusive = (list: string) =>
      `<ec:InclusiveNamespaces xmlns:ec="${ALG.excC14n}" PrefixList="${list}"/>`;
    const ref = (id: string, list: string) =>
      `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="${ALG.excC14n}">${inclusive(list)}</ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="${ALG.sha1}"/><ds:DigestValue/></ds:Reference>`;
    const wsaHeader = (name: string, id: string, value: string) =>
      `<${name} xmlns="${NS.wsa}" xmlns:wsu="${NS.wsu}" wsu:Id="${id}">${value}</${name}>`;
    const xml =
      `<soap:Envelope xmlns:soap="${NS.soap11}"><soap:Header>` +
      wsaHeader("Action", "_a", "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue") +
      wsaHeader("MessageID", "_m", "uuid:ec1a16b3-fe96-4156-a805-69291baad236") +
      wsaHeader("To", "_t", ENDPOINTS.production) +
      `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}" soap:mustUnderstand="1">` +
      `<wsse:BinarySecurityToken EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3" wsu:Id="X509-1">${java.client.certificate.base64}</wsse:BinarySecurityToken>` +
      `<wsu:Timestamp wsu:Id="TS-1"><wsu:Created>${created}</wsu:Created><wsu:Expires>${expires}</wsu:Expires></wsu:Timestamp>` +
      `<ds:Signature xmlns:ds="${NS.ds}" Id="SIG-1"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${ALG.excC14n}">${inclusive("soap")}</ds:CanonicalizationMethod><ds:SignatureMethod Algorithm="${ALG.rsaSha1}"/>` +
      ref("TS-1", "wsse soap") +
      ref("_b", "") +
      ref("_t", "soap") +
      ref("_m", "soap") +
      ref("_a", "soap") +
      ref("X509-1", "soap") +
      `</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo Id="KI-1"><wsse:SecurityTokenReference wsu:Id="STR-1"><wsse:Reference URI="#X509-1" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"/></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>` +
      `</wsse:Security></soap:Header>` +
      `<soap:Body xmlns:wsu="${NS.wsu}" wsu:Id="_b"><wst:RequestSecurityToken xmlns:wst="${NS.wst}" Context="urn:uuid:36e5e7ce-e9d7-44bf-98bc-1c2c65c4c289">` +
      `<wst:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</wst:RequestType>` +
      `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><wsa:EndpointReference xmlns:wsa="${NS.wsa}"><wsa:Address>${WSP_ID.production}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>` +
      `<wst:TokenType>http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0</wst:TokenType>` +
      `</wst:RequestSecurityToken></soap:Body></soap:Envelope>`;
    const key = write("java.key.pem", java.client.key.privateKeyPem);
    const signed = xmlsec(["--sign", "--privkey-pem", key, ...ID_ATTRS, write("java-unsigned.xml", xml)]);
    const post = (body: string) =>
      request(java.app)
        .post("/production/SecurityTokenService.svc")
        .set("content-type", "text/xml; charset=utf-8")
        .send(body);
    const res = await post(signed);
    expect(res.status, res.text).toBe(200);
    // Any change to the SignedInfo (here a reference's prefix list) breaks the signature.
    const tamperedList = signed.replace('PrefixList="wsse soap"', 'PrefixList="soap"');
    expect((await post(tamperedList)).text).toContain("SIGNATURE_INVALID");
  });
});
