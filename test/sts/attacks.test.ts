/**
 * Every step-1 reason code and every attack of issue 3 through real HTTP against `stsRouter`
 * with a real Registry: a well-formed SOAP 1.1 fault with HTTP 500, the right wst fault code and
 * reason, exactly one event, and the server still issuing tokens afterwards.
 */
import request from "supertest";
import { beforeEach, describe, expect, it } from "vitest";
import { buildSignedRst, type RstRequestParams } from "../../src/client/rst.js";
import type { Environment } from "../../src/core/events.js";
import { type Credential, createTestCa } from "../../src/pki/index.js";
import type { StsReason } from "../../src/sts/token-service.js";
import { SIGNATURE_PLACEHOLDER } from "../../src/xml/dsig.js";
import { ALG, NS } from "../../src/xml/ns.js";
import { parseXml } from "../../src/xml/parse.js";
import { readSoap11Fault } from "../../src/xml/soap.js";
import {
  addSystemUser,
  CVR,
  ENDPOINTS,
  expectIssued,
  expectStsFault,
  rstParams as fixtureRstParams,
  issueClient,
  postRst,
  rstTemplate,
  type StsFixture,
  signRst,
  stsFixture,
  WSP_ID,
} from "./fixture.js";

const DAY = 86_400_000;
const PATH = (env: Environment) => `/${env}/SecurityTokenService.svc`;

let f: StsFixture;
beforeEach(async () => {
  f = await stsFixture();
});

function rstParams(overrides: Partial<RstRequestParams> = {}): RstRequestParams {
  return fixtureRstParams(f, overrides);
}

/** Signs a (possibly modified) request template with the given references and key. */
function signTemplate(
  template: string,
  options: { ids?: string[]; key?: Credential; signatureAlgorithm?: string; digestAlgorithm?: string } = {},
): string {
  return signRst(f, template, options);
}

function template(overrides: Partial<RstRequestParams> = {}): string {
  return rstTemplate(rstParams(overrides), "uuid:11111111-2222-3333-4444-555555555555");
}

function post(body: string | Buffer, env: Environment = "production") {
  return postRst(f, body, env);
}

async function expectOk(params: Partial<RstRequestParams> = {}, env: Environment = "production") {
  return expectIssued(f, buildSignedRst(rstParams({ nowMs: f.clock.nowMs(), ...params })).xml, env);
}

async function expectFault(
  body: string | Buffer,
  reason: Exclude<StsReason, "OK">,
  options: {
    env?: Environment;
    cert?: Credential;
    pattern?: RegExp;
    faultCode?: string;
    status?: number;
  } = {},
) {
  const fault = await expectStsFault(f, body, reason, options);
  // Still healthy: a good request right after is answered with a token.
  await expectOk();
  return fault;
}

describe("STS accepts", () => {
  it("a correctly signed request from the provisioned certificate, in both environments", async () => {
    await expectOk();
    await expectOk({ to: ENDPOINTS.integration, appliesTo: WSP_ID.integration }, "integration");
  });
  it("rsa-sha1/sha1 when sha1 is switched on", async () => {
    f = await stsFixture({ allowSha1: true });
    const res = await post(
      signTemplate(template(), { signatureAlgorithm: ALG.rsaSha1, digestAlgorithm: ALG.sha1 }),
    );
    expect(res.status).toBe(200);
  });
});

