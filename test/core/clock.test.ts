import { describe, expect, it } from "vitest";
import {
  formatDuration,
  parseDuration,
  parseIsoTime,
  parseTime,
  SkewedClock,
  TimeFormatError,
  VirtualClock,
} from "../../src/core/clock.js";

const DAY = 86_400_000;

describe("durations", () => {
  it("parses signed compound durations", () => {
    expect(parseDuration("+10d")).toBe(10 * DAY);
    expect(parseDuration("-3y")).toBe(-3 * 365 * DAY);
    expect(parseDuration("+10d12h30m")).toBe(10 * DAY + 12 * 3_600_000 + 30 * 60_000);
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("-1h")).toBe(-3_600_000);
  });
  it("rejects nonsense with a sentence that shows the allowed form", () => {
    for (const bad of ["+10x", "", "10", "d", "+1h1d", "+1d1d", "ten days"]) {
      expect(() => parseDuration(bad)).toThrow(TimeFormatError);
    }
    expect(() => parseDuration("+10x")).toThrow(/units s, m, h, d, y/);
  });
  it("formats durations compactly", () => {
    expect(formatDuration(18 * DAY)).toBe("18d");
    expect(formatDuration(DAY + 2 * 3_600_000 + 1500)).toBe("1d2h1s500ms");
    expect(formatDuration(0)).toBe("0s");
  });
});

describe("times", () => {
  it("parses absolute ISO and relative times", () => {
    const start = parseIsoTime("2026-01-01T00:00:00Z");
    expect(start).toBe(Date.UTC(2026, 0, 1));
    expect(parseTime("+10d", start)).toBe(start + 10 * DAY);
    expect(parseTime("2026-02-01T00:00:00Z", start)).toBe(Date.UTC(2026, 1, 1));
    expect(parseTime("2026-02-01", start)).toBe(Date.UTC(2026, 1, 1));
    expect(() => parseTime("tomorrow", start)).toThrow(/neither an ISO 8601 time/);
  });
});

describe("clocks", () => {
  it("a virtual clock moves only when told and notifies listeners", () => {
    const clock = new VirtualClock("2026-01-01T00:00:00Z");
    const seen: number[] = [];
    clock.onChange((ms) => seen.push(ms));
    clock.advance("+1d");
    clock.advance(1000);
    expect(clock.now().toISOString()).toBe("2026-01-02T00:00:01.000Z");
    expect(seen).toHaveLength(2);
    const skewed = new SkewedClock(clock, -5 * 60_000);
    expect(skewed.nowMs()).toBe(clock.nowMs() - 300_000);
  });
});
