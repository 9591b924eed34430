/**
 * The ordering explorer: every order (and a few relative timings) of the rotation steps —
 * upload+save, provision to integration, provision to production, client deploy, and the old
 * certificate's expiry — for a client with and without a fallback certificate, each run as a
 * scenario through the runner (real STS, real SMDB, real client). The result shows which
 * orderings cause no downtime under a rollover policy, and why the others fail.
 */
import { availableParallelism } from "node:os";
import { formatDuration } from "../core/clock.js";
import type { RolloverPolicy } from "../sts/rollover.js";
import type { Scenario, ScenarioStep } from "./parse.js";
import { relTime, type ScenarioResult } from "./result.js";
import { runScenario } from "./runner.js";
import { runInWorkers } from "./worker-pool.js";

export type RotationStep = "upload" | "provisionIntegration" | "provisionProduction" | "deploy" | "expiry";

const STEP_LABEL: Record<RotationStep, string> = {
  upload: "upload+save",
  provisionIntegration: "provision integration",
  provisionProduction: "provision production",
  deploy: "client deploy",
  expiry: "old certificate expires",
};
const STEP_CODE: Record<RotationStep, string> = {
  upload: "U",
  provisionIntegration: "PI",
  provisionProduction: "PP",
  deploy: "D",
  expiry: "E",
};

export interface ExploreOptions {
  policy: RolloverPolicy;
  /**
   * Time between consecutive steps (default 9 h: longer than a token lives, so that a cached
   * token cannot bridge a whole gap). The scenario ends this long after the last step too.
   */
  spacingMs?: number;
  /** Also try the client deploy at the same instant as the step before it (default true). */
  timings?: boolean;
  /**
   * Only the orderings whose short code contains this text, in any case (codes like `U-PI-PP-D-E`; steps U
   * upload+save, PI/PP provision integration/production, D client deploy, E old certificate expiry).
   */
  match?: string;
  /** Worker threads (default: one per core). */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
  start?: string;
}

export interface Ordering {
  /** The steps in order, each with its time relative to the start (e.g. `+12h upload+save`). */
  steps: string[];
  /** Short form, e.g. `U → PP → D → E → PI`. */
  order: string;
  fallback: boolean;
  /** `spaced`: every step at its own time; `together`: the deploy at the same instant as the step before it. */
  timing: "spaced" | "together";
  downtimeMs: number;
  safe: boolean;
  firstFailureReason: string | null;
  firstFailureStep: number | null;
  /** The failure windows, relative to the start. */
  failures: Array<{ from: string; to: string; step: number; reason: string }>;
}

export interface ExploreResult {
  policy: RolloverPolicy;
  orderings: Ordering[];
  elapsedMs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  const out: T[][] = [];
  items.forEach((item, index) => {
    for (const rest of permutations([...items.slice(0, index), ...items.slice(index + 1)]))
      out.push([item, ...rest]);
  });
  return out;
}

/** `U-PI-PP-D-E`. */
export function orderCode(order: RotationStep[]): string {
  return order.map((step) => STEP_CODE[step]).join("-");
}

interface Variant {
  order: RotationStep[];
  fallback: boolean;
  timing: "spaced" | "together";
}

/** The orderings explored: upload+save comes before both provisionings (provisioning sends the saved set). */
export function rotationVariants(timings = true): Variant[] {
  const all: RotationStep[] = ["upload", "provisionIntegration", "provisionProduction", "deploy", "expiry"];
  const orders = permutations(all).filter(
    (order) =>
      order.indexOf("upload") < order.indexOf("provisionIntegration") &&
      order.indexOf("upload") < order.indexOf("provisionProduction"),
  );
  const variants: Variant[] = [];
  for (const fallback of [false, true]) {
    for (const order of orders) {
      variants.push({ order, fallback, timing: "spaced" });
      const at = order.indexOf("deploy");
      // Deploying at the very moment of the step before is the interesting timing: right when
      // production is provisioned, or the first millisecond after the old certificate expired.
      if (timings && at > 0 && (order[at - 1] === "provisionProduction" || order[at - 1] === "expiry")) {
        variants.push({ order, fallback, timing: "together" });
      }
    }
  }
  return variants;
}

