/**
 * The board's pure parts: the inspector's XML view (indented lines, the failing element's lines
 * inside the right parent, the Fault's lines, text that is not XML shown as it is), the table of
 * failing elements, the timeline (changes only, a value holds until the next, setting the clock
 * back drops the future, downtime is the red part of the calls lane) and the bounded message log.
 */
import { describe, expect, it } from "vitest";
import { ExchangeLog } from "../../src/control/board/exchanges.js";
import { FAULT_ELEMENTS, failingElement } from "../../src/control/board/failing-element.js";
import { Timeline } from "../../src/control/board/timeline.js";
import { xmlView } from "../../src/control/board/xml-view.js";
import { NS } from "../../src/xml/ns.js";

const REQUEST = `<s:Envelope xmlns:s="${NS.soap11}"><s:Header><wsse:Security xmlns:wsse="${NS.wsse}"><wsse:BinarySecurityToken>MIIB</wsse:BinarySecurityToken><ds:Signature xmlns:ds="${NS.ds}"><ds:SignedInfo/></ds:Signature></wsse:Security></s:Header><s:Body><x:Other xmlns:x="urn:x"><ds:Signature xmlns:ds="${NS.ds}"/></x:Other></s:Body></s:Envelope>`;
const FAULT = `<s:Envelope xmlns:s="${NS.soap11}"><s:Body><s:Fault><faultcode>wst:FailedAuthentication</faultcode><faultstring>no</faultstring></s:Fault></s:Body></s:Envelope>`;

describe("the inspector's XML view", () => {
  it("marks the failing element's lines, inside the parent it must be in", () => {
    const signature = failingElement(1, "SIGNATURE_INVALID")!;
    const view = xmlView(REQUEST, signature, FAULT_ELEMENTS);
    const marked = view.lines.slice(view.highlight!.from, view.highlight!.to + 1);
    expect(marked[0]).toMatch(/^\s+<ds:Signature xmlns:ds=/);
    expect(marked).toHaveLength(3);
    // The first ds:Signature in wsse:Security, not the one in the Body.
    expect(view.lines[view.highlight!.from - 1]).toContain("BinarySecurityToken");
    expect(view.fault).toBeNull();

    const certificate = xmlView(REQUEST, failingElement(1, "CERT_NOT_YET_ACTIVE")!);
    expect(certificate.lines[certificate.highlight!.from]).toBe(
      "      <wsse:BinarySecurityToken>MIIB</wsse:BinarySecurityToken>",
    );
  });

  it("marks a Fault, and shows what is not XML as it is", () => {
    const view = xmlView(FAULT, failingElement(1, "STS_RESPONSE_UNTRUSTED"), FAULT_ELEMENTS);
    expect(view.highlight).toBeNull();
    expect(view.lines.slice(view.fault!.from, view.fault!.to + 1).join("\n")).toContain(
      "FailedAuthentication",
    );
    expect(xmlView("not <xml", null)).toEqual({ lines: ["not <xml"], highlight: null, fault: null });
  });

  it("names an element for the refusals that are about one, in each step", () => {
    expect(failingElement(1, "UNKNOWN_SERVICE")?.label).toBe("wsp:AppliesTo");
    expect(failingElement(2, "TOKEN_EXPIRED")?.label).toBe("saml2:EncryptedAssertion");
    expect(failingElement(2, "PRIVILEGE_MISSING")?.label).toBe("env:Body");
    expect(failingElement(1, "STS_RESPONSE_UNTRUSTED")).toMatchObject({
      in: "response",
      label: "ds:Signature",
    });
    expect(failingElement(0, "CLIENT_CERT_NOT_FOUND")).toBeNull();
    expect(failingElement(1, "SOMETHING_ELSE")).toBeNull();
  });
});

describe("the timeline", () => {
  const ok = { tone: "ok" as const, data: { reason: "OK" } };
  const red = { tone: "fail" as const, data: { reason: "CERT_NOT_YET_ACTIVE" } };

  it("keeps changes only; a value holds until the next; downtime is the red time of the calls", () => {
    const t = new Timeline(0, ["calls"]);
    t.observe(0, { calls: ok });
    t.observe(5, { calls: ok });
    t.observe(10, { calls: red });
    t.observe(30, { calls: ok });
    const view = t.view(100);
    expect(view.lanes[0]!.segments.map((s) => [s.fromMs, s.toMs, s.tone])).toEqual([
      [0, 10, "ok"],
      [10, 30, "fail"],
      [30, 100, "ok"],
    ]);
    expect(view.downtimeMs).toBe(20);
  });

  it("drops what came after a time the clock is set back to, and says so", () => {
    const t = new Timeline(0, ["calls"]);
    t.observe(0, { calls: ok });
    t.observe(10, { calls: red });
    t.observe(5, { calls: red });
    const view = t.view(8);
    expect(view.lanes[0]!.segments.map((s) => [s.fromMs, s.toMs, s.tone])).toEqual([
      [0, 5, "ok"],
      [5, 8, "fail"],
    ]);
    expect(view.downtimeMs).toBe(3);
    expect(view.markers).toEqual([{ atMs: 5, kind: "clock-back", data: {} }]);
    t.reset(100);
    expect(t.view(100)).toMatchObject({ originMs: 100, downtimeMs: 0, markers: [] });
  });

  it("stays bounded", () => {
    const t = new Timeline(0, ["calls"], 10);
    for (let i = 0; i < 100; i++) t.observe(i, { calls: i % 2 ? ok : red });
    expect(t.view(100).lanes[0]!.segments).toHaveLength(10);
  });
});

describe("the message log", () => {
  it("keeps the last calls only, cuts long messages, and finds a request by its MessageID", () => {
    const log = new ExchangeLog(2, 100);
    for (let id = 1; id <= 3; id++) {
      const c = log.begin(id);
      c.add(`00${id}-sts-request.xml`, `<wsa:MessageID>uuid:${id}</wsa:MessageID>${"x".repeat(200)}`);
      c.add(`00${id}-sts-response.xml`, "<fault/>");
    }
    expect(log.size).toBe(2);
    expect(log.call(1)).toBeUndefined();
    expect(log.byMessageId("uuid:1")).toBeUndefined();
    const found = log.byMessageId("uuid:3")!;
    expect(found.callId).toBe(3);
    expect(found.messages.map((m) => [m.direction, m.step, m.truncated])).toEqual([
      ["request", 1, true],
      ["response", 1, false],
    ]);
    expect(found.messages[0]!.xml).toHaveLength(100);
  });
});
