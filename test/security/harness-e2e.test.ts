/**
 * Hostile input against one running harness (startHarness, HTTP, both endpoints on one port):
 * every attack gets a fault of the endpoint's SOAP version and exactly one event, `/health` keeps
 * answering, nothing is stored, and a real client still gets a token and calls SMDB afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSignedRst } from "../../src/client/rst.js";
import type { Harness } from "../../src/harness/harness.js";
import type { Credential } from "../../src/pki/index.js";
import { requestAction, requestBodyXml } from "../../src/smdb/operations.js";
import { buildIdwsRequest } from "../../src/xml/idws.js";
import { rawEncryptedAssertion } from "../../src/xml/wstrust.js";
import { harnessWithSystemUser } from "../helpers/harness.js";

let h: Harness;
let old: Credential;

beforeAll(async () => {
  ({ harness: h, old } = await harnessWithSystemUser({
    name: "Kommune hostile",
    entityId: "https://hostile.example/wsc",
  }));
});

afterAll(async () => {
  await h?.close();
});

async function getToken(): Promise<{ status: number; body: string }> {
  const rst = buildSignedRst({
    credential: old,
    to: h.state.environment("production").stsEndpointReference,
    appliesTo: h.state.environment("production").wspEntityId,
    nowMs: h.clock.nowMs(),
  });
  return postSts(rst.xml);
}

function ping(token: string, operation: "Ping" | "IndberetForloeb" = "Ping", payload: unknown = {}) {
  return buildIdwsRequest({
    action: requestAction(operation),
    to: h.wspUrl("production"),
    createdMs: h.clock.nowMs(),
    encryptedAssertionXml: token,
    bodyXml: requestBodyXml(operation, payload),
    privateKey: old.key.privateKey,
  }).xml;
}

async function postSts(body: string | Uint8Array) {
  const res = await fetch(h.stsUrl("production"), {
    method: "POST",
    headers: { "content-type": "text/xml; charset=utf-8" },
    body,
  });
  return { status: res.status, body: await res.text() };
}

async function postWsp(body: string | Uint8Array) {
  const res = await fetch(h.wspUrl("production"), {
    method: "POST",
    headers: { "content-type": "application/soap+xml; charset=utf-8" },
    body,
  });
  return { status: res.status, body: await res.text() };
}

describe("a running harness under attack", () => {
  it("answers every attack with one fault and one event, stays healthy, stores nothing, and still serves a real client", async () => {
    const first = await getToken();
    expect(first.status, first.body).toBe(200);
    const token = rawEncryptedAssertion(first.body)!;
    const good = ping(token);
    expect((await postWsp(good)).status).toBe(200);
    const stored = h.store.count();

    const bomb = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>`;
    const unclosed = "<a>".repeat(300_000);
    const stsAttacks: Array<[string | Uint8Array, string]> = [
      [bomb, "MALFORMED_REQUEST"],
      [unclosed, "MALFORMED_REQUEST"],
      [new Uint8Array(3 * 1024 * 1024).fill(0x3c), "MALFORMED_REQUEST"],
      [(await getTokenRequest()).replace('wsu:Id="to"', "wsu:Id=to"), "MALFORMED_REQUEST"],
      [
        (await getTokenRequest()).replace(
          "</wsse:Security>",
          "<x:A xmlns:x='urn:x'>&#1;</x:A></wsse:Security>",
        ),
        "MALFORMED_REQUEST",
      ],
    ];
    // The same request twice is no replay for the STS; a replay to the WSP is.
    const indberet = ping(token, "IndberetForloeb", {
      forloebId: "F-HOSTILE-1",
      cpr: "0101901234",
      kommunekode: "101",
      behandlingssted: "Rusmiddelcenter",
      behandlingstype: "social",
      startdato: "2026-01-01",
      stoffer: ["cannabis"],
    }).replace(/<smdb:kommunekode>101</, "<smdb:kommunekode>851<");
    const wspAttacks: Array<[string | Uint8Array, string]> = [
      [bomb, "MALFORMED_REQUEST"],
      [unclosed, "MALFORMED_REQUEST"],
      [new Uint8Array(3 * 1024 * 1024).fill(0x3c), "MALFORMED_REQUEST"],
      [good, "REPLAY"],
      [indberet, "SIGNATURE_INVALID"],
      [
        good.replace("</soap:Header>", `<w:X xmlns:w="urn:x">${token}</w:X></soap:Header>`),
        "SIGNATURE_INVALID",
      ],
    ];

    for (const [body, reason] of stsAttacks) {
      const before = h.events.lastSeq;
      const res = await postSts(body);
      // Over the 1 MiB limit: 413 (decided from Content-Length), with the same SOAP fault.
      expect(res.status, res.body.slice(0, 300)).toBe(body.length > 1024 * 1024 ? 413 : 500);
      expect(res.body).toContain(`<faultcode`);
      expect(res.body).toContain(reason);
      expect(res.body.length).toBeLessThan(8192);
      const events = h.events.since(before);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ component: "sts", step: 1, outcome: "rejected", reason });
      expect((await fetch(`${h.url}/health`)).status).toBe(200);
    }
    for (const [body, reason] of wspAttacks) {
      const before = h.events.lastSeq;
      const res = await postWsp(body);
      expect(res.status, res.body.slice(0, 300)).toBe(body.length > 1024 * 1024 ? 413 : 400);
      expect(res.body).toContain("env:Sender");
      expect(res.body).toContain(reason);
      expect(res.body.length).toBeLessThan(8192);
      const events = h.events.since(before);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ component: "wsp", step: 2, outcome: "rejected", reason });
      expect((await fetch(`${h.url}/health`)).status).toBe(200);
    }
    expect(h.store.count()).toBe(stored);

    const again = await getToken();
    expect(again.status, again.body).toBe(200);
    expect((await postWsp(ping(rawEncryptedAssertion(again.body)!))).status).toBe(200);
  });
});

async function getTokenRequest(): Promise<string> {
  return buildSignedRst({
    credential: old,
    to: h.state.environment("production").stsEndpointReference,
    appliesTo: h.state.environment("production").wspEntityId,
    nowMs: h.clock.nowMs(),
  }).xml;
}
