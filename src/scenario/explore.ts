/**
 * The ordering explorer: every order (and a few relative timings) of the rotation steps —
 * upload+save, provision to integration, provision to production, client deploy, and the old
 * certificate's expiry — for a client with and without a fallback certificate, under a rollover
 * policy; for each, whether it causes downtime and why; and for every NemLog-in order, the exact
 * window (relative to the old certificate's expiry) in which the client can deploy without
 * downtime, and how far each step can move before it costs downtime.
 *
 * Each NemLog-in order (upload+save, the two provisionings and the expiry: 8 orders) is run three
 * times through the runner — real STS, real SMDB, real client — once per client lane (old
 * certificate; new; new with the old as fallback); every deploy time is the combination of two
 * lanes (explore-lanes.ts). 24 runs per policy give the 112 orderings and timings, and the deploy
 * windows to the millisecond.
 */
import { availableParallelism } from "node:os";
import { formatDuration } from "../core/clock.js";
import type { RolloverPolicy } from "../sts/rollover.js";
import { deployOutcome, type Lane, safeDeployWindow } from "./explore-lanes.js";
import type { Scenario, ScenarioStep } from "./parse.js";
import { type FailureWindow, relTime, type ScenarioResult } from "./result.js";
import { runScenario } from "./runner.js";
import { runInWorkers } from "./worker-pool.js";

export type RotationStep = "upload" | "provisionIntegration" | "provisionProduction" | "deploy" | "expiry";
type NemloginStep = Exclude<RotationStep, "deploy">;

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
   * Time between consecutive NemLog-in steps (upload+save, provisionings, the expiry; default 2 h).
   * A spaced client deploy lies halfway between two of them; the run ends one spacing after the last.
   */
  spacingMs?: number;
  /** Also try the client deploy at the same instant as the step before it (default true). */
  timings?: boolean;
  /**
   * Only the orderings whose short code contains this text, in any case (codes like `U-PI-PP-D-E`; steps U
   * upload+save, PI/PP provision integration/production, D client deploy, E old certificate expiry).
   */
  match?: string;
  /** Parallel lanes: the calling thread and worker threads (default: one per core). */
  workers?: number;
  /**
   * Key size of the client's certificates (default 2048: it plays no part in a rollover decision,
   * and smaller keys make every run cheaper; a test compares the results with 3072).
   */
  clientKeyBits?: 2048 | 3072 | 4096;
  onProgress?: (done: number, total: number) => void;
  start?: string;
  /**
   * Also run every ordering as a scenario of its own (a client that deploys) and check that it
   * gives what the lanes give; a difference throws. For tests: it costs a run per ordering.
   */
  verify?: boolean;
}

export interface DeployWindow {
  /** The window relative to the scenario's start, e.g. `+8h1ms`. */
  from: string;
  to: string;
  /** The window relative to the old certificate's expiry (its notAfter). */
  fromExpiryMs: number;
  toExpiryMs: number;
  /** Its length: 0 means one exact instant. */
  slackMs: number;
  /** In words: `from provision production to old certificate expires`. */
  text: string;
}

export interface Ordering {
  /** The steps in order, each with its time relative to the start (e.g. `+2h upload+save`). */
  steps: string[];
  /** The same steps with their time relative to the old certificate's expiry (e.g. `-6h upload+save`). */
  fromExpiry: string[];
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
  /** When, for this order of the NemLog-in steps, the client can deploy without downtime (null: never). */
  deployWindow: DeployWindow | null;
}

/** How far one step can move, the others staying put, before the rotation costs downtime. */
export interface StepSlack {
  step: string;
  /** `from the start`, or `after <step>`. */
  earliest: string;
  /** `until the end`, or `before <step>`. */
  latest: string;
}

/** One order of the NemLog-in steps with one client setup: can the client deploy without downtime? */
export interface Sequence {
  /** E.g. `U → PI → PP → E`. */
  order: string;
  fallback: boolean;
  safe: boolean;
  deployWindow: DeployWindow | null;
  /** For a safe sequence: how far each NemLog-in step can move (relative to the others and the expiry). */
  slack: StepSlack[];
}

