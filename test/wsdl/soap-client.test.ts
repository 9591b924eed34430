/**
 * A real WSDL consumer (the npm `soap` package) against a running harness over HTTPS: it loads
 * SMDB's WSDL and the schemas it imports, lists the operations, and builds the Body of each call
 * from the schema. The reference client (src/client) wraps that Body in the OIO IDWS envelope
 * with a real token from the STS and signs it; SMDB accepts it, and `soap` reads SMDB's signed
 * answer with the same WSDL. A Body the schema forbids is refused by SMDB with every bad field.
 */
import { Agent } from "node:https";
import soap from "soap";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientError } from "../../src/client/errors.js";
import { HttpClient } from "../../src/client/http.js";
import { WscClient } from "../../src/client/wsc-client.js";
import type { VirtualClock } from "../../src/core/clock.js";
import { type Harness, HarnessBuilder } from "../../src/harness/harness.js";
import { canonicalize } from "../../src/xml/c14n.js";
import { parseXml } from "../../src/xml/parse.js";
import { SOAP12_NS } from "../../src/xml/soap12.js";
import { provisionSystemUser, rotationPair, T0 } from "../helpers/harness.js";

const COURSE = {
  forloebId: "F-WSDL-1",
  cpr: "0101901234",
  kommunekode: "101",
  behandlingssted: "Rusmiddelcenter Aarhus",
  behandlingstype: "social",
  startdato: "2026-01-05",
  stoffer: { stof: ["cannabis", "alkohol"] },
};

/** The one element in the SOAP 1.2 Body of an envelope, standalone (its namespaces declared on it). */
function bodyElementOf(envelope: string): string {
  const doc = parseXml(envelope);
  const body = doc.getElementsByTagNameNS(SOAP12_NS, "Body")[0]!;
  let element = body.firstChild;
  while (element && element.nodeType !== 1) element = element.nextSibling;
  return canonicalize(element as never);
}

