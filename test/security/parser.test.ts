/**
 * Hostile XML and hostile transport against both endpoints through real HTTP: markup that is not
 * well-formed but that a lenient parser repairs, characters XML forbids, processing instructions,
 * encodings and byte order marks, parser-exhausting shapes (deep nesting, huge attribute and
 * namespace counts, very long names), and a 10 MB body streamed slowly while good requests keep
 * being answered. Every rejection is a well-formed fault of the endpoint's SOAP version with
 * MALFORMED_REQUEST, one short event, and the server stays healthy.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSignedRst, rstEnvelopeTemplate } from "../../src/client/rst.js";
import { signXml } from "../../src/xml/dsig.js";
import { parseXml } from "../../src/xml/parse.js";
import { readSoap11Fault } from "../../src/xml/soap.js";
import { strToBstXml } from "../../src/xml/wsse.js";
import { ENDPOINTS, postRst, type StsFixture, stsFixture, WSP_ID } from "../sts/fixture.js";
import {
  type Bench,
  buildRequest,
  createBench,
  eventsDuring,
  post as postWsp,
  START,
} from "../wsp/helpers.js";

const STS_PATH = "/production/SecurityTokenService.svc";

let sts: StsFixture;
let wsp: Bench;

beforeAll(async () => {
  sts = await stsFixture();
  wsp = await createBench();
});

const goodRst = () =>
  buildSignedRst({
    credential: sts.client,
    to: ENDPOINTS.production,
    appliesTo: WSP_ID.production,
    nowMs: sts.clock.nowMs(),
  }).xml;

const goodPing = () => {
  wsp.clock.set(START);
  return buildRequest(wsp, "Ping").xml;
};

function postSts(body: string | Buffer) {
  return postRst(sts, body, "production");
}

/**
 * Both endpoints refuse `stsBody` / `wspBody` as MALFORMED_REQUEST with a short fault and event,
 * then still work. (How fast the parser refuses the parser-exhausting shapes is measured by
 * `npm run bench -- --filter xml.hostile`, not asserted here.)
 */
async function expectMalformed(
  bodies: { sts?: string | Buffer; wsp?: string | Buffer },
  pattern?: RegExp,
): Promise<void> {
  if (bodies.sts !== undefined) {
    const before = sts.events.lastSeq;
    const res = await postSts(bodies.sts);
    expect(res.status, res.text.slice(0, 500)).toBe(500);
    expect(res.text.length).toBeLessThan(8192);
    const fault = readSoap11Fault(parseXml(res.text));
    expect(fault?.reason, fault?.message).toBe("MALFORMED_REQUEST");
    expect(fault?.faultcode).toBe("wst:InvalidRequest");
    if (pattern) expect(fault?.message).toMatch(pattern);
    const events = sts.events.since(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ step: 1, outcome: "rejected", reason: "MALFORMED_REQUEST" });
    expect(JSON.stringify(events[0]).length).toBeLessThan(8192);
    expect((await postSts(goodRst())).status).toBe(200);
  }
  if (bodies.wsp !== undefined) {
    const storedBefore = wsp.store.count();
    const { result, events } = await eventsDuring(wsp, () => postWsp(wsp, bodies.wsp!));
    expect(result.status, result.body.slice(0, 500)).toBe(400);
    expect(result.body.length).toBeLessThan(8192);
    expect(result.fault?.code).toBe("env:Sender");
    expect(result.fault?.harness?.reason, result.fault?.reason).toBe("MALFORMED_REQUEST");
    if (pattern) expect(result.fault?.harness?.message).toMatch(pattern);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ step: 2, outcome: "rejected", reason: "MALFORMED_REQUEST" });
    expect(JSON.stringify(events[0]).length).toBeLessThan(8192);
    expect(wsp.store.count()).toBe(storedBefore);
    expect((await postWsp(wsp, goodPing())).status).toBe(200);
  }
}

/** Puts `xml` into the wsse:Security header of a good request (a part no signature covers). */
const inSecurity = (good: string, xml: string) => good.replace("</wsse:Security>", `${xml}</wsse:Security>`);

