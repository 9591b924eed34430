/**
 * Every step-2 reason code through real HTTP, and every attack of issue 4: each answer is a
 * well-formed SOAP 1.2 `env:Sender` fault with HTTP 400, the right reason code and exactly one
 * event, and no record is ever written.
 */
import { describe, expect, it } from "vitest";
import { STS_ENDPOINT_REFERENCES } from "../../src/harness/state.js";
import { createTestCa } from "../../src/pki/index.js";
import { PRIVILEGE_HENT } from "../../src/smdb/privileges.js";
import { WSA_ANONYMOUS } from "../../src/xml/idws.js";
import { NS } from "../../src/xml/ns.js";
import { parseXml } from "../../src/xml/parse.js";
import { readSoap11Fault } from "../../src/xml/soap.js";
import { SOAP12_NS } from "../../src/xml/soap12.js";
import {
  type Bench,
  buildRequest,
  COURSE,
  createBench,
  eventsDuring,
  expectRejection,
  HOUR,
  issueToken,
  post,
  START,
  useBench,
} from "./helpers.js";

let bench: Bench;
useBench((created) => {
  bench = created;
});

/** Posts and checks the common shape of a rejection; returns the fault. */
async function expectRejected(
  body: string | Buffer,
  reason: string,
  env: "production" | "integration" = "production",
) {
  return (await expectRejection(bench, body, reason, env)).fault;
}

const indberet = (options: Parameters<typeof buildRequest>[2] = {}) =>
  buildRequest(bench, "IndberetForloeb", { payload: COURSE, ...options });

