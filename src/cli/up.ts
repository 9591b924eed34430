/**
 * `smdb-harness up`: the STS, SMDB, admin API and admin page in one process on one port.
 *
 * On first start in a state dir it also creates a demo systembruger (fictitious CVR) with an
 * OCES3 system certificate provisioned to both environments, and on every start it writes what
 * a client needs into the state dir: the STS certificates, the TLS CA, the client .p12 and a
 * ready client configuration per environment (src/harness/demo.ts; `client-integration.yaml`,
 * `client-production.yaml`, docs/contract.md "Client configuration").
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type Command, Option } from "commander";
import {
  type Clock,
  parseDuration,
  parseIsoTime,
  RealClock,
  TimeFormatError,
  VirtualClock,
} from "../core/clock.js";
import { ENVIRONMENTS, type Environment } from "../core/events.js";
import { connectBoardToDemoClient } from "../harness/board-demo.js";
import {
  clientTrustedStsFile,
  clientTrustedWspFile,
  type DemoInfo,
  ensureDemo,
  writeClientConfigs,
} from "../harness/demo.js";
import { type FaultMode, type Harness, startHarness } from "../harness/harness.js";
import { Certificate } from "../pki/certificate.js";
import { scenarioLibrary } from "../scenario/board-library.js";
import { ROLLOVER_POLICIES, type RolloverPolicy } from "../sts/rollover.js";
import { DEFAULT_STATE_DIR } from "./certs.js";
import { action, CliError } from "./common.js";
import { builtInScenarioDir } from "./scenario.js";

interface UpFlags {
  host: string;
  port: string;
  stateDir: string;
  policy?: RolloverPolicy;
  http?: boolean;
  faultMode: FaultMode;
  virtualClock?: string;
  messageClock?: "harness" | "real";
  allowSha1?: boolean;
  clockSkew?: string;
}

export function register(program: Command): void {
  program
    .command("up")
    .description(
      "run the mock NemLog-in STS, SMDB, admin API and admin page in one process on one port\n" +
        "(HTTPS with a generated test TLS certificate unless --http; state in --state-dir)",
    )
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0: any free port, printed)", "8080")
    .option(
      "--state-dir <dir>",
      "where state lives (CA, credentials, registry, client files)",
      DEFAULT_STATE_DIR,
    )
    .addOption(
      new Option("--policy <policy>", "rollover policy (default: the saved one, else at-expiry)").choices(
        ROLLOVER_POLICIES as string[],
      ),
    )
    .option("--http", "plain HTTP instead of HTTPS")
    .addOption(
      new Option(
        "--fault-mode <mode>",
        "SOAP faults of the STS and SMDB: verbose (the reason code and why) or realistic (only what " +
          "NemLog-in sends; the reason is in GET /admin/api/events)",
      )
        .choices(["verbose", "realistic"])
        .default("verbose"),
    )
    .option(
      "--virtual-clock <iso>",
      "run on a virtual clock starting at this time (settable via the admin API)",
    )
    .addOption(
      new Option(
        "--message-clock <clock>",
        "clock the message Timestamps (steps 1 and 2) and the replay window are checked against (default: real with --virtual-clock, so that clients on this machine's time work)",
      ).choices(["harness", "real"]),
    )
    .option("--allow-sha1", "accept rsa-sha1/sha1 in client signatures")
    .option("--clock-skew <duration>", "tolerated clock skew, e.g. 5m (default 5m)")
    .addHelpText(
      "after",
      `
Examples:
  smdb-harness up
  smdb-harness up --port 0 --state-dir /tmp/h --http
  smdb-harness up --policy overlap --virtual-clock 2026-01-01T00:00:00Z

With --virtual-clock, certificates, rollover and tokens follow the virtual time (POST
/admin/api/clock {"advance": "1200d"}), while the Timestamps clients put on their messages are
checked against this machine's clock, so that a real client works; --message-clock harness checks
them against the virtual time instead.

On first start the state dir gets a demo systembruger whose certificate is provisioned to both
environments, and client-integration.yaml / client-production.yaml for \`smdb-harness client\`.`,
    )
    .action(action((flags: UpFlags) => up(flags)));
}

async function up(flags: UpFlags): Promise<undefined> {
  const port = Number(flags.port);
  if (!/^\d+$/.test(flags.port) || port > 65_535) {
    throw new CliError(`--port must be a port number 0–65535 (0: any free port); got "${flags.port}"`);
  }
  let clock: Clock = new RealClock();
  if (flags.virtualClock !== undefined) {
    try {
      clock = new VirtualClock(parseIsoTime(flags.virtualClock));
    } catch (error) {
      if (error instanceof TimeFormatError) throw new CliError(`--virtual-clock: ${error.message}`);
      throw error;
    }
  }
  // A client stamps its messages with its machine's time: with a virtual clock, message
  // freshness is judged on the real clock unless asked otherwise.
  const messageClock =
    (flags.messageClock ?? (flags.virtualClock !== undefined ? "real" : "harness")) === "real"
      ? new RealClock()
      : undefined;
  let clockSkewMs: number | undefined;
  if (flags.clockSkew !== undefined) {
    try {
      clockSkewMs = Math.abs(parseDuration(flags.clockSkew));
    } catch (error) {
      if (error instanceof TimeFormatError) throw new CliError(`--clock-skew: ${error.message}`);
      throw error;
    }
  }
  const stateDir = resolve(flags.stateDir);
  let harness: Harness;
  try {
    harness = await startHarness({
      stateDir,
      host: flags.host,
      port,
      http: flags.http ?? false,
      clock,
      ...(messageClock ? { messageClock } : {}),
      faultMode: flags.faultMode,
      allowSha1: flags.allowSha1 ?? false,
      ...(flags.policy ? { policy: flags.policy } : {}),
      ...(clockSkewMs !== undefined ? { clockSkewMs } : {}),
      // The trainer board plays the built-in scenarios.
      scenarios: scenarioLibrary(builtInScenarioDir()),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new CliError(
        `port ${port} on ${flags.host} is already in use; choose another with --port (0: any free port)`,
      );
    }
    if (code === "EADDRNOTAVAIL") throw new CliError(`cannot listen on ${flags.host}: no such local address`);
    if (code === "EACCES") throw new CliError(`not allowed to listen on ${flags.host}:${port}`);
    throw error;
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`smdb-harness: ${signal}, stopping\n`);
    harness.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`smdb-harness: error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));

  try {
    const demo = await ensureDemo(harness, stateDir);
    const configs = await writeClientConfigs(harness, stateDir, demo);
    await connectBoardToDemoClient(harness, demo);
    const warning = await demoCertificateWarning(harness, demo, stateDir);
    printSummary(harness, stateDir, demo, configs, warning ? [warning] : []);
  } catch (error) {
    await harness.close();
    throw error;
  }
  return undefined;
}

/**
 * The demo certificate was made for the harness time of the first start; a later start on another
 * (virtual) time makes every demo call fail with CERT_EXPIRED / CERT_NOT_YET_VALID. Say so.
 */