describe("markup a lenient parser would repair", () => {
  it("an unquoted attribute value, an attribute without a value, attributes without a space", async () => {
    for (const element of [
      '<x:A xmlns:x="urn:x" a=1></x:A>',
      '<x:A xmlns:x="urn:x" a></x:A>',
      '<x:A xmlns:x="urn:x" a="1"b="2"></x:A>',
    ]) {
      await expectMalformed(
        { sts: inSecurity(goodRst(), element), wsp: inSecurity(goodPing(), element) },
        /well-formed/,
      );
    }
  });

  it("one attribute twice under two prefixes bound to one namespace, on the unsigned wsse:Security element or on one inside it (xmldom keeps the last)", async () => {
    const twice = (xml: string, tag: string) =>
      xml.replace(`<${tag}`, `<${tag} xmlns:d1="urn:dup" xmlns:d2="urn:dup" d1:a="1" d2:a="2"`);
    await expectMalformed(
      { sts: twice(goodRst(), "wsse:Security"), wsp: twice(goodPing(), "wsse:Security") },
      /namespace-well-formed: <wsse:Security> has the attribute a of namespace urn:dup twice/,
    );
    const inBody = '<x:A xmlns:x="urn:x" xmlns:p="urn:x" x:v="1" p:v="2"></x:A>';
    await expectMalformed(
      { sts: inSecurity(goodRst(), inBody), wsp: inSecurity(goodPing(), inBody) },
      /twice/,
    );
  });

  it("text directly in the SOAP Envelope, Header or Body (they hold elements only)", async () => {
    for (const [sts, wsp] of [
      [
        goodRst().replace("<S11:Header>", "stray<S11:Header>"),
        goodPing().replace("<soap:Header>", "stray<soap:Header>"),
      ],
      [
        goodRst()
          .replace("</S11:Header>", "stray</S11:Body-never>")
          .replace("stray</S11:Body-never>", "</S11:Header>stray"),
        goodPing().replace("</soap:Header>", "stray</soap:Header>"),
      ],
    ] as const) {
      expect(sts).toContain("stray");
      expect(wsp).toContain("stray");
      await expectMalformed({ sts, wsp }, /holds text; it may hold only elements/);
    }
  });

  it("the signed wsa:To with its id unquoted (the digest would still match after repair)", async () => {
    const rst = goodRst().replace('<wsa:To wsu:Id="to">', "<wsa:To wsu:Id=to>");
    expect(rst).toContain("wsu:Id=to>");
    await expectMalformed({ sts: rst }, /well-formed/);
  });

  it("characters XML forbids, raw or as character references", async () => {
    for (const text of ["a\u0001b", "a&#0;b", "a&#x1F;b", "a&#xD800;b", "a&#xFFFE;b"]) {
      const element = `<x:A xmlns:x="urn:x">${text}</x:A>`;
      await expectMalformed(
        { sts: inSecurity(goodRst(), element), wsp: inSecurity(goodPing(), element) },
        /character XML does not allow/,
      );
      const attribute = `<x:A xmlns:x="urn:x" v="${text}"></x:A>`;
      await expectMalformed({ sts: inSecurity(goodRst(), attribute) }, /character XML does not allow/);
    }
  });

  it("namespace declarations Namespaces in XML forbids (xmlns:xmlns, xml rebound, reserved namespaces, empty prefix)", async () => {
    for (const declaration of [
      'xmlns:xmlns="urn:x"',
      'xmlns:xml="urn:x"',
      'xmlns:p="http://www.w3.org/2000/xmlns/"',
      'xmlns:p="http://www.w3.org/XML/1998/namespace"',
      'xmlns="http://www.w3.org/2000/xmlns/"',
      'xmlns:p=""',
    ]) {
      const element = `<x:A xmlns:x="urn:x" ${declaration}></x:A>`;
      await expectMalformed(
        { sts: inSecurity(goodRst(), element), wsp: inSecurity(goodPing(), element) },
        /namespace declaration/,
      );
    }
    // The xml prefix bound to its own namespace is allowed.
    const fine = `<x:A xmlns:x="urn:x" xmlns:xml="http://www.w3.org/XML/1998/namespace"></x:A>`;
    expect((await postSts(inSecurity(goodRst(), fine))).status).toBe(200);
  });

  it("processing instructions before the root and inside the envelope", async () => {
    const pi = '<?xml-stylesheet type="text/xsl" href="http://attacker.example/x.xsl"?>';
    await expectMalformed({ sts: pi + goodRst(), wsp: pi + goodPing() }, /processing instruction/);
    await expectMalformed(
      { sts: inSecurity(goodRst(), "<?evil x?>"), wsp: inSecurity(goodPing(), "<?evil x?>") },
      /processing instruction/,
    );
  });

  it("a second root element, and a DOCTYPE hidden after the XML declaration", async () => {
    await expectMalformed({ sts: `${goodRst()}<x/>`, wsp: `${goodPing()}<x/>` });
    const doctype = '<?xml version="1.0"?><!DOCTYPE e SYSTEM "http://attacker.example/e.dtd">';
    await expectMalformed({ sts: doctype + goodRst(), wsp: doctype + goodPing() }, /DOCTYPE/);
  });
});

