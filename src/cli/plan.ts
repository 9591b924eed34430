/**
 * `smdb-harness plan`: the seed guide's "Koordinering" made concrete — a dated, verified rotation
 * plan for the NemID administrator, the NemLog-in administrator and the vendor's developers.
 * Exit codes: 0 a verified plan; 1 the engine did not confirm every moment; 2 bad input.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type Command, Option } from "commander";
import { stringify } from "yaml";
import { parseIsoTime, RealClock, TimeFormatError } from "../core/clock.js";
import { HarnessError } from "../core/errors.js";
import { ENVIRONMENTS, type Environment } from "../core/events.js";
import type { Certificate } from "../pki/index.js";
import { cvrOf } from "../pki/inspect.js";
import { CertificateFileError, loadCredentialFile } from "../pki/load.js";
import {
  checkPlanInput,
  OCES3_VALIDITY_MS,
  type PlanInput,
  PlanInputError,
  proposeSchedule,
} from "../scenario/plan.js";
import { LANGUAGES, type Language, planIcs, planJson, planText } from "../scenario/plan-report.js";
import { verifyPlan } from "../scenario/plan-verify.js";
import { DEFAULT_ROLLOVER_POLICY, ROLLOVER_POLICIES, type RolloverPolicy } from "../sts/rollover.js";
import { action, CliError } from "./common.js";
import { workersOption } from "./scenario.js";

interface PlanOptions {
  old?: string;
  oldNotAfter?: string;
  new?: string;
  newNotBefore?: string;
  environments: string;
  policy: RolloverPolicy;
  fallback?: boolean;
  today?: string;
  lang: Language;
  json?: boolean;
  ics?: string;
  scenario?: string;
  workers?: string;
}

/** One certificate from a file (the first in it), or one sentence naming the option and the file. */
async function certificateFile(option: string, file: string): Promise<Certificate> {
  try {
    const loaded = await loadCredentialFile(file);
    return loaded.certificates[0]!;
  } catch (error) {
    if (error instanceof CertificateFileError || error instanceof HarnessError) {
      throw new CliError(`${option} ${error.message}`);
    }
    throw error;
  }
}

function moment(option: string, text: string): { ms: number; exact: boolean } {
  try {
    return { ms: parseIsoTime(text), exact: text.trim().length > 10 };
  } catch (error) {
    if (error instanceof TimeFormatError) {
      throw new CliError(
        `${option} must be a date or time (ISO 8601, e.g. 2027-03-15 or 2027-03-15T14:22:07Z), got "${text}"`,
      );
    }
    throw error;
  }
}

function environmentsOption(text: string): Environment[] {
  const names = text
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(ENVIRONMENTS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new CliError(
      `--environments takes integration, production or both separated by a comma, got "${text}"`,
    );
  }
  return ENVIRONMENTS.filter((env) => names.includes(env));
}

/** The plan's input from the options: the certificates' dates and CVRs; bad input is one sentence. */
async function planInput(options: PlanOptions, nowMs: number): Promise<PlanInput> {
  if ((options.old === undefined) === (options.oldNotAfter === undefined)) {
    throw new CliError(
      "give the old certificate: --old FILE (its .cer) or --old-not-after DATE, one of them",
    );
  }
  if ((options.new === undefined) === (options.newNotBefore === undefined)) {
    throw new CliError(
      "give the new certificate: --new FILE (its .cer) or --new-not-before DATE, one of them",
    );
  }
  const environments = environmentsOption(options.environments);
  let oldNotAfterMs: number;
  let oldExact = true;
  let oldCvr: string | null = null;
  if (options.old !== undefined) {
    const cert = await certificateFile("--old", options.old);
    oldNotAfterMs = cert.notAfter.getTime();
    oldCvr = cvrOf(cert);
  } else {
    const given = moment("--old-not-after", options.oldNotAfter!);
    oldNotAfterMs = given.ms;
    oldExact = given.exact;
  }
  let newNotBeforeMs: number;
  let newNotAfterMs: number;
  let newCvr: string | null = null;
  if (options.new !== undefined) {
    const cert = await certificateFile("--new", options.new);
    newNotBeforeMs = cert.notBefore.getTime();
    newNotAfterMs = cert.notAfter.getTime();
    newCvr = cvrOf(cert);
  } else {
    newNotBeforeMs = moment("--new-not-before", options.newNotBefore!).ms;
    newNotAfterMs = newNotBeforeMs + OCES3_VALIDITY_MS;
  }
  const todayMs = options.today !== undefined ? moment("--today", options.today).ms : nowMs;
  return {
    oldNotAfterMs,
    oldExact,
    oldCvr,
    newNotBeforeMs,
    newNotAfterMs,
    newCvr,
    newExists: options.new !== undefined,
    environments,
    policy: options.policy,
    fallback: options.fallback === true,
    todayMs,
  };
}

