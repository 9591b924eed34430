/** Parts of the SMDB service (src/wsp/service.ts): the replay cache, and options read per request. */
import { describe, expect, it } from "vitest";
import { ReplayCache } from "../../src/wsp/service.js";
import { buildRequest, createBench, issueToken, post } from "./helpers.js";

describe("ReplayCache", () => {
  it("refuses a MessageID seen within the window and forgets it afterwards", () => {
    const cache = new ReplayCache(100, 1000);
    expect(cache.record("a", 0)).toBe("new");
    expect(cache.record("a", 999)).toBe("replay");
    expect(cache.record("a", 1000)).toBe("new");
    expect(cache.size).toBe(1);
  });

  it("fails closed when full: no live entry is dropped, new MessageIDs are refused until one expires", () => {
    const cache = new ReplayCache(3, 60_000);
    for (const id of ["a", "b", "c"]) expect(cache.record(id, 10)).toBe("new");
    expect(cache.record("d", 11)).toBe("full");
    expect(cache.size).toBe(3);
    // Every one of them is still remembered.
    for (const id of ["a", "b", "c"]) expect(cache.record(id, 12)).toBe("replay");
    expect(cache.nextExpiryMs(12)).toBe(60_010);
    expect(cache.record("d", 60_009)).toBe("full");
    expect(cache.record("d", 60_010)).toBe("new");
    expect(cache.size).toBe(1);
  });

  it("when full, finds expired entries behind live ones (a virtual clock set back)", () => {
    const cache = new ReplayCache(2, 1000);
    expect(cache.record("late", 5000)).toBe("new");
    expect(cache.record("early", 0)).toBe("new");
    // At 5500 "early" has expired though it sits behind the live "late".
    expect(cache.record("x", 5500)).toBe("new");
    expect(cache.record("late", 5600)).toBe("replay");
  });

  it("expires entries as time passes, so a long run keeps few", () => {
    const cache = new ReplayCache(10_000, 1000);
    for (let i = 0; i < 500; i++) cache.record(`m${i}`, i * 10);
    expect(cache.size).toBeLessThanOrEqual(101);
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
