/**
 * Reads a scenario (YAML text, a file, or an already-parsed object), validates it against the
 * JSON Schema and the semantic rules, and resolves every time to milliseconds. Every problem is
 * reported with file, line, column and field, and says what is allowed.
 */
import { readFile } from "node:fs/promises";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import type {
  PlayableCertificate,
  PlayableScenario,
  PlayableStep,
} from "../control/board/scenario-player.js";
import { parseDuration, parseIsoTime, TimeFormatError } from "../core/clock.js";
import { HarnessError } from "../core/errors.js";
import type { Environment } from "../core/events.js";
import { fileErrorSentence } from "../core/file-errors.js";
import {
  allFailureReasons,
  closestReason,
  FAILURE_REASONS,
  isFailureReason,
  type ReasonStep,
  stepsOfReason,
} from "../core/reason-codes.js";
import { DEFAULT_ROLLOVER_POLICY } from "../sts/rollover.js";
import { ACTIONS, type ActionName, actionSchemas, PRIVILEGE_SHORT_NAMES, scenarioSchema } from "./schema.js";

export interface ScenarioProblem {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the field, e.g. `steps[2].with.cert`. */
  field: string;
  message: string;
}

/** A scenario that cannot be run: bad YAML, schema violations or semantic errors (exit 2). */
export class ScenarioError extends HarnessError {
  override readonly name = "ScenarioError";
  constructor(public readonly problems: ScenarioProblem[]) {
    super(
      "SCENARIO_INVALID",
      problems
        .map((p) => `${p.file}:${p.line}:${p.column}: ${p.field || "(scenario)"}: ${p.message}`)
        .join("\n"),
      { problems },
    );
  }
}

export interface CertificateSpec extends PlayableCertificate {
  keyBits?: number;
}

export interface ScenarioStep extends PlayableStep {
  do: ActionName;
  /** Validated arguments; `environment` filled in with the scenario default where it applies. */
  with: Record<string, unknown>;
  line: number;
}

/**
 * How closely an expected time or duration must match: 1 ms when it was written with a
 * sub-second part (`1d1ms`, `+2d0.5s`, `…T00:00:00.001Z`), else 1 s — certificate validity has
 * one-second resolution, so `18d` matches an actual 18d + 1 ms (a rollover at notAfter + 1 ms).
 */
export type PrecisionMs = 1 | 1000;

export interface DowntimeExpectation {
  exactMs?: number;
  minMs?: number;
  maxMs?: number;
  precisionMs: PrecisionMs;
}

export interface FailureExpectation {
  fromMs: number;
  toMs: number;
  step: 0 | 1 | 2;
  reason: string;
  line: number;
  precisionMs: PrecisionMs;
}

export interface CallExpectation {
  atMs: number;
  outcome: "ok" | "fail";
  step?: 0 | 1 | 2;
  reason?: string;
  certificate?: string;
  line: number;
}

/**
 * A parsed scenario: the shape the trainer board plays (PlayableScenario, one floor down), with
 * where things are in the file and the full expectations.
 */
export interface Scenario extends Omit<PlayableScenario, "certificates" | "steps" | "expect"> {
  /** Where some parts are in the file (`setup.systemUser`, `setup.client`), for errors found while running. */
  lines?: Record<string, { line: number; column: number }>;
  file: string;
  certificates: CertificateSpec[];
  steps: ScenarioStep[];
  expect: {
    downtime?: DowntimeExpectation;
    failures?: FailureExpectation[];
    calls?: CallExpectation[];
  };
}

/**
 * The compiled schemas, made on first use: compiling costs ~0.1 s, and most importers (a scenario
 * worker, `up`, the explorer) never parse a scenario file.
 */
let compiled: { scenario: ValidateFunction; actions: Map<ActionName, ValidateFunction> } | undefined;
function validators(): NonNullable<typeof compiled> {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
    compiled = {
      scenario: ajv.compile(scenarioSchema),
      actions: new Map(ACTIONS.map((action) => [action, ajv.compile(actionSchemas[action])])),
    };
  }
  return compiled;
}

/** Actions whose `with.environment` defaults to the scenario's environment. */
const ENV_ACTIONS = new Set<ActionName>([
  "nemlogin.upload",
  "nemlogin.provision",
  "sts.rotateSigningCertificate",
  "client.trustStsCertificate",
  "wsp.trustStsCertificate",
]);

const DAY_MS = 86_400_000;