/** Builds the scenario for one variant (already in parsed form). */
export function variantScenario(variant: Variant, policy: RolloverPolicy, options: ExploreOptions): Scenario {
  const startMs = Date.parse(options.start ?? "2026-03-01T00:00:00Z");
  const spacing = options.spacingMs ?? 9 * HOUR_MS;
  const times = new Map<RotationStep, number>();
  variant.order.forEach((step, index) => {
    times.set(step, startMs + (index + 1) * spacing);
  });
  const expiryMs = times.get("expiry")!;
  if (variant.timing === "together") {
    const before = variant.order[variant.order.indexOf("deploy") - 1]!;
    // The STS accepts a certificate through its notAfter; the first instant after is notAfter + 1 ms.
    times.set("deploy", before === "expiry" ? expiryMs + 1 : times.get(before)!);
  }
  const steps: ScenarioStep[] = [];
  const push = (atMs: number, action: ScenarioStep["do"], args: Record<string, unknown>) =>
    steps.push({ index: steps.length, atMs, do: action, with: args, line: 0 });
  for (const step of variant.order) {
    const at = times.get(step)!;
    switch (step) {
      case "upload":
        push(at, "nemlogin.upload", { cert: "new", slot: "next", environment: "integration", format: "cer" });
        push(at, "nemlogin.upload", { cert: "new", slot: "next", environment: "production", format: "cer" });
        push(at, "nemlogin.save", {});
        break;
      case "provisionIntegration":
        push(at, "nemlogin.provision", { environment: "integration" });
        break;
      case "provisionProduction":
        push(at, "nemlogin.provision", { environment: "production" });
        break;
      case "deploy":
        push(
          at,
          "client.deploy",
          variant.fallback ? { cert: "new", fallback: "old" } : { cert: "new", fallback: null },
        );
        break;
      case "expiry":
        break;
    }
  }
  steps.sort((a, b) => a.atMs - b.atMs || a.index - b.index);
  const lastMs = Math.max(...times.values());
  const name = `${orderCode(variant.order)}${variant.fallback ? "-fallback" : ""}${variant.timing === "together" ? "-together" : ""}`;
  return {
    name,
    description: `Explorer: ${variant.order.map((s) => STEP_LABEL[s]).join(", then ")}.`,
    file: `<explore ${policy}>`,
    policy,
    environment: "production",
    startMs,
    // Long enough after the last step for a token cached before it to run out.
    endMs: lastMs + spacing,
    certificates: [
      { key: "old", profile: "oces3-system", notBeforeMs: expiryMs - 1095 * DAY_MS, notAfterMs: expiryMs },
      {
        key: "new",
        profile: "oces3-system",
        notBeforeMs: startMs - DAY_MS,
        notAfterMs: startMs + 1094 * DAY_MS,
      },
    ],
    systemUser: {
      cert: "old",
      provisioned: ["integration", "production"],
      cvr: "91234567",
      name: "explorer systembruger",
      entityId: "https://wsc.example.dk/explorer",
    },
    client: {
      cert: "old",
      findBy: "thumbprint",
      operation: "IndberetForloeb",
      stsEnvironment: "production",
      wspEnvironment: "production",
      clockSkewMs: 0,
    },
    wsp: {},
    steps,
    expect: {},
  };
}