export interface ExploreResult {
  policy: RolloverPolicy;
  orderings: Ordering[];
  /** Every order of the NemLog-in steps, without and with fallback: the deploy window and each step's slack. */
  sequences: Sequence[];
  /** Scenario runs made (three client lanes per NemLog-in order; more with `verify`). */
  runs: number;
  /** Real calls made in them. */
  evaluations: number;
  elapsedMs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A client token of one minute is due at once (60-s refresh margin): every call asks for a new one. */
const EXPLORER_TOKEN_LIFETIME_MS = 60_000;
/** Key size of the explorer's client certificates (see laneScenario); the `clientKeyBits` option overrides it. */
const EXPLORER_CLIENT_KEY_BITS = 2048;

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

/** Upload+save comes before both provisionings (provisioning sends the saved set). */
function validOrder(order: RotationStep[]): boolean {
  return (
    order.indexOf("upload") < order.indexOf("provisionIntegration") &&
    order.indexOf("upload") < order.indexOf("provisionProduction")
  );
}

/** The orderings explored: every valid order of the five steps, with and without fallback, and timings. */
export function rotationVariants(timings = true): Variant[] {
  const all: RotationStep[] = ["upload", "provisionIntegration", "provisionProduction", "deploy", "expiry"];
  const orders = permutations(all).filter(validOrder);
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

/** The NemLog-in steps of an order (without the deploy). */
function nemloginOrder(order: RotationStep[]): NemloginStep[] {
  return order.filter((step): step is NemloginStep => step !== "deploy");
}

function sequenceCode(order: NemloginStep[]): string {
  return order.map((step) => STEP_CODE[step]).join("-");
}

/** Where everything happens for one NemLog-in order. */
interface Layout {
  startMs: number;
  spacingMs: number;
  /** The time of each NemLog-in step (the expiry: the old certificate's notAfter). */
  times: Map<NemloginStep, number>;
  expiryMs: number;
  endMs: number;
  /** Key size of the client certificates. */
  clientKeyBits: 2048 | 3072 | 4096;
}

function layout(order: NemloginStep[], options: ExploreOptions): Layout {
  const startMs = Date.parse(options.start ?? "2026-03-01T00:00:00Z");
  const spacingMs = options.spacingMs ?? 2 * HOUR_MS;
  const times = new Map<NemloginStep, number>();
  order.forEach((step, index) => {
    times.set(step, startMs + (index + 1) * spacingMs);
  });
  return {
    startMs,
    spacingMs,
    times,
    expiryMs: times.get("expiry")!,
    endMs: startMs + (order.length + 1) * spacingMs,
    clientKeyBits: options.clientKeyBits ?? EXPLORER_CLIENT_KEY_BITS,
  };
}

/**
 * When the variant's client deploys: halfway between the NemLog-in steps around it (spaced), or
 * at the step before it (together; 1 ms after the expiry, the first instant the old one is invalid).
 */
function deployTime(variant: Variant, at: Layout): number {
  const index = variant.order.indexOf("deploy");
  const before = variant.order[index - 1] as NemloginStep | undefined;
  if (variant.timing === "together" && before) {
    return before === "expiry" ? at.expiryMs + 1 : at.times.get(before)!;
  }
  // `index` NemLog-in steps come before the deploy.
  return at.startMs + Math.round((index + 0.5) * at.spacingMs);
}

type LaneName = "old" | "new" | "new+fallback";

/** A run of one NemLog-in order with a client that keeps one setup (and, to verify, one that deploys). */
function laneScenario(
  order: NemloginStep[],
  policy: RolloverPolicy,
  at: Layout,
  client: { cert: "old" | "new"; fallback?: "old" },
  deploy?: { atMs: number; fallback: boolean },
): Scenario {
  const steps: ScenarioStep[] = [];
  const push = (atMs: number, action: ScenarioStep["do"], args: Record<string, unknown>) =>
    steps.push({ index: steps.length, atMs, do: action, with: args, line: 0 });
  for (const step of order) {
    const atMs = at.times.get(step)!;
    switch (step) {
      case "upload":
        push(atMs, "nemlogin.upload", {
          cert: "new",
          slot: "next",
          environment: "integration",
          format: "cer",
        });
        push(atMs, "nemlogin.upload", {
          cert: "new",
          slot: "next",
          environment: "production",
          format: "cer",
        });
        push(atMs, "nemlogin.save", {});
        break;
      case "provisionIntegration":
        push(atMs, "nemlogin.provision", { environment: "integration" });
        break;
      case "provisionProduction":
        push(atMs, "nemlogin.provision", { environment: "production" });
        break;
      case "expiry":
        break;
    }
  }
  if (deploy) {
    push(
      deploy.atMs,
      "client.deploy",
      deploy.fallback ? { cert: "new", fallback: "old" } : { cert: "new", fallback: null },
    );
  }
  // At the same instant, actions run in the order given: the NemLog-in step, then the deploy.
  steps.sort((a, b) => a.atMs - b.atMs || a.index - b.index);
  return {
    name: `explore-${sequenceCode(order)}-${deploy ? "deploy" : client.cert}${client.fallback ? "-fallback" : ""}`,
    description: `Explorer: ${order.map((s) => STEP_LABEL[s]).join(", then ")}.`,
    file: `<explore ${policy}>`,
    policy,
    environment: "production",
    startMs: at.startMs,
    endMs: at.endMs,
    // RSA 2048 client keys: the key size plays no part in any rollover decision, and the client's
    // two signatures per call are then a quarter of a run's cost instead of a third. The results
    // equal those with 3072-bit keys (test/scenario/explore.test.ts compares the two).
    certificates: [
      {
        key: "old",
        profile: "oces3-system",
        keyBits: at.clientKeyBits,
        notBeforeMs: at.expiryMs - 1095 * DAY_MS,
        notAfterMs: at.expiryMs,
      },
      {
        key: "new",
        profile: "oces3-system",
        keyBits: at.clientKeyBits,
        notBeforeMs: at.startMs - DAY_MS,
        notAfterMs: at.startMs + 1094 * DAY_MS,
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
      cert: client.cert,
      ...(client.fallback ? { fallback: client.fallback } : {}),
      tokenLifetimeMs: EXPLORER_TOKEN_LIFETIME_MS,
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

const LANES: Record<LaneName, { cert: "old" | "new"; fallback?: "old" }> = {
  old: { cert: "old" },
  new: { cert: "new" },
  "new+fallback": { cert: "new", fallback: "old" },
};

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

/** `+1ms`, `-6h`, `0s`: a time relative to the expiry. */
function fromExpiry(ms: number, expiryMs: number): string {
  const delta = ms - expiryMs;
  return delta === 0 ? "0s" : delta < 0 ? formatDuration(delta) : `+${formatDuration(delta)}`;
}

/** A window bound in words: the step at that instant, or its time relative to the expiry. */
function boundText(ms: number, at: Layout): string {
  if (ms === at.startMs) return "the start";
  if (ms === at.endMs) return "the end";
  if (ms === at.expiryMs + 1) return "1 ms after the old certificate expires";
  for (const [step, time] of at.times) if (time === ms) return STEP_LABEL[step];
  return `expiry ${fromExpiry(ms, at.expiryMs)}`;
}

function describeWindow(window: { fromMs: number; toMs: number } | null, at: Layout): DeployWindow | null {
  if (!window) return null;
  const { fromMs, toMs } = window;
  const text =
    fromMs === toMs
      ? `exactly at ${boundText(fromMs, at)} (no slack)`
      : `from ${boundText(fromMs, at)} to ${boundText(toMs, at)} (${formatDuration(toMs - fromMs)})`;
  return {
    from: relTime(fromMs, at.startMs),
    to: relTime(toMs, at.startMs),
    fromExpiryMs: fromMs - at.expiryMs,
    toExpiryMs: toMs - at.expiryMs,
    slackMs: toMs - fromMs,
    text,
  };
}

function failureRows(failures: FailureWindow[], startMs: number): Ordering["failures"] {
  return failures.map((w) => ({
    from: relTime(w.fromMs, startMs),
    to: relTime(w.toMs, startMs),
    step: w.step,
    reason: w.reason,
  }));
}

/**
 * How far each NemLog-in step of a safe sequence can move: past its neighbours one at a time, as
 * long as the order stays valid and the client still has a deploy time without downtime.
 */
function sequenceSlack(order: NemloginStep[], isSafe: (order: NemloginStep[]) => boolean): StepSlack[] {
  const out: StepSlack[] = [];
  for (const step of order) {
    if (step === "expiry") continue;
    const bound = (direction: -1 | 1): string => {
      let current = [...order];
      for (;;) {
        const index = current.indexOf(step);
        const other = index + direction;
        if (other < 0) return "from the start";
        if (other >= current.length) return "until the end";
        const moved = [...current];
        [moved[index], moved[other]] = [moved[other]!, moved[index]!];
        if (!validOrder(moved) || !isSafe(moved)) {
          return `${direction < 0 ? "after" : "before"} ${STEP_LABEL[current[other]!]}`;
        }
        current = moved;
      }
    };
    out.push({ step: STEP_LABEL[step], earliest: bound(-1), latest: bound(1) });
  }
  return out;
}

function sameFailures(a: FailureWindow[], b: FailureWindow[]): boolean {
  const key = (w: FailureWindow[]) => JSON.stringify(w.map((x) => [x.fromMs, x.toMs, x.step, x.reason]));
  return key(a) === key(b);
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
  const policy = options.policy;
  // The NemLog-in orders the selected orderings need (without --match: all 8), three lanes each.
  const orders = new Map<string, NemloginStep[]>();
  for (const variant of variants) {
    const order = nemloginOrder(variant.order);
    orders.set(sequenceCode(order), order);
  }
  if (options.match === undefined) {
    for (const order of permutations<NemloginStep>([
      "upload",
      "provisionIntegration",
      "provisionProduction",
      "expiry",
    ])) {
      if (validOrder(order)) orders.set(sequenceCode(order), order);
    }
  }
  const layouts = new Map([...orders].map(([code, order]) => [code, layout(order, options)]));
  const jobs: Array<{ code: string; lane: LaneName }> = [];
  for (const code of orders.keys()) {
    for (const lane of Object.keys(LANES) as LaneName[]) jobs.push({ code, lane });
  }
  const scenarios = jobs.map(({ code, lane }) =>
    laneScenario(orders.get(code)!, policy, layouts.get(code)!, LANES[lane]),
  );
  const verifications = options.verify
    ? variants.map((variant) => {
        const order = nemloginOrder(variant.order);
        const at = layouts.get(sequenceCode(order))!;
        return laneScenario(order, policy, at, LANES.old, {
          atMs: deployTime(variant, at),
          fallback: variant.fallback,
        });
      })
    : [];
  const all = [...scenarios, ...verifications];
  const results: ScenarioResult[] = new Array(all.length);
  let done = 0;
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), all.length));
  await runAll(all, workers, (index, result) => {
    results[index] = result;
    options.onProgress?.(++done, all.length);
  });
  for (const result of results) {
    if (result.error) throw new Error(`explorer run ${result.name}: ${result.error}`);
  }
  const lanes = new Map<string, Lane>();
  jobs.forEach(({ code, lane }, index) => {
    lanes.set(`${code}/${lane}`, results[index]!.intervals);
  });
  const laneOf = (code: string, lane: LaneName) => lanes.get(`${code}/${lane}`)!;
  const windowOf = (code: string, fallback: boolean) => {
    const at = layouts.get(code)!;
    return safeDeployWindow(
      laneOf(code, "old"),
      laneOf(code, fallback ? "new+fallback" : "new"),
      at.startMs,
      at.endMs,
    );
  };

  const orderings = variants.map((variant, index): Ordering => {
    const order = nemloginOrder(variant.order);
    const code = sequenceCode(order);
    const at = layouts.get(code)!;
    const deployMs = deployTime(variant, at);
    const outcome = deployOutcome(
      laneOf(code, "old"),
      laneOf(code, variant.fallback ? "new+fallback" : "new"),
      deployMs,
    );
    if (options.verify) {
      const own = results[scenarios.length + index]!;
      if (own.downtimeMs !== outcome.downtimeMs || !sameFailures(own.failures, outcome.failures)) {
        throw new Error(
          `explorer: ${orderCode(variant.order)}${variant.fallback ? " with fallback" : ""} (${variant.timing}) gives downtime ${own.downtimeMs} ms when run on its own, ${outcome.downtimeMs} ms from the lanes`,
        );
      }
    }
    const timeOf = (step: RotationStep) => (step === "deploy" ? deployMs : at.times.get(step)!);
    const text = (step: RotationStep) =>
      step === "deploy" ? `client deploy new${variant.fallback ? " (fallback old)" : ""}` : STEP_LABEL[step];
    const first = outcome.failures[0];
    return {
      steps: variant.order.map((step) => `${relTime(timeOf(step), at.startMs)} ${text(step)}`),
      fromExpiry: variant.order.map((step) => `${fromExpiry(timeOf(step), at.expiryMs)} ${text(step)}`),
      order: variant.order.map((s) => STEP_CODE[s]).join(" → "),
      fallback: variant.fallback,
      timing: variant.timing,
      downtimeMs: outcome.downtimeMs,
      safe: outcome.downtimeMs === 0,
      firstFailureReason: first?.reason ?? null,
      firstFailureStep: first?.step ?? null,
      failures: failureRows(outcome.failures, at.startMs),
      deployWindow: describeWindow(windowOf(code, variant.fallback), at),
    };
  });

  const sequences: Sequence[] = [];
  for (const fallback of [false, true]) {
    const isSafe = (order: NemloginStep[]) => {
      const code = sequenceCode(order);
      return orders.has(code) && windowOf(code, fallback) !== null;
    };
    for (const [code, order] of orders) {
      const window = windowOf(code, fallback);
      sequences.push({
        order: order.map((s) => STEP_CODE[s]).join(" → "),
        fallback,
        safe: window !== null,
        deployWindow: describeWindow(window, layouts.get(code)!),
        slack: window ? sequenceSlack(order, isSafe) : [],
      });
    }
  }
  return {
    policy,
    orderings,
    sequences,
    runs: all.length,
    evaluations: results.reduce((sum, r) => sum + r.evaluations, 0),
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** A table: ordering, fallback, timing, downtime, first failure, safe; then the deploy windows and slack. */
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
  const safeSequences = result.sequences.filter((s) => s.safe);
  out.push(
    "",
    `When the client can deploy, per order of the NemLog-in steps (${safeSequences.length} of ${result.sequences.length} allow a deploy without downtime):`,
  );
  for (const sequence of result.sequences) {
    const client = sequence.fallback ? "new, fallback old" : "new";
    const window = sequence.deployWindow ? sequence.deployWindow.text : "never without downtime";
    const text = `  ${sequence.order.padEnd(18)} deploy ${client.padEnd(17)}  ${window}`;
    out.push(sequence.safe ? paint(32, text) : paint(31, text));
    for (const slack of sequence.slack) {
      out.push(`      ${slack.step.padEnd(22)} ${slack.earliest}, ${slack.latest}`);
    }
  }
  return `${out.join("\n")}\n`;
}
