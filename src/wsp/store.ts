/**
 * The SMDB record store: treatment courses (forløb) per environment and per CVR number.
 *
 * Durable when given a directory: every course is one JSON file
 * (`<dir>/<env>/<cvr>/<hex(forloebId)>.json`, with all its versions) written atomically (temp
 * file, fsync, rename, fsync dir) *before* the upsert is acknowledged, so a crash mid-write
 * leaves the previous version intact and loses nothing that was acknowledged. Without a
 * directory the store lives in memory.
 *
 * Group commit through a journal: writes that arrive while a batch is being committed wait and
 * go together as the next batch, which is one synchronous (O_SYNC) append of their records to
 * `<dir>/journal.ndjson`; each upsert is acknowledged when its batch is durable there. The record
 * files are brought up to date after the acknowledgement (a checkpoint: src/core/atomic-file.ts
 * `writeFilesAtomic`), and the journal is emptied once every record in it is in its file. At open,
 * records in the journal newer than their files are written to the files first. So fifty
 * concurrent writers cost one fsync on the answer's path, not fifty file-and-directory fsync pairs
 * in a row. Reads see only durable records; versions are numbered against the newest record,
 * durable or not, so they stay in submission order. Temp files of writes a crash interrupted are
 * removed at open.
 *
 * An organisation sees only its own CVR's courses: the CVR is part of every key, so two
 * organisations may even use the same `forloebId` without seeing each other's records.
 */
