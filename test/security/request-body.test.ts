/**
 * Oversized and slow request bodies at both endpoints (issue 10): a `Content-Length` over the
 * limit is answered 413 with the endpoint's SOAP fault before any of the body is sent; a chunked
 * body that grows past the limit is answered 413 while the client is still sending, and the server
 * reads little past the limit; a body that stalls is answered 408 after the body timeout. Every
 * refusal is one MALFORMED_REQUEST event, and good requests are served meanwhile.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSignedRst } from "../../src/client/rst.js";
import { childElements, parseXml } from "../../src/xml/parse.js";
import { readSoap11Fault } from "../../src/xml/soap.js";
import { readHarnessFaultDetail, readSoap12Fault, SOAP12_NS } from "../../src/xml/soap12.js";
import { ENDPOINTS, type StsFixture, stsFixture, WSP_ID } from "../sts/fixture.js";
import { type Bench, buildRequest, createBench, START } from "../wsp/helpers.js";

const LIMIT = 1024 * 1024;
const BODY_TIMEOUT_MS = 400;
const STS_PATH = "/production/SecurityTokenService.svc";
const WSP_PATH = "/production/smdb";

let sts: StsFixture;
let wsp: Bench;
let server: http.Server;
let port: number;

beforeAll(async () => {
  sts = await stsFixture({ bodyTimeoutMs: BODY_TIMEOUT_MS });
  wsp = await createBench({ wsp: { bodyTimeoutMs: BODY_TIMEOUT_MS } });
  const app = express();
  app.use(sts.app);
  app.use(wsp.app);
  server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ENDPOINT_CASES = [
  { name: "STS", path: STS_PATH, contentType: "text/xml; charset=utf-8", soap: "1.1" },
  { name: "SMDB", path: WSP_PATH, contentType: "application/soap+xml; charset=utf-8", soap: "1.2" },
] as const;

interface Answer {
  status: number;
  body: string;
  contentType: string;
  /** Bytes of the body the client had written when the answer arrived. */
  sentWhenAnswered: number;
}

/**
 * POSTs a body written by `write` (called repeatedly until it returns false or the answer
 * arrives); resolves with the answer, or rejects when the connection ends without one.
 */
function postStreaming(
  path: string,
  headers: http.OutgoingHttpHeaders,
  write: (req: http.ClientRequest, sent: number) => { chunk?: Buffer; pauseMs?: number; end?: boolean },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request({ host: "127.0.0.1", port, path, method: "POST", headers }, (res) => {
      answered = true;
      const sentWhenAnswered = sent;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString("utf8"),
          contentType: String(res.headers["content-type"]),
          sentWhenAnswered,
        }),
      );
      res.on("error", reject);
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    // Headers go out at once, also when no body follows.
    req.flushHeaders();
    const next = () => {
      if (answered || req.destroyed) return;
      const step = write(req, sent);
      if (step.end) {
        req.end();
        return;
      }
      if (!step.chunk) return; // stall: write nothing more
      sent += step.chunk.length;
      const go = () => setTimeout(next, step.pauseMs ?? 0);
      if (req.write(step.chunk)) go();
      else req.once("drain", go);
    };
    next();
  });
}

function expectFault(answer: Answer, soap: "1.1" | "1.2", pattern: RegExp): void {
  if (soap === "1.1") {
    expect(answer.contentType).toMatch(/^text\/xml/);
    const fault = readSoap11Fault(parseXml(answer.body));
    expect(fault?.reason).toBe("MALFORMED_REQUEST");
    expect(fault?.message).toMatch(pattern);
  } else {
    expect(answer.contentType).toMatch(/^application\/soap\+xml/);
    const envelope = parseXml(answer.body).documentElement!;
    const body = childElements(envelope, SOAP12_NS, "Body")[0]!;
    const fault = readSoap12Fault(childElements(body, SOAP12_NS, "Fault")[0]!);
    expect(fault.code).toBe("env:Sender");
    const detail = readHarnessFaultDetail(fault.detail);
    expect(detail?.reason).toBe("MALFORMED_REQUEST");
    expect(detail?.message).toMatch(pattern);
  }
}