describe("encodings and byte order marks", () => {
  it("UTF-16 (with BOM), a non-UTF-8 encoding declaration, invalid UTF-8 → MALFORMED_REQUEST", async () => {
    const utf16 = (xml: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, "utf16le")]);
    await expectMalformed({ sts: utf16(goodRst()), wsp: utf16(goodPing()) }, /UTF-8/);
    const declared = (xml: string, encoding: string) =>
      Buffer.from(`<?xml version="1.0" encoding="${encoding}"?>${xml}`, "utf8");
    for (const encoding of ["UTF-16", "ISO-8859-1", "UTF-7"]) {
      await expectMalformed(
        { sts: declared(goodRst(), encoding), wsp: declared(goodPing(), encoding) },
        /UTF-8/,
      );
    }
    // An overlong encoding of "<" and a lone surrogate encoded in UTF-8 (CESU).
    for (const bad of [Buffer.from([0xc0, 0xbc]), Buffer.from([0xed, 0xa0, 0x80])]) {
      const withBad = (xml: string) => {
        const at = xml.indexOf("</wsse:Security>");
        return Buffer.concat([Buffer.from(xml.slice(0, at)), bad, Buffer.from(xml.slice(at))]);
      };
      await expectMalformed({ sts: withBad(goodRst()), wsp: withBad(goodPing()) }, /UTF-8/);
    }
  });

  it("a UTF-8 byte order mark before a good request is fine", async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect((await postSts(Buffer.concat([bom, Buffer.from(goodRst())]))).status).toBe(200);
    expect((await postWsp(wsp, Buffer.concat([bom, Buffer.from(goodPing())]))).status).toBe(200);
  });
});

describe("parser-exhausting shapes within the size limit", () => {
  const MB = 1024 * 1024;

  it("deep nesting: unclosed (the parser's message lists every open tag) and closed", async () => {
    const unclosed = "<a>".repeat(Math.floor((MB - 10) / 3));
    await expectMalformed({ sts: unclosed, wsp: unclosed }, /deeper than the limit of 64/);
    const depth = Math.floor((MB - 10) / 7);
    const closed = `${"<a>".repeat(depth)}${"</a>".repeat(depth)}`;
    await expectMalformed({ sts: closed, wsp: closed }, /deeper than the limit of 64/);
    // Just over the limit inside a good request.
    const nest = `${'<x:A xmlns:x="urn:x">'.repeat(70)}${"</x:A>".repeat(70)}`;
    await expectMalformed({ sts: inSecurity(goodRst(), nest), wsp: inSecurity(goodPing(), nest) }, /deeper/);
  });

  it("huge attribute and namespace counts and very long names on an envelope that is not SOAP", async () => {
    let attrs = "";
    for (let i = 0; attrs.length < MB - 100; i++) attrs += ` a${i}="1"`;
    let namespaces = "";
    for (let i = 0; namespaces.length < MB / 2; i++) namespaces += ` xmlns:p${i}="urn:p${i}"`;
    const children = "<c/>".repeat(Math.floor((MB / 2 - 100) / 4));
    const longName = "n".repeat(MB - 100);
    for (const body of [
      `<r${attrs}/>`,
      `<r${namespaces}>${children}</r>`,
      `<${longName}/>`,
      `<r ${longName}="1"/>`,
      `<r>${"<!--x-->".repeat(Math.floor((MB - 10) / 8))}</r>`,
    ]) {
      await expectMalformed({ sts: body, wsp: body });
    }
  });
});

