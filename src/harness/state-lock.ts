/**
 * One `up` per state dir: `<state-dir>/up.lock` holds the PID and host of the process that runs
 * on it, and its modification time is a heartbeat (touched every 10 s). A second `up` on the same
 * dir is refused with the holder's PID; a lock left by a process that is gone (killed, or a
 * restarted container, where the new process may even have the same PID) is taken over.
 *
 * The decision (`judgeLock`) is a pure function of what the lock file says; the rest is thin I/O.
 */

import { mkdir, open, readFile, stat, unlink, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { type Clock, RealClock } from "../core/clock.js";
import { HarnessError } from "../core/errors.js";

export const LOCK_FILE = "up.lock";
/** How often the holder touches its lock. */
export const LOCK_HEARTBEAT_MS = 10_000;
/** A lock whose heartbeat is older than this is stale, whoever wrote it. */
export const LOCK_STALE_AFTER_MS = 60_000;

export interface LockRecord {
  pid: number;
  hostname: string;
  startedAt: string;
}

export type LockVerdict =
  /** The lock may be taken over; `why` says what makes it stale. */
  | { kind: "stale"; why: string }
  /** Another live process holds it; `sentence` says which and what to do. */
  | { kind: "held"; sentence: string };

export interface LockSituation {
  stateDir: string;
  /** The lock's content; undefined when it cannot be read as a lock record. */
  holder: LockRecord | undefined;
  /** Milliseconds since the holder last touched the lock. */
  heartbeatAgeMs: number;
  self: { pid: number; hostname: string };
  /** Whether the holder's PID is a running process here (only meaningful on the same host). */
  holderAlive: boolean;
}

/** Whether an existing lock is held by a live `up` or may be taken over. */
export function judgeLock(s: LockSituation): LockVerdict {
  const { holder } = s;
  if (!holder) return { kind: "stale", why: "the lock file cannot be read as a lock" };
  const seconds = Math.round(s.heartbeatAgeMs / 1000);
  if (s.heartbeatAgeMs > LOCK_STALE_AFTER_MS) {
    return { kind: "stale", why: `its holder (PID ${holder.pid}) has not touched it for ${seconds} s` };
  }
  if (holder.hostname === s.self.hostname) {
    if (holder.pid === s.self.pid) {
      return {
        kind: "stale",
        why: `it names this very PID ${holder.pid}, left by an earlier run (a restart)`,
      };
    }
    if (!s.holderAlive) return { kind: "stale", why: `PID ${holder.pid} that held it is not running` };
  }
  const where = holder.hostname === s.self.hostname ? "" : ` on host ${holder.hostname}`;
  return {
    kind: "held",
    sentence: `the state dir ${s.stateDir} is in use by another smdb-harness up (PID ${holder.pid}${where}, since ${holder.startedAt}); stop that one first, or give this one another --state-dir`,
  };
}

/** The state dir is locked by another live `up`, or cannot be written. */
export class StateDirError extends HarnessError {
  override readonly name = "StateDirError";
}

/** A held lock: touched periodically until `release()`. */
export class StateDirLock {
  readonly #file: string;
  readonly #record: LockRecord;
  readonly #timer: NodeJS.Timeout;
  #released = false;
  /** Set when the lock was taken over from a process that is gone: why it was stale. */
  readonly tookOver: string | undefined;

  private constructor(file: string, record: LockRecord, tookOver: string | undefined) {
    this.#file = file;
    this.#record = record;
    this.tookOver = tookOver;
    this.#timer = setInterval(() => {
      const now = new Date();
      utimes(this.#file, now, now).catch(() => undefined);
    }, LOCK_HEARTBEAT_MS);
    this.#timer.unref();
  }

  get file(): string {
    return this.#file;
  }

  /**
   * Takes the lock of `stateDir` (creating the dir), or throws a `StateDirError`:
   * `STATE_DIR_LOCKED` naming the holder's PID, or `STATE_DIR_NOT_WRITABLE`.
   */
  static async acquire(stateDir: string, clock: Clock = new RealClock()): Promise<StateDirLock> {
    const file = join(stateDir, LOCK_FILE);
    const self = { pid: process.pid, hostname: hostname() };
    const record: LockRecord = { ...self, startedAt: clock.now().toISOString() };
    try {
      await mkdir(stateDir, { recursive: true });
    } catch (error) {
      throw stateDirWriteError(stateDir, error);
    }
    let tookOver: string | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await open(file, "wx", 0o644);
        try {
          await handle.writeFile(`${JSON.stringify(record)}\n`);
        } finally {
          await handle.close();
        }
        return new StateDirLock(file, record, tookOver);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw stateDirWriteError(stateDir, error);
      }
      const verdict = judgeLock(await situation(stateDir, file, self, clock));
      if (verdict.kind === "held") throw new StateDirError("STATE_DIR_LOCKED", verdict.sentence);
      tookOver = verdict.why;
      await unlink(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw stateDirWriteError(stateDir, error);
      });
    }
    throw new StateDirError(
      "STATE_DIR_LOCKED",
      `the state dir ${stateDir} is being taken by another smdb-harness up at this moment; start only one`,
    );
  }

  /** Removes the lock if it is still this process's. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    try {
      const current = JSON.parse(await readFile(this.#file, "utf8")) as LockRecord;
      if (current.pid === this.#record.pid && current.hostname === this.#record.hostname) {
        await unlink(this.#file);
      }
    } catch {
      // Gone or unreadable: nothing of ours to remove.
    }
  }
}

async function situation(
  stateDir: string,
  file: string,
  self: { pid: number; hostname: string },
  clock: Clock,
): Promise<LockSituation> {
  let holder: LockRecord | undefined;
  let heartbeatAgeMs = 0;
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<LockRecord>;
    if (Number.isSafeInteger(parsed.pid) && typeof parsed.hostname === "string") {
      holder = {
        pid: parsed.pid!,
        hostname: parsed.hostname,
        startedAt: typeof parsed.startedAt === "string" ? parsed.startedAt : "an unknown time",
      };
    }
    heartbeatAgeMs = Math.max(0, clock.nowMs() - (await stat(file)).mtimeMs);
  } catch {
    holder = undefined;
  }
  return { stateDir, holder, heartbeatAgeMs, self, holderAlive: holder ? isRunning(holder.pid) : false };
}

/** Whether a process with this PID exists here (EPERM: it exists but belongs to another user). */
function isRunning(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const WRITE_PROBLEMS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is used up",
  ENOTDIR: "a part of the path is a file, not a directory",
  EISDIR: "a file is expected where there is a directory",
  ENOENT: "a part of the path does not exist",
};

/** Whether an error is a failure to read or write a file (not, e.g., to listen on a port). */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const e = error as NodeJS.ErrnoException;
  return typeof e?.code === "string" && typeof e.path === "string" && e.syscall !== "listen";
}

/** A file-system error on the state dir as one sentence, e.g. "… /x/ca: permission denied". */
export function stateDirWriteError(stateDir: string, error: unknown): StateDirError {
  const e = error as NodeJS.ErrnoException;
  const problem = WRITE_PROBLEMS[e?.code ?? ""] ?? (e?.message ?? String(error)).replace(/^\w+: /, "");
  const where = e?.path && e.path !== stateDir ? ` (${e.path})` : "";
  return new StateDirError(
    "STATE_DIR_NOT_WRITABLE",
    `cannot write the state dir ${stateDir}${where}: ${problem}; run as a user who may write there, or give another --state-dir`,
    { path: e?.path },
  );
}