describe("bad input", () => {
  it("garbage → MALFORMED_REQUEST", async () => {
    await expectRejected("this is not xml <<<", "MALFORMED_REQUEST");
    await expectRejected("", "MALFORMED_REQUEST");
  });

  it("a DOCTYPE (entity expansion) → MALFORMED_REQUEST", async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><env:Envelope xmlns:env="${SOAP12_NS}"><env:Body>&lol2;</env:Body></env:Envelope>`;
    const fault = await expectRejected(bomb, "MALFORMED_REQUEST");
    expect(fault.harness?.message).toMatch(/DOCTYPE/);
  });

  it("10 MB → 413 with a MALFORMED_REQUEST fault, not an express error page", async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, "a");
    const { fault } = await expectRejection(bench, big, "MALFORMED_REQUEST", "production", 413);
    expect(fault.harness?.message).toMatch(/limit/);
  });

  it("a SOAP 1.1 envelope → MALFORMED_REQUEST naming SOAP 1.2, as SOAP 1.2's VersionMismatch fault", async () => {
    // SOAP 1.2 part 1 appendix A: a SOAP 1.1 fault message with an Upgrade header (test/wsp/soap-conformance.test.ts).
    const { result: res, events } = await eventsDuring(bench, () =>
      post(bench, `<s:Envelope xmlns:s="${NS.soap11}"><s:Body><x/></s:Body></s:Envelope>`),
    );
    expect(res.status).toBe(500);
    expect(res.contentType).toContain("text/xml");
    const fault = readSoap11Fault(parseXml(res.body));
    expect(fault).toMatchObject({ faultcode: "s:VersionMismatch", reason: "MALFORMED_REQUEST" });
    expect(fault?.message).toMatch(/SOAP 1\.2/);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ reason: "MALFORMED_REQUEST", fault: "env:VersionMismatch" });
  });

  it("a missing Security header → TOKEN_MISSING", async () => {
    const { xml } = indberet();
    const stripped = xml.replace(/<wsse:Security[\s\S]*<\/wsse:Security>/, "");
    expect(stripped).not.toContain("Security");
    await expectRejected(stripped, "TOKEN_MISSING");
  });

  it("a Security header without the token → TOKEN_MISSING", async () => {
    const { xml } = indberet();
    await expectRejected(
      xml.replace(/<EncryptedAssertion[\s\S]*<\/EncryptedAssertion>/, ""),
      "TOKEN_MISSING",
    );
  });

  it("bad course fields → VALIDATION_ERROR listing every bad field", async () => {
    const bad = {
      forloebId: "bad id with spaces",
      cpr: "12345",
      kommunekode: "1010",
      behandlingssted: "",
      behandlingstype: "ambulant",
      startdato: "2026-02-30",
      slutdato: "2025-01-01",
      stoffer: [],
      farve: "rød",
    };
    const { xml } = buildRequest(bench, "IndberetForloeb", { payload: bad, validate: false });
    const fault = await expectRejected(xml, "VALIDATION_ERROR");
    const fields = fault.harness!.fields.map((f) => f.field).sort();
    expect(fields).toEqual(
      [
        "behandlingssted",
        "behandlingstype",
        "cpr",
        "farve",
        "forloebId",
        "kommunekode",
        "startdato",
        "stoffer",
      ].sort(),
    );
    expect(fault.harness!.fields.find((f) => f.field === "behandlingstype")?.message).toMatch(
      /social.*medicinsk/,
    );
  });

  it("slutdato before startdato is named; an unknown operation is MALFORMED_REQUEST", async () => {
    const { xml } = buildRequest(bench, "IndberetForloeb", {
      payload: { ...COURSE, slutdato: "2026-01-01" },
      validate: false,
    });
    const fault = await expectRejected(xml, "VALIDATION_ERROR");
    expect(fault.harness!.fields).toEqual([
      { field: "slutdato", message: "2026-01-01 is before startdato 2026-02-01" },
    ]);
    const other = buildRequest(bench, "Ping", {
      bodyXml: `<smdb:SletAlt xmlns:smdb="urn:dk:dst:smdb:2026"/>`,
      action: "urn:dk:dst:smdb:2026:SletAlt",
    });
    await expectRejected(other.xml, "MALFORMED_REQUEST");
  });
});

describe("token checks", () => {
  it("a token from the other environment → TOKEN_DECRYPT_FAILED", async () => {
    const token = issueToken(bench, { env: "integration" });
    const fault = await expectRejected(indberet({ token }).xml, "TOKEN_DECRYPT_FAILED");
    expect(fault.harness?.message).toContain(bench.state.environment("production").wsp.certificate.sha256);
  });

  it("a token signed by the other environment's STS → TOKEN_ISSUER_UNTRUSTED", async () => {
    const token = issueToken(bench, { signing: bench.state.environment("integration").stsSigning });
    const fault = await expectRejected(indberet({ token }).xml, "TOKEN_ISSUER_UNTRUSTED");
    expect(fault.harness?.message).toContain(
      bench.state.environment("integration").stsSigning.certificate.sha256,
    );
  });

  it("a token whose saml2:Issuer is another STS, signed with the trusted key → TOKEN_ISSUER_UNTRUSTED naming both", async () => {
    const production = STS_ENDPOINT_REFERENCES.production;
    const integration = STS_ENDPOINT_REFERENCES.integration;
    expect(bench.state.environment("production").stsEndpointReference).toBe(production);
    // Signed by the production STS key (trusted here), but issued as the integration STS.
    const crossed = issueToken(bench, { issuer: integration });
    const fault = await expectRejected(indberet({ token: crossed }).xml, "TOKEN_ISSUER_UNTRUSTED");
    expect(fault.harness?.message).toContain(`saml2:Issuer "${integration}", the integration STS`);
    expect(fault.harness?.message).toContain(`"${production}"`);
    // The same the other way round, and for an Issuer that is merely spelled differently.
    const toIntegration = issueToken(bench, { env: "integration", issuer: production });
    await expectRejected(
      indberet({ token: toIntegration, to: "https://localhost/integration/smdb" }).xml,
      "TOKEN_ISSUER_UNTRUSTED",
      "integration",
    );
    for (const issuer of ["https://signature.sts.nemlog-in.dk", "https://evil.example/", ""]) {
      const fault = await expectRejected(
        indberet({ token: issueToken(bench, { issuer }) }).xml,
        "TOKEN_ISSUER_UNTRUSTED",
      );
      expect(fault.harness?.message).toContain(`saml2:Issuer "${issuer}"`);
    }
    // The production Issuer passes.
    const good = issueToken(bench, { issuer: production });
    expect((await post(bench, buildRequest(bench, "Ping", { token: good }).xml)).status).toBe(200);
  });

  it("a token signed by an unknown STS key → TOKEN_ISSUER_UNTRUSTED", async () => {
    const rogueCa = await createTestCa(START, "rogue");
    const rogue = await rogueCa.issue({
      profile: "sts",
      name: "evil STS",
      notBefore: new Date(START - HOUR),
      notAfter: new Date(START + 1000 * HOUR),
    });
    const token = issueToken(bench, { signing: rogue });
    await expectRejected(indberet({ token }).xml, "TOKEN_ISSUER_UNTRUSTED");
  });

  it("a tampered token (assertion changed after the STS signed it) → TOKEN_SIGNATURE_INVALID", async () => {
    const token = issueToken(bench, {
      tamper: (xml) =>
        xml.replace(
          /<AttributeValue>91234567<\/AttributeValue>/,
          "<AttributeValue>98765432</AttributeValue>",
        ),
    });
    await expectRejected(indberet({ token }).xml, "TOKEN_SIGNATURE_INVALID");
  });

  it("a token for another audience → AUDIENCE_MISMATCH", async () => {
    const token = issueToken(bench, { audience: "https://other-service.example.dk" });
    const fault = await expectRejected(indberet({ token }).xml, "AUDIENCE_MISMATCH");
    expect(fault.harness?.message).toContain("https://other-service.example.dk");
  });

  it("several AudienceRestrictions: each must name this WSP, else AUDIENCE_MISMATCH (not any one of them)", async () => {
    const wsp = bench.state.environment("production").wspEntityId;
    const restriction = (...audiences: string[]) =>
      `<AudienceRestriction>${audiences.map((a) => `<Audience>${a}</Audience>`).join("")}</AudienceRestriction>`;
    /** A token whose Conditions hold exactly these AudienceRestrictions, signed by the STS key. */
    const withRestrictions = (...restrictions: string[]) =>
      issueToken(bench, {
        beforeSigning: (xml) =>
          xml.replace(/<AudienceRestriction>[\s\S]*<\/AudienceRestriction>/, restrictions.join("")),
      });
    const other = "https://other-service.example.dk";
    for (const restrictions of [
      [restriction(wsp), restriction(other)],
      [restriction(other), restriction(wsp)],
      [restriction(wsp, other), restriction(other)],
      [restriction(wsp), "<AudienceRestriction></AudienceRestriction>"],
    ]) {
      const fault = await expectRejected(
        indberet({ token: withRestrictions(...restrictions) }).xml,
        "AUDIENCE_MISMATCH",
      );
      expect(fault.harness?.message).toMatch(/every AudienceRestriction must be satisfied/);
    }
    // Every restriction names this WSP (one also another service): accepted.
    for (const restrictions of [[restriction(wsp, other), restriction(wsp)], [restriction(wsp)]]) {
      const res = await post(
        bench,
        buildRequest(bench, "Ping", { token: withRestrictions(...restrictions) }).xml,
      );
      expect(res.status, res.body.slice(0, 400)).toBe(200);
    }
  });

  it("a token without NotOnOrAfter or NotBefore, with one that is not a dateTime, or an inverted lifetime → TOKEN_LIFETIME_INVALID", async () => {
    /** A token whose Conditions start tag is `conditions`, signed by the STS key. */
    const withConditions = (conditions: string) =>
      issueToken(bench, { beforeSigning: (xml) => xml.replace(/<Conditions [^>]*>/, conditions) });
    const at = (ms: number) => new Date(ms).toISOString();
    const cases: Array<[string, RegExp]> = [
      [`<Conditions NotBefore="${at(START)}">`, /Conditions has no NotOnOrAfter/],
      [`<Conditions NotOnOrAfter="${at(START + HOUR)}">`, /Conditions has no NotBefore/],
      ["<Conditions>", /no NotBefore; Conditions has no NotOnOrAfter/],
      [
        `<Conditions NotBefore="${at(START)}" NotOnOrAfter="never">`,
        /NotOnOrAfter "never" is not an xs:dateTime/,
      ],
      [
        `<Conditions NotBefore="${at(START + 2 * 60_000)}" NotOnOrAfter="${at(START + 60_000)}">`,
        /NotOnOrAfter \(.*\) is not after NotBefore/,
      ],
    ];
    for (const [conditions, message] of cases) {
      const fault = await expectRejected(
        indberet({ token: withConditions(conditions) }).xml,
        "TOKEN_LIFETIME_INVALID",
      );
      expect(fault.harness?.message).toMatch(message);
      expect(fault.harness?.message).toMatch(/would never expire/);
    }
    // Years later, still refused (it is not TOKEN_EXPIRED: it never had an end).
    const endless = withConditions(`<Conditions NotBefore="${at(START)}">`);
    bench.clock.set(START + 5 * 365 * 24 * HOUR);
    await expectRejected(indberet({ token: endless }).xml, "TOKEN_LIFETIME_INVALID");
  });

  it("an expired token → TOKEN_EXPIRED; a not-yet-valid one → TOKEN_NOT_YET_VALID; within skew both pass", async () => {
    const token = issueToken(bench, { notOnOrAfterMs: START + HOUR });
    bench.clock.set(START + HOUR + 4 * 60_000);
    expect((await post(bench, buildRequest(bench, "Ping", { token }).xml)).status).toBe(200);
    bench.clock.set(START + HOUR + 6 * 60_000);
    await expectRejected(indberet({ token }).xml, "TOKEN_EXPIRED");

    bench.clock.set(START);
    const future = issueToken(bench, { notBeforeMs: START + HOUR });
    await expectRejected(indberet({ token: future }).xml, "TOKEN_NOT_YET_VALID");
    const soon = issueToken(bench, { notBeforeMs: START + 4 * 60_000 });
    expect((await post(bench, buildRequest(bench, "Ping", { token: soon }).xml)).status).toBe(200);
  });

  it("STS rotation: `current` trusts the new certificate, `pin-thumbprint` breaks, `subject-and-chain` keeps working", async () => {
    const local = await createBench();
    const oldCert = local.state.environment("production").stsSigning.certificate;
    const before = issueToken(local);
    await local.state.rotateStsSigningCertificate("production");
    const newCert = local.state.environment("production").stsSigning.certificate;
    expect(newCert.subject).toBe(oldCert.subject);
    expect(newCert.sha256).not.toBe(oldCert.sha256);
    const after = issueToken(local);
    const ping = (token: string) => post(local, buildRequest(local, "Ping", { token }).xml);

    expect((await ping(after)).status).toBe(200);

    local.trust.production = { mode: "pin-thumbprint", thumbprints: [oldCert.sha1] };
    expect((await ping(before)).status).toBe(200);
    const pinned = await ping(after);
    expect(pinned.fault?.harness?.reason).toBe("TOKEN_ISSUER_UNTRUSTED");
    expect(pinned.fault?.harness?.message).toContain(newCert.sha256);
    expect(pinned.fault?.harness?.message).toContain(oldCert.sha1);

    local.trust.production = {
      mode: "subject-and-chain",
      subjects: [oldCert.subject],
      anchors: [local.state.ca.issuing.certificate],
    };
    expect((await ping(before)).status).toBe(200);
    expect((await ping(after)).status).toBe(200);
    local.trust.production = {
      mode: "subject-and-chain",
      subjects: ["CN=someone else"],
      anchors: [local.state.ca.issuing.certificate],
    };
    expect((await ping(after)).fault?.harness?.reason).toBe("TOKEN_ISSUER_UNTRUSTED");
    expect(local.store.count()).toBe(0);
  });
});

describe("message checks", () => {
  it("a token stolen by a second client signing with its own key → HOK_PROOF_INVALID", async () => {
    const stolen = issueToken(bench, { client: bench.clientA });
    const { xml } = indberet({ token: stolen, client: bench.clientB });
    const fault = await expectRejected(xml, "HOK_PROOF_INVALID");
    expect(fault.harness?.message).toContain(bench.clientA.certificate.sha256);
  });

  it("signed by the right key but not covering the Body → SIGNATURE_INVALID", async () => {
    const { xml } = indberet({ sign: ["Timestamp", "STR", "To", "ReplyTo", "MessageID", "Action"] });
    const fault = await expectRejected(xml, "SIGNATURE_INVALID");
    expect(fault.harness?.message).toMatch(/does not cover the Body/);
  });

  it("signed by the right key but not covering the STR (the token) → SIGNATURE_INVALID", async () => {
    const { xml } = indberet({ sign: ["Timestamp", "Body", "To", "ReplyTo", "MessageID", "Action"] });
    const fault = await expectRejected(xml, "SIGNATURE_INVALID");
    expect(fault.harness?.message).toMatch(/SecurityTokenReference/);
  });

  it("not covering a wsa header or the Timestamp → SIGNATURE_INVALID", async () => {
    await expectRejected(
      indberet({ sign: ["Timestamp", "STR", "Body", "To", "ReplyTo", "Action"] }).xml,
      "SIGNATURE_INVALID",
    );
    await expectRejected(
      indberet({ sign: ["STR", "Body", "To", "ReplyTo", "MessageID", "Action"] }).xml,
      "SIGNATURE_INVALID",
    );
  });

  it("a tampered body → SIGNATURE_INVALID", async () => {
    const { xml } = indberet();
    const tampered = xml.replace(
      "<smdb:kommunekode>101</smdb:kommunekode>",
      "<smdb:kommunekode>851</smdb:kommunekode>",
    );
    expect(tampered).not.toBe(xml);
    const fault = await expectRejected(tampered, "SIGNATURE_INVALID");
    expect(fault.harness?.message).toMatch(/digest/);
  });

  it("signature wrapping: the signed Body moved into the header, another Body sent → SIGNATURE_INVALID", async () => {
    const { xml } = buildRequest(bench, "HentForloeb", { payload: { forloebId: "X" } });
    const bodyStart = xml.indexOf("<soap:Body");
    const signedBody = xml.slice(bodyStart, xml.indexOf("</soap:Body>") + "</soap:Body>".length);
    const evilBody = `<soap:Body><smdb:IndberetForloeb xmlns:smdb="urn:dk:dst:smdb:2026">${"<smdb:forloebId>EVIL</smdb:forloebId>"}</smdb:IndberetForloeb></soap:Body>`;
    const wrapped = xml
      .slice(0, bodyStart)
      .replace("</soap:Header>", `<w:Wrapper xmlns:w="urn:attacker">${signedBody}</w:Wrapper></soap:Header>`)
      .concat(evilBody, "</soap:Envelope>");
    await expectRejected(wrapped, "SIGNATURE_INVALID");

    // Same id on the new Body and on the moved one: ambiguous reference.
    const id = /wsu:Id="([^"]+)"/.exec(signedBody)![1]!;
    const duplicate = wrapped.replace("<soap:Body>", `<soap:Body xmlns:wsu="${NS.wsu}" wsu:Id="${id}">`);
    const fault = await expectRejected(duplicate, "SIGNATURE_INVALID");
    expect(fault.harness?.message).toMatch(/wrapping|matches 2/);
  });

  it("an old request → TIMESTAMP_EXPIRED; one created in the future → TIMESTAMP_EXPIRED", async () => {
    const token = issueToken(bench);
    await expectRejected(indberet({ token, createdMs: START - 20 * 60_000 }).xml, "TIMESTAMP_EXPIRED");
    await expectRejected(indberet({ token, createdMs: START + 20 * 60_000 }).xml, "TIMESTAMP_EXPIRED");
  });

  it("a replayed message → REPLAY, also after the original was answered", async () => {
    const { xml } = buildRequest(bench, "Ping", {});
    expect((await post(bench, xml)).status).toBe(200);
    const fault = await expectRejected(xml, "REPLAY");
    expect(fault.harness?.message).toMatch(/MessageID/);
    // After the window the message is refused as too old, not accepted.
    bench.clock.advance("11m");
    await expectRejected(xml, "TIMESTAMP_EXPIRED");
  });

  it("one client flooding the replay cache gets REPLAY_CLIENT_QUOTA (429) alone: another client is still served, captured messages still REPLAY", async () => {
    // Room for 4 MessageIDs: one client may hold 2 (before: the first 4 from anyone locked everyone out).
    const local = await createBench({ wsp: { replayCacheSize: 4 } });
    const captured: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { xml } = buildRequest(local, "Ping");
      expect((await post(local, xml)).status).toBe(200);
      captured.push(xml);
    }
    for (let i = 0; i < 2; i++) {
      const flood = buildRequest(local, "IndberetForloeb", { payload: COURSE });
      const { result, events } = await eventsDuring(local, () => post(local, flood.xml));
      expect(result.status, result.body.slice(0, 400)).toBe(429);
      expect(result.contentType).toContain("application/soap+xml");
      expect(result.fault?.code).toBe("env:Sender");
      expect(result.fault?.harness?.reason).toBe("REPLAY_CLIENT_QUOTA");
      expect(result.fault?.harness?.message).toContain(local.clientA.certificate.sha256);
      expect(result.fault?.harness?.message).toContain(
        `from ${new Date(START + 15 * 60_000 + 1).toISOString()}`,
      );
      expect(events).toMatchObject([
        { step: 2, outcome: "rejected", reason: "REPLAY_CLIENT_QUOTA", messageId: flood.messageId },
      ]);
    }
    expect(local.store.count()).toBe(0);
    // Another systembruger's client is served.
    const other = buildRequest(local, "Ping", { client: local.clientB });
    expect((await post(local, other.xml)).status).toBe(200);
    // Every captured message is still refused as a replay.
    for (const xml of captured) {
      const res = await post(local, xml);
      expect(res.status).toBe(400);
      expect(res.fault?.harness?.reason).toBe("REPLAY");
    }
    // Once their window (5 min + 2 × 5 min skew) has passed there is room again, and the captured
    // messages are too old to be accepted.
    local.clock.set(START + 15 * 60_000 + 1);
    expect((await post(local, buildRequest(local, "Ping").xml)).status).toBe(200);
    expect((await post(local, captured[0]!)).fault?.harness?.reason).toBe("TIMESTAMP_EXPIRED");
  });

  it("wsa:To naming another endpoint → WRONG_ENDPOINT with what was expected; a forged To fails the signature first", async () => {
    const token = issueToken(bench);
    for (const to of [
      "https://127.0.0.1:8080/integration/smdb", // the other environment's SMDB
      "https://smdb.dst.dk/production", // the entity ID instead of the endpoint URL
      "https://127.0.0.1:8080/production/SecurityTokenService.svc", // the STS
      "urn:smdb",
    ]) {
      const fault = await expectRejected(indberet({ token, to }).xml, "WRONG_ENDPOINT");
      expect(fault.harness?.message).toContain(`"${to}"`);
      expect(fault.harness?.message).toContain("ending in /production/smdb");
      expect(fault.harness?.message).toContain(bench.clientA.certificate.sha256);
    }
    const integrationToken = issueToken(bench, { env: "integration" });
    await expectRejected(
      buildRequest(bench, "Ping", { token: integrationToken, to: "https://localhost/production/smdb" }).xml,
      "WRONG_ENDPOINT",
      "integration",
    );
    // wsa:To changed after signing: the signature check comes first, the forged value is never read.
    const { xml } = indberet({ token });
    const forged = xml.replace(">https://localhost/production/smdb<", ">https://localhost/integration/smdb<");
    expect(forged).not.toBe(xml);
    await expectRejected(forged, "SIGNATURE_INVALID");
  });

  it("wsa:To is compared by path: another host or port, a proxy prefix, a trailing slash and anonymous pass", async () => {
    for (const to of [
      "http://harness:8080/production/smdb",
      "https://gateway.example/smdb-harness/production/smdb/",
      WSA_ANONYMOUS,
    ]) {
      const res = await post(bench, buildRequest(bench, "Ping", { to }).xml);
      expect(res.status, res.body.slice(0, 400)).toBe(200);
    }
    const integrationToken = issueToken(bench, { env: "integration" });
    const res = await post(
      bench,
      buildRequest(bench, "Ping", { token: integrationToken, to: "https://localhost/integration/smdb" }).xml,
      "integration",
    );
    expect(res.status, res.body.slice(0, 400)).toBe(200);
  });

  it("a systembruger without the privilege → PRIVILEGE_MISSING (Ping needs none)", async () => {
    const token = issueToken(bench, { privileges: [PRIVILEGE_HENT] });
    const fault = await expectRejected(indberet({ token }).xml, "PRIVILEGE_MISSING");
    expect(fault.harness?.message).toContain("urn:dk:dst:smdb:privilege:indberet");
    expect((await post(bench, buildRequest(bench, "Ping", { token }).xml)).status).toBe(200);
    const none = issueToken(bench, { privileges: [] });
    await expectRejected(
      buildRequest(bench, "HentForloeb", { token: none, payload: { forloebId: "F" } }).xml,
      "PRIVILEGE_MISSING",
    );
  });
});

describe("fault modes", () => {
  it("realistic mode sends generic texts without reason codes; events still carry them", async () => {
    const local = await createBench({ wsp: { faultMode: "realistic" } });
    const stolen = issueToken(local, { client: local.clientA });
    const { result, events } = await eventsDuring(local, () =>
      post(local, buildRequest(local, "Ping", { token: stolen, client: local.clientB }).xml),
    );
    expect(result.status).toBe(400);
    expect(result.fault?.subcode).toBe("wsse:FailedCheck");
    expect(result.fault?.reason).not.toMatch(/HOK_PROOF_INVALID/);
    expect(result.fault?.harness).toBeUndefined();
    expect(events[0]?.reason).toBe("HOK_PROOF_INVALID");
  });
});