describe("a client generated at run time from the served WSDL (npm soap) reaches SMDB", () => {
  let h: Harness<VirtualClock>;
  let wsc: WscClient;
  let wsdlUrl: string;
  let httpsAgent: Agent;
  /** SMDB's last answer exactly as the reference client received it (its dump hook). */
  let lastWspResponse = "";

  beforeAll(async () => {
    h = await new HarnessBuilder().withVirtualClock(T0).start();
    const { old } = await rotationPair(h.state.ca, T0);
    await provisionSystemUser(
      h.registry,
      { name: "Kommune", cvr: "91234567", entityId: "https://kommune.example/wsc" },
      { current: old },
    );
    const env = h.state.environment("production");
    wsc = new WscClient({
      clock: h.clock,
      stsUrl: h.stsUrl("production"),
      stsEndpointReference: env.stsEndpointReference,
      stsCertificates: [env.stsSigning.certificate],
      wspUrl: h.wspUrl("production"),
      wspEntityId: env.wspEntityId,
      wspCertificates: [env.wsp.certificate],
      credential: old,
      http: new HttpClient({ ca: h.tlsCaPem }),
      dump: (name, content) => {
        if (/-wsp-\w+-response\.xml$/.test(name)) lastWspResponse = content.toString();
      },
    });
    wsdlUrl = `${h.wspUrl("production")}?wsdl`;
    httpsAgent = new Agent({ ca: h.tlsCaPem });
  });

  afterAll(async () => {
    wsc?.close();
    httpsAgent?.destroy();
    await h?.close();
  });

  /**
   * A soap client whose transport is the reference client: the Body soap built is wrapped, signed
   * and posted by WscClient.callWithBody, and SMDB's answer is handed back to soap to read.
   */
  async function soapClientThroughReferenceClient() {
    const client = await soap.createClientAsync(wsdlUrl, {
      forceSoap12Headers: true,
      wsdl_options: { httpsAgent },
    });
    const sent: Array<{ url: string; body: string }> = [];
    // The transport soap posts through (a private field: the WSDL was already fetched over HTTPS).
    (client as unknown as { httpClient: unknown }).httpClient = {
      request(
        url: string,
        envelope: string,
        callback: (error: unknown, res?: unknown, body?: unknown) => void,
        headers: Record<string, string>,
      ) {
        // SOAP 1.2 names the operation in the Content-Type's action parameter.
        const operation = /action="urn:dk:dst:smdb:2026:(\w+)"/.exec(headers["Content-Type"] ?? "")?.[1];
        const body = bodyElementOf(envelope);
        sent.push({ url, body });
        wsc.callWithBody(operation ?? "", body).then(
          // Verified by the reference client (signature, RelatesTo, signer); now soap reads it.
          () => callback(null, { status: 200, statusCode: 200, headers: {} }, lastWspResponse),
          (error: unknown) => callback(error),
        );
        return undefined as never;
      },
    };
    return { client, sent };
  }

  it("loads the WSDL and its schemas over HTTPS and lists the three operations with their fields", async () => {
    const client = await soap.createClientAsync(wsdlUrl, { wsdl_options: { httpsAgent } });
    const description = client.describe() as Record<string, Record<string, Record<string, unknown>>>;
    const operations = description["SMDB"]!["SmdbPort"]!;
    expect(Object.keys(operations)).toEqual(["Ping", "IndberetForloeb", "HentForloeb"]);
    const input = (operations["IndberetForloeb"] as { input: Record<string, unknown> }).input;
    expect(Object.keys(input).filter((k) => !k.startsWith("target"))).toEqual([
      "forloebId",
      "cpr",
      "kommunekode",
      "behandlingssted",
      "behandlingstype",
      "startdato",
      "slutdato",
      "stoffer",
    ]);
    expect(input["behandlingstype"]).toBe("Behandlingstype|xs:token|social,medicinsk");
    // The endpoint soap will post to is the one it loaded the WSDL from.
    expect(
      (
        client as unknown as {
          wsdl: { services: Record<string, { ports: Record<string, { location: string }> }> };
        }
      ).wsdl.services["SMDB"]!.ports["SmdbPort"]!.location,
    ).toBe(h.wspUrl("production"));
  });

  it("loads the STS's WSDL too: one Issue operation at the STS's own address", async () => {
    const client = await soap.createClientAsync(`${h.stsUrl("production")}?wsdl`, {
      wsdl_options: { httpsAgent },
    });
    const description = client.describe() as Record<string, Record<string, Record<string, unknown>>>;
    expect(Object.keys(description["SecurityTokenService"]!["STS_Port"]!)).toEqual(["Issue"]);
    const services = (
      client as unknown as {
        wsdl: { services: Record<string, { ports: Record<string, { location: string }> }> };
      }
    ).wsdl.services;
    expect(services["SecurityTokenService"]!.ports["STS_Port"]!.location).toBe(h.stsUrl("production"));
  });

  it("IndberetForloeb: the Body soap builds, signed by the reference client with a real token, is accepted", async () => {
    const { client, sent } = await soapClientThroughReferenceClient();
    const [result] = await client.IndberetForloebAsync(COURSE);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe(h.wspUrl("production"));
    expect(sent[0]!.body).toContain("<smdb:stof>alkohol</smdb:stof>");
    // soap read SMDB's signed answer with the WSDL's types (it keeps a restricted xs:positiveInteger as text).
    expect(result).toEqual({ forloebId: COURSE.forloebId, version: "1", status: "created" });
    const ok = h.events.since(0).filter((e) => e.component === "wsp" && e.outcome === "ok");
    expect(ok.map((e) => (e.detail as { operation: string }).operation)).toEqual(["IndberetForloeb"]);
    expect(h.store.get("production", "91234567", COURSE.forloebId)?.course.stoffer).toEqual([
      "cannabis",
      "alkohol",
    ]);
    // The token came from the STS, for this systembruger.
    expect(h.events.since(0).filter((e) => e.component === "sts" && e.outcome === "ok")).toHaveLength(1);
  });

  it("HentForloeb and Ping through the same generated client: the choice and the response types", async () => {
    const { client } = await soapClientThroughReferenceClient();
    const [found] = await client.HentForloebAsync({ forloebId: COURSE.forloebId });
    expect(found.forloeb).toMatchObject([
      {
        forloebId: COURSE.forloebId,
        behandlingstype: "social",
        stoffer: { stof: ["cannabis", "alkohol"] },
        version: "1",
      },
    ]);
    const [ping] = await client.PingAsync({});
    expect(ping).toMatchObject({ environment: "production", cvr: "91234567" });
  });

  it("a Body the schema forbids is refused by SMDB with VALIDATION_ERROR naming every bad field", async () => {
    const { client, sent } = await soapClientThroughReferenceClient();
    const error = await client
      .IndberetForloebAsync({ ...COURSE, kommunekode: "1010", behandlingstype: "ambulant" })
      .catch((e: unknown) => e);
    expect(sent).toHaveLength(1);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({
      step: 2,
      reason: "VALIDATION_ERROR",
      detail: {
        fields: [
          { field: "kommunekode", message: '"1010" must be exactly 3 digits' },
          { field: "behandlingstype", message: '"ambulant" must be "social" or "medicinsk"' },
        ],
      },
    });
  });
});