/** Hints for required fields: what the field is for. */
const REQUIRED_HINTS: Record<string, string> = {
  client:
    "a scenario needs a client: give setup.client.cert, the certificate the client starts with (e.g. `client: { cert: old }`)",
  systemUser:
    "a scenario needs a systembruger: give setup.systemUser.cert, its registered certificate (e.g. `systemUser: { cert: old, provisioned: [production] }`)",
  setup: "a scenario needs `setup` with `systemUser` and `client`",
  certificates: "a scenario needs `certificates`: a map of names to { notBefore, notAfter }",
  start: "a scenario needs `start`, an ISO 8601 time (e.g. 2026-01-01T00:00:00Z)",
  name: "a scenario needs a `name` (letters, digits, . _ -)",
};

/** 1 when the text gives milliseconds or fractions of a second, else 1000. */
export function precisionOf(...values: unknown[]): PrecisionMs {
  return values.some((v) => typeof v === "string" && (/\d\s*ms\s*$/.test(v) || /\d\.\d/.test(v))) ? 1 : 1000;
}

/** Parses a time: ISO 8601, or a duration relative to `startMs` (`+10d`, `-1090d`, `+30d1ms`). */
export function parseScenarioTime(value: unknown, startMs: number): number {
  if (typeof value !== "string") {
    throw new TimeFormatError(`expected a time as text (ISO 8601 or +10d), got ${describe(value)}`);
  }
  const text = value.trim();
  if (/^[+-]?\d/.test(text) && /[smhdy]$/.test(text) && !/^\d{4}-/.test(text)) {
    return startMs + parseScenarioDuration(text);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) return parseIsoTime(text);
  throw new TimeFormatError(
    `"${value}" is neither an ISO 8601 time (2026-01-01T00:00:00Z) nor a duration relative to start (+10d, -1090d, +10d12h30m)`,
  );
}

/** A compound duration; besides the units s, m, h, d, y a trailing milliseconds part (`+30d1ms`). */
export function parseScenarioDuration(value: unknown): number {
  if (value === 0) return 0;
  if (typeof value !== "string") {
    throw new TimeFormatError(
      `expected a duration as text (e.g. 18d, 1d12h, 90s, 0s), got ${describe(value)}`,
    );
  }
  const text = value.trim();
  const ms = /^([+-]?)(.*?)(\d+)ms$/.exec(text);
  if (ms) {
    const sign = ms[1] === "-" ? -1 : 1;
    const rest = ms[2] ? parseDuration(ms[2]) : 0;
    if (rest < 0) throw new TimeFormatError(`"${value}" is not a duration: put the sign first`);
    return sign * (rest + Number(ms[3]));
  }
  return parseDuration(text);
}

function describe(value: unknown): string {
  if (value === null) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Where things are in the YAML text. */
class Locator {
  constructor(
    readonly file: string,
    private readonly doc: ReturnType<typeof parseDocument> | undefined,
    private readonly lines: LineCounter | undefined,
  ) {}

  /**
   * Position of the value at `path` (of its key when `keyOf` names a key in that map). When the
   * path does not exist, the key of the nearest existing parent.
   */
  at(path: Array<string | number>, keyOf?: string): { line: number; column: number } {
    if (!this.doc || !this.lines) return { line: 1, column: 1 };
    if (keyOf !== undefined) {
      const key = this.keyNode([...path, keyOf]);
      if (key?.range) return this.pos(key.range[0]);
    }
    for (let length = path.length; length >= 0; length--) {
      const node = this.doc.getIn(path.slice(0, length), true) as Node | undefined;
      if (!node) continue;
      if (length < path.length || isMap(node) || (node as { items?: unknown }).items) {
        // A collection or a missing child: the key line reads best.
        const key = length > 0 ? this.keyNode(path.slice(0, length)) : undefined;
        if (key?.range) return this.pos(key.range[0]);
      }
      if (node.range) return this.pos(node.range[0]);
    }
    return { line: 1, column: 1 };
  }

  /** The key node of the last element of `path` when its parent is a map. */
  private keyNode(path: Array<string | number>): Node | undefined {
    const parent = this.doc!.getIn(path.slice(0, -1), true) as Node | undefined;
    if (!parent || !isMap(parent)) return undefined;
    const last = path[path.length - 1];
    const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === last);
    return pair && isScalar(pair.key) ? pair.key : undefined;
  }

  private pos(offset: number): { line: number; column: number } {
    const { line, col } = this.lines!.linePos(offset);
    return { line, column: col };
  }
}

