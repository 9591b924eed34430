/**
 * SOAP 1.2 as the SMDB's binding requires it (issue 10): a mandatory header block the SMDB does
 * not understand is SOAP 1.2's MustUnderstand fault with a NotUnderstood block per header; an
 * envelope of another SOAP version is the VersionMismatch fault with an Upgrade header (a SOAP 1.1
 * request gets it as a SOAP 1.1 message, SOAP 1.2 appendix A); the Content-Type is SOAP 1.2's
 * `application/soap+xml`. The Java trace's headers still pass.
 */
import { readFileSync } from "node:fs";
import type { Element } from "@xmldom/xmldom";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { readIdwsEnvelope } from "../../src/xml/idws.js";
import { NS } from "../../src/xml/ns.js";
import { childElements, parseXml } from "../../src/xml/parse.js";
import { readSoap11Fault } from "../../src/xml/soap.js";
import { checkMustUnderstand, isSecurityOrAddressingHeader } from "../../src/xml/soap-version.js";
import { readHarnessFaultDetail, readSoap12Fault, SOAP12_NS } from "../../src/xml/soap12.js";
import { referenceFixture } from "../helpers/fixtures.js";
import {
  type Bench,
  buildRequest,
  COURSE,
  createBench,
  eventsDuring,
  expectRejection,
  post,
  useBench,
} from "./helpers.js";

let bench: Bench;
useBench((created) => {
  bench = created;
});

/** A signed IndberetForloeb with `blocks` added to its SOAP header (unsigned: SOAP decides before the signature). */
function withHeaderBlocks(blocks: string) {
  const built = buildRequest(bench, "IndberetForloeb", { payload: COURSE });
  return { ...built, xml: built.xml.replace("<soap:Header>", `<soap:Header>${blocks}`) };
}

const extension = (attributes: string, local = "Extension") =>
  `<x:${local} xmlns:x="urn:example:ext" ${attributes}>value</x:${local}>`;

/** The QName in a `qname` attribute, resolved against the element's namespaces. */
function resolvedQName(el: Element): string {
  const [prefix, local] = (el.getAttribute("qname") ?? "").split(":");
  return `{${el.lookupNamespaceURI(prefix ?? null) ?? ""}}${local}`;
}

function headerBlocks(xml: string, local: string): Element[] {
  const header = childElements(parseXml(xml).documentElement!).find((el) => el.localName === "Header");
  return header ? childElements(header).filter((el) => el.localName === local) : [];
}

