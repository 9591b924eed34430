/**
 * Cross-checks of the exact engine.
 *
 * 1. Repeated token cycles (a renewal with no change since the token before is not called again:
 *    src/scenario/cycles.ts) give, on random scenarios with token lifetimes from 1 minute to 8
 *    hours, the same downtime and failure windows to the millisecond as a reference run that makes
 *    a real call at every renewal and, densely, in between (every third of a token lifetime).
 * 2. The exact downtime agrees with dense sampling (the same real client called at a fixed step;
 *    failing samples summed) to within one step, on several scenarios. The token lifetime is set so that the client's refresh period
 * (lifetime minus its 60 s margin) is a whole number of steps: the sampled client then refreshes
 * on the same grid as the exact one instead of drifting a little further with every token.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenarioFile, parseScenarioObject, type Scenario } from "../../src/scenario/parse.js";
import { outcomeAt } from "../../src/scenario/result.js";
import { runScenario } from "../../src/scenario/runner.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { randomScenario, seededRandom } from "../helpers/random-scenarios.js";

const HOUR = 3_600_000;
const STEP = HOUR;

async function load(name: string): Promise<Scenario> {
  const scenario = await parseScenarioFile(join(REPO_ROOT, "scenarios", `${name}.yaml`));
  scenario.client.tokenLifetimeMs = 6 * HOUR + 60_000;
  return scenario;
}

const MINUTE = 60_000;

describe("repeated token cycles agree with calling at every renewal, to the millisecond", () => {
  const lifetimes = [
    MINUTE,
    3 * MINUTE,
    5 * MINUTE,
    17 * MINUTE,
    HOUR,
    2 * HOUR + 30 * MINUTE,
    5 * HOUR,
    8 * HOUR,
  ];
  for (const [index, lifetime] of lifetimes.entries()) {
    const seed = 9_000 + index;
    it(`random scenario ${seed}, tokens of ${lifetime / MINUTE} min`, async () => {
      const { input, spanMs } = randomScenario(seed, lifetime);
      const scenario = await parseScenarioObject(input, { file: `<random ${seed}>` });
      const exact = await runScenario(scenario);
      // The reference: a real call at every renewal, and at instants every third of a lifetime
      // (shifted off any grid the scenario uses).
      const random = seededRandom(seed);
      const extra: number[] = [];
      const step = Math.round(lifetime / 3);
      for (let t = scenario.startMs + Math.floor(random() * step) + 1; t < scenario.endMs; t += step)
        extra.push(t);
      const reference = await runScenario(scenario, { everyRenewal: true, extraInstants: extra });
      expect(exact.error, JSON.stringify(input)).toBeUndefined();
      expect(reference.error).toBeUndefined();
      const windows = (r: typeof exact) => r.failures.map((w) => [w.fromMs, w.toMs, w.step, w.reason]);
      expect(windows(exact), JSON.stringify(input)).toEqual(windows(reference));
      expect(exact.downtimeMs).toBe(reference.downtimeMs);
      // At every reference instant, the same answer (ok, or the failing step and reason).
      const answer = (r: typeof exact, t: number) => {
        const o = outcomeAt(r.intervals, t)!.outcome;
        return `${o.ok} ${o.step} ${o.reason}`;
      };
      for (const t of extra)
        expect(answer(exact, t), `at ${new Date(t).toISOString()}`).toBe(answer(reference, t));
      // The reference really called at every renewal and in between; the engine far less often.
      expect(reference.evaluations).toBeGreaterThanOrEqual(spanMs / lifetime);
      expect(exact.evaluations).toBeLessThan(reference.evaluations);
    }, 300_000);
  }
});

describe("exact downtime agrees with dense sampling", () => {
  for (const name of [
    "client-switched-before-sts",
    "expired-before-client-switched",
    "p12-uploaded-instead-of-cer",
    "sts-signing-rotated-pinned",
    "privileges-missing-after-renewal",
  ]) {
    it(name, async () => {
      const scenario = await load(name);
      const exact = await runScenario(scenario);
      const sampled = await runScenario(scenario, { sampleEveryMs: STEP });
      expect(exact.error).toBeUndefined();
      expect(sampled.error).toBeUndefined();
      // Sampling really sampled: one call per step.
      expect(sampled.evaluations).toBe(Math.ceil((scenario.endMs - scenario.startMs) / STEP));
      expect(exact.downtimeMs).toBeGreaterThan(0);
      const failingSamples = sampled.intervals.filter((i) => !i.outcome.ok);
      const sampledDowntime = failingSamples.reduce((sum, i) => sum + (i.toMs - i.fromMs), 0);
      expect(Math.abs(sampledDowntime - exact.downtimeMs)).toBeLessThan(STEP);
      // The same failure windows, each boundary within one step (sampling sees a change at the next sample).
      expect(sampled.failures.map((w) => [w.step, w.reason])).toEqual(
        exact.failures.map((w) => [w.step, w.reason]),
      );
      for (const [i, w] of exact.failures.entries()) {
        const s = sampled.failures[i]!;
        expect(s.fromMs - w.fromMs).toBeGreaterThanOrEqual(0);
        expect(s.fromMs - w.fromMs).toBeLessThan(STEP);
        if (w.toMs === scenario.endMs) expect(s.toMs).toBe(w.toMs);
        else {
          expect(s.toMs - w.toMs).toBeGreaterThanOrEqual(0);
          expect(s.toMs - w.toMs).toBeLessThan(STEP);
        }
      }
      // Exact needs far fewer calls than sampling.
      expect(exact.evaluations).toBeLessThan(sampled.evaluations / 2);
    });
  }
});

describe("the outcome holds between the instants the runner visits", () => {
  for (const name of ["clock-skew", "fallback-rides-through-at-expiry", "new-subject-not-found"]) {
    it(`${name}: extra calls at arbitrary instants change nothing`, async () => {
      const scenario = await parseScenarioFile(join(REPO_ROOT, "scenarios", `${name}.yaml`));
      const exact = await runScenario(scenario);
      // Every 2h17m, off any grid the scenario uses.
      const extra: number[] = [];
      for (let t = scenario.startMs + 1; t < scenario.endMs; t += 2 * HOUR + 17 * 60_000) extra.push(t);
      const denser = await runScenario(scenario, { extraInstants: extra });
      expect(denser.evaluations).toBeGreaterThan(exact.evaluations);
      expect(denser.failures).toEqual(exact.failures);
      expect(denser.downtimeMs).toBe(exact.downtimeMs);
      expect(denser.passed).toBe(true);
    });
  }
});
