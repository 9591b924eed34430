/**
 * The real .NET reference client's request (test/fixtures/reference), sent byte for byte unchanged:
 * with the clock at its time, the TRUST2408 CAs trusted, its certificate registered and
 * provisioned and `https://wsp.itcrew.dk` registered, the STS issues a token for it.
 */

import { readFileSync } from "node:fs";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { verifyStsResponse } from "../../src/client/wsc-client.js";
import { Certificate } from "../../src/pki/index.js";
import { decryptAssertion } from "../../src/xml/encryption.js";
import { readAssertion, verifyAssertionSignature } from "../../src/xml/saml.js";
import { referenceFixture } from "../helpers/fixtures.js";
import { stsFixture } from "./fixture.js";

const RAW = readFileSync(referenceFixture("dotnet-wsc-rst-issue-request.xml"));
const BST = /<wsse:BinarySecurityToken[^>]*>([^<]+)</.exec(RAW.toString("utf8"))![1]!;

describe("the .NET reference request", () => {
  it("is accepted unchanged and answered with a token for its certificate", async () => {
    const f = await stsFixture({}, "2015-11-04T11:55:00Z");
    await f.registry.addTrustAnchors(readFileSync(referenceFixture("trust2408-systemtest-xix-ca.pem")));
    await f.registry.addTrustAnchors(
      readFileSync(referenceFixture("trust2408-systemtest-vii-primary-ca.pem")),
    );
    const cert = Certificate.fromBase64(BST);
    const user = await f.registry.createSystemUser({
      name: "Digitaliseringsstyrelsen Java ref. TEST",
      cvr: "34051178",
      entityId: "https://wsc.oioidws-net.dk",
    });
    await f.registry.uploadCertificate(user.identity.id, "production", "current", cert.der);
    await f.registry.save(user.identity.id);
    await f.registry.provision(user.identity.id, "production");
    await f.registry.registerWsp("production", "https://wsp.itcrew.dk", f.wsp.production.certificate);

    const res = await request(f.app)
      .post("/production/SecurityTokenService.svc")
      .set("content-type", "text/xml; charset=utf-8")
      .set("soapaction", "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue")
      .send(RAW);
    expect(res.status, res.text).toBe(200);
    const last = f.events.since().filter((e) => e.component === "sts");
    expect(last).toHaveLength(1);
    expect(last[0]).toMatchObject({
      outcome: "ok",
      certSha256: cert.sha256,
      messageId: "uuid:6b794c3a-49f0-4b6b-bece-ef52573089b9",
    });

    const verified = verifyStsResponse(res.text, [f.sts.production.certificate], {
      relatesTo: "uuid:6b794c3a-49f0-4b6b-bece-ef52573089b9",
    });
    expect(res.text).toContain('Context="urn:uuid:a1452b4e-69ef-4636-8e6d-aebe5877689f"');
    const { assertion } = decryptAssertion(verified.encryptedAssertionXml, f.wsp.production.key.privateKey);
    expect(
      verifyAssertionSignature(assertion, [f.sts.production.certificate], { allowSha1: false }).sha256,
    ).toBe(f.sts.production.certificate.sha256);
    const content = readAssertion(assertion);
    expect(content.issuer).toBe("https://signature.sts.nemlog-in.dk/");
    expect(content.nameId).toBe("https://wsc.oioidws-net.dk");
    expect(content.audiences).toEqual(["https://wsp.itcrew.dk"]);
    expect(content.cvr).toBe("34051178");
    expect(content.subjectCertificate?.sha256).toBe(cert.sha256);
    // The requested wst:Lifetime (11:59:12Z) is honoured.
    expect(content.notOnOrAfterMs).toBe(Date.parse("2015-11-04T11:59:12Z"));
    expect(content.privileges).toEqual([
      "urn:dk:dst:smdb:privilege:indberet",
      "urn:dk:dst:smdb:privilege:hent",
    ]);
  });

  it("is refused once its timestamp has expired, and without the TRUST2408 CAs", async () => {
    const f = await stsFixture({}, "2015-11-04T12:30:00Z");
    const res = await request(f.app)
      .post("/production/SecurityTokenService.svc")
      .set("content-type", "text/xml")
      .send(RAW);
    expect(res.status).toBe(500);
    expect(res.text).toContain("TIMESTAMP_EXPIRED");
    f.clock.set("2015-11-04T11:55:00Z");
    const res2 = await request(f.app)
      .post("/production/SecurityTokenService.svc")
      .set("content-type", "text/xml")
      .send(RAW);
    expect(res2.text).toContain("CERT_UNTRUSTED_ISSUER");
  });
});