describe("values that end up in every event", () => {
  const LONG_ID = `urn:uuid:${"f".repeat(900 * 1024)}`;

  it("a signed MessageID of 900 KB is MALFORMED_REQUEST at the STS, and no event carries it", async () => {
    const params = {
      credential: sts.client,
      to: ENDPOINTS.production,
      appliesTo: WSP_ID.production,
      nowMs: sts.clock.nowMs(),
    };
    const signed = signXml(rstEnvelopeTemplate(params, LONG_ID, "urn:uuid:ctx"), {
      privateKey: sts.client.key.privateKey,
      references: ["action", "msgid", "to", "sec-ts", "sec-binsectoken", "body"].map((id) => ({ id })),
      keyInfoXml: strToBstXml("sec-binsectoken"),
      prefix: "",
    });
    await expectMalformed({ sts: signed }, /wsa:MessageID/);
  });

  it("a MessageID of 900 KB is MALFORMED_REQUEST at the WSP, signed or forged, and no event or replay entry keeps it", async () => {
    wsp.clock.set(START);
    const signed = buildRequest(wsp, "Ping", { messageId: LONG_ID }).xml;
    // The pre-scan refuses the text before any DOM is built, naming the element as written.
    await expectMalformed({ wsp: signed }, /MessageID/);
    // Not signed by the token's key: refused before the value is kept anywhere.
    const forged = signed.replace(/<ds:SignatureValue>[^<]*</, "<ds:SignatureValue>AAAA<");
    await expectMalformed({ wsp: forged }, /MessageID/);
  });
});