function fieldName(path: Array<string | number>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

function pointerToPath(pointer: string, data: unknown): Array<string | number> {
  if (!pointer) return [];
  const parts = pointer
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
  const out: Array<string | number> = [];
  let cursor: unknown = data;
  for (const part of parts) {
    const key: string | number = Array.isArray(cursor) && /^\d+$/.test(part) ? Number(part) : part;
    out.push(key);
    cursor = cursor && typeof cursor === "object" ? (cursor as Record<string, unknown>)[key] : undefined;
  }
  return out;
}

function ajvProblems(
  errors: ErrorObject[],
  data: unknown,
  base: Array<string | number>,
  locator: Locator,
): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === "if" || error.keyword === "anyOf" || error.keyword === "oneOf") continue;
    const path = [...base, ...pointerToPath(error.instancePath, data)];
    let message: string;
    let fieldPath = path;
    let keyOf: string | undefined;
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case "required": {
        const missing = String(params.missingProperty);
        fieldPath = [...path, missing];
        message = REQUIRED_HINTS[missing] ?? `missing required field "${missing}"`;
        break;
      }
      case "additionalProperties": {
        const extra = String(params.additionalProperty);
        const allowed = Object.keys(
          ((error.parentSchema as Record<string, unknown>)?.properties as Record<string, unknown>) ?? {},
        );
        fieldPath = [...path, extra];
        keyOf = extra;
        message = `unknown field "${extra}"; allowed here: ${allowed.length ? allowed.join(", ") : "none"}`;
        break;
      }
      case "enum": {
        const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ");
        message = `${JSON.stringify(error.data)} is not allowed; use one of: ${allowed}`;
        break;
      }
      case "type": {
        const description = (error.parentSchema as Record<string, unknown> | undefined)?.description;
        message = `must be ${[params.type].flat().join(" or ")}, got ${describe(error.data)}${description ? ` (${description})` : ""}`;
        break;
      }
      case "pattern": {
        const last = path[path.length - 1];
        const guess =
          last === "reason" && typeof error.data === "string"
            ? closestReason(error.data, allFailureReasons())
            : undefined;
        message = `${JSON.stringify(error.data)} is not allowed: ${patternHint(path)}${guess ? `; did you mean ${guess}?` : ""}`;
        break;
      }
      case "propertyNames":
        continue;
      case "minProperties":
        message = "must not be empty";
        break;
      case "minLength":
        message = "must not be empty";
        break;
      case "uniqueItems":
        message = "lists the same value twice";
        break;
      default:
        message = error.message ?? "is not valid";
    }
    if (error.keyword === "pattern" && error.propertyName !== undefined) continue;
    const at = locator.at(fieldPath.slice(0, keyOf ? -1 : undefined), keyOf);
    const problem = { file: locator.file, ...at, field: fieldName(fieldPath), message };
    const id = `${problem.line}:${problem.field}:${message}`;
    if (!seen.has(id)) {
      seen.add(id);
      problems.push(problem);
    }
  }
  // Bad certificate names: ajv reports them as propertyNames/pattern on the name.
  for (const error of errors) {
    if (error.keyword === "pattern" && error.propertyName !== undefined) {
      const path = [...base, ...pointerToPath(error.instancePath, data)];
      const at = locator.at(path, error.propertyName);
      problems.push({
        file: locator.file,
        ...at,
        field: fieldName([...path, error.propertyName]),
        message: `"${error.propertyName}" is not a valid certificate name: use letters, digits, - and _, starting with a letter`,
      });
    }
  }
  return problems;
}

/** What fails at each step, for the list of allowed reason codes. */
const STEP_LABEL: Record<ReasonStep, string> = {
  0: "step 0 (the client's own setup, nothing sent)",
  1: "step 1 (the STS, or the client reading its answer)",
  2: "step 2 (the SMDB, or the client reading its answer)",
};

/**
 * Why `reason` is not a code a failure at `step` can carry (every step when none is given), or
 * undefined when it is one. Names the closest code and the allowed ones (src/core/reason-codes.ts).
 */
