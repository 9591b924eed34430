/**
 * Parts of the SMDB service (src/wsp/service.ts): options read per request, and
 * the WspService that owns what lives across requests: its replay caches (no state shared through a
 * module) and its options. The HTTP router is only a mapping of one service.
 */
import { describe, expect, it } from "vitest";
import { WspService } from "../../src/wsp/service.js";
import { buildRequest, createBench, eventsDuring, issueToken, post } from "./helpers.js";

describe("WspService", () => {
  it("remembers MessageIDs per instance and per environment: a replay to the same service is refused, another service has its own cache", async () => {
    const bench = await createBench();
    const { xml } = buildRequest(bench, "Ping");
    const first = await bench.service.handle("production", xml);
    expect(first.status, first.body.slice(0, 300)).toBe(200);
    const { result: again, events } = await eventsDuring(bench, () =>
      bench.service.handle("production", xml),
    );
    expect(again.status).toBe(400);
    expect(events).toMatchObject([{ reason: "REPLAY" }]);
    expect(bench.service.replayCache("production").size).toBe(1);
    expect(bench.service.replayCache("integration").size).toBe(0);

    const other = new WspService(bench.deps);
    expect((await other.handle("production", xml)).status).toBe(200);
    expect(other.replayCache("production").size).toBe(1);
  });

  it("resolves its options with the defaults, and resizes its caches when they change", async () => {
    const bench = await createBench({ wsp: { replayCacheSize: 3 } });
    expect(bench.service.refreshOptions()).toMatchObject({
      replayCacheSize: 3,
      faultMode: "verbose",
      allowSha1: true,
    });
    bench.deps.options = { replayCacheSize: 1 };
    expect((await bench.service.handle("production", buildRequest(bench, "Ping").xml)).status).toBe(200);
    expect(bench.service.options.replayCacheSize).toBe(1);
    const { result, events } = await eventsDuring(bench, () =>
      bench.service.handle("production", buildRequest(bench, "Ping").xml),
    );
    // One MessageID fills a cache of one: the one client holding it is over its share.
    expect(result.status).toBe(429);
    expect(events).toMatchObject([{ reason: "REPLAY_CLIENT_QUOTA", fault: "env:Sender" }]);
  });
});

describe("WSP options", () => {
  it("are read on every request when given as a function (fault mode switched at run time)", async () => {
    const bench = await createBench();
    let mode: "verbose" | "realistic" = "verbose";
    bench.deps.options = () => ({ faultMode: mode });
    const stolen = () =>
      buildRequest(bench, "Ping", {
        token: issueToken(bench, { client: bench.clientA }),
        client: bench.clientB,
      }).xml;
    expect((await post(bench, stolen())).fault?.harness?.reason).toBe("HOK_PROOF_INVALID");
    mode = "realistic";
    expect((await post(bench, stolen())).fault?.harness).toBeUndefined();
  });
});