describe("a 10 MB body streamed slowly", () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    const express = (await import("express")).default;
    const app = express();
    app.use(sts.app);
    app.use(wsp.app);
    server = app.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Streams `total` bytes in chunks with pauses; resolves with the status and body. */
  function streamSlowly(
    path: string,
    contentType: string,
    total: number,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: "127.0.0.1", port, path, method: "POST", headers: { "content-type": contentType } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
          );
        },
      );
      // The server answers 413 and closes while the body is still being sent: a write error then is expected.
      req.on("error", (error) => {
        if (!answered) reject(error);
      });
      let answered = false;
      req.on("response", () => {
        answered = true;
      });
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      chunk.write("<a>", 0);
      let sent = 0;
      const next = () => {
        if (answered || req.destroyed) return;
        if (sent >= total) {
          req.end();
          return;
        }
        sent += chunk.length;
        const ok = req.write(chunk);
        const pause = () => setTimeout(next, 20);
        if (ok) pause();
        else req.once("drain", pause);
      };
      next();
    });
  }

  it("gets a 413 size fault from both endpoints, while good requests are answered meanwhile", async () => {
    const total = 10 * 1024 * 1024;
    const stsEvents = sts.events.lastSeq;
    const slowSts = streamSlowly(STS_PATH, "text/xml; charset=utf-8", total);
    const slowWsp = streamSlowly("/production/smdb", "application/soap+xml; charset=utf-8", total);
    // While both uploads are running, both endpoints answer good requests.
    const base = `http://127.0.0.1:${port}`;
    const duringSts = await request(base)
      .post(STS_PATH)
      .set("content-type", "text/xml; charset=utf-8")
      .send(goodRst());
    expect(duringSts.status).toBe(200);
    const duringWsp = await request(base)
      .post("/production/smdb")
      .set("content-type", "application/soap+xml; charset=utf-8")
      .send(goodPing());
    expect(duringWsp.status).toBe(200);
    const [s, w] = await Promise.all([slowSts, slowWsp]);
    expect(s.status).toBe(413);
    expect(readSoap11Fault(parseXml(s.body))).toMatchObject({ reason: "MALFORMED_REQUEST" });
    expect(w.status).toBe(413);
    expect(w.body).toMatch(/MALFORMED_REQUEST: the request is larger than the limit of 1048576 bytes/);
    const rejected = sts.events.since(stsEvents).filter((e) => e.outcome === "rejected");
    expect(rejected).toMatchObject([{ reason: "MALFORMED_REQUEST" }]);
  });

  /**
   * Uploads as fast as the server reads, up to `max` bytes (optionally declaring `contentLength`),
   * pausing `pauseMs` between chunks; resolves when the server answers or cuts the connection.
   */
  function uploadUntilCut(
    path: string,
    contentType: string,
    options: { max: number; contentLength?: number; pauseMs?: number },
  ): Promise<{ sent: number; cut: boolean; status?: number }> {
    return new Promise((resolve) => {
      let sent = 0;
      let done = false;
      const finish = (result: { cut: boolean; status?: number }) => {
        if (done) return;
        done = true;
        resolve({ sent, ...result });
      };
      const headers: http.OutgoingHttpHeaders = { "content-type": contentType };
      if (options.contentLength !== undefined) headers["content-length"] = options.contentLength;
      const req = http.request({ host: "127.0.0.1", port, path, method: "POST", headers }, (res) => {
        res.resume();
        res.on("end", () => finish({ cut: false, status: res.statusCode ?? 0 }));
      });
      req.on("error", () => finish({ cut: true }));
      req.on("close", () => finish({ cut: true }));
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      chunk.write("<a>", 0);
      const next = () => {
        if (done || req.destroyed) return;
        if (sent >= options.max) {
          // A declared length that was not reached: give up (the server would wait for the rest).
          if (options.contentLength !== undefined) {
            finish({ cut: false });
            req.destroy();
          } else req.end();
          return;
        }
        sent += chunk.length;
        const go = () => (options.pauseMs ? setTimeout(next, options.pauseMs) : setImmediate(next));
        if (req.write(chunk)) go();
        else req.once("drain", go);
      };
      next();
    });
  }

  /**
   * Waits until `log` has an event after `seq` (the server records its decision after cutting),
   * for up to a minute: a loaded machine is slow, and a missing event still fails the test.
   */
  async function eventAfter(
    log: { since(seq: number): Array<{ reason: string; detail: unknown }> },
    seq: number,
  ) {
    for (let i = 0; i < 3000 && log.since(seq).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    return log.since(seq);
  }

  it("both endpoints stop reading just past the 1 MiB limit (413, connection closed), recording the refusal; still healthy", async () => {
    const limit = 1024 * 1024;
    for (const [path, contentType, log] of [
      [STS_PATH, "text/xml; charset=utf-8", sts.events],
      ["/production/smdb", "application/soap+xml; charset=utf-8", wsp.events],
    ] as const) {
      const before = log.lastSeq;
      const result = await uploadUntilCut(path, contentType, { max: 160 * 1024 * 1024 });
      expect(result.cut || result.status === 413, `${path}: answered HTTP ${result.status}`).toBe(true);
      expect(result.sent).toBeLessThan(limit + 32 * 1024 * 1024);
      const events = await eventAfter(log, before);
      expect(events).toMatchObject([{ reason: "MALFORMED_REQUEST" }]);
      expect(JSON.stringify(events[0]!.detail)).toContain(
        `larger than the limit of ${limit} bytes (reading stopped after`,
      );
    }
    const base = `http://127.0.0.1:${port}`;
    expect(
      (await request(base).post(STS_PATH).set("content-type", "text/xml; charset=utf-8").send(goodRst()))
        .status,
    ).toBe(200);
    expect(
      (
        await request(base)
          .post("/production/smdb")
          .set("content-type", "application/soap+xml; charset=utf-8")
          .send(goodPing())
      ).status,
    ).toBe(200);
  });

  it("a slow upload declaring 10 GB is refused at once (413 from Content-Length) by both endpoints (and by an unknown environment's path)", async () => {
    for (const [path, contentType] of [
      [STS_PATH, "text/xml; charset=utf-8"],
      ["/production/smdb", "application/soap+xml; charset=utf-8"],
      ["/staging/SecurityTokenService.svc", "text/xml; charset=utf-8"],
      ["/staging/smdb", "application/soap+xml; charset=utf-8"],
    ] as const) {
      const result = await uploadUntilCut(path, contentType, {
        max: 8 * 1024 * 1024,
        contentLength: 10 * 1024 * 1024 * 1024,
        pauseMs: 20,
      });
      expect(result.cut || result.status === 413, `${path}: answered HTTP ${result.status}`).toBe(true);
      expect(result.sent, path).toBeLessThan(4 * 1024 * 1024);
    }
  });
});
