import { beforeAll, describe, expect, it } from "vitest";
import { resultFromXml } from "../../src/smdb/operations.js";
import { verifyIdwsResponse } from "../../src/xml/idws.js";
import { parseXml } from "../../src/xml/parse.js";
import {
  type Bench,
  buildRequest,
  COURSE,
  CVR_A,
  CVR_B,
  createBench,
  eventsDuring,
  HOUR,
  issueToken,
  post,
} from "./helpers.js";

describe("SMDB operations through real HTTP", () => {
  let bench: Bench;
  beforeAll(async () => {
    bench = await createBench();
  });

  async function call(
    op: "Ping" | "IndberetForloeb" | "HentForloeb",
    payload: unknown,
    client = bench.clientA,
  ) {
    const { xml, messageId } = buildRequest(bench, op, { payload, client });
    const res = await post(bench, xml);
    expect(res.fault, res.body).toBeUndefined();
    expect(res.status).toBe(200);
    expect(res.contentType).toContain("application/soap+xml");
    const verified = verifyIdwsResponse(res.body, {
      relatesTo: messageId,
      wspCertificates: [bench.state.environment("production").wsp.certificate],
    });
    return resultFromXml(op, verified.operation) as unknown as Record<string, unknown>;
  }

  it("answers Ping with a response signed by the WSP that relates to the request", async () => {
    const { result, events } = await eventsDuring(bench, () => call("Ping", {}));
    expect(result).toMatchObject({
      environment: "production",
      cvr: CVR_A,
      systembruger: "https://fagsystem-a.example.dk",
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      env: "production",
      step: 2,
      component: "wsp",
      outcome: "ok",
      reason: "OK",
      certSha256: bench.clientA.certificate.sha256,
      systemUser: "https://fagsystem-a.example.dk",
    });
  });

  it("IndberetForloeb is an idempotent upsert with versions; HentForloeb reads by id and by time", async () => {
    expect(await call("IndberetForloeb", COURSE)).toEqual({
      forloebId: COURSE.forloebId,
      version: 1,
      status: "created",
    });
    expect(await call("IndberetForloeb", COURSE)).toEqual({
      forloebId: COURSE.forloebId,
      version: 1,
      status: "unchanged",
    });
    // Same content in another order of the substance list is new content (order is data).
    bench.clock.advance("1h");
    const updated = { ...COURSE, slutdato: "2026-02-20" };
    expect(await call("IndberetForloeb", updated)).toEqual({
      forloebId: COURSE.forloebId,
      version: 2,
      status: "updated",
    });
    expect(bench.store.get("production", CVR_A, COURSE.forloebId)?.versions).toHaveLength(2);

    const byId = (await call("HentForloeb", { forloebId: COURSE.forloebId })) as {
      forloeb: Array<Record<string, unknown>>;
    };
    expect(byId.forloeb).toHaveLength(1);
    expect(byId.forloeb[0]).toMatchObject({ ...updated, version: 2 });

    bench.clock.advance("1h");
    const second = { ...COURSE, forloebId: "F-2026-0002", behandlingstype: "medicinsk" };
    await call("IndberetForloeb", second);
    const since = new Date(bench.clock.nowMs() - HOUR / 2).toISOString();
    const changed = (await call("HentForloeb", { aendretSiden: since })) as {
      forloeb: Array<{ forloebId: string }>;
    };
    expect(changed.forloeb.map((f) => f.forloebId)).toEqual(["F-2026-0002"]);
    const all = (await call("HentForloeb", { aendretSiden: "2000-01-01T00:00:00Z" })) as {
      forloeb: unknown[];
    };
    expect(all.forloeb).toHaveLength(2);
  });

  it("an organisation sees only its own CVR's courses", async () => {
    await call("IndberetForloeb", { ...COURSE, forloebId: "F-A-ONLY" });
    const asB = (await call("HentForloeb", { forloebId: "F-A-ONLY" }, bench.clientB)) as {
      forloeb: unknown[];
    };
    expect(asB.forloeb).toEqual([]);
    const allB = (await call("HentForloeb", { aendretSiden: "2000-01-01T00:00:00Z" }, bench.clientB)) as {
      forloeb: unknown[];
    };
    expect(allB.forloeb).toEqual([]);
    // B may use the same forloebId without touching A's record.
    expect(
      await call("IndberetForloeb", { ...COURSE, forloebId: "F-A-ONLY", kommunekode: "851" }, bench.clientB),
    ).toMatchObject({
      status: "created",
      version: 1,
    });
    expect(bench.store.get("production", CVR_A, "F-A-ONLY")?.course.kommunekode).toBe("101");
    expect(bench.store.get("production", CVR_B, "F-A-ONLY")?.course.kommunekode).toBe("851");
  });

  it("the response is signed: a changed response body no longer verifies", async () => {
    const { xml, messageId } = buildRequest(bench, "Ping", {});
    const res = await post(bench, xml);
    const tampered = res.body.replace(/<smdb:cvr>\d+<\/smdb:cvr>/, `<smdb:cvr>${CVR_B}</smdb:cvr>`);
    expect(tampered).not.toBe(res.body);
    expect(() => verifyIdwsResponse(tampered, { relatesTo: messageId })).toThrow(/WSP response/);
    expect(() => verifyIdwsResponse(res.body, { relatesTo: "urn:uuid:other" })).toThrow(/relates to/);
    expect(() =>
      verifyIdwsResponse(res.body, { relatesTo: messageId, wspCertificates: [bench.clientA.certificate] }),
    ).toThrow(/expected/);
  });

  it("accepts the Java, .NET and EncryptedAssertion-rooted STR-Transform forms and sha1 (as the Java client signs)", async () => {
    for (const strForm of ["java", "net", "assertion", "assertion-net"] as const) {
      const { xml } = buildRequest(bench, "Ping", { strForm });
      const res = await post(bench, xml);
      expect(res.fault?.reason, strForm).toBeUndefined();
    }
    const { xml } = buildRequest(bench, "Ping", {
      signatureAlgorithm: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
      digestAlgorithm: "http://www.w3.org/2000/09/xmldsig#sha1",
    });
    expect((await post(bench, xml)).status).toBe(200);
  });

  it("keeps working for the token's lifetime: one token, many calls", async () => {
    const token = issueToken(bench);
    for (let i = 0; i < 3; i++) {
      bench.clock.advance("2h");
      const { xml } = buildRequest(bench, "Ping", { token });
      expect((await post(bench, xml)).status).toBe(200);
    }
    const doc = parseXml((await post(bench, buildRequest(bench, "Ping", { token }).xml)).body);
    expect(doc.documentElement?.localName).toBe("Envelope");
  });
});
