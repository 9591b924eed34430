/**
 * The replay cache (src/wsp/replay-cache.ts): replays are caught for exactly their lifetime;
 * distinct messages at a sustained rate far above what the harness serves are never refused
 * (where the old 10,000-entry cache locked every client out: test/wsp/replay-quota.test.ts shows
 * it through the service); a flooding client is refused
 * alone; entries are compact (measured on the heap); and a property test against a plain model.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BYTES_PER_ENTRY, DEFAULT_REPLAY_MEMORY_BYTES, ReplayCache } from "../../src/wsp/replay-cache.js";

const MIN = 60_000;
const TTL = 15 * MIN; // the WSP's default: 5 min window + 2 × 5 min skew

describe("replays", () => {
  it("a MessageID seen within its lifetime is a replay, from any client; after it, new again", () => {
    const cache = new ReplayCache({ ttlMs: TTL });
    expect(cache.check("urn:uuid:1", "A", 0)).toEqual({ verdict: "new" });
    expect(cache.check("urn:uuid:1", "A", TTL - 1)).toEqual({ verdict: "replay" });
    expect(cache.check("urn:uuid:1", "B", TTL - 1)).toEqual({ verdict: "replay" });
    expect(cache.check("urn:uuid:1", "A", TTL)).toEqual({ verdict: "new" });
    expect(cache.size).toBe(1);
  });

  it("a virtual clock set back: entries from its future stay until they expire", () => {
    const cache = new ReplayCache({ ttlMs: TTL, maxEntries: 2 });
    cache.check("late", "A", 10 * TTL);
    cache.check("early", "B", 0);
    expect(cache.check("late", "C", TTL)).toEqual({ verdict: "replay" });
    // Full, but "early" has expired by 2 × TTL: a sweep makes room.
    expect(cache.check("another", "C", 2 * TTL).verdict).toBe("new");
  });
});

describe("sustained load", () => {
  /** Feeds `perSecond` distinct MessageIDs from `clients` clients for `seconds`; counts refusals. */
  function sustain(
    check: (id: string, client: string, nowMs: number) => string,
    perSecond: number,
    seconds: number,
    clients: number,
  ): { refused: number; firstRefusalAtS?: number } {
    let refused = 0;
    let firstRefusalAtS: number | undefined;
    let n = 0;
    for (let s = 0; s < seconds; s++) {
      for (let i = 0; i < perSecond; i++) {
        const verdict = check(`urn:uuid:${n++}`, `client-${n % clients}`, s * 1000 + i);
        if (verdict !== "new") {
          refused++;
          firstRefusalAtS ??= s;
        }
      }
    }
    return { refused, ...(firstRefusalAtS === undefined ? {} : { firstRefusalAtS }) };
  }

  it("500 distinct messages/s for 20 minutes from 50 clients: none refused (default 64 MiB)", () => {
    const cache = new ReplayCache({ ttlMs: TTL });
    expect(cache.capacity).toBe(DEFAULT_REPLAY_MEMORY_BYTES / BYTES_PER_ENTRY);
    const result = sustain((id, client, now) => cache.check(id, client, now).verdict, 500, 20 * 60, 50);
    expect(result).toEqual({ refused: 0 });
    // Steady state: about one lifetime's worth of entries.
    expect(cache.size).toBeLessThanOrEqual(500 * (TTL / 1000) + 500);
  });

  it("one client flooding is refused at its quota; the others go on", () => {
    const cache = new ReplayCache({ ttlMs: TTL, maxEntries: 1000 });
    let floodRefused = 0;
    for (let i = 0; i < 5000; i++) {
      const result = cache.check(`flood-${i}`, "flooder", i);
      if (result.verdict !== "new") {
        expect(result).toMatchObject({ verdict: "client-quota", quota: 500 });
        floodRefused++;
      }
    }
    expect(floodRefused).toBe(4500);
    for (let i = 0; i < 400; i++) {
      expect(cache.check(`good-${i}`, `client-${i % 4}`, 5000 + i).verdict).toBe("new");
    }
  });

  it("full with several heavy clients: those above the average are refused, light ones use the reserve", () => {
    const cache = new ReplayCache({ ttlMs: TTL, maxEntries: 1000 });
    for (let i = 0; i < 2000; i++) cache.check(`h-${i}`, `heavy-${i % 2}`, i);
    expect(cache.size).toBe(1000);
    expect(cache.check("h-more", "heavy-0", 3000).verdict).toBe("client-quota");
    for (let i = 0; i < 100; i++)
      expect(cache.check(`light-${i}`, `light-${i % 5}`, 3000).verdict).toBe("new");
    // Past the reserve (an eighth), everyone is refused: no live entry is ever dropped.
    let verdict = "new";
    for (let i = 0; verdict === "new" && i < 1000; i++)
      verdict = cache.check(`x-${i}`, `light-${i}`, 3001).verdict;
    expect(verdict).toBe("full");
    expect(cache.size).toBe(1125);
    expect(cache.check("h-0", "light-1", 3002)).toEqual({ verdict: "replay" });
  });
});

describe("compact entries", () => {
  it(`an entry costs less than BYTES_PER_ENTRY (${BYTES_PER_ENTRY}) bytes of heap, whatever the MessageID's length`, () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const cache = new ReplayCache({ ttlMs: TTL });
    const long = "x".repeat(2000);
    gc();
    const before = process.memoryUsage().heapUsed;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      // A long MessageID sliced from a larger string, as a parsed request gives it.
      const id = `urn:uuid:${i}:${long}`.slice(0, 1500);
      cache.check(id, `client-${i % 50}`, i);
    }
    gc();
    const perEntry = (process.memoryUsage().heapUsed - before) / n;
    expect(cache.size).toBe(n);
    expect(perEntry).toBeLessThan(BYTES_PER_ENTRY);
  });
});

describe("against a model", () => {
  it("with room to spare, verdicts are those of a plain map of MessageID → first seen", () => {
    const step = fc.record({
      id: fc.integer({ min: 0, max: 30 }),
      client: fc.integer({ min: 0, max: 3 }),
      advance: fc.integer({ min: 0, max: 400 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const ttl = 1000;
        const cache = new ReplayCache({ ttlMs: ttl, maxEntries: 10_000 });
        const model = new Map<number, number>();
        let now = 0;
        for (const { id, client, advance } of steps) {
          now += advance;
          const seen = model.get(id);
          const expected = seen !== undefined && now < seen + ttl ? "replay" : "new";
          if (expected === "new") model.set(id, now);
          expect(cache.check(`urn:uuid:${id}`, `c${client}`, now).verdict).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});
