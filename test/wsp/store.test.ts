import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Course, validateCourse } from "../../src/smdb/course.js";
import { SmdbStore } from "../../src/wsp/store.js";
import { useTempDir } from "../helpers/tmp.js";
import { buildRequest, COURSE, createBench, post } from "./helpers.js";

const course = (over: Partial<Course> = {}): Course => validateCourse({ ...COURSE, ...over });
const T0 = Date.parse("2026-03-01T00:00:00Z");
const meta = (atMs: number) => ({ atMs, submittedBy: "https://fagsystem-a.example.dk" });

let dir: string;
useTempDir(
  "smdb-store-",
  (path) => {
    dir = path;
  },
  { each: true },
);

describe("SmdbStore", () => {
  it("reads back after a restart what was acknowledged before it", async () => {
    const first = await SmdbStore.open({ dir });
    expect(first.durable).toBe(true);
    await first.upsert("production", "91234567", course(), meta(T0));
    await first.upsert("production", "91234567", course({ slutdato: "2026-02-10" }), meta(T0 + 1000));
    await first.upsert("integration", "91234567", course({ forloebId: "I-1" }), meta(T0));

    const second = await SmdbStore.open({ dir, readOnly: true });
    const record = second.get("production", "91234567", COURSE.forloebId);
    expect(record?.version).toBe(2);
    expect(record?.course.slutdato).toBe("2026-02-10");
    expect(record?.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(second.get("integration", "91234567", "I-1")?.version).toBe(1);
    expect(second.count()).toBe(2);
    expect(second.count("production")).toBe(1);
    await first.close();
  });

  it("is an idempotent upsert: the same content again writes nothing and keeps the version", async () => {
    const store = await SmdbStore.open({ dir });
    expect((await store.upsert("production", "91234567", course(), meta(T0))).status).toBe("created");
    // Acknowledged once in the journal; the record file follows with the checkpoint.
    await store.flush();
    const file = join(dir, "production", "91234567", `${Buffer.from(COURSE.forloebId).toString("hex")}.json`);
    const before = await readFile(file, "utf8");
    const again = await store.upsert("production", "91234567", course(), meta(T0 + 5000));
    expect(again.status).toBe("unchanged");
    expect(again.record.version).toBe(1);
    expect(again.record.updatedAt).toBe(new Date(T0).toISOString());
    await store.flush();
    expect(await readFile(file, "utf8")).toBe(before);
    // Whitespace around values is not new content either.
    expect(
      (
        await store.upsert(
          "production",
          "91234567",
          course({ behandlingssted: ` ${COURSE.behandlingssted} ` }),
          meta(T0),
        )
      ).status,
    ).toBe("unchanged");
    await store.close();
  });

  it("keeps each CVR's courses apart, even with the same forloebId", async () => {
    const store = await SmdbStore.open({ dir });
    await store.upsert("production", "91234567", course(), meta(T0));
    await store.upsert("production", "98765432", course({ kommunekode: "851" }), meta(T0 + 1));
    expect(store.get("production", "91234567", COURSE.forloebId)?.course.kommunekode).toBe("101");
    expect(store.get("production", "98765432", COURSE.forloebId)?.course.kommunekode).toBe("851");
    expect(store.changedSince("production", "91234567", 0).map((r) => r.cvr)).toEqual(["91234567"]);
    expect(store.get("integration", "91234567", COURSE.forloebId)).toBeUndefined();
    await store.close();
  });

  it("changedSince returns the courses whose current version is at or after the time, oldest first", async () => {
    const store = await SmdbStore.open();
    expect(store.durable).toBe(false);
    await store.upsert("production", "91234567", course({ forloebId: "A" }), meta(T0));
    await store.upsert("production", "91234567", course({ forloebId: "B" }), meta(T0 + 10));
    await store.upsert(
      "production",
      "91234567",
      course({ forloebId: "A", kommunekode: "102" }),
      meta(T0 + 20),
    );
    expect(store.changedSince("production", "91234567", T0 + 10).map((r) => r.forloebId)).toEqual(["B", "A"]);
    expect(store.changedSince("production", "91234567", T0 + 21)).toEqual([]);
  });

  it("ignores the temp file of a write that crashed before its rename, and keeps the old version", async () => {
    const store = await SmdbStore.open({ dir });
    await store.upsert("production", "91234567", course(), meta(T0));
    await store.close();
    const cvrDir = join(dir, "production", "91234567");
    const [file] = await readdir(cvrDir);
    // A crash mid-write leaves only a temp file next to the acknowledged record.
    await writeFile(join(cvrDir, `${file}.1234.abcd.tmp`), '{"torn":');
    const reopened = await SmdbStore.open({ dir });
    expect(reopened.get("production", "91234567", COURSE.forloebId)?.version).toBe(1);
    await reopened.close();
  });

  it("serialises concurrent upserts of one course into consecutive versions", async () => {
    const store = await SmdbStore.open({ dir });
    const results = await Promise.all(
      ["101", "102", "103", "104"].map((k, i) =>
        store.upsert("production", "91234567", course({ kommunekode: k }), meta(T0 + i)),
      ),
    );
    expect(results.map((r) => r.record.version)).toEqual([1, 2, 3, 4]);
    const reopened = await SmdbStore.open({ dir, readOnly: true });
    expect(reopened.get("production", "91234567", COURSE.forloebId)?.course.kommunekode).toBe("104");
    await store.close();
  });

  it("a record submitted through the WSP survives a restart of the service on the same state dir", async () => {
    const first = await createBench({ storeDir: dir });
    const { xml } = buildRequest(first, "IndberetForloeb", { payload: COURSE });
    expect((await post(first, xml)).status).toBe(200);
    const restarted = await SmdbStore.open({ dir, readOnly: true });
    expect(restarted.get("production", "91234567", COURSE.forloebId)?.course).toEqual(course());
    await first.store.close();
  });
});
