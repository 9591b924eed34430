/**
 * "Afspil scenarie" over the admin API: each built-in scenario played step by step on a running
 * harness (virtual clock, HTTP) by the board's client, through the real STS and SMDB. Played to
 * its end, the board's timeline shows the downtime the scenario expects (which the scenario engine
 * computes on its own, elsewhere): the board's clock steps call at every instant where the answer
 * can change, so the two agree. A refused upload (a .p12) is a refused step with NemLog-in's code.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlayerView, ScenarioSummary } from "../../src/control/board/scenario-player.js";
import { type Harness, HarnessBuilder } from "../../src/harness/harness.js";
import { scenarioLibrary } from "../../src/scenario/board-library.js";
import { T0 } from "../helpers/harness.js";

const SCENARIOS = fileURLToPath(new URL("../../scenarios/", import.meta.url));

let h: Harness;

beforeAll(async () => {
  h = await new HarnessBuilder()
    .withVirtualClock(T0)
    .withHttp()
    .withOptions({ scenarios: scenarioLibrary(SCENARIOS) })
    .start();
});

afterAll(async () => {
  await h?.close();
});

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${h.adminUrl}${path}`, {
    method,
    ...(body !== undefined
      ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }
      : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

async function playToEnd(name: string): Promise<{ player: PlayerView; downtimeMs: number }> {
  const started = await api<PlayerView>("POST", "/board/scenario", { name });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  let player = started.body;
  for (let guard = 0; !player.finished && guard < 50; guard++) {
    const next = await api<PlayerView>("POST", "/board/scenario/next");
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    player = next.body;
  }
  expect(player.finished).toBe(true);
  expect(h.clock.nowMs()).toBe(player.endMs);
  const timeline = await api<{ downtimeMs: number; originMs: number }>("GET", "/board/timeline");
  expect(timeline.body.originMs).toBe(player.startMs);
  return { player, downtimeMs: timeline.body.downtimeMs };
}

describe("playing the built-in scenarios on the board", () => {
  it("lists them", async () => {
    const list = await api<{ scenarios: ScenarioSummary[] }>("GET", "/board/scenarios");
    expect(list.body.scenarios.map((s) => s.name)).toContain("client-switched-before-sts");
    expect(list.body.scenarios.length).toBeGreaterThanOrEqual(10);
  });

  // Every built-in scenario (each file is named after its scenario).
  const names = readdirSync(SCENARIOS)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.replace(/\.yaml$/, ""));
  for (const name of names) {
    it(`${name}: the board measures the downtime the scenario expects`, async () => {
      const { player, downtimeMs } = await playToEnd(name);
      const expected = player.expected.downtime;
      expect(expected, "the scenario states its downtime").toBeDefined();
      if (expected?.exactMs !== undefined) expect(downtimeMs).toBe(expected.exactMs);
      if (expected?.minMs !== undefined) expect(downtimeMs).toBeGreaterThanOrEqual(expected.minMs);
      if (expected?.maxMs !== undefined) expect(downtimeMs).toBeLessThanOrEqual(expected.maxMs);
      for (const step of player.steps) expect(step.state).not.toBe("pending");
    });
  }

  it("shows a refused upload as a refused step with NemLog-in's code", async () => {
    const { player } = await playToEnd("p12-uploaded-instead-of-cer");
    const refused = player.steps.filter((s) => s.state === "refused");
    expect(refused.map((s) => s.refusal?.code)).toContain("PKCS12_NOT_ALLOWED");
  });

  it("refuses an unknown scenario in one sentence", async () => {
    const unknown = await api<{ error: string; detail: string }>("POST", "/board/scenario", { name: "nope" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe("UNKNOWN_SCENARIO");
  });
});
