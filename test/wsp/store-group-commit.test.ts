/**
 * Group commit in the SMDB store (issue 10): concurrent upserts share fsync rounds instead of
 * taking one file-and-directory fsync pair each in a row, each is acknowledged only once its
 * record is on disk (read back by a fresh store), reads see only durable records, and temp files
 * of interrupted writes are removed when the store opens. (The whole-process kill -9 test is
 * `npm run load -- --kill-every S`.)
 */
import { mkdir, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
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

/** Logs every fsync and fdatasync (FileHandle.prototype.sync / datasync) into `log` as they complete. */
async function logSyncs(log: string[]): Promise<void> {
  const probe = await open(join(root, "probe"), "w");
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void>; datasync: () => Promise<void> };
  await probe.close();
  for (const name of ["sync", "datasync"] as const) {
    const original = proto[name];
    vi.spyOn(proto, name).mockImplementation(async function (this: unknown) {
      await original.call(this);
      log.push(name);
    });
  }
}

describe("group commit", () => {
  it("50 concurrent upserts: one or two synchronous journal appends before they are acknowledged, not 50 fsync pairs in a row", async () => {
    const store = await SmdbStore.open({ dir });
    const log: string[] = [];
    await logSyncs(log);
    const acknowledged: string[] = [];
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.upsert("production", CVR, course(i), { atMs: 0, submittedBy: "wsc" }).then(async (result) => {
          expect(result.status).toBe("created");
          log.push("ack");
          // Durable when acknowledged: another reader of the directory finds it (journal or file).
          const fresh = await SmdbStore.open({ dir, readOnly: true });
          expect(fresh.get("production", CVR, `F-${i}`)?.version).toBe(1);
          acknowledged.push(`F-${i}`);
        }),
      ),
    );
    expect(acknowledged).toHaveLength(50);
    expect(store.stats.recordsWritten).toBe(50);
    // The first upsert's batch goes at once; the 49 that arrive meanwhile go together.
    expect(store.stats.batches).toBeLessThanOrEqual(2);
    // On the answers' path no fsync at all: the journal is written with O_SYNC (before: a file and
    // a directory fsync per record, one record after the other).
    expect(log.slice(0, log.indexOf("ack"))).toEqual([]);
    expect(log.filter((e) => e === "ack")).toHaveLength(50);
    await store.close();
    // The checkpoint put every record in its file and emptied the journal.
    expect(store.stats.checkpoints).toBeGreaterThanOrEqual(1);
    const files = (await readdir(join(dir, "production", CVR))).filter((f) => f.endsWith(".json"));
    expect(files).toHaveLength(50);
    expect((await readFile(join(dir, "journal.ndjson"), "utf8")).length).toBe(0);
  });

  it("a record only in the journal (crash before the checkpoint) is read back and written to its file at open", async () => {
    const store = await SmdbStore.open({ dir });
    await store.upsert("production", CVR, course(3), { atMs: 0, submittedBy: "wsc" });
    await store.close();
    // As after a kill -9 between the acknowledgement and the checkpoint: the journal has the
    // record, its file does not exist. A torn last line (an unacknowledged batch) is skipped.
    const record = store.get("production", CVR, "F-3")!;
    await rm(join(dir, "production"), { recursive: true });
    await writeFile(join(dir, "journal.ndjson"), `${JSON.stringify(record)}\n{"env":"produc`);
    const reopened = await SmdbStore.open({ dir });
    expect(reopened.get("production", CVR, "F-3")).toEqual(record);
    expect((await readdir(join(dir, "production", CVR))).filter((f) => f.endsWith(".json"))).toHaveLength(1);
    await reopened.close();
  });

  it("versions stay in submission order when one course is updated many times at once", async () => {
    const store = await SmdbStore.open({ dir });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.upsert("production", CVR, course(1, `v${i}`), { atMs: i, submittedBy: "wsc" }),
      ),
    );
    expect(results.map((r) => r.record.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await store.close();
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
    await first.close();
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