describe("STS rejects tampering and unsigned parts", () => {
  it("a body changed after signing", async () => {
    const xml = buildSignedRst(rstParams()).xml.replace(WSP_ID.production, WSP_ID.integration);
    await expectFault(xml, "SIGNATURE_INVALID", { cert: f.client, pattern: /digest/ });
  });
  it("a header changed after signing", async () => {
    const rst = buildSignedRst(rstParams());
    const xml = rst.xml.replace(rst.messageId, "uuid:00000000-0000-0000-0000-000000000000");
    await expectFault(xml, "SIGNATURE_INVALID", { cert: f.client });
  });
  it("a required header left unsigned", async () => {
    const xml = signTemplate(template(), { ids: ["action", "msgid", "sec-ts", "sec-binsectoken", "body"] });
    await expectFault(xml, "UNSIGNED_PART", { cert: f.client, pattern: /wsa:To/ });
  });
  it("an unsigned body and an unsigned timestamp", async () => {
    await expectFault(
      signTemplate(template(), { ids: ["action", "msgid", "to", "sec-ts"] }),
      "UNSIGNED_PART",
      { pattern: /Body/ },
    );
    await expectFault(signTemplate(template(), { ids: ["action", "msgid", "to", "body"] }), "UNSIGNED_PART", {
      pattern: /Timestamp/,
    });
  });
  it("a request with no signature at all", async () => {
    await expectFault(template().replace(SIGNATURE_PLACEHOLDER, ""), "UNSIGNED_PART");
  });
  it("a signature by a key other than the BST's", async () => {
    const other = await issueClient(f.ca, f.clock.nowMs() - DAY, f.clock.nowMs() + DAY, "Other");
    await expectFault(signTemplate(template(), { key: other }), "SIGNATURE_INVALID", {
      cert: f.client,
      pattern: /SignatureValue/,
    });
  });
  it("a second BinarySecurityToken or a second Signature in the Security header", async () => {
    const signed = buildSignedRst(rstParams()).xml;
    const bst =
      /<wsse:BinarySecurityToken[^>]*wsu:Id="sec-binsectoken"[^>]*>[^<]*<\/wsse:BinarySecurityToken>/.exec(
        signed,
      )![0];
    const secondBst = signed.replace(
      "</wsse:Security>",
      `${bst.replace("sec-binsectoken", "bst2")}</wsse:Security>`,
    );
    await expectFault(secondBst, "MALFORMED_REQUEST", { pattern: /2 wsse:BinarySecurityToken/ });
    const signature = /<Signature xmlns=[\s\S]*<\/Signature>/.exec(signed)![0];
    await expectFault(
      signed.replace("</wsse:Security>", `${signature}</wsse:Security>`),
      "MALFORMED_REQUEST",
      { pattern: /2 ds:Signature/ },
    );
  });
  it("signature wrapping: a copy of the signed body with the same id", async () => {
    const signed = buildSignedRst(rstParams({ useKey: false })).xml;
    const body = /<S11:Body[\s\S]*<\/S11:Body>/.exec(signed)![0];
    const evil = body.replace(WSP_ID.production, WSP_ID.integration);
    const wrapped = signed
      .replace(body, evil)
      .replace("</wsse:Security>", `<Wrapper xmlns="urn:x">${body}</Wrapper></wsse:Security>`);
    await expectFault(wrapped, "SIGNATURE_INVALID", { pattern: /matches 2 elements/ });
  });
  it("signature wrapping: the signed body moved into the header and an unsigned one in its place", async () => {
    const signed = buildSignedRst(rstParams({ useKey: false })).xml;
    const body = /<S11:Body[\s\S]*<\/S11:Body>/.exec(signed)![0];
    const evil = body.replace(' wsu:Id="body"', "").replace(WSP_ID.production, WSP_ID.integration);
    const moved = signed
      .replace(body, evil)
      .replace("</wsse:Security>", `<Wrapper xmlns="urn:x">${body}</Wrapper></wsse:Security>`);
    await expectFault(moved, "UNSIGNED_PART", { pattern: /S11:Body/ });
  });
  it("sha1 when sha1 is switched off", async () => {
    const xml = signTemplate(template(), { signatureAlgorithm: ALG.rsaSha1, digestAlgorithm: ALG.sha1 });
    await expectFault(xml, "UNSUPPORTED_ALGORITHM", { cert: f.client, pattern: /rsa-sha1/ });
    await expectFault(signTemplate(template(), { digestAlgorithm: ALG.sha1 }), "UNSUPPORTED_ALGORITHM", {
      pattern: /sha1/,
    });
  });
});