function describeVariant(variant: Variant, scenario: Scenario, result: ScenarioResult): Ordering {
  const start = scenario.startMs;
  const expiry = scenario.certificates.find((c) => c.key === "old")!.notAfterMs;
  const labelled: Array<{ at: number; text: string; rank: number }> = [];
  const seen = new Set<RotationStep>();
  variant.order.forEach((step, rank) => {
    if (seen.has(step)) return;
    seen.add(step);
    let at: number;
    if (step === "expiry") at = expiry;
    else if (step === "upload") at = scenario.steps.find((s) => s.do === "nemlogin.upload")!.atMs;
    else if (step === "deploy") at = scenario.steps.find((s) => s.do === "client.deploy")!.atMs;
    else {
      const env = step === "provisionIntegration" ? "integration" : "production";
      at = scenario.steps.find((s) => s.do === "nemlogin.provision" && s.with.environment === env)!.atMs;
    }
    const text =
      step === "deploy" ? `client deploy new${variant.fallback ? " (fallback old)" : ""}` : STEP_LABEL[step];
    labelled.push({ at, text, rank });
  });
  const first = result.failures[0];
  return {
    steps: labelled.map((l) => `${relTime(l.at, start)} ${l.text}`),
    order: variant.order.map((s) => STEP_CODE[s]).join(" → "),
    fallback: variant.fallback,
    timing: variant.timing,
    downtimeMs: result.downtimeMs,
    safe: !result.error && result.downtimeMs === 0,
    firstFailureReason: result.error ? `ERROR: ${result.error}` : (first?.reason ?? null),
    firstFailureStep: first?.step ?? null,
    failures: result.failures.map((w) => ({
      from: relTime(w.fromMs, start),
      to: relTime(w.toMs, start),
      step: w.step,
      reason: w.reason,
    })),
  };
}

/** Runs parsed scenarios, in parallel worker threads when there are several cores. */
async function runAll(
  scenarios: Scenario[],
  workers: number,
  onDone: (index: number, result: ScenarioResult) => void,
): Promise<void> {
  if (workers <= 1) {
    for (const [index, scenario] of scenarios.entries()) onDone(index, await runScenario(scenario));
    return;
  }
  await runInWorkers(
    scenarios.map((scenario) => ({ scenario })),
    workers,
    onDone,
    (index, reply) => new Error(`${scenarios[index]!.name}: ${reply.message}`),
  );
}

export async function exploreOrderings(options: ExploreOptions): Promise<ExploreResult> {
  const started = performance.now();
  const variants = rotationVariants(options.timings ?? true).filter(
    (variant) =>
      options.match === undefined || orderCode(variant.order).includes(options.match.toUpperCase()),
  );
  if (variants.length === 0) {
    throw new RangeError(
      `no ordering matches "${options.match}"; orderings are written like U-PI-PP-D-E (U upload+save, PI provision integration, PP provision production, D client deploy, E old certificate expires)`,
    );
  }
  const scenarios = variants.map((variant) => variantScenario(variant, options.policy, options));
  const results: ScenarioResult[] = new Array(scenarios.length);
  let done = 0;
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), scenarios.length));
  await runAll(scenarios, workers, (index, result) => {
    results[index] = result;
    options.onProgress?.(++done, scenarios.length);
  });
  return {
    policy: options.policy,
    orderings: variants.map((variant, index) => describeVariant(variant, scenarios[index]!, results[index]!)),
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** A table: ordering, fallback, timing, downtime, first failure, safe. */
export function formatExploreTable(result: ExploreResult, options: { color?: boolean } = {}): string {
  const paint = (code: number, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const rows = result.orderings.map((o) => [
    o.order,
    o.fallback ? "yes" : "no",
    o.timing === "together" ? "deploy with previous step" : "spaced",
    o.downtimeMs === 0 ? "0s" : formatDuration(o.downtimeMs),
    o.firstFailureReason ? `step ${o.firstFailureStep} ${o.firstFailureReason}` : "—",
    o.safe ? "safe" : "DOWNTIME",
  ]);
  const header = ["ordering", "fallback", "timing", "downtime", "first failure", "verdict"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  const safe = result.orderings.filter((o) => o.safe).length;
  const out = [
    `policy ${result.policy}: ${safe} of ${result.orderings.length} orderings cause no downtime`,
    "U upload+save · PI provision integration · PP provision production · D client deploy new · E old certificate expires",
    "",
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map((r) => {
      const text = line(r);
      return r[5] === "safe" ? paint(32, text) : paint(31, text);
    }),
  ];
  return `${out.join("\n")}\n`;
}