describe("mustUnderstand (SOAP 1.2 part 1 §2.4, §5.4.8)", () => {
  it("a block the SMDB does not understand, mustUnderstand true or 1 → env:MustUnderstand (HTTP 500) with a NotUnderstood block each", async () => {
    for (const value of ["true", "1"]) {
      const stored = bench.store.count();
      const { xml } = withHeaderBlocks(
        extension(`soap:mustUnderstand="${value}"`) + extension('soap:mustUnderstand="true"', "Other"),
      );
      const { result: res, events } = await eventsDuring(bench, () => post(bench, xml));
      expect(res.status, res.body.slice(0, 500)).toBe(500);
      expect(res.contentType).toContain("application/soap+xml");
      expect(res.fault).toMatchObject({
        code: "env:MustUnderstand",
        harness: { reason: "HEADER_NOT_UNDERSTOOD" },
      });
      expect(res.fault?.subcode).toBeUndefined();
      expect(res.fault?.harness?.message).toMatch(/\{urn:example:ext\}Extension, \{urn:example:ext\}Other/);
      const notUnderstood = headerBlocks(res.body, "NotUnderstood");
      expect(notUnderstood.every((el) => el.namespaceURI === SOAP12_NS)).toBe(true);
      expect(notUnderstood.map(resolvedQName)).toEqual([
        "{urn:example:ext}Extension",
        "{urn:example:ext}Other",
      ]);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        step: 2,
        outcome: "rejected",
        reason: "HEADER_NOT_UNDERSTOOD",
        fault: "env:MustUnderstand",
      });
      expect(bench.store.count()).toBe(stored);
    }
  });

  it("is decided before the replay check: the same request without the block is then accepted", async () => {
    const built = buildRequest(bench, "IndberetForloeb", { payload: COURSE });
    const refused = built.xml.replace(
      "<soap:Header>",
      `<soap:Header>${extension('soap:mustUnderstand="true"')}`,
    );
    expect((await post(bench, refused)).status).toBe(500);
    expect((await post(bench, built.xml)).status).toBe(200);
  });

  it("a block without mustUnderstand, or for the role none or another node, is ignored", async () => {
    for (const attributes of [
      "",
      'soap:mustUnderstand="false"',
      'soap:mustUnderstand="0"',
      'soap:mustUnderstand="true" soap:role="http://www.w3.org/2003/05/soap-envelope/role/none"',
      'soap:mustUnderstand="true" soap:role="urn:example:some-intermediary"',
    ]) {
      const res = await post(bench, withHeaderBlocks(extension(attributes)).xml);
      expect(res.status, `${attributes}: ${res.body.slice(0, 400)}`).toBe(200);
    }
  });

  it("the roles next and ultimateReceiver address the SMDB", async () => {
    for (const role of ["next", "ultimateReceiver"]) {
      const xml = withHeaderBlocks(
        extension(
          `soap:mustUnderstand="true" soap:role="http://www.w3.org/2003/05/soap-envelope/role/${role}"`,
        ),
      ).xml;
      expect((await post(bench, xml)).fault?.code).toBe("env:MustUnderstand");
    }
  });

  it("a mustUnderstand that is no xs:boolean, and a header block without namespace → MALFORMED_REQUEST", async () => {
    const { fault } = await expectRejection(
      bench,
      withHeaderBlocks(extension('soap:mustUnderstand="yes"')).xml,
      "MALFORMED_REQUEST",
    );
    expect(fault.harness?.message).toMatch(/mustUnderstand="yes"/);
    const loose = await expectRejection(bench, withHeaderBlocks("<Loose>x</Loose>").xml, "MALFORMED_REQUEST");
    expect(loose.fault.harness?.message).toMatch(/namespace-qualified/);
  });

  it("realistic mode: SOAP's generic text, no detail, still the NotUnderstood block", async () => {
    const realistic = await createBench({ wsp: { faultMode: "realistic" } });
    const built = buildRequest(realistic, "Ping");
    const res = await post(
      realistic,
      built.xml.replace("<soap:Header>", `<soap:Header>${extension('soap:mustUnderstand="1"')}`),
    );
    expect(res.fault).toEqual({
      code: "env:MustUnderstand",
      reason: "One or more mandatory SOAP header blocks not understood",
    });
    expect(headerBlocks(res.body, "NotUnderstood").map(resolvedQName)).toEqual([
      "{urn:example:ext}Extension",
    ]);
  });

  it('the Java reference trace\'s headers (Security with mustUnderstand="true", wsa) are understood', () => {
    const envelope = readIdwsEnvelope(
      parseXml(readFileSync(referenceFixture("java-trace-3-wsc-to-wsp.pretty.xml"))),
    );
    const security = childElements(envelope.header!, NS.wsse, "Security")[0]!;
    expect(security.getAttributeNS(SOAP12_NS, "mustUnderstand")).toBe("true");
    expect(() =>
      checkMustUnderstand(envelope.header, "1.2", isSecurityOrAddressingHeader, "the SMDB service"),
    ).not.toThrow();
  });
});

