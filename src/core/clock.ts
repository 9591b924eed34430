/**
 * Time for every component. Nothing in smdb-harness reads the wall clock except `RealClock`;
 * everything else receives a `Clock` so that scenarios can run years of certificate lifetime
 * on a virtual clock in milliseconds.
 */
export interface Clock {
  /** Milliseconds since the epoch, harness time. */
  nowMs(): number;
  now(): Date;
}

/**
 * The two clocks an endpoint judges by. `harness`: certificate validity, rollover, token lifetimes,
 * records and events. `message`: the Timestamps of requests and responses and the replay window.
 * They are one clock unless the harness was given another message clock (`up --virtual-clock`
 * judges messages on the machine's clock, so that a client stamping them with its own time works).
 */
export interface Clocks {
  readonly harness: Clock;
  readonly message: Clock;
}

/** `Clocks` with `message` defaulting to `harness`: the one place that fallback is written. */
export function clocksOf(harness: Clock, message: Clock = harness): Clocks {
  return { harness, message };
}

export class RealClock implements Clock {
  nowMs(): number {
    return Date.now();
  }
  now(): Date {
    return new Date(this.nowMs());
  }
}

export class VirtualClock implements Clock {
  #ms: number;
  readonly #listeners = new Set<(ms: number) => void>();

  constructor(start: Date | number | string = 0) {
    this.#ms = toMs(start);
  }
  nowMs(): number {
    return this.#ms;
  }
  now(): Date {
    return new Date(this.#ms);
  }
  set(to: Date | number | string): void {
    this.#ms = toMs(to);
    for (const listener of this.#listeners) listener(this.#ms);
  }
  advance(by: number | string): void {
    this.set(this.#ms + (typeof by === "number" ? by : parseDuration(by)));
  }
  /** Called after every change of the time (e.g. to let a scheduler fire due actions). */
  onChange(listener: (ms: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** A clock that reads another clock with a fixed offset: a client whose clock is skewed. */
export class SkewedClock implements Clock {
  constructor(
    private readonly base: Clock,
    public skewMs: number,
  ) {}
  nowMs(): number {
    return this.base.nowMs() + this.skewMs;
  }
  now(): Date {
    return new Date(this.nowMs());
  }
}

function toMs(value: Date | number | string): number {
  if (typeof value === "number") return value;
  if (value instanceof Date) return value.getTime();
  return parseIsoTime(value);
}

export class TimeFormatError extends Error {
  override readonly name = "TimeFormatError";
}

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  // A year is 365 days in durations: `+1095d` and `+3y` mean the same.
  y: 365 * 86_400_000,
};

const DURATION_RE = /^([+-])?((?:\d+(?:\.\d+)?[smhdy])+)$/;
const PART_RE = /(\d+(?:\.\d+)?)([smhdy])/g;

/** True when the text looks like a relative duration (`+10d`, `-3y`, `10d12h30m`). */
export function isDuration(text: string): boolean {
  return DURATION_RE.test(text.trim());
}

/**
 * Parses a compound duration such as `+10d12h30m`, `-1090d`, `30s`, `3y` into signed
 * milliseconds. Units: s, m, h, d, y (y = 365 d). Each unit at most once, largest first.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const match = DURATION_RE.exec(trimmed);
  if (!match) {
    throw new TimeFormatError(
      `"${text}" is not a duration: write e.g. +10d, -3y, +1h30m or +30s (units s, m, h, d, y)`,
    );
  }
  const sign = match[1] === "-" ? -1 : 1;
  let total = 0;
  const order = "ydhms";
  let lastRank = -1;
  for (const part of match[2]!.matchAll(PART_RE)) {
    const unit = part[2]!;
    const rank = order.indexOf(unit);
    if (rank <= lastRank) {
      throw new TimeFormatError(
        `"${text}" is not a duration: give each unit once, largest first (e.g. +1d12h)`,
      );
    }
    lastRank = rank;
    total += Number(part[1]) * UNIT_MS[unit]!;
  }
  return sign * Math.round(total);
}

/** Formats milliseconds as a compact compound duration (`18d`, `1d2h30m`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  const parts: string[] = [];
  for (const unit of ["d", "h", "m", "s"] as const) {
    const size = UNIT_MS[unit]!;
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count}${unit}`);
      rest -= count * size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return sign + parts.join("");
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** Parses an absolute ISO 8601 time. A time without zone is taken as UTC. */
export function parseIsoTime(text: string): number {
  const trimmed = text.trim();
  if (!ISO_RE.test(trimmed)) {
    throw new TimeFormatError(`"${text}" is not an ISO 8601 time (e.g. 2026-01-01T00:00:00Z)`);
  }
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(trimmed) && trimmed.length > 10;
  const ms = Date.parse(hasZone ? trimmed : trimmed.length === 10 ? `${trimmed}T00:00:00Z` : `${trimmed}Z`);
  if (Number.isNaN(ms)) throw new TimeFormatError(`"${text}" is not a valid time`);
  return ms;
}

/**
 * Resolves a time given either as an absolute ISO 8601 time or as a duration relative to
 * `relativeTo` (`+10d`, `-1h`). Returns milliseconds since the epoch.
 */
export function parseTime(text: string, relativeTo: number | Date): number {
  const base = typeof relativeTo === "number" ? relativeTo : relativeTo.getTime();
  const trimmed = String(text).trim();
  if (isDuration(trimmed)) return base + parseDuration(trimmed);
  if (ISO_RE.test(trimmed)) return parseIsoTime(trimmed);
  throw new TimeFormatError(
    `"${text}" is neither an ISO 8601 time (2026-01-01T00:00:00Z) nor a relative duration (+10d, -3y, +1h30m)`,
  );
}