describe("STS rejects malformed and hostile input", () => {
  it("DOCTYPE and entity expansion", async () => {
    const signed = buildSignedRst(rstParams()).xml;
    await expectFault(
      `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>${signed}`,
      "MALFORMED_REQUEST",
      { pattern: /DOCTYPE/ },
    );
  });
  it("a 10 MB body", async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 0x20);
    big.write("<a>", 0);
    await expectFault(big, "MALFORMED_REQUEST", { pattern: /limit is 1048576 bytes/, status: 413 });
  });
  it("garbage, an empty body, SOAP 1.2, and a body that is not an RST", async () => {
    await expectFault(Buffer.from("not xml at all"), "MALFORMED_REQUEST");
    await expectFault(Buffer.alloc(0), "MALFORMED_REQUEST");
    // SOAP 1.1 §4.4.1: an Envelope in another namespace is a VersionMismatch.
    await expectFault(`<e:Envelope xmlns:e="${NS.soap12}"><e:Body/></e:Envelope>`, "MALFORMED_REQUEST", {
      pattern: /SOAP 1.1/,
      faultCode: "s:VersionMismatch",
    });
    const wrongBody = template().replace(
      /<wst:RequestSecurityToken[\s\S]*<\/wst:RequestSecurityToken>/,
      "<x:Other xmlns:x='urn:x'/>",
    );
    await expectFault(signTemplate(wrongBody), "MALFORMED_REQUEST", { pattern: /RequestSecurityToken/ });
  });
  it("a SOAP 1.2 content type, and a SOAPAction that is not RST/Issue", async () => {
    const xml = buildSignedRst(rstParams()).xml;
    const before = f.events.lastSeq;
    const soap12 = await request(f.app)
      .post(PATH("production"))
      .set("content-type", "application/soap+xml; charset=utf-8")
      .send(xml);
    expect(readSoap11Fault(parseXml(soap12.text))).toMatchObject({ reason: "MALFORMED_REQUEST" });
    const wrongAction = await request(f.app)
      .post(PATH("production"))
      .set("content-type", "text/xml; charset=utf-8")
      .set("soapaction", '"http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Renew"')
      .send(xml);
    expect(wrongAction.status).toBe(500);
    expect(readSoap11Fault(parseXml(wrongAction.text))?.message).toMatch(/SOAPAction/);
    expect(f.events.since(before).filter((e) => e.component === "sts")).toMatchObject([
      { reason: "MALFORMED_REQUEST" },
      { reason: "MALFORMED_REQUEST", certSha256: f.client.certificate.sha256 },
    ]);
  });
  it("an unknown environment path answers with a SOAP fault too", async () => {
    const res = await request(f.app)
      .post("/staging/SecurityTokenService.svc")
      .set("content-type", "text/xml")
      .send("<a/>");
    expect(res.status).toBe(500);
    expect(readSoap11Fault(parseXml(res.text))?.reason).toBe("MALFORMED_REQUEST");
  });
});

