/**
 * The WSDL and schema documents as served: addresses built from the request's scheme and Host,
 * every schema a valid XSD (libxml2's validator, xmllint-wasm), and the real messages of a call
 * through the STS and SMDB valid against them, so that what a generated client expects is what
 * the harness sends.
 */
import { request } from "node:https";
import { checkServerIdentity } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateXML } from "xmllint-wasm";
import { HttpClient } from "../../src/client/http.js";
import { WscClient } from "../../src/client/wsc-client.js";
import type { VirtualClock } from "../../src/core/clock.js";
import { type Harness, HarnessBuilder } from "../../src/harness/harness.js";
import { canonicalize } from "../../src/xml/c14n.js";
import { NS } from "../../src/xml/ns.js";
import { childElements, parseXml } from "../../src/xml/parse.js";
import { provisionSystemUser, rotationPair, T0 } from "../helpers/harness.js";

interface Fetched {
  status: number;
  contentType: string;
  cacheControl: string;
  body: string;
}

describe("the served WSDL and schemas", () => {
  let h: Harness<VirtualClock>;
  let plain: Harness;
  /** Every message of one call through STS and SMDB, as the reference client sent and received it. */
  const dumped = new Map<string, string>();

  /** A request over HTTPS (trusting the harness's TLS CA), with an optional Host header. */
  function send(method: "GET" | "POST", path: string, body?: string, host?: string): Promise<Fetched> {
    const url = new URL(h.url + path);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          method,
          hostname: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          ca: h.tlsCaPem,
          // The certificate names the address connected to; the Host header may name another.
          checkServerIdentity: (_host, cert) => checkServerIdentity(url.hostname, cert),
          headers: {
            ...(host !== undefined ? { host } : {}),
            ...(method === "POST" ? { "content-type": "application/soap+xml; charset=utf-8" } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: String(res.headers["content-type"]),
              cacheControl: String(res.headers["cache-control"]),
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }
  const get = (path: string, host?: string) => send("GET", path, undefined, host);

  beforeAll(async () => {
    h = await new HarnessBuilder().withVirtualClock(T0).start();
    plain = await new HarnessBuilder().withHttp().start();
    const { old } = await rotationPair(h.state.ca, T0);
    await provisionSystemUser(
      h.registry,
      { name: "Kommune", cvr: "91234567", entityId: "https://kommune.example/wsc" },
      { current: old },
    );
    const env = h.state.environment("production");
    const wsc = new WscClient({
      clock: h.clock,
      stsUrl: h.stsUrl("production"),
      stsEndpointReference: env.stsEndpointReference,
      stsCertificates: [env.stsSigning.certificate],
      wspUrl: h.wspUrl("production"),
      wspEntityId: env.wspEntityId,
      credential: old,
      http: new HttpClient({ ca: h.tlsCaPem }),
      dump: (name, content) => {
        dumped.set(name.replace(/^\d+-/, ""), content.toString());
      },
    });
    try {
      await wsc.call("IndberetForloeb", {
        forloebId: "F-XSD-1",
        cpr: "2902001234",
        kommunekode: "851",
        behandlingssted: "Rusmiddelcenter <Nord> & Syd",
        behandlingstype: "medicinsk",
        startdato: "2026-01-05",
        slutdato: "2026-03-01",
        stoffer: ["opioider"],
      });
      await wsc.call("HentForloeb", { aendretSiden: "2025-12-31" });
      await wsc.call("Ping", {});
    } finally {
      wsc.close();
    }
  });

  afterAll(async () => {
    await h?.close();
    await plain?.close();
  });

  it("builds every address from the scheme and Host header the client used", async () => {
    const smdb = await get("/production/smdb?wsdl", "smdb.test:9443");
    expect(smdb.status).toBe(200);
    expect(smdb.contentType).toBe("text/xml; charset=utf-8");
    expect(smdb.cacheControl).toBe("no-store");
    const doc = parseXml(smdb.body).documentElement!;
    const locations = [...smdb.body.matchAll(/(?:location|schemaLocation)="([^"]+)"/g)].map((m) => m[1]);
    expect(locations).toEqual([
      "https://smdb.test:9443/production/smdb?xsd=1",
      "https://smdb.test:9443/production/smdb?xsd=2",
      "https://smdb.test:9443/production/smdb",
    ]);
    // The token's issuer is this harness's STS, at the same host.
    expect(smdb.body).toContain(
      "<wsa:Address>https://smdb.test:9443/production/SecurityTokenService.svc</wsa:Address>",
    );
    expect(doc.getAttribute("targetNamespace")).toBe("urn:dk:dst:smdb:2026");

    const sts = await get("/integration/SecurityTokenService.svc?wsdl", "[::1]:8443");
    expect(sts.status).toBe(200);
    expect(sts.body).toContain(
      '<soap:address location="https://[::1]:8443/integration/SecurityTokenService.svc"/>',
    );
    expect(sts.body).toContain(
      'schemaLocation="https://[::1]:8443/integration/SecurityTokenService.svc?xsd=1"',
    );
    expect(sts.body).toContain(h.state.environment("integration").stsEndpointReference);

    // Plain HTTP gives http:// addresses.
    const overHttp = await (await fetch(`${plain.wspUrl("integration")}?WSDL`)).text();
    expect(overHttp).toContain(`<soap12:address location="${plain.wspUrl("integration")}"/>`);
  });

  it("publishes each service's current certificate as its endpoint identity", async () => {
    const smdb = (await get("/production/smdb?wsdl")).body;
    expect(smdb).toContain(
      `<X509Certificate>${h.state.environment("production").wsp.certificate.base64}</X509Certificate>`,
    );
    const before = h.state.environment("production").stsSigning.certificate;
    expect((await get("/production/SecurityTokenService.svc?wsdl")).body).toContain(before.base64);
    await h.control.rotateStsSigningCertificate("production");
    const current = h.state.environment("production").stsSigning.certificate;
    const after = (await get("/production/SecurityTokenService.svc?wsdl")).body;
    expect(after).toContain(current.base64);
    expect(after).not.toContain(before.base64);
  });

  it("answers a bad Host, an unknown environment, an unknown schema and a bare GET with a sentence", async () => {
    const badHost = await get("/production/smdb?wsdl", 'evil"><x');
    expect(badHost.status).toBe(400);
    expect(JSON.parse(badHost.body).detail).toContain("is not a host name with an optional port");
    const staging = await get("/staging/smdb?wsdl");
    expect(staging.status).toBe(404);
    expect(JSON.parse(staging.body).detail).toBe(
      'there is no environment "staging"; SMDB is at /integration/smdb and /production/smdb',
    );
    const xsd9 = await get("/production/SecurityTokenService.svc?xsd=9");
    expect(xsd9.status).toBe(404);
    expect(JSON.parse(xsd9.body).detail).toBe('the STS has no schema "9"; its WSDL imports ?xsd=1, ?xsd=2');
    const bare = await get("/production/smdb");
    expect(bare.status).toBe(404);
    expect(JSON.parse(bare.body).detail).toContain("GET /production/smdb serves SMDB's WSDL at ?wsdl");
  });

  it("?singleWsdl carries the same schemas inline", async () => {
    const single = (await get("/production/smdb?singleWsdl")).body;
    expect(single).not.toContain("schemaLocation");
    const types = childElements(
      parseXml(single).documentElement!,
      "http://schemas.xmlsoap.org/wsdl/",
      "types",
    )[0]!;
    const schemas = childElements(types, NS.xs, "schema").map((s) => s.getAttribute("targetNamespace"));
    expect(schemas).toEqual(["urn:dk:dst:smdb:2026", "urn:smdb-harness:fault"]);
    const inlined = canonicalize(childElements(types, NS.xs, "schema")[0]!);
    const served = canonicalize(parseXml((await get("/production/smdb?xsd=1")).body).documentElement!);
    const layout = (xml: string) => xml.replace(/>\s+</g, "><");
    expect(layout(inlined)).toBe(layout(served));
  });

  it("every message of a real call is valid against the served schemas (libxml2)", async () => {
    const smdbXsd = (await get("/production/smdb?xsd=1")).body;
    const faultXsd = (await get("/production/smdb?xsd=2")).body;
    const trustXsd = (await get("/production/SecurityTokenService.svc?xsd=1")).body;
    const bodyOf = (name: string) => {
      const xml = dumped.get(name);
      expect(xml, name).toBeDefined();
      const envelope = parseXml(xml!).documentElement!;
      const body = childElements(envelope, envelope.namespaceURI ?? "", "Body")[0]!;
      return canonicalize(childElements(body)[0]!);
    };
    const smdbBodies = [
      "wsp-IndberetForloeb-request.xml",
      "wsp-IndberetForloeb-response.xml",
      "wsp-HentForloeb-request.xml",
      "wsp-HentForloeb-response.xml",
      "wsp-Ping-request.xml",
      "wsp-Ping-response.xml",
    ];
    // The read-back course has every field, slutdato and the escaped place name included.
    expect(bodyOf("wsp-HentForloeb-response.xml")).toContain("<smdb:slutdato>2026-03-01</smdb:slutdato>");
    const smdb = await validateXML({
      xml: smdbBodies.map((name) => ({ fileName: name, contents: bodyOf(name) })),
      schema: [{ fileName: "smdb.xsd", contents: smdbXsd }],
    });
    expect(smdb.errors.map((e) => e.rawMessage)).toEqual([]);
    const trust = await validateXML({
      xml: ["sts-request.xml", "sts-response.xml"].map((name) => ({
        fileName: name,
        contents: bodyOf(name),
      })),
      schema: [{ fileName: "ws-trust.xsd", contents: trustXsd }],
    });
    expect(trust.errors.map((e) => e.rawMessage)).toEqual([]);
    // A verbose fault's detail is valid against the fault schema.
    const faultXml = (
      await send(
        "POST",
        "/production/smdb",
        `<env:Envelope xmlns:env="${NS.soap12}"><env:Body><smdb:Ping xmlns:smdb="urn:dk:dst:smdb:2026"/></env:Body></env:Envelope>`,
      )
    ).body;
    const detail = parseXml(faultXml).getElementsByTagNameNS(NS.harness, "HarnessFault")[0]!;
    expect(detail.textContent).toContain("TOKEN_MISSING");
    const faultCheck = await validateXML({
      xml: [{ fileName: "fault.xml", contents: canonicalize(detail) }],
      schema: [{ fileName: "fault.xsd", contents: faultXsd }],
    });
    expect(faultCheck.errors.map((e) => e.rawMessage)).toEqual([]);
  });
});