export function reasonProblem(reason: string, step: ReasonStep | undefined): string | undefined {
  const steps: ReasonStep[] = step === undefined ? [0, 1, 2] : [step];
  if (steps.some((s) => isFailureReason(s, reason))) return undefined;
  const allowed = steps.map((s) => `${STEP_LABEL[s]}: ${FAILURE_REASONS[s].join(", ")}`).join("; ");
  const elsewhere = stepsOfReason(reason);
  if (elsewhere.length > 0) {
    return `${reason} is not a reason of step ${step}; it is one of ${elsewhere.map((s) => `step ${s}`).join(" and ")}: fix the step or the reason. Allowed at ${allowed}`;
  }
  const guess = closestReason(
    reason,
    steps.flatMap((s) => FAILURE_REASONS[s]),
  );
  const what = step === undefined ? "a reason code" : `a reason code of step ${step}`;
  return `${reason} is not ${what}${guess ? `; did you mean ${guess}?` : "."} Allowed at ${allowed}`;
}

function patternHint(path: Array<string | number>): string {
  const last = path[path.length - 1];
  if (last === "cvr") return "a CVR number has 8 digits (fictitious test numbers start with 9)";
  if (last === "reason") return "a reason code is upper case with underscores, e.g. CERT_NOT_YET_ACTIVE";
  if (last === "name") return "a scenario name uses letters, digits, . _ and -";
  return "not in the expected form";
}

export interface ParseOptions {
  /** Name used in error messages (the file path, or `<inline>`). */
  file?: string;
}

/** Parses YAML text. Throws `ScenarioError` listing every problem. */
export function parseScenarioText(text: string, options: ParseOptions = {}): Scenario {
  const file = options.file ?? "<inline>";
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((error) => {
        const { line, col } = lines.linePos(error.pos[0]);
        return {
          file,
          line,
          column: col,
          field: "",
          message: `YAML syntax error: ${error.message.split("\n")[0]}`,
        };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The yaml library refuses alias bombs here ("Excessive alias count …").
    throw new ScenarioError([
      { file, line: 1, column: 1, field: "", message: `YAML refused: ${(error as Error).message}` },
    ]);
  }
  return validate(data, new Locator(file, doc, lines));
}

/** Reads and parses a scenario file. */
export async function parseScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ScenarioError([
      {
        file: path,
        line: 1,
        column: 1,
        field: "",
        message: fileErrorSentence("the file", error),
      },
    ]);
  }
  return parseScenarioText(text, { file: path });
}

/** Validates an object shaped like the YAML (for `runScenario(object)`). */
export function parseScenarioObject(data: unknown, options: ParseOptions = {}): Scenario {
  return validate(structuredClone(data), new Locator(options.file ?? "<object>", undefined, undefined));
}

/** A map that has passed the JSON Schema: its shape is known, field by field, from the schema. */
// biome-ignore lint/suspicious/noExplicitAny: validated by ajv against scenarioSchema just before use
type Raw = Record<string, any>;

