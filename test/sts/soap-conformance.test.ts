/**
 * SOAP 1.1 as the STS's HTTP binding requires it (issue 10): a mandatory header the STS does not
 * understand is SOAP's MustUnderstand fault, an envelope of another SOAP version is SOAP's
 * VersionMismatch fault, and the Content-Type is SOAP 1.1's `text/xml`. The reference client
 * messages (the .NET request, the Java trace's headers) still pass.
 */
import { readFileSync } from "node:fs";
import request from "supertest";
import { beforeAll, describe, expect, it } from "vitest";
import { FAULT_CODES } from "../../src/sts/token-service.js";
import { NS } from "../../src/xml/ns.js";
import { childElements, parseXml } from "../../src/xml/parse.js";
import { readSoap11Envelope, readSoap11Fault } from "../../src/xml/soap.js";
import { checkMustUnderstand, isSecurityOrAddressingHeader } from "../../src/xml/soap-version.js";
import { referenceFixture } from "../helpers/fixtures.js";
import {
  expectIssued,
  expectStsFault,
  RST_SIGNED_IDS,
  rstParams,
  rstTemplate,
  type StsFixture,
  signRst,
  stsFixture,
} from "./fixture.js";

let f: StsFixture;
beforeAll(async () => {
  f = await stsFixture();
});

let sequence = 0;

/** A token request with `headerXml` added before wsse:Security, signed over everything incl. `extraIds`. */
function requestWithHeader(headerXml: string, extraIds: string[] = []): string {
  sequence++;
  const template = rstTemplate(
    rstParams(f),
    `uuid:00000000-0000-0000-0000-${String(sequence).padStart(12, "0")}`,
  ).replace("<wsse:Security", `${headerXml}<wsse:Security`);
  return signRst(f, template, { ids: [...RST_SIGNED_IDS, ...extraIds] });
}

const extra = (attributes: string) =>
  `<x:Extension xmlns:x="urn:example:ext" wsu:Id="ext" ${attributes}>value</x:Extension>`;

/** Over HTTP with `contentType`, or with no Content-Type header at all (superagent's own is taken off). */
function post(body: string, contentType?: string) {
  const req = request(f.app).post("/production/SecurityTokenService.svc");
  if (contentType === undefined) return req.send(body).unset("Content-Type");
  return req.set("content-type", contentType).send(body);
}

describe("mustUnderstand (SOAP 1.1 §4.2.3)", () => {
  it('a header the STS does not understand, with mustUnderstand="1" or "true" → s:MustUnderstand naming it', async () => {
    for (const value of ["1", "true"]) {
      const fault = await expectStsFault(
        f,
        requestWithHeader(extra(`S11:mustUnderstand="${value}"`), ["ext"]),
        "HEADER_NOT_UNDERSTOOD",
        { pattern: /\{urn:example:ext\}Extension/ },
      );
      expect(fault.faultcode).toBe("s:MustUnderstand");
    }
    expect(FAULT_CODES.HEADER_NOT_UNDERSTOOD).toBe("s:MustUnderstand");
  });

  it("is decided before the signature is looked at (an unsigned mandatory header is still MustUnderstand)", async () => {
    await expectStsFault(f, requestWithHeader(extra('S11:mustUnderstand="1"')), "HEADER_NOT_UNDERSTOOD");
  });

  it("a header without mustUnderstand, or addressed to another actor, is not the STS's to understand", async () => {
    await expectIssued(f, requestWithHeader(extra('S11:mustUnderstand="0"'), ["ext"]));
    await expectIssued(f, requestWithHeader(extra(""), ["ext"]));
    await expectIssued(
      f,
      requestWithHeader(extra('S11:mustUnderstand="1" S11:actor="urn:example:some-intermediary"'), ["ext"]),
    );
    await expectStsFault(
      f,
      requestWithHeader(
        extra('S11:mustUnderstand="1" S11:actor="http://schemas.xmlsoap.org/soap/actor/next"'),
        ["ext"],
      ),
      "HEADER_NOT_UNDERSTOOD",
    );
  });

  it("a mustUnderstand that is no boolean, and a header entry without namespace → MALFORMED_REQUEST", async () => {
    await expectStsFault(
      f,
      requestWithHeader(extra('S11:mustUnderstand="yes"'), ["ext"]),
      "MALFORMED_REQUEST",
      {
        pattern: /mustUnderstand="yes"/,
      },
    );
    await expectStsFault(f, requestWithHeader("<Loose>x</Loose>"), "MALFORMED_REQUEST", {
      pattern: /namespace-qualified/,
    });
  });

  it("the headers of the reference clients are understood (.NET request, Java trace)", () => {
    for (const file of ["dotnet-wsc-rst-issue-request.xml", "java-trace-1-wsc-to-sts.pretty.xml"]) {
      const header = readSoap11Envelope(parseXml(readFileSync(referenceFixture(file)))).header!;
      expect(childElements(header).some((h) => h.hasAttributeNS(NS.soap11, "mustUnderstand"))).toBe(true);
      expect(() => checkMustUnderstand(header, "1.1", isSecurityOrAddressingHeader, "the STS")).not.toThrow();
    }
  });
});