function eventsLog(name: string) {
  return name === "STS" ? sts.events : wsp.events;
}

async function goodRequestsStillServed(): Promise<void> {
  const rst = buildSignedRst({
    credential: sts.client,
    to: ENDPOINTS.production,
    appliesTo: WSP_ID.production,
    nowMs: sts.clock.nowMs(),
  }).xml;
  wsp.clock.set(START);
  const ping = buildRequest(wsp, "Ping").xml;
  for (const [c, body] of [
    [ENDPOINT_CASES[0], rst],
    [ENDPOINT_CASES[1], ping],
  ] as const) {
    const answer = await postStreaming(c.path, { "content-type": c.contentType }, (_req, sent) =>
      sent === 0 ? { chunk: Buffer.from(body) } : { end: true },
    );
    expect(answer.status, `${c.name}: ${answer.body.slice(0, 300)}`).toBe(200);
  }
}

describe.each(ENDPOINT_CASES)("$name", ({ name, path, contentType, soap }) => {
  it("a Content-Length over the limit: 413 with a SOAP fault before any of the body is sent", async () => {
    const before = eventsLog(name).lastSeq;
    // The client sends only the headers and waits: an answer can only come from Content-Length.
    const answer = await postStreaming(
      path,
      { "content-type": contentType, "content-length": String(10 * 1024 * 1024 * 1024) },
      () => ({}),
    );
    expect(answer.status).toBe(413);
    expect(answer.sentWhenAnswered).toBe(0);
    expectFault(answer, soap, /declares Content-Length 10737418240; the limit is 1048576 bytes/);
    expect(eventsLog(name).since(before)).toMatchObject([
      { reason: "MALFORMED_REQUEST", outcome: "rejected" },
    ]);
    await goodRequestsStillServed();
  });

  it("a chunked body growing past the limit: 413 while the client is still sending, reading stops", async () => {
    const before = eventsLog(name).lastSeq;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    chunk.write("<a>", 0);
    const answer = await postStreaming(path, { "content-type": contentType }, (_req, sent) =>
      sent < 256 * 1024 * 1024 ? { chunk } : { end: true },
    );
    expect(answer.status).toBe(413);
    // The answer came long before the 256 MiB were sent: reading stopped just past the limit
    // (what was sent meanwhile sits in socket buffers).
    expect(answer.sentWhenAnswered).toBeLessThan(LIMIT + 16 * 1024 * 1024);
    expectFault(answer, soap, /larger than the limit of 1048576 bytes \(reading stopped after \d+ bytes\)/);
    expect(eventsLog(name).since(before)).toMatchObject([{ reason: "MALFORMED_REQUEST" }]);
    await goodRequestsStillServed();
  });

  it(`a body that stalls: 408 with a SOAP fault after the body timeout (${BODY_TIMEOUT_MS} ms here)`, async () => {
    const before = eventsLog(name).lastSeq;
    const answer = await postStreaming(path, { "content-type": contentType }, (_req, sent) =>
      sent === 0 ? { chunk: Buffer.from("<soap:Envelope") } : {},
    );
    expect(answer.status).toBe(408);
    expectFault(answer, soap, /did not arrive within 0.4 s \(14 bytes received\)/);
    expect(eventsLog(name).since(before)).toMatchObject([{ reason: "MALFORMED_REQUEST" }]);
    await goodRequestsStillServed();
  });
});

it("the default body timeout is 30 s at both endpoints", async () => {
  const { DEFAULT_BODY_TIMEOUT_MS } = await import("../../src/core/http-body.js");
  const { DEFAULT_WSP_OPTIONS } = await import("../../src/wsp/service.js");
  expect(DEFAULT_BODY_TIMEOUT_MS).toBe(30_000);
  expect(DEFAULT_WSP_OPTIONS.bodyTimeoutMs).toBe(30_000);
});