describe("STS rejects by time, addressing and request content", () => {
  it("an expired timestamp and one far in the future", async () => {
    const now = f.clock.nowMs();
    await expectFault(buildSignedRst(rstParams({ nowMs: now - 3_600_000 })).xml, "TIMESTAMP_EXPIRED", {
      cert: f.client,
    });
    await expectFault(buildSignedRst(rstParams({ nowMs: now + DAY })).xml, "TIMESTAMP_NOT_YET_VALID", {
      cert: f.client,
    });
  });
  it("a timestamp within the tolerated skew is accepted", async () => {
    await expectOk({ nowMs: f.clock.nowMs() + 4 * 60_000 });
    await expectOk({ nowMs: f.clock.nowMs() - 9 * 60_000 });
  });
  it("a wrong wsa:To (client configured for the other environment's STS)", async () => {
    await expectFault(buildSignedRst(rstParams({ to: ENDPOINTS.integration })).xml, "WRONG_ENDPOINT", {
      cert: f.client,
      pattern: /signature\.sts\.nemlog-in\.dk/,
    });
  });
  it("an unregistered AppliesTo (and the other environment's WSP)", async () => {
    await expectFault(
      buildSignedRst(rstParams({ appliesTo: "https://unknown.example" })).xml,
      "UNKNOWN_SERVICE",
      { cert: f.client },
    );
    await expectFault(buildSignedRst(rstParams({ appliesTo: WSP_ID.integration })).xml, "UNKNOWN_SERVICE", {
      cert: f.client,
    });
  });
  it("ActAs", async () => {
    const actAs = template().replace(
      "<wst:RequestType>",
      `<wst14:ActAs xmlns:wst14="${NS.wst14}"><x:Token xmlns:x="urn:x">someone else</x:Token></wst14:ActAs><wst:RequestType>`,
    );
    await expectFault(signTemplate(actAs), "ACT_AS_NOT_ALLOWED", { cert: f.client });
  });
  it("a requested lifetime in the past; a long one is capped at the maximum", async () => {
    const now = f.clock.nowMs();
    await expectFault(buildSignedRst(rstParams({ lifetimeExpiresMs: now - 1000 })).xml, "INVALID_LIFETIME", {
      cert: f.client,
    });
    const res = await expectOk({ lifetimeExpiresMs: now + 30 * DAY });
    expect(res.text).toContain(`<wsu:Expires>${new Date(now + 8 * 3_600_000).toISOString()}</wsu:Expires>`);
  });
});

describe("STS rejects certificates", () => {
  it("an expired certificate", async () => {
    const now = f.clock.nowMs();
    const short = await issueClient(f.ca, now - DAY, now + DAY, "Short");
    await addSystemUser(f, short);
    f.clock.advance("2d");
    await expectFault(
      buildSignedRst(rstParams({ credential: short, nowMs: f.clock.nowMs() })).xml,
      "CERT_EXPIRED",
      {
        cert: short,
        pattern: /expired at/,
      },
    );
  });
  it("a not-yet-valid certificate", async () => {
    const now = f.clock.nowMs();
    const future = await issueClient(f.ca, now + DAY, now + 100 * DAY, "Future");
    await expectFault(buildSignedRst(rstParams({ credential: future })).xml, "CERT_NOT_YET_VALID", {
      cert: future,
    });
  });
  it("a revoked certificate", async () => {
    await f.registry.revoke(f.client.certificate.der);
    const before = f.events.lastSeq;
    const res = await post(buildSignedRst(rstParams()).xml);
    expect(res.status).toBe(500);
    expect(readSoap11Fault(parseXml(res.text))?.reason).toBe("CERT_REVOKED");
    expect(f.events.since(before).filter((e) => e.component === "sts")).toMatchObject([
      { reason: "CERT_REVOKED", certSha256: f.client.certificate.sha256 },
    ]);
  });
  it("a certificate from a foreign CA", async () => {
    const foreign = await createTestCa(f.clock.nowMs(), "foreign");
    const cert = await foreign.issue({
      profile: "oces3-system",
      cvr: CVR,
      notBefore: new Date(f.clock.nowMs() - DAY),
      notAfter: new Date(f.clock.nowMs() + DAY),
    });
    await expectFault(buildSignedRst(rstParams({ credential: cert })).xml, "CERT_UNTRUSTED_ISSUER", {
      cert,
      pattern: /trusted CAs/,
    });
  });
  it("a certificate from a trusted CA that has expired", async () => {
    const now = f.clock.nowMs();
    const old = await createTestCa(now - 25 * 365 * DAY, "expired");
    await f.registry.addTrustAnchors(Buffer.from(old.issuing.certificate.pem));
    const cert = await old.issue({
      profile: "oces3-system",
      cvr: CVR,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + DAY),
    });
    await expectFault(buildSignedRst(rstParams({ credential: cert })).xml, "CERT_UNTRUSTED_ISSUER", {
      cert,
      pattern: /valid only/,
    });
  });
  it("an unregistered certificate", async () => {
    const stranger = await issueClient(f.ca, f.clock.nowMs() - DAY, f.clock.nowMs() + DAY, "Stranger");
    await expectFault(buildSignedRst(rstParams({ credential: stranger })).xml, "CERT_NOT_REGISTERED", {
      cert: stranger,
    });
  });
  it("the next certificate before rollover (at-expiry)", async () => {
    const next = await issueClient(f.ca, f.clock.nowMs() - DAY, f.clock.nowMs() + 1000 * DAY, "Next");
    await f.registry.uploadCertificate(f.userId, "production", "next", next.certificate.der);
    await f.registry.save(f.userId);
    await f.registry.provision(f.userId, "production");
    await expectFault(buildSignedRst(rstParams({ credential: next })).xml, "CERT_NOT_YET_ACTIVE", {
      cert: next,
    });
  });
  it("a saved but unprovisioned certificate", async () => {
    const renewed = await issueClient(f.ca, f.clock.nowMs() - DAY, f.clock.nowMs() + 1000 * DAY, "Renewed");
    await f.registry.uploadCertificate(f.userId, "production", "next", renewed.certificate.der);
    await f.registry.save(f.userId);
    await expectFault(buildSignedRst(rstParams({ credential: renewed })).xml, "CERT_NOT_PROVISIONED", {
      cert: renewed,
    });
  });
  it("a certificate provisioned in the other environment only", async () => {
    const renewed = await issueClient(f.ca, f.clock.nowMs() - DAY, f.clock.nowMs() + 1000 * DAY, "Renewed");
    await addSystemUser(f, renewed, ["integration"]);
    await expectFault(buildSignedRst(rstParams({ credential: renewed })).xml, "CERT_NOT_PROVISIONED", {
      cert: renewed,
    });
  });
  it("the replaced certificate under the immediate policy", async () => {
    await f.registry.setPolicy("immediate");
    const renewed = await issueClient(f.ca, f.clock.nowMs() - DAY, f.clock.nowMs() + 1000 * DAY, "Renewed");
    await f.registry.uploadCertificate(f.userId, "production", "next", renewed.certificate.der);
    await f.registry.save(f.userId);
    await f.registry.provision(f.userId, "production");
    const before = f.events.lastSeq;
    const res = await post(buildSignedRst(rstParams()).xml);
    expect(readSoap11Fault(parseXml(res.text))?.reason).toBe("CERT_SUPERSEDED");
    expect(f.events.since(before).filter((e) => e.component === "sts")).toHaveLength(1);
    expect((await post(buildSignedRst(rstParams({ credential: renewed })).xml)).status).toBe(200);
  });
});

