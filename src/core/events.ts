/**
 * The decision event log: every accept/reject decision of the STS and the WSP appends one
 * event (docs/contract.md). Harness time, not wall time.
 */
export type Step = 0 | 1 | 2;
export type Environment = "integration" | "production";
export const ENVIRONMENTS: readonly Environment[] = ["integration", "production"];

export function isEnvironment(value: unknown): value is Environment {
  return value === "integration" || value === "production";
}

export interface HarnessEvent {
  seq: number;
  /** ISO 8601, harness (virtual) time. */
  at: string;
  env: Environment | null;
  step: Step | null;
  component: "sts" | "wsp" | "client" | "admin" | "clock";
  outcome: "ok" | "rejected";
  reason: string;
  /** The SOAP fault code sent, when one was sent. */
  fault?: string;
  systemUser?: string;
  certSha256?: string;
  messageId?: string;
  detail: string | Record<string, unknown>;
}

export type NewEvent = Omit<HarnessEvent, "seq" | "at"> & { at?: string };

/** Default bound of the log in bytes (its events as JSON, UTF-16 in memory). */
export const DEFAULT_EVENT_LOG_BYTES = 32 * 1024 * 1024;

export class EventLog {
  /** Oldest first; `#first` is the index of the oldest kept (dropped ones are cleared). */
  #events: HarnessEvent[] = [];
  #sizes: number[] = [];
  #first = 0;
  #bytes = 0;
  readonly #listeners = new Set<(event: HarnessEvent) => void>();
  #seq = 0;

  constructor(
    private readonly nowMs: () => number,
    /** Older events are dropped past this many, so a long-running `up` stays bounded. */
    private readonly limit = 10_000,
    /** …and past this many bytes: one event may carry a long detail. */
    private readonly maxBytes = DEFAULT_EVENT_LOG_BYTES,
  ) {}

  /**
   * Appends `event`. What is kept is a copy made through JSON: every string in it is new and flat,
   * so an event's messageId, systemUser or detail never keeps alive the (much larger) request it
   * was sliced from.
   */
  append(event: NewEvent): HarnessEvent {
    const json = JSON.stringify({
      ...event,
      seq: ++this.#seq,
      at: event.at ?? new Date(this.nowMs()).toISOString(),
    });
    const full = JSON.parse(json) as HarnessEvent;
    const size = json.length * 2;
    this.#events.push(full);
    this.#sizes.push(size);
    this.#bytes += size;
    while (
      this.#events.length - this.#first > 1 &&
      (this.#events.length - this.#first > this.limit || this.#bytes > this.maxBytes)
    ) {
      this.#bytes -= this.#sizes[this.#first]!;
      // Let the dropped event go at once, not at the next compaction.
      this.#events[this.#first] = undefined as unknown as HarnessEvent;
      this.#first++;
    }
    if (this.#first > 1024 && this.#first * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#first);
      this.#sizes = this.#sizes.slice(this.#first);
      this.#first = 0;
    }
    for (const listener of this.#listeners) listener(full);
    return full;
  }

  /** Bytes the kept events take (as JSON, two bytes a character). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Number of events kept. */
  get size(): number {
    return this.#events.length - this.#first;
  }

  /** Events with seq greater than `seq`. */
  since(seq = 0): HarnessEvent[] {
    const out: HarnessEvent[] = [];
    // Seqs ascend: search from the newest end.
    let i = this.#events.length;
    while (i > this.#first && this.#events[i - 1]!.seq > seq) i--;
    for (; i < this.#events.length; i++) out.push(this.#events[i]!);
    return out;
  }

  get lastSeq(): number {
    return this.#seq;
  }

  subscribe(listener: (event: HarnessEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
