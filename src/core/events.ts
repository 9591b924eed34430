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

export class EventLog {
  readonly #events: HarnessEvent[] = [];
  readonly #listeners = new Set<(event: HarnessEvent) => void>();
  #seq = 0;

  constructor(
    private readonly nowMs: () => number,
    /** Older events are dropped past this many, so a long-running `up` stays bounded. */
    private readonly limit = 10_000,
  ) {}

  append(event: NewEvent): HarnessEvent {
    const full: HarnessEvent = {
      ...event,
      seq: ++this.#seq,
      at: event.at ?? new Date(this.nowMs()).toISOString(),
    };
    this.#events.push(full);
    if (this.#events.length > this.limit) this.#events.splice(0, this.#events.length - this.limit);
    for (const listener of this.#listeners) listener(full);
    return full;
  }

  /** Events with seq greater than `seq`. */
  since(seq = 0): HarnessEvent[] {
    return this.#events.filter((event) => event.seq > seq);
  }

  get lastSeq(): number {
    return this.#seq;
  }

  subscribe(listener: (event: HarnessEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