import { createHash } from "node:crypto";
import { type FileHandle, mkdir, open as openFile, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { removeStaleTempFiles, writeFilesAtomic } from "../core/atomic-file.js";
import { ENVIRONMENTS, type Environment } from "../core/events.js";
import type { Course } from "../smdb/course.js";

export interface CourseVersion {
  version: number;
  /** ISO 8601 harness time of this version. */
  at: string;
  /** The systembruger (Subject NameID) that submitted this version. */
  submittedBy: string;
  course: Course;
}

export interface StoredCourse {
  env: Environment;
  cvr: string;
  forloebId: string;
  /** Current version number (1 for the first submission). */
  version: number;
  createdAt: string;
  updatedAt: string;
  /** SHA-256 of the canonical JSON of the current content: same content again is no new version. */
  contentSha256: string;
  course: Course;
  versions: CourseVersion[];
}

import type { UpsertStatus } from "../smdb/operations.js";

export type { UpsertStatus };

export interface UpsertResult {
  status: UpsertStatus;
  record: StoredCourse;
}

export interface UpsertMeta {
  atMs: number;
  submittedBy: string;
}

const CVR_RE = /^\d{8}$/;

/** Canonical JSON (sorted keys) of a course, for content comparison. */
export function courseContentSha256(course: Course): string {
  return createHash("sha256").update(stableJson(course)).digest("hex").toUpperCase();
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function key(env: Environment, cvr: string, forloebId: string): string {
  return `${env}\u0000${cvr}\u0000${forloebId}`;
}

interface PendingWrite {
  key: string;
  file: string;
  record: StoredCourse;
  settle: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/** How the writes went so far: records committed, batches (journal fsyncs), checkpoints, temp files removed at open. */
export interface StoreStats {
  recordsWritten: number;
  batches: number;
  checkpoints: number;
  staleTempFilesRemoved: number;
}

const JOURNAL_FILE = "journal.ndjson";
/** Record files a checkpoint writes and fsyncs at once (see `#checkpoint`). */
const CHECKPOINT_FILES_AT_ONCE = 8;

export class SmdbStore {
  /** Durable records: what reads see. */
  readonly #records = new Map<string, StoredCourse>();
  /** Records written or being written, newer than `#records`; versions are counted from here. */
  readonly #pending = new Map<string, StoredCourse>();
  /** Writes waiting for the next batch, by record key (a record written twice goes once). */
  #waiting = new Map<string, PendingWrite>();
  /** The batch being written, if any. */
  #writing: Promise<void> | undefined;
  #journal: FileHandle | undefined;
  /** Records committed to the journal but not yet checkpointed into their files, by key. */
  #unchecked = new Map<string, { file: string; record: StoredCourse }>();
  #checkpointing: Promise<void> | undefined;
  /** The journal has records that are all in their files now: empty it before the next append. */
  #journalCheckpointed = false;
  readonly stats: StoreStats = { recordsWritten: 0, batches: 0, checkpoints: 0, staleTempFilesRemoved: 0 };

  private constructor(readonly dir: string | undefined) {}

  /**
   * Opens the store in `dir` (reading back every record written before, from the record files and
   * the journal), or in memory. `readOnly`: only read (a second look at a store another instance
   * writes: no cleanup, no checkpoint, no writes).
   */
  static async open(options: { dir?: string; readOnly?: boolean } = {}): Promise<SmdbStore> {
    const store = new SmdbStore(options.dir);
    if (options.dir) {
      if (!options.readOnly) {
        store.stats.staleTempFilesRemoved = (await removeStaleTempFiles(options.dir)).length;
      }
      await store.#load(options.dir);
      const journaled = await store.#replayJournal(options.dir);
      if (!options.readOnly) {
        // Records only the journal holds go to their files, then the journal starts empty.
        if (journaled.length > 0) {
          await writeFilesAtomic(journaled.map((k) => store.#fileEntry(k, store.#records.get(k)!)));
        }
        // Append mode ("a": every write goes to the end, also after the journal was emptied) and
        // synchronous writes ("s", O_SYNC): a write is durable when it completes, so a batch costs
        // one round through the event loop, not a write and then an fdatasync.
        await mkdir(options.dir, { recursive: true });
        store.#journal = await openFile(join(options.dir, JOURNAL_FILE), "as");
        await store.#journal.truncate(0);
        await store.#journal.sync();
      }
    }
    return store;
  }

  /** Applies the journal's records that are newer than the files; returns their keys. */
  async #replayJournal(dir: string): Promise<string[]> {
    let text: string;
    try {
      text = await readFile(join(dir, JOURNAL_FILE), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const applied = new Set<string>();
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let record: StoredCourse;
      try {
        record = JSON.parse(line) as StoredCourse;
      } catch {
        // A line cut by a crash during its append: that batch was never acknowledged.
        continue;
      }
      const k = key(record.env, record.cvr, record.forloebId);
      const known = this.#records.get(k);
      if (!known || record.version > known.version) {
        this.#records.set(k, record);
        applied.add(k);
      }
    }
    return [...applied];
  }

  #fileEntry(k: string, record: StoredCourse): { file: string; content: string } {
    void k;
    return {
      file: this.#file(record.env, record.cvr, record.forloebId),
      content: `${JSON.stringify(record, null, 2)}\n`,
    };
  }

  get durable(): boolean {
    return this.dir !== undefined;
  }

  async #load(dir: string): Promise<void> {
    for (const env of ENVIRONMENTS) {
      const envDir = join(dir, env);
      for (const cvr of await listDir(envDir)) {
        if (!CVR_RE.test(cvr)) continue;
        for (const file of await listDir(join(envDir, cvr))) {
          if (!file.endsWith(".json")) continue;
          const path = join(envDir, cvr, file);
          let record: StoredCourse;
          try {
            record = JSON.parse(await readFile(path, "utf8")) as StoredCourse;
          } catch (error) {
            throw new Error(`${path}: not a readable SMDB record (${(error as Error).message})`);
          }
          if (record.env !== env || record.cvr !== cvr || typeof record.forloebId !== "string") {
            throw new Error(
              `${path}: record does not belong at this path (env ${record.env}, cvr ${record.cvr})`,
            );
          }
          this.#records.set(key(env, cvr, record.forloebId), record);
        }
      }
    }
  }

  #file(env: Environment, cvr: string, forloebId: string): string {
    return join(this.dir!, env, cvr, `${Buffer.from(forloebId, "utf8").toString("hex")}.json`);
  }

  /**
   * Idempotent upsert by `forloebId` within (env, cvr): new id → version 1 (`created`); same
   * content as the current version → nothing written (`unchanged`); other content → next
   * version (`updated`). Resolves only after the record is durably on disk.
   */
  async upsert(env: Environment, cvr: string, course: Course, meta: UpsertMeta): Promise<UpsertResult> {
    if (!CVR_RE.test(cvr)) throw new RangeError(`CVR "${cvr}" is not 8 digits`);
    const k = key(env, cvr, course.forloebId);
    const existing = this.#pending.get(k) ?? this.#records.get(k);
    const sha = courseContentSha256(course);
    if (existing && existing.contentSha256 === sha) {
      // The same content again: acknowledged once that content is durable.
      if (this.#pending.get(k) === existing) await this.#durable(k);
      return { status: "unchanged", record: existing };
    }
    const at = new Date(meta.atMs).toISOString();
    const version = (existing?.version ?? 0) + 1;
    const snapshot: Course = structuredClone(course);
    const record: StoredCourse = {
      env,
      cvr,
      forloebId: course.forloebId,
      version,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
      contentSha256: sha,
      course: snapshot,
      versions: [
        ...(existing?.versions ?? []),
        // A copy: the systembruger's id may be a slice of the decrypted assertion.
        { version, at, submittedBy: copyString(meta.submittedBy), course: snapshot },
      ],
    };
    if (this.dir) {
      this.#pending.set(k, record);
      await this.#enqueue(k, this.#file(env, cvr, course.forloebId), record);
    } else {
      this.#records.set(k, record);
    }
    return { status: existing ? "updated" : "created", record };
  }

  /** Resolves when the record now pending under `k` is durable (or rejects with its write). */
  #durable(k: string): Promise<void> {
    const waiting = this.#waiting.get(k);
    if (waiting) {
      return new Promise((resolve, reject) => {
        waiting.settle.push({ resolve, reject });
      });
    }
    // Being written in the current batch: durable when it ends, unless that write failed.
    const record = this.#pending.get(k);
    return (this.#writing ?? Promise.resolve()).then(() => {
      if (this.#pending.has(k)) return this.#durable(k);
      if (this.#records.get(k) !== record) throw new Error("the record could not be written to disk");
    });
  }

  /** Puts `record` in the next batch (replacing an older version of it there); resolves when durable. */
  #enqueue(k: string, file: string, record: StoredCourse): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiting = this.#waiting.get(k);
      if (waiting) {
        waiting.record = record;
        waiting.settle.push({ resolve, reject });
      } else {
        this.#waiting.set(k, { key: k, file, record, settle: [{ resolve, reject }] });
      }
      if (!this.#writing) this.#writing = this.#writeBatches();
    });
  }

  /** Writes batch after batch until no write is waiting; one batch on disk at a time. */
  async #writeBatches(): Promise<void> {
    // No waiting to gather a batch: what arrives while one is being written forms the next.
    while (this.#waiting.size > 0 || (this.#journalCheckpointed && this.#unchecked.size === 0)) {
      if (this.#journalCheckpointed && this.#unchecked.size === 0) {
        // Only here, between appends, is the journal emptied: never under a batch being written.
        this.#journalCheckpointed = false;
        await this.#journal!.truncate(0);
        await this.#journal!.sync();
        continue;
      }
      const batch = [...this.#waiting.values()];
      this.#waiting = new Map();
      try {
        // One synchronous (O_SYNC) append for the whole batch.
        await this.#journal!.write(batch.map(({ record }) => `${JSON.stringify(record)}\n`).join(""));
        this.stats.batches++;
        this.stats.recordsWritten += batch.length;
        for (const write of batch) {
          this.#unchecked.set(write.key, { file: write.file, record: write.record });
          this.#records.set(write.key, write.record);
          // Still pending only if a newer version arrived meanwhile.
          if (this.#pending.get(write.key) === write.record) this.#pending.delete(write.key);
          for (const { resolve } of write.settle) resolve();
        }
      } catch (error) {
        for (const write of batch) {
          if (this.#pending.get(write.key) === write.record) this.#pending.delete(write.key);
          for (const { reject } of write.settle) reject(error);
        }
      }
      this.#checkpointing ??= this.#checkpoint();
    }
    this.#writing = undefined;
  }

  /**
   * Brings the record files up to date with what the journal committed (off the answers' path),
   * and empties the journal when nothing in it is missing from the files.
   */
  async #checkpoint(): Promise<void> {
    try {
      while (this.#unchecked.size > 0) {
        const batch = [...this.#unchecked.entries()];
        // On failure the records stay in the journal (durable) and the next batch tries again.
        // A few files at a time: each fsync holds one of libuv's four pool threads, and the journal's
        // write, which answers are waiting for, must not queue behind a whole checkpoint.
        for (let i = 0; i < batch.length; i += CHECKPOINT_FILES_AT_ONCE) {
          await writeFilesAtomic(
            batch
              .slice(i, i + CHECKPOINT_FILES_AT_ONCE)
              .map(([, { file, record }]) => ({ file, content: `${JSON.stringify(record, null, 2)}\n` })),
          );
        }
        this.stats.checkpoints++;
        for (const [k, entry] of batch) {
          if (this.#unchecked.get(k) === entry) this.#unchecked.delete(k);
        }
      }
      // Every journaled record is in its file: the batch loop empties the journal.
      this.#journalCheckpointed = true;
      this.#writing ??= this.#writeBatches();
    } catch {
      // See above: nothing acknowledged depends on the files while the journal holds it.
    } finally {
      this.#checkpointing = undefined;
    }
  }

  /** The course `forloebId` of `cvr` in `env`, or undefined (also when another CVR has it). */
  get(env: Environment, cvr: string, forloebId: string): StoredCourse | undefined {
    return this.#records.get(key(env, cvr, forloebId));
  }

  /** The courses of `cvr` in `env` whose current version was written at or after `sinceMs`, oldest first. */
  changedSince(env: Environment, cvr: string, sinceMs: number): StoredCourse[] {
    const out: StoredCourse[] = [];
    for (const record of this.#records.values()) {
      if (record.env === env && record.cvr === cvr && Date.parse(record.updatedAt) >= sinceMs)
        out.push(record);
    }
    return out.sort(
      (a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || (a.forloebId < b.forloebId ? -1 : 1),
    );
  }

  /** Number of records, optionally in one environment. */
  count(env?: Environment): number {
    if (!env) return this.#records.size;
    let n = 0;
    for (const record of this.#records.values()) if (record.env === env) n++;
    return n;
  }

  /** Resolves when every write started so far has finished. */
  async flush(): Promise<void> {
    while (this.#writing || this.#checkpointing) {
      await this.#writing;
      await this.#checkpointing;
    }
  }

  /** Finishes every write and checkpoint and closes the journal. */
  async close(): Promise<void> {
    await this.flush();
    await this.#journal?.close();
    this.#journal = undefined;
  }
}

/** A flat copy of `text`, so that keeping it does not keep a larger string it was sliced from. */
function copyString(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