async function writeOut(option: string, file: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  } catch (error) {
    throw new CliError(
      `${option} ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
}

export function register(program: Command): void {
  program
    .command("plan")
    .summary("a dated, verified certificate rotation plan for the three parties")
    .description(
      "Plan the rotation of a systembruger's certificate: from the old certificate's expiry, the new " +
        "certificate, the environments and the rollover policy, each step for the NemID administrator, the " +
        "NemLog-in administrator and the vendor's developers with its recommended, earliest and latest " +
        "moment and the downtime if it is a day late — every moment verified by running the corresponding " +
        "scenario through the real STS and SMDB. Exit 0: a verified plan; 1: not verified; 2: bad input.",
    )
    .option("--old <file>", "the old certificate (.cer, DER or PEM): its notAfter and CVR")
    .option(
      "--old-not-after <date>",
      "or: when the old certificate expires (ISO 8601; a day alone means 00:00:00 UTC)",
    )
    .option("--new <file>", "the new certificate (.cer): its validity and CVR")
    .option(
      "--new-not-before <date>",
      "or: from when the new certificate is valid (valid three years less a second)",
    )
    .option("--environments <list>", "integration, production or both", "integration,production")
    .addOption(
      new Option("--policy <policy>", "the STS's rollover policy")
        .choices([...ROLLOVER_POLICIES])
        .default(DEFAULT_ROLLOVER_POLICY),
    )
    .option("--fallback", "the client keeps the old certificate as fallback (fallbackCertificate)")
    .option("--today <date>", "plan from this moment instead of now (ISO 8601)")
    .addOption(
      new Option("--lang <language>", "language of the text and the calendar")
        .choices([...LANGUAGES])
        .default("da"),
    )
    .option("--json", "print the plan as JSON")
    .option(
      "--ics <file>",
      "also write the plan as a calendar (entries with reminders well before each deadline)",
    )
    .option("--scenario <file>", "also write the plan as a scenario file (it passes: `scenario run FILE`)")
    .option(
      "--workers <n>",
      "runs at once for the verification (this thread and N-1 worker threads; default: one per core)",
    )
    .addHelpText(
      "after",
      `
Examples:
  smdb-harness plan --old current.cer --new renewed.cer
  smdb-harness plan --old-not-after 2027-03-15T14:22:07Z --new-not-before 2027-02-01 --policy overlap --lang en
  smdb-harness plan --old current.cer --new renewed.cer --ics rotation.ics --scenario rotation.yaml
  smdb-harness plan --old current.cer --new-not-before 2027-02-01 --fallback --json`,
    )
    .action(
      action(async (options: PlanOptions) => {
        const workers = workersOption(options.workers);
        const input = await planInput(options, new RealClock().nowMs());
        try {
          checkPlanInput(input);
        } catch (error) {
          if (error instanceof PlanInputError) throw new CliError(error.message);
          throw error;
        }
        const plan = await verifyPlan(
          input,
          proposeSchedule(input),
          workers !== undefined ? { workers } : {},
        );
        if (options.ics !== undefined) await writeOut("--ics", options.ics, planIcs(plan, options.lang));
        if (options.scenario !== undefined) {
          await writeOut(
            "--scenario",
            options.scenario,
            `# smdb-harness plan: the recommended rotation as a scenario\n${stringify(plan.scenario)}`,
          );
        }
        process.stdout.write(
          options.json
            ? `${JSON.stringify(planJson(plan, options.lang), null, 2)}\n`
            : planText(plan, options.lang),
        );
        return plan.verification.verified ? 0 : 1;
      }),
    );
}
