/**
 * The WSP's memory of MessageIDs, to refuse a replay (docs/protocol.md, step 2), built so that it never
 * refuses distinct legitimate messages at any rate the harness can serve, and so that one client
 * flooding it is refused alone, never everyone.
 *
 * - **Expiry by time.** An entry lives exactly as long as a message with that MessageID could still
 *   be accepted (`ttlMs`), then leaves. None leaves early: forgetting a live MessageID would let
 *   that message be replayed, so past every limit the cache refuses (fails closed) instead.
 * - **Sized by memory.** Capacity is a memory budget (default 64 MiB) over a measured cost per
 *   entry. Entries are compact: the MessageID is kept as a 16-octet digest (a flat string that
 *   keeps no part of the request alive), the client as a small integer, the expiry as a number in
 *   a packed array. 64 MiB holds 524,288 entries: at the default 15-minute lifetime, a sustained
 *   580 new messages per second, several times what the harness serves on a 2-core machine
 *   with RSA 3072 keys (docs/harness.md, `npm run load`).
 * - **Per-client quota.** Entries are counted per client (the holder-of-key certificate's
 *   SHA-256): one client may hold at most `perClientShare` of the capacity (default half). When
 *   the cache is full anyway (several heavy clients), a client holding more than the average is
 *   refused for its quota, while the lighter ones still get a reserve (an eighth of the capacity
 *   on top); only past that reserve is everyone refused ("full").
 *
 * Decisions are a pure function of the calls and the times given; nothing reads a clock.
 */
import { createHash } from "node:crypto";

/** What the cache says about a MessageID. */
export type ReplayAdmission =
  /** Not seen within its lifetime: now remembered; the message may proceed. */
  | { verdict: "new" }
  /** Seen within its lifetime: a replay. */
  | { verdict: "replay" }
  /** This client holds its share of the cache already; others are still admitted. */
  | { verdict: "client-quota"; held: number; quota: number; retryAtMs: number }
  /** Full past the reserve, for everyone (fails closed: no live entry is dropped). */
  | { verdict: "full"; capacity: number; retryAtMs: number };

export interface ReplayCacheOptions {
  /** How long a MessageID is remembered (as long as a message can still be accepted). */
  ttlMs: number;
  /** Memory budget in bytes (default 64 MiB); capacity = budget / `BYTES_PER_ENTRY`. */
  memoryBytes?: number;
  /** Capacity in entries, instead of `memoryBytes` (tests, small configurations). */
  maxEntries?: number;
  /** Largest share of the capacity one client may hold (default 0.5). */
  perClientShare?: number;
}

/** Default memory budget. */
export const DEFAULT_REPLAY_MEMORY_BYTES = 64 * 1024 * 1024;

/**
 * Heap bytes one entry costs, rounded up from measuring 200,000 entries (~100 bytes each on Node
 * 20: map slot, 16-character key, three array slots); test/wsp/replay-cache.test.ts checks it.
 */
export const BYTES_PER_ENTRY = 128;

/** Share of the capacity kept, past it, for clients below the average when the cache is full. */
const RESERVE_SHARE = 1 / 8;

/** The compact key of a MessageID: 16 octets of its SHA-256 as a one-byte string. */
function compactKey(messageId: string): string {
  return createHash("sha256").update(messageId, "utf8").digest().toString("latin1", 0, 16);
}

export class ReplayCache {
  /** compact key → its position in the queue (absolute: `#base` + index). */
  readonly #positions = new Map<string, number>();
  /** The queue in insertion order: keys, expiry times and client numbers side by side. */
  #keys: Array<string | undefined> = [];
  #expires: number[] = [];
  #clients: number[] = [];
  /** Queue position of `#keys[0]`; entries before `#head` are gone. */
  #base = 0;
  #head = 0;
  /** client id → number; number → live entries. */
  readonly #clientNumbers = new Map<string, number>();
  #counts: number[] = [];
  #holders = 0;
  /** The latest expiry queued: while every new one is at or after it, the queue is in expiry order. */
  #lastExpiry = Number.NEGATIVE_INFINITY;
  /** False once a virtual clock was set back (or the lifetime shortened): expired entries may then hide behind live ones. */
  #ordered = true;
  #lastFullSweepMs = Number.NEGATIVE_INFINITY;
  #ttlMs = 0;
  #capacity = 0;
  #perClientQuota = 0;

  constructor(options: ReplayCacheOptions) {
    this.configure(options);
  }

  /** Changes lifetime and size; what the cache remembers stays. */
  configure(options: ReplayCacheOptions): void {
    if (options.ttlMs < this.#ttlMs) this.#ordered = false;
    this.#ttlMs = options.ttlMs;
    this.#capacity = Math.max(
      1,
      options.maxEntries ??
        Math.floor((options.memoryBytes ?? DEFAULT_REPLAY_MEMORY_BYTES) / BYTES_PER_ENTRY),
    );
    this.#perClientQuota = Math.max(1, Math.floor(this.#capacity * (options.perClientShare ?? 0.5)));
  }

