/**
 * The board's live timeline: what NemLog-in had in draft, saved and provisioned per environment,
 * which certificate the client used, what the STS said of it, and how the client's calls went —
 * as lanes of segments over harness time, like the scenario report's, with the downtime so far.
 *
 * `Timeline` keeps observations (a lane's value from an instant on); a value holds until the
 * lane's next observation, the last one until now. Only changes are kept, and at most `limit`
 * observations (the oldest go). When the clock is set back, what was observed after the new time
 * is dropped — that future has not happened — and a marker says so. Values are data (thumbprints,
 * codes), not words: the page words them in its language.
 */

export type Tone = "ok" | "fail" | "info" | "none";

export interface LaneValue {
  tone: Tone;
  /** What the page shows; compared as JSON to merge equal neighbours. */
  data: Record<string, unknown>;
}

export interface Segment {
  fromMs: number;
  toMs: number;
  tone: Tone;
  data: Record<string, unknown>;
}

export interface LaneView {
  id: string;
  segments: Segment[];
}

export interface TimelineMarker {
  atMs: number;
  kind: "clock-back" | "scenario-step";
  data: Record<string, unknown>;
}

export interface TimelineView {
  originMs: number;
  nowMs: number;
  lanes: LaneView[];
  /** Total time in which the client's calls failed, up to now. */
  downtimeMs: number;
  markers: TimelineMarker[];
}

interface Observation {
  atMs: number;
  lane: string;
  value: LaneValue;
  key: string;
}

/** The lane whose red segments are downtime. */
export const CALLS_LANE = "calls";

export class Timeline {
  #originMs: number;
  #observations: Observation[] = [];
  #markers: TimelineMarker[] = [];
  /** The newest value per lane, to keep changes only. */
  #latest = new Map<string, string>();

  constructor(
    originMs: number,
    readonly lanes: readonly string[],
    readonly limit = 5000,
  ) {
    this.#originMs = originMs;
  }

  get originMs(): number {
    return this.#originMs;
  }

  /** Starts over at `originMs` (the clock's reset, or a scenario's start). */
  reset(originMs: number): void {
    this.#originMs = originMs;
    this.#observations = [];
    this.#markers = [];
    this.#latest.clear();
  }

  /** Records the lanes' values at `atMs` (lanes not given keep theirs). */
  observe(atMs: number, values: Record<string, LaneValue>): void {
    this.#rewindTo(atMs);
    for (const [lane, value] of Object.entries(values)) {
      const key = JSON.stringify([value.tone, value.data]);
      if (this.#latest.get(lane) === key) continue;
      this.#latest.set(lane, key);
      this.#observations.push({ atMs, lane, value, key });
    }
    if (this.#observations.length > this.limit) {
      this.#observations.splice(0, this.#observations.length - this.limit);
    }
  }

  mark(marker: TimelineMarker): void {
    this.#rewindTo(marker.atMs);
    this.#markers.push(marker);
    if (this.#markers.length > 500) this.#markers.shift();
  }

  /** The clock went back to `atMs`: what was observed after it is dropped. */
  #rewindTo(atMs: number): void {
    if (atMs < this.#originMs) this.#originMs = atMs;
    const last = this.#observations[this.#observations.length - 1];
    if (!last || last.atMs <= atMs) return;
    const kept = this.#observations.filter((o) => o.atMs <= atMs);
    this.#observations = kept;
    this.#markers = this.#markers.filter((m) => m.atMs <= atMs);
    this.#markers.push({ atMs, kind: "clock-back", data: {} });
    this.#latest.clear();
    for (const o of kept) this.#latest.set(o.lane, o.key);
    // The last value of a lane whose change was dropped holds again from the new time on.
  }

  view(nowMs: number): TimelineView {
    const end = Math.max(nowMs, this.#originMs);
    const lanes: LaneView[] = this.lanes.map((id) => {
      const points = this.#observations.filter((o) => o.lane === id);
      const segments: Segment[] = [];
      points.forEach((point, i) => {
        const toMs = i + 1 < points.length ? points[i + 1]!.atMs : end;
        if (toMs < point.atMs) return;
        segments.push({ fromMs: point.atMs, toMs, tone: point.value.tone, data: point.value.data });
      });
      return { id, segments };
    });
    const calls = lanes.find((l) => l.id === CALLS_LANE);
    const downtimeMs = (calls?.segments ?? [])
      .filter((s) => s.tone === "fail")
      .reduce((sum, s) => sum + (s.toMs - s.fromMs), 0);
    return { originMs: this.#originMs, nowMs: end, lanes, downtimeMs, markers: [...this.#markers] };
  }
}
