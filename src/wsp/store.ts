/**
 * The SMDB record store: treatment courses (forløb) per environment and per CVR number.
 *
 * Durable when given a directory: every course is one JSON file
 * (`<dir>/<env>/<cvr>/<hex(forloebId)>.json`, with all its versions) written atomically (temp
 * file, fsync, rename, fsync dir) *before* the upsert is acknowledged, so a crash mid-write
 * leaves the previous version intact and loses nothing that was acknowledged. Without a
 * directory the store lives in memory.
 *
 * Group commit: writes that arrive while a batch is being written wait and then go to disk
 * together as the next batch (src/core/atomic-file.ts `writeFilesAtomic`: all temp files fsynced
 * concurrently, renamed, each directory fsynced once), and each upsert is acknowledged when its
 * batch is durable. Fifty concurrent writers cost a few fsync rounds, not fifty in a row. Reads
 * see only durable records; versions are numbered against the newest record, durable or not,
 * so they stay in submission order. Temp files of writes a crash interrupted are removed at
 * open.
 *
 * An organisation sees only its own CVR's courses: the CVR is part of every key, so two
 * organisations may even use the same `forloebId` without seeing each other's records.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
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

/** How the writes went so far: records written, batches (fsync rounds), temp files removed at open. */
export interface StoreStats {
  recordsWritten: number;
  batches: number;
  staleTempFilesRemoved: number;
}

export class SmdbStore {
  /** Durable records: what reads see. */
  readonly #records = new Map<string, StoredCourse>();
  /** Records written or being written, newer than `#records`; versions are counted from here. */
  readonly #pending = new Map<string, StoredCourse>();
  /** Writes waiting for the next batch, by record key (a record written twice goes once). */
  #waiting = new Map<string, PendingWrite>();
  /** The batch being written, if any. */
  #writing: Promise<void> | undefined;
  readonly stats: StoreStats = { recordsWritten: 0, batches: 0, staleTempFilesRemoved: 0 };

  private constructor(readonly dir: string | undefined) {}

  /** Opens the store in `dir` (reading back every record written before), or in memory. */
  static async open(options: { dir?: string } = {}): Promise<SmdbStore> {
    const store = new SmdbStore(options.dir);
    if (options.dir) {
      store.stats.staleTempFilesRemoved = (await removeStaleTempFiles(options.dir)).length;
      await store.#load(options.dir);
    }
    return store;
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
    // Let the writes of this turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#waiting.size > 0) {
      const batch = [...this.#waiting.values()];
      this.#waiting = new Map();
      try {
        await writeFilesAtomic(
          batch.map(({ file, record }) => ({ file, content: `${JSON.stringify(record, null, 2)}\n` })),
        );
        this.stats.batches++;
        this.stats.recordsWritten += batch.length;
        for (const write of batch) {
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
    }
    this.#writing = undefined;
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
    while (this.#writing) await this.#writing;
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
