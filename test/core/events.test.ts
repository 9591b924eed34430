/**
 * The event log keeps no parents alive and is bounded in bytes (issue 10): a messageId or detail
 * sliced from a large request string is copied, so 2,000 events from 2,000 distinct 64 kB
 * "envelopes" keep kilobytes, not 128 MB; and past its byte budget the oldest events go, whatever
 * their count. Heap is measured after a full GC (the mechanism: what stays reachable).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { EventLog } from "../../src/core/events.js";
import { SmdbStore } from "../../src/wsp/store.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A distinct 64 kB string, like a parsed envelope, and a 40-character slice of it. */
function envelopeAndSlice(i: number): string {
  const envelope = `<Envelope n="${i}">${"x".repeat(64 * 1024)}</Envelope>`;
  return envelope.slice(10, 50);
}

describe("no retained parents", () => {
  it("2,000 events with fields sliced from 64 kB envelopes keep well under 8 MB (not 128 MB)", () => {
    const log = new EventLog(() => 0);
    const before = heapAfterGc();
    for (let i = 0; i < 2000; i++) {
      log.append({
        env: "production",
        step: 2,
        component: "wsp",
        outcome: "rejected",
        reason: "REPLAY",
        messageId: envelopeAndSlice(i),
        systemUser: envelopeAndSlice(i + 1e6),
        certSha256: envelopeAndSlice(i + 2e6),
        detail: { message: envelopeAndSlice(i + 3e6) },
      });
    }
    const grown = heapAfterGc() - before;
    expect(log.size).toBe(2000);
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });

  it("a stored record's submittedBy sliced from a large assertion does not keep it", async () => {
    const store = await SmdbStore.open();
    const before = heapAfterGc();
    for (let i = 0; i < 500; i++) {
      await store.upsert(
        "production",
        "91234567",
        {
          forloebId: `F-${i}`,
          cpr: "0101901234",
          kommunekode: "101",
          behandlingssted: "Rusmiddelcenter",
          behandlingstype: "social",
          startdato: "2026-02-01",
          stoffer: ["cannabis"],
        },
        { atMs: 0, submittedBy: envelopeAndSlice(i) },
      );
    }
    const grown = heapAfterGc() - before;
    expect(store.count()).toBe(500);
    // 500 × 64 kB would be 32 MB.
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });
});

describe("bounded in bytes", () => {
  it("past its byte budget the oldest events go, though far fewer than the count limit", () => {
    const log = new EventLog(() => 0, 10_000, 1024 * 1024);
    for (let i = 0; i < 200; i++) {
      log.append({
        env: "production",
        step: 2,
        component: "wsp",
        outcome: "rejected",
        reason: "MALFORMED_REQUEST",
        detail: `${i}:${"d".repeat(20_000)}`,
      });
    }
    expect(log.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(log.size).toBeLessThan(30);
    const kept = log.since(0);
    expect(kept).toHaveLength(log.size);
    expect(kept.at(-1)!.seq).toBe(200);
    expect(kept[0]!.seq).toBe(200 - log.size + 1);
    expect(log.since(195).map((e) => e.seq)).toEqual([196, 197, 198, 199, 200]);
  });

  it("the count limit still holds, and one event larger than the budget is kept alone", () => {
    const log = new EventLog(() => 0, 10, 64 * 1024);
    for (let i = 0; i < 25; i++) {
      log.append({ env: null, step: null, component: "admin", outcome: "ok", reason: "OK", detail: "x" });
    }
    expect(log.size).toBe(10);
    log.append({
      env: null,
      step: null,
      component: "admin",
      outcome: "ok",
      reason: "OK",
      detail: "y".repeat(40_000),
    });
    expect(log.size).toBe(1);
    expect(log.lastSeq).toBe(26);
  });
});