function validate(data: unknown, locator: Locator): Scenario {
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    throw new ScenarioError([
      {
        file: locator.file,
        line: 1,
        column: 1,
        field: "",
        message: `a scenario is a YAML map with name, start, certificates, setup, steps and expect; got ${describe(data)}`,
      },
    ]);
  }
  const validateScenario = validators().scenario;
  if (!validateScenario(data)) {
    throw new ScenarioError(ajvProblems(validateScenario.errors ?? [], data, [], locator));
  }
  const raw = data as Raw;
  const problems: ScenarioProblem[] = [];
  const problem = (path: Array<string | number>, message: string, keyOf?: string) => {
    const at = locator.at(path, keyOf);
    problems.push({ file: locator.file, ...at, field: fieldName(path), message });
  };

  let startMs = Number.NaN;
  try {
    startMs = parseIsoTime(String(raw.start));
  } catch (error) {
    problem(["start"], `${(error as Error).message}; start must be absolute`);
  }
  if (Number.isNaN(startMs)) throw new ScenarioError(problems);

  const time = (path: Array<string | number>, value: unknown, notBeforeStart: boolean): number => {
    try {
      const ms = parseScenarioTime(value, startMs);
      if (notBeforeStart && ms < startMs) {
        problem(
          path,
          `${value} is before the scenario's start (${raw.start}); times here must be at or after start`,
        );
      }
      return ms;
    } catch (error) {
      problem(path, (error as Error).message);
      return Number.NaN;
    }
  };
  const duration = (path: Array<string | number>, value: unknown, nonNegative = true): number => {
    try {
      const ms = parseScenarioDuration(value);
      if (nonNegative && ms < 0) problem(path, `${value} is negative; give a duration such as 8h or 18d`);
      return ms;
    } catch (error) {
      problem(path, (error as Error).message);
      return Number.NaN;
    }
  };

  const environment: Environment = raw.environment ?? "production";
  const certNames = Object.keys(raw.certificates as Raw);
  const certificates: CertificateSpec[] = [];
  for (const key of certNames) {
    const spec = raw.certificates[key] as Raw;
    const notBeforeMs = time(["certificates", key, "notBefore"], spec.notBefore, false);
    const notAfterMs = time(["certificates", key, "notAfter"], spec.notAfter, false);
    if (notAfterMs <= notBeforeMs) {
      problem(
        ["certificates", key, "notAfter"],
        `notAfter (${spec.notAfter}) must be after notBefore (${spec.notBefore})`,
      );
    }
    certificates.push({
      key,
      profile: spec.profile ?? "oces3-system",
      notBeforeMs,
      notAfterMs,
      cn: spec.name,
      organization: spec.organization,
      cvr: spec.cvr,
      keyBits: spec.keyBits,
    });
  }
  const certRef = (path: Array<string | number>, value: unknown) => {
    if (typeof value === "string" && !certNames.includes(value)) {
      problem(path, `unknown certificate "${value}"; the scenario defines: ${certNames.join(", ")}`);
    }
  };
  const privileges = (path: Array<string | number>, list: unknown): string[] | undefined => {
    if (!Array.isArray(list)) return undefined;
    return list.map((item: string, index) => {
      if (PRIVILEGE_SHORT_NAMES[item]) return PRIVILEGE_SHORT_NAMES[item]!;
      if (!/^urn:/.test(item)) {
        problem([...path, index], `"${item}" is neither a privilege URI (urn:…) nor one of: indberet, hent`);
      }
      return item;
    });
  };

  const su = raw.setup.systemUser as Raw;
  certRef(["setup", "systemUser", "cert"], su.cert);
  if (su.next !== undefined) certRef(["setup", "systemUser", "next"], su.next);
  const client = raw.setup.client as Raw;
  certRef(["setup", "client", "cert"], client.cert);
  if (client.fallback !== undefined) certRef(["setup", "client", "fallback"], client.fallback);
  const cvr = su.cvr ?? certificates.find((c) => c.key === su.cert)?.cvr ?? "91234567";

  const steps: ScenarioStep[] = [];
  const rawSteps = (raw.steps ?? []) as Raw[];
  rawSteps.forEach((step, index) => {
    const atMs = time(["steps", index, "at"], step.at, true);
    const action = step.do as ActionName;
    const args = { ...((step.with as Raw | undefined) ?? {}) };
    const check = validators().actions.get(action)!;
    if (!check(args)) {
      problems.push(...ajvProblems(check.errors ?? [], args, ["steps", index, "with"], locator));
      return;
    }
    for (const field of ["cert", "fallback"]) {
      if (typeof args[field] === "string") certRef(["steps", index, "with", field], args[field]);
    }
    if (ENV_ACTIONS.has(action) && args.environment === undefined) args.environment = environment;
    if (action === "nemlogin.upload" && args.slot === undefined) args.slot = "next";
    if (action === "nemlogin.provision" && args.at !== undefined) {
      const scheduled = time(["steps", index, "with", "at"], args.at, true);
      if (scheduled < atMs) {
        problem(
          ["steps", index, "with", "at"],
          `a scheduled activation (${args.at}) must not be before the step (${step.at})`,
        );
      }
      args.atMs = scheduled;
    }
    if (action === "nemlogin.setPrivileges")
      args.privileges = privileges(["steps", index, "with", "privileges"], args.privileges);
    if (action === "clock.skew")
      args.clientMs = duration(["steps", index, "with", "client"], args.client, false);
    steps.push({
      index,
      atMs,
      do: action,
      with: args,
      note: step.note,
      line: locator.at(["steps", index]).line,
    });
  });
  steps.sort((a, b) => a.atMs - b.atMs || a.index - b.index);

  const lastActionMs = Math.max(
    startMs,
    ...steps.map((step) =>
      typeof step.with.atMs === "number" ? Math.max(step.atMs, step.with.atMs) : step.atMs,
    ),
  );
  let endMs = lastActionMs + 30 * DAY_MS;
  if (raw.end !== undefined) {
    endMs = time(["end"], raw.end, true);
    if (endMs <= startMs) problem(["end"], `end (${raw.end}) must be after start (${raw.start})`);
  }

  const expect: Scenario["expect"] = {};
  const rawExpect = (raw.expect ?? {}) as Raw;
  if (rawExpect.downtime !== undefined) {
    const d = rawExpect.downtime;
    if (typeof d === "object" && d !== null) {
      const extra = Object.keys(d).filter((k) => k !== "min" && k !== "max");
      for (const key of extra)
        problem(["expect", "downtime", key], `unknown field "${key}"; allowed here: min, max`, key);
      if (d.min === undefined && d.max === undefined)
        problem(["expect", "downtime"], "give min, max or both");
      expect.downtime = {
        minMs: d.min === undefined ? undefined : duration(["expect", "downtime", "min"], d.min),
        maxMs: d.max === undefined ? undefined : duration(["expect", "downtime", "max"], d.max),
        precisionMs: precisionOf(d.min, d.max),
      };
      if ((expect.downtime.minMs ?? 0) > (expect.downtime.maxMs ?? Number.POSITIVE_INFINITY)) {
        problem(["expect", "downtime"], "min is larger than max");
      }
    } else {
      expect.downtime = { exactMs: duration(["expect", "downtime"], d), precisionMs: precisionOf(d) };
    }
  }
  if (rawExpect.failures) {
    expect.failures = (rawExpect.failures as Raw[]).map((f, i) => {
      const fromMs = time(["expect", "failures", i, "from"], f.from, true);
      const toMs = time(["expect", "failures", i, "to"], f.to, true);
      if (toMs <= fromMs)
        problem(["expect", "failures", i, "to"], `to (${f.to}) must be after from (${f.from})`);
      const badReason = reasonProblem(f.reason, f.step);
      if (badReason) problem(["expect", "failures", i, "reason"], badReason);
      return {
        fromMs,
        toMs,
        step: f.step,
        reason: f.reason,
        line: locator.at(["expect", "failures", i]).line,
        precisionMs: precisionOf(f.from, f.to),
      };
    });
  }
  if (rawExpect.calls) {
    expect.calls = (rawExpect.calls as Raw[]).map((c, i) => {
      if (c.certificate !== undefined) certRef(["expect", "calls", i, "certificate"], c.certificate);
      const badReason =
        c.reason === undefined || c.outcome === "ok" ? undefined : reasonProblem(c.reason, c.step);
      if (badReason) problem(["expect", "calls", i, "reason"], badReason);
      if (c.outcome === "ok" && (c.reason !== undefined || c.step !== undefined)) {
        problem(
          ["expect", "calls", i],
          "a call expected to be ok has no step or reason; remove them or expect outcome: fail",
        );
      }
      return {
        atMs: time(["expect", "calls", i, "at"], c.at, true),
        outcome: c.outcome,
        step: c.step,
        reason: c.reason,
        certificate: c.certificate,
        line: locator.at(["expect", "calls", i]).line,
      };
    });
  }

  const scenario: Scenario = {
    name: raw.name,
    lines: {
      "setup.systemUser": locator.at(["setup", "systemUser"]),
      "setup.client": locator.at(["setup", "client"]),
    },
    description: (raw.description ?? "").trim(),
    file: locator.file,
    policy: raw.policy ?? DEFAULT_ROLLOVER_POLICY,
    environment,
    startMs,
    endMs,
    certificates,
    systemUser: {
      cert: su.cert,
      next: su.next,
      provisioned: su.provisioned ?? [environment],
      privileges: privileges(["setup", "systemUser", "privileges"], su.privileges),
      cvr,
      name: su.name ?? `${raw.name} systembruger`,
      entityId: su.entityId ?? `https://wsc.example.dk/${raw.name}`,
    },
    client: {
      cert: client.cert,
      fallback: client.fallback,
      tokenLifetimeMs:
        client.tokenLifetime === undefined
          ? undefined
          : duration(["setup", "client", "tokenLifetime"], client.tokenLifetime),
      findBy: client.findBy ?? "thumbprint",
      findValue: client.findValue,
      operation: client.operation ?? "IndberetForloeb",
      stsEnvironment: client.stsEnvironment ?? environment,
      wspEnvironment: client.wspEnvironment ?? environment,
      clockSkewMs:
        client.clockSkew === undefined
          ? 0
          : duration(["setup", "client", "clockSkew"], client.clockSkew, false),
    },
    wsp: { trust: raw.setup.wsp?.trust },
    steps,
    expect,
  };
  if (problems.length > 0) throw new ScenarioError(problems);
  return scenario;
}