describe("VersionMismatch (SOAP 1.1 §4.4.1)", () => {
  it("a SOAP 1.2 envelope, or an Envelope in any other namespace → s:VersionMismatch", async () => {
    for (const ns of [NS.soap12, "urn:example:not-soap"]) {
      await expectStsFault(f, `<e:Envelope xmlns:e="${ns}"><e:Body/></e:Envelope>`, "MALFORMED_REQUEST", {
        faultCode: "s:VersionMismatch",
        pattern: ns === NS.soap12 ? /SOAP 1\.2 envelope; the STS speaks SOAP 1\.1/ : /urn:example:not-soap/,
      });
    }
  });

  it("a root that is no Envelope is malformed, not a version mismatch", async () => {
    await expectStsFault(f, "<RequestSecurityToken/>", "MALFORMED_REQUEST");
  });

  it("realistic mode sends SOAP's own faults unwrapped, with SOAP's texts and no detail", async () => {
    const realistic = await stsFixture({ faultMode: "realistic" });
    const res = await request(realistic.app)
      .post("/production/SecurityTokenService.svc")
      .set("content-type", "text/xml")
      .send(`<e:Envelope xmlns:e="${NS.soap12}"><e:Body/></e:Envelope>`);
    expect(res.status).toBe(500);
    expect(readSoap11Fault(parseXml(res.text))).toEqual({
      faultcode: "s:VersionMismatch",
      faultstring: "Version Mismatch",
      reason: undefined,
      message: undefined,
      doubleEnvelope: false,
    });
  });
});

describe("Content-Type (the SOAP 1.1 HTTP binding: text/xml)", () => {
  it("text/xml with or without parameters, in any case, is accepted", async () => {
    for (const type of ["text/xml", "Text/XML; charset=UTF-8", 'text/xml; charset="utf-8"']) {
      const res = await post(requestWithHeader(""), type);
      expect(res.status, `${type}: ${res.text.slice(0, 300)}`).toBe(200);
    }
  });

  it("none, text/plain, or SOAP 1.2's application/soap+xml → MALFORMED_REQUEST naming text/xml", async () => {
    for (const type of [undefined, "text/plain", "application/soap+xml; charset=utf-8"]) {
      const before = f.events.lastSeq;
      const res = await post(requestWithHeader(""), type);
      expect(res.status).toBe(500);
      const fault = readSoap11Fault(parseXml(res.text));
      expect(fault).toMatchObject({ faultcode: "wst:InvalidRequest", reason: "MALFORMED_REQUEST" });
      expect(fault?.message).toMatch(/send text\/xml; charset=utf-8/);
      if (type === undefined) expect(fault?.message).toMatch(/has no Content-Type/);
      if (type?.startsWith("application/soap+xml")) expect(fault?.message).toMatch(/media type of SOAP 1\.2/);
      expect(f.events.since(before).filter((e) => e.component === "sts")).toMatchObject([
        { outcome: "rejected", reason: "MALFORMED_REQUEST", fault: "wst:InvalidRequest" },
      ]);
    }
  });
});
