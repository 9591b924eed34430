/**
 * `smdb-harness up`: thin over `startService` (src/harness/service.ts). Settings come from flags
 * and `SMDB_HARNESS_*` variables (up-config.ts); this file reads them, starts the service, prints
 * what a client needs and stops on SIGINT/SIGTERM.
 */
import { type Command, Option } from "commander";
import { type Clock, RealClock, VirtualClock } from "../core/clock.js";
import { HarnessError } from "../core/errors.js";
import { ENVIRONMENTS } from "../core/events.js";
import { ROLES } from "../harness/roles.js";
import { defaultPublicUrl, type RunningService, startService } from "../harness/service.js";
import { StateDirError } from "../harness/state-lock.js";
import { scenarioLibrary } from "../scenario/board-library.js";
import { ROLLOVER_POLICIES } from "../sts/rollover.js";
import { DEFAULT_STATE_DIR } from "./certs.js";
import { action, CliError } from "./common.js";
import { builtInScenarioDir } from "./scenario.js";
import { DEFAULT_PORT, resolveUpConfig, type UpConfig, UpConfigError, type UpFlags } from "./up-config.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command): void {
  program
    .command("up")
    .description(
      "run the mock NemLog-in STS, SMDB, admin API and admin page in one process on one port\n" +
        "(HTTPS with a generated test TLS certificate unless --http; state in --state-dir);\n" +
        "with --role nemlogin|smdb only one side, each knowing the other over the network",
    )
    .addOption(
      new Option("--role <role>", "which services to run (default all; env SMDB_HARNESS_ROLE)").choices(
        ROLES as unknown as string[],
      ),
    )
    .option("--host <host>", "address to listen on (default 127.0.0.1; env SMDB_HARNESS_HOST)")
    .option(
      "--port <port>",
      `port to listen on, 0: any free port (default ${DEFAULT_PORT}; env SMDB_HARNESS_PORT)`,
    )
    .option(
      "--state-dir <dir>",
      `where state lives: CA, credentials, registry, client files (default ${DEFAULT_STATE_DIR}; env SMDB_HARNESS_STATE_DIR)`,
    )
    .addOption(
      new Option(
        "--policy <policy>",
        "rollover policy (default: the saved one, else at-expiry; env SMDB_HARNESS_POLICY)",
      ).choices(ROLLOVER_POLICIES as string[]),
    )
    .option("--http", "plain HTTP instead of HTTPS (env SMDB_HARNESS_HTTP=true)")
    .addOption(
      new Option(
        "--fault-mode <mode>",
        "SOAP faults of the STS and SMDB: verbose (the reason code and why) or realistic (only what " +
          "NemLog-in sends; the reason is in GET /admin/api/events) (default verbose; env SMDB_HARNESS_FAULT_MODE)",
      ).choices(["verbose", "realistic"]),
    )
    .option(
      "--virtual-clock <iso>",
      "run on a virtual clock starting at this time, settable via the admin API (env SMDB_HARNESS_VIRTUAL_CLOCK)",
    )
    .addOption(
      new Option(
        "--message-clock <clock>",
        "clock the message Timestamps (steps 1 and 2) and the replay window are checked against (default: real with --virtual-clock, so that clients on this machine's time work; env SMDB_HARNESS_MESSAGE_CLOCK)",
      ).choices(["harness", "real"]),
    )
    .option("--allow-sha1", "accept rsa-sha1/sha1 in client signatures (env SMDB_HARNESS_ALLOW_SHA1=true)")
    .option(
      "--clock-skew <duration>",
      "tolerated clock skew, e.g. 5m (default 5m; env SMDB_HARNESS_CLOCK_SKEW)",
    )
    .option(
      "--tls-hostname <name>",
      "another DNS name or IP address for the generated TLS certificate, besides localhost, 127.0.0.1 and ::1; repeatable (env SMDB_HARNESS_TLS_HOSTNAMES, comma-separated)",
      collect,
    )
    .option(
      "--tls-cert <file>",
      "your own TLS server certificate (PEM, chain after it) instead of a generated one (env SMDB_HARNESS_TLS_CERT)",
    )
    .option("--tls-key <file>", "the private key of --tls-cert (PEM; env SMDB_HARNESS_TLS_KEY)")
    .option(
      "--public-url <url>",
      "the base URL clients reach this service by, for the client files (default: the first --tls-hostname when listening on 0.0.0.0; env SMDB_HARNESS_PUBLIC_URL)",
    )
    .option(
      "--nemlogin-url <url>",
      "role smdb: the nemlogin service to learn the STS from (env SMDB_HARNESS_NEMLOGIN_URL)",
    )
    .option(
      "--nemlogin-ca <file>",
      "role smdb: the CA of the nemlogin service's TLS certificate (env SMDB_HARNESS_NEMLOGIN_CA)",
    )
    .option(
      "--nemlogin-wait <duration>",
      "role smdb: how long to wait for the nemlogin service at start (default 30s; env SMDB_HARNESS_NEMLOGIN_WAIT)",
    )
    .addHelpText(
      "after",
      `
Examples:
  smdb-harness up
  smdb-harness up --port 0 --state-dir /tmp/h --http
  smdb-harness up --policy overlap --virtual-clock 2026-01-01T00:00:00Z
  smdb-harness up --host 0.0.0.0 --port 8443 --tls-hostname harness.local
  smdb-harness up --role nemlogin --port 8443 --state-dir /tmp/nemlogin
  smdb-harness up --role smdb --port 8444 --state-dir /tmp/smdb \\
      --nemlogin-url https://127.0.0.1:8443 --nemlogin-ca /tmp/nemlogin/tls-ca.pem

With --virtual-clock, certificates, rollover and tokens follow the virtual time (POST
/admin/api/clock {"advance": "1200d"}), while the Timestamps clients put on their messages are
checked against this machine's clock, so that a real client works; --message-clock harness checks
them against the virtual time instead.

On first start the state dir gets a demo systembruger whose certificate is provisioned to both
environments, and client-integration.yaml / client-production.yaml for \`smdb-harness client\`.
GET /health answers 503 (with what is missing) until all of it exists, then 200.
Only one \`up\` runs on a state dir at a time (<state-dir>/up.lock).`,
    )
    .action(action((flags: UpFlags) => up(flags)));
}