  get size(): number {
    return this.#positions.size;
  }

  get capacity(): number {
    return this.#capacity;
  }

  get perClientQuota(): number {
    return this.#perClientQuota;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Live entries `client` holds. */
  heldBy(client: string): number {
    const n = this.#clientNumbers.get(client);
    return n === undefined ? 0 : this.#counts[n]!;
  }

  /**
   * Checks `messageId` from `client` at `nowMs`, and remembers it when it is new and admitted.
   * Only the digest of `messageId` is kept, and `client` is copied, so neither keeps a parsed
   * request alive.
   */
  check(messageId: string, client: string, nowMs: number): ReplayAdmission {
    this.#expire(nowMs, false);
    const key = compactKey(messageId);
    const position = this.#positions.get(key);
    if (position !== undefined) {
      if (this.#expires[position - this.#base]! > nowMs) return { verdict: "replay" };
      this.#remove(key, position);
    }
    if (this.size >= this.#capacity && !this.#ordered && nowMs - this.#lastFullSweepMs >= 1000) {
      // Out of order: look at every entry, at most once a second (a sweep costs the whole queue).
      this.#lastFullSweepMs = nowMs;
      this.#expire(nowMs, true);
    }
    const clientNumber = this.#clientNumber(client);
    const held = this.#counts[clientNumber]!;
    const refusal = this.#admission(held, nowMs);
    if (refusal) return refusal;
    const expiry = nowMs + this.#ttlMs;
    if (expiry < this.#lastExpiry) this.#ordered = false;
    this.#lastExpiry = Math.max(this.#lastExpiry, expiry);
    this.#positions.set(key, this.#base + this.#keys.length);
    this.#keys.push(key);
    this.#expires.push(expiry);
    this.#clients.push(clientNumber);
    if (held === 0) this.#holders++;
    this.#counts[clientNumber] = held + 1;
    return { verdict: "new" };
  }

  /** The refusal for a client holding `held` entries, or undefined when it is admitted. */
  #admission(held: number, nowMs: number): ReplayAdmission | undefined {
    if (held >= this.#perClientQuota) {
      return {
        verdict: "client-quota",
        held,
        quota: this.#perClientQuota,
        retryAtMs: this.#nextExpiryMs(nowMs),
      };
    }
    if (this.size < this.#capacity) return undefined;
    const average = this.size / Math.max(1, this.#holders);
    if (held >= average) {
      return {
        verdict: "client-quota",
        held,
        quota: Math.floor(average),
        retryAtMs: this.#nextExpiryMs(nowMs),
      };
    }
    if (this.size < this.#capacity + Math.ceil(this.#capacity * RESERVE_SHARE)) return undefined;
    return { verdict: "full", capacity: this.#capacity, retryAtMs: this.#nextExpiryMs(nowMs) };
  }

  #clientNumber(client: string): number {
    let n = this.#clientNumbers.get(client);
    if (n === undefined) {
      n = this.#counts.length;
      // A copy: the id may be a slice of a larger string (a parsed request).
      this.#clientNumbers.set(Buffer.from(client, "utf8").toString("utf8"), n);
      this.#counts.push(0);
    }
    return n;
  }

  /** When the oldest entry leaves, at or after `nowMs`. */
  #nextExpiryMs(nowMs: number): number {
    for (let i = this.#head; i < this.#keys.length; i++) {
      if (this.#keys[i] !== undefined) return Math.max(nowMs, this.#expires[i]!);
    }
    return nowMs;
  }

  #remove(key: string, position: number): void {
    const index = position - this.#base;
    this.#positions.delete(key);
    this.#keys[index] = undefined;
    const clientNumber = this.#clients[index]!;
    const count = this.#counts[clientNumber]! - 1;
    this.#counts[clientNumber] = count;
    if (count === 0) this.#holders--;
  }

  /**
   * Drops expired entries. Insertion order is expiry order unless a virtual clock was set back, so
   * the usual pass stops at the first live entry; `all` looks at every entry (when full and out
   * of order).
   */
  #expire(nowMs: number, all: boolean): void {
    for (let i = this.#head; i < this.#keys.length; i++) {
      const key = this.#keys[i];
      if (key === undefined) {
        if (i === this.#head) this.#head++;
        continue;
      }
      if (this.#expires[i]! > nowMs) {
        if (all) continue;
        break;
      }
      this.#remove(key, this.#base + i);
      if (i === this.#head) this.#head++;
    }
    this.#compact();
  }

  /** Gives back the queue's dead front once it is most of the queue. */
  #compact(): void {
    if (this.#head < 1024 || this.#head * 2 < this.#keys.length) return;
    this.#keys = this.#keys.slice(this.#head);
    this.#expires = this.#expires.slice(this.#head);
    this.#clients = this.#clients.slice(this.#head);
    this.#base += this.#head;
    this.#head = 0;
  }
}
