/**
 * Group commit in the SMDB store (issue 10): concurrent upserts share fsync rounds instead of
 * taking one file-and-directory fsync pair each in a row, each is acknowledged only once its
 * record is on disk (read back by a fresh store), reads see only durable records, and temp files
 * of interrupted writes are removed when the store opens. (The whole-process kill -9 test is
 * `npm run load -- --kill-every S`.)
 */
import { mkdir, open, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Course } from "../../src/smdb/course.js";
import { SmdbStore } from "../../src/wsp/store.js";
import { useTempDir } from "../helpers/tmp.js";

let root: string;
let dir: string;
let testNumber = 0;
useTempDir("smdb-store-gc-", (path) => {
  root = path;
});

beforeEach(() => {
  // A store directory of its own for every test.
  dir = join(root, `store-${++testNumber}`);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const CVR = "91234567";
const course = (i: number, note = ""): Course => ({
  forloebId: `F-${i}`,
  cpr: "0101901234",
  kommunekode: "101",
  behandlingssted: `Rusmiddelcenter ${note}`,
  behandlingstype: "social",
  startdato: "2026-02-01",
  stoffer: ["cannabis"],
});

/** Counts fsyncs (files and directories) through FileHandle.prototype.sync. */
async function countSyncs(): Promise<{ count: () => number }> {
  const probe = await open(join(root, "probe"), "w");
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  let n = 0;
  const original = proto.sync;
  vi.spyOn(proto, "sync").mockImplementation(function (this: unknown) {
    n++;
    return original.call(this);
  });
  return { count: () => n };
}

describe("group commit", () => {
  it("50 concurrent upserts: a few fsync rounds, not 50 in a row; every one on disk when acknowledged", async () => {
    const store = await SmdbStore.open({ dir });
    const syncs = await countSyncs();
    const acknowledged: string[] = [];
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.upsert("production", CVR, course(i), { atMs: 0, submittedBy: "wsc" }).then(async (result) => {
          expect(result.status).toBe("created");
          // Durable when acknowledged: a fresh store reads it back from disk.
          const fresh = await SmdbStore.open({ dir });
          expect(fresh.get("production", CVR, `F-${i}`)?.version).toBe(1);
          acknowledged.push(`F-${i}`);
        }),
      ),
    );
    expect(acknowledged).toHaveLength(50);
    expect(store.stats.recordsWritten).toBe(50);
    expect(store.stats.batches).toBeLessThanOrEqual(3);
    // One fsync per record file plus one per directory per batch (before: two per record).
    expect(syncs.count()).toBeLessThanOrEqual(50 + 3);
  });

  it("versions stay in submission order when one course is updated many times at once", async () => {
    const store = await SmdbStore.open({ dir });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.upsert("production", CVR, course(1, `v${i}`), { atMs: i, submittedBy: "wsc" }),
      ),
    );
    expect(results.map((r) => r.record.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const fresh = await SmdbStore.open({ dir });
    const record = fresh.get("production", CVR, "F-1")!;
    expect(record.version).toBe(20);
    expect(record.versions.map((v) => v.course.behandlingssted)).toEqual(
      Array.from({ length: 20 }, (_, i) => `Rusmiddelcenter v${i}`),
    );
  });

  it("a read sees a record only once it is durable", async () => {
    const store = await SmdbStore.open({ dir });
    const write = store.upsert("production", CVR, course(7), { atMs: 0, submittedBy: "wsc" });
    expect(store.get("production", CVR, "F-7")).toBeUndefined();
    await write;
    expect(store.get("production", CVR, "F-7")?.version).toBe(1);
  });
});

describe("temp files of interrupted writes", () => {
  it("are removed when the store opens; records and other files stay", async () => {
    const first = await SmdbStore.open({ dir });
    await first.upsert("production", CVR, course(1), { atMs: 0, submittedBy: "wsc" });
    const cvrDir = join(dir, "production", CVR);
    const recordFile = (await readdir(cvrDir)).find((f) => f.endsWith(".json"))!;
    // A process that no longer runs (pid 2^22 + 1 is above Linux's pid_max default) left two.
    const stale = [`${recordFile}.4194305.0a1b2c3d.tmp`, `${recordFile}.4194305.deadbeef.tmp`];
    for (const name of stale) await writeFile(join(cvrDir, name), "{ half a rec");
    await mkdir(join(dir, "integration"), { recursive: true });
    await writeFile(join(dir, "integration", "notes.txt"), "not ours");
    const reopened = await SmdbStore.open({ dir });
    expect(reopened.stats.staleTempFilesRemoved).toBe(2);
    expect((await readdir(cvrDir)).sort()).toEqual([recordFile]);
    expect(await readdir(join(dir, "integration"))).toEqual(["notes.txt"]);
    expect(reopened.get("production", CVR, "F-1")?.version).toBe(1);
  });
});