async function demoCertificateWarning(
  harness: Harness,
  demo: DemoInfo,
  stateDir: string,
): Promise<string | undefined> {
  let cert: Certificate;
  try {
    cert = Certificate.fromPem(await readFile(demo.pem, "utf8"));
  } catch {
    return undefined;
  }
  const now = harness.clock.nowMs();
  if (cert.isValidAt(now)) return undefined;
  const why =
    now < cert.notBefore.getTime()
      ? `is not valid before ${cert.notBefore.toISOString()}`
      : `expired at ${cert.notAfter.toISOString()}`;
  return (
    `warning: the demo client certificate (${demo.pem}) ${why}, but harness time is ${new Date(now).toISOString()}: ` +
    `client calls with the demo configuration fail in step 1. It was made on the first start in ${stateDir}; ` +
    "start on a time within its validity, or with a new --state-dir for a fresh demo certificate."
  );
}

function printSummary(
  harness: Harness,
  stateDir: string,
  demo: DemoInfo,
  configs: Record<Environment, string>,
  warnings: string[] = [],
): void {
  const files = harness.state.files()!;
  const lines = [
    `smdb-harness listening on ${harness.url}`,
    `  admin page        ${harness.url}/`,
    `  admin API         ${harness.adminUrl}  (OpenAPI: ${harness.adminUrl}/openapi.json)`,
    `  health            ${harness.url}/health`,
  ];
  for (const env of ENVIRONMENTS) {
    const identity = harness.state.environment(env);
    lines.push(
      `  ${env.padEnd(11)} STS   ${harness.stsUrl(env)}  (wsa:To ${identity.stsEndpointReference})`,
      `  ${env.padEnd(11)} SMDB  ${harness.wspUrl(env)}  (entity ID ${identity.wspEntityId})`,
    );
  }
  lines.push(
    `state dir ${stateDir}`,
    ...(harness.protocol === "https" ? [`  TLS CA                ${files.tlsCa}`] : []),
    ...ENVIRONMENTS.map((env) => `  ${`STS cert  ${env}`.padEnd(22)}${files.sts[env]}`),
    ...ENVIRONMENTS.map((env) => `  ${`SMDB cert ${env}`.padEnd(22)}${files.wsp[env]}`),
    ...ENVIRONMENTS.map(
      (env) =>
        `  client trusts         ${join(stateDir, clientTrustedStsFile(env))}  (its copy of the ${env} STS certificate; after an STS rotation copy sts-${env}.pem over it)`,
    ),
    ...ENVIRONMENTS.map(
      (env) =>
        `  client trusts         ${join(stateDir, clientTrustedWspFile(env))}  (its copy of the ${env} SMDB certificate, wsp-${env}.pem)`,
    ),
    `  test CA               ${files.caDir}  (certs issue without --ca uses it)`,
    `  client cert           ${demo.p12}  (password: ${demo.password}; systembruger "${demo.systemUserId}")`,
    ...ENVIRONMENTS.map((env) => `  client config         ${configs[env]}`),
    `policy ${harness.registry.policy} · clock ${harness.clock instanceof VirtualClock ? `virtual, ${harness.clock.now().toISOString()}` : "real"} · fault mode ${harness.settings.faultMode}`,
    ...(harness.clock instanceof VirtualClock
      ? [
          harness.messageClock === harness.clock
            ? "message timestamps are checked against the virtual clock (--message-clock harness): a client must stamp its messages with virtual time"
            : "message timestamps are checked against this machine's clock; certificates, rollover and tokens use harness time (--message-clock harness to change)",
        ]
      : []),
    ...warnings,
    "Press Ctrl+C to stop.",
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}