describe("VersionMismatch (SOAP 1.2 part 1 §5.4.7, appendix A)", () => {
  /** The Upgrade header block's supported envelopes, resolved. */
  function upgrades(xml: string): string[] {
    const [upgrade] = headerBlocks(xml, "Upgrade");
    expect(upgrade?.namespaceURI).toBe(SOAP12_NS);
    return childElements(upgrade!, SOAP12_NS, "SupportedEnvelope").map(resolvedQName);
  }

  it("a SOAP 1.1 envelope → a SOAP 1.1 fault message, faultcode VersionMismatch, HTTP 500, with an Upgrade to SOAP 1.2", async () => {
    const { xml } = buildRequest(bench, "Ping");
    const soap11 = xml.replaceAll(SOAP12_NS, NS.soap11);
    const stored = bench.store.count();
    const { result: res, events } = await eventsDuring(bench, () => post(bench, soap11));
    expect(res.status).toBe(500);
    expect(res.contentType).toContain("text/xml");
    const doc = parseXml(res.body);
    expect(doc.documentElement!.namespaceURI).toBe(NS.soap11);
    const fault = readSoap11Fault(doc);
    expect(fault).toMatchObject({ faultcode: "s:VersionMismatch", reason: "MALFORMED_REQUEST" });
    expect(fault?.message).toMatch(/SOAP 1\.1 envelope; the SMDB service speaks SOAP 1\.2/);
    expect(upgrades(res.body)).toEqual([`{${SOAP12_NS}}Envelope`]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ reason: "MALFORMED_REQUEST", fault: "env:VersionMismatch" });
    expect(bench.store.count()).toBe(stored);
  });

  it("an Envelope in another namespace → env:VersionMismatch (SOAP 1.2), HTTP 500, with the Upgrade block", async () => {
    const res = await post(bench, `<e:Envelope xmlns:e="urn:example:not-soap"><e:Body/></e:Envelope>`);
    expect(res.status).toBe(500);
    expect(res.fault).toMatchObject({
      code: "env:VersionMismatch",
      harness: { reason: "MALFORMED_REQUEST" },
    });
    expect(res.fault?.harness?.message).toMatch(/urn:example:not-soap/);
    expect(upgrades(res.body)).toEqual([`{${SOAP12_NS}}Envelope`]);
  });

  it("a root that is no Envelope is malformed (env:Sender), not a version mismatch", async () => {
    await expectRejection(bench, `<smdb:Ping xmlns:smdb="urn:dk:dst:smdb:2026"/>`, "MALFORMED_REQUEST");
  });
});

describe("Content-Type (the SOAP 1.2 HTTP binding: application/soap+xml)", () => {
  async function postAs(body: string, contentType: string) {
    const res = await request(bench.app).post("/production/smdb").set("content-type", contentType).send(body);
    const doc = parseXml(res.text);
    const bodyEl = childElements(doc.documentElement!, SOAP12_NS, "Body")[0];
    const fault = bodyEl ? childElements(bodyEl, SOAP12_NS, "Fault")[0] : undefined;
    const parsed = fault ? readSoap12Fault(fault) : undefined;
    return { status: res.status, fault: parsed, harness: readHarnessFaultDetail(parsed?.detail) };
  }

  it("application/soap+xml with parameters (charset, action), in any case, is accepted", async () => {
    for (const type of ["application/soap+xml", 'Application/SOAP+XML; charset=utf-8; action="urn:x"']) {
      expect((await postAs(buildRequest(bench, "Ping").xml, type)).status, type).toBe(200);
    }
  });

  it("text/plain, SOAP 1.1's text/xml, or none → MALFORMED_REQUEST (env:Sender, HTTP 400) naming application/soap+xml", async () => {
    for (const type of ["text/plain", "text/xml; charset=utf-8"]) {
      const res = await postAs(buildRequest(bench, "Ping").xml, type);
      expect(res.status).toBe(400);
      expect(res.fault?.code).toBe("env:Sender");
      expect(res.harness?.reason).toBe("MALFORMED_REQUEST");
      expect(res.harness?.message).toMatch(/send application\/soap\+xml/);
      if (type.startsWith("text/xml")) expect(res.harness?.message).toMatch(/media type of SOAP 1\.1/);
    }
    // No Content-Type header at all (superagent sets one for a string body; it is taken off again).
    const { result, events } = await eventsDuring(bench, () =>
      request(bench.app).post("/production/smdb").send(buildRequest(bench, "Ping").xml).unset("Content-Type"),
    );
    expect(result.status).toBe(400);
    expect(result.text).toContain("has no Content-Type");
    expect(events).toMatchObject([{ reason: "MALFORMED_REQUEST", fault: "env:Sender" }]);
  });
});
