/**
 * The SMDB record store: treatment courses (forløb) per environment and per CVR number.
 *
 * Durable when given a directory: every course is one JSON file
 * (`<dir>/<env>/<cvr>/<hex(forloebId)>.json`, with all its versions) written atomically (temp
 * file, fsync, rename, fsync dir) *before* the upsert is acknowledged, so a crash mid-write
 * leaves the previous version intact and loses nothing that was acknowledged. Without a
 * directory the store lives in memory.
 *
 * An organisation sees only its own CVR's courses: the CVR is part of every key, so two
 * organisations may even use the same `forloebId` without seeing each other's records.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeJsonAtomic } from "../core/atomic-file.js";
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

export class SmdbStore {
  readonly #records = new Map<string, StoredCourse>();
  /** Writes are serialised: one record file at a time, in submission order. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly dir: string | undefined) {}

  /** Opens the store in `dir` (reading back every record written before), or in memory. */
  static async open(options: { dir?: string } = {}): Promise<SmdbStore> {
    const store = new SmdbStore(options.dir);
    if (options.dir) await store.#load(options.dir);
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
          // Leftover temp files of an interrupted write are ignored: the rename never happened.
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
  upsert(env: Environment, cvr: string, course: Course, meta: UpsertMeta): Promise<UpsertResult> {
    const run = this.#queue.then(() => this.#upsertNow(env, cvr, course, meta));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #upsertNow(env: Environment, cvr: string, course: Course, meta: UpsertMeta): Promise<UpsertResult> {
    if (!CVR_RE.test(cvr)) throw new RangeError(`CVR "${cvr}" is not 8 digits`);
    const k = key(env, cvr, course.forloebId);
    const existing = this.#records.get(k);
    const sha = courseContentSha256(course);
    if (existing && existing.contentSha256 === sha) return { status: "unchanged", record: existing };
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
        { version, at, submittedBy: meta.submittedBy, course: snapshot },
      ],
    };
    if (this.dir) await writeJsonAtomic(this.#file(env, cvr, course.forloebId), record);
    this.#records.set(k, record);
    return { status: existing ? "updated" : "created", record };
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
    await this.#queue;
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