async function up(flags: UpFlags): Promise<undefined> {
  let config: UpConfig;
  try {
    config = resolveUpConfig(flags, process.env, { stateDir: DEFAULT_STATE_DIR, cwd: process.cwd() });
  } catch (error) {
    if (error instanceof UpConfigError) throw new CliError(error.message);
    throw error;
  }
  for (const name of config.unknownVariables) {
    process.stderr.write(`smdb-harness: warning: ${name} is not a setting of up and is ignored\n`);
  }
  const clock: Clock =
    config.virtualClockMs !== undefined ? new VirtualClock(config.virtualClockMs) : new RealClock();
  // A client stamps its messages with its machine's time: with a virtual clock, message
  // freshness is judged on the real clock unless asked otherwise.
  const messageClock =
    (config.messageClock ?? (config.virtualClockMs !== undefined ? "real" : "harness")) === "real"
      ? new RealClock()
      : undefined;
  let service: RunningService;
  try {
    service = await startService({
      role: config.role,
      stateDir: config.stateDir,
      host: config.host,
      port: config.port,
      http: config.http,
      clock,
      ...(messageClock ? { messageClock } : {}),
      faultMode: config.faultMode,
      allowSha1: config.allowSha1,
      ...(config.policy ? { policy: config.policy } : {}),
      ...(config.clockSkewMs !== undefined ? { clockSkewMs: config.clockSkewMs } : {}),
      tlsHostnames: config.tlsHostnames,
      ...(config.tlsCert ? { tlsCert: config.tlsCert } : {}),
      ...publicUrl(config),
      ...(config.nemlogin ? { nemlogin: config.nemlogin } : {}),
      // The trainer board plays the built-in scenarios.
      scenarios: scenarioLibrary(builtInScenarioDir()),
    });
  } catch (error) {
    throw startError(error, config);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`smdb-harness: ${signal}, stopping\n`);
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`smdb-harness: error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
  printSummary(service, config);
  return undefined;
}

function publicUrl(config: UpConfig): { publicUrl?: string } {
  const url =
    config.publicUrl ?? defaultPublicUrl(config.host, config.port, config.http, config.tlsHostnames);
  return url ? { publicUrl: url } : {};
}

/** A failure to start, as one sentence: the port, the state dir, the nemlogin service. */
function startError(error: unknown, config: UpConfig): unknown {
  const e = error as NodeJS.ErrnoException;
  if (e?.syscall === "listen") {
    if (e.code === "EADDRINUSE") {
      return new CliError(
        `port ${config.port} on ${config.host} is already in use; choose another with --port (0: any free port)`,
      );
    }
    if (e.code === "EADDRNOTAVAIL")
      return new CliError(`cannot listen on ${config.host}: no such local address`);
    if (e.code === "EACCES") {
      return new CliError(
        `not allowed to listen on ${config.host}:${config.port} (ports below 1024 need privileges); choose a port of 1024 or more`,
      );
    }
  }
  if (error instanceof StateDirError) return new CliError(error.message);
  if (error instanceof HarnessError && error.reason === "NEMLOGIN_UNREACHABLE")
    return new CliError(error.message, 1);
  if (error instanceof HarnessError && error.reason.startsWith("TLS_")) return new CliError(error.message);
  return error;
}

function printSummary(service: RunningService, config: UpConfig): void {
  const { harness, demo, stateDir, role } = service;
  const bound = `${config.host}:${harness.port}`;
  const lines = [
    `smdb-harness listening on ${harness.url}${harness.url.includes(`:${harness.port}`) && harness.url.includes(config.host) ? "" : `  (bound to ${bound})`}`,
    `  role              ${role}${role === "all" ? "" : role === "nemlogin" ? "  (STS, admin API and page; SMDB is the smdb service)" : `  (SMDB; follows the nemlogin service at ${service.nemlogin?.url})`}`,
    ...(role !== "smdb" ? [`  admin page        ${harness.url}/`] : []),
    `  admin API         ${harness.adminUrl}  (OpenAPI: ${harness.adminUrl}/openapi.json)`,
    `  health            ${harness.url}/health`,
  ];
  for (const env of ENVIRONMENTS) {
    const identity = harness.state.environment(env);
    if (role !== "smdb") {
      lines.push(
        `  ${env.padEnd(11)} STS   ${harness.stsUrl(env)}  (wsa:To ${identity.stsEndpointReference})`,
      );
    }
    if (role !== "nemlogin") {
      lines.push(`  ${env.padEnd(11)} SMDB  ${harness.wspUrl(env)}  (entity ID ${identity.wspEntityId})`);
    }
  }
  lines.push(`state dir ${stateDir}`);
  for (const file of service.files) {
    const note =
      file.label === "client cert" && demo
        ? `password: ${demo.password}; systembruger "${demo.systemUserId}"; both in ${stateDir}/demo.json`
        : file.note;
    lines.push(`  ${file.label.padEnd(22)}${file.path}${note ? `  (${note})` : ""}`);
  }
  const clock = harness.clock;
  lines.push(
    `${role !== "smdb" ? `policy ${harness.registry.policy} · ` : ""}clock ${clock instanceof VirtualClock ? `virtual, ${clock.now().toISOString()}` : role === "smdb" ? "that of the nemlogin service" : "real"} · fault mode ${harness.settings.faultMode}`,
    ...(clock instanceof VirtualClock
      ? [
          harness.messageClock === clock
            ? "message timestamps are checked against the virtual clock (--message-clock harness): a client must stamp its messages with virtual time"
            : "message timestamps are checked against this machine's clock; certificates, rollover and tokens use harness time (--message-clock harness to change)",
        ]
      : []),
    ...(service.tookOverLock ? [`took over the state dir's lock: ${service.tookOverLock}`] : []),
    ...service.warnings,
    "Press Ctrl+C to stop.",
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}