describe("realistic fault mode", () => {
  it("wraps the fault in a second envelope and gives no harness detail", async () => {
    f = await stsFixture({ faultMode: "realistic" });
    const res = await post(buildSignedRst(rstParams({ to: "https://wrong/" })).xml);
    expect(res.status).toBe(500);
    const fault = readSoap11Fault(parseXml(res.text));
    expect(fault).toMatchObject({ faultcode: "wst:InvalidRequest", doubleEnvelope: true });
    expect(fault?.reason).toBeUndefined();
    expect(
      f.events
        .since()
        .filter((e) => e.component === "sts")
        .at(-1)?.reason,
    ).toBe("WRONG_ENDPOINT");
  });
});

describe("internal failures", () => {
  it("are a wst:RequestFailed fault and one event, not a crash or a blame on the client", async () => {
    const broken = f.deps.environments.production;
    f.deps.environments.production = {
      ...broken,
      signing: () => {
        throw new Error("the STS signing key is not available");
      },
    };
    const before = f.events.lastSeq;
    const res = await post(buildSignedRst(rstParams()).xml);
    expect(res.status).toBe(500);
    const fault = readSoap11Fault(parseXml(res.text));
    expect(fault).toMatchObject({ faultcode: "wst:RequestFailed", reason: "STS_INTERNAL_ERROR" });
    expect(fault?.message).toContain("signing key is not available");
    expect(f.events.since(before).filter((e) => e.component === "sts")).toMatchObject([
      { reason: "STS_INTERNAL_ERROR" },
    ]);
    f.deps.environments.production = broken;
    await expectOk();
  });
});
