/**
 * `smdb-harness client token --config FILE [--dump-dir DIR]`: step 1 as a WSC does it, with the
 * client configuration YAML (docs/contract.md). `client call --config FILE --operation NAME
 * [--payload FILE]`: steps 1 and 2 — calls an SMDB operation (Ping, IndberetForloeb, HentForloeb)
 * with the payload JSON and prints the operation's result as JSON. `--dump-dir` writes every request and response XML
 * exactly as sent and received. Exit 0 on success; otherwise one line naming the step and the
 * reason code (exit 1 when the STS or WSP refused, 2 for local setup: configuration or certificate).
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type Command, Option } from "commander";
import { loadClientConfig } from "../client/config.js";
import { ClientError } from "../client/errors.js";
import { type DumpHook, WscClient } from "../client/wsc-client.js";
import { type Clock, RealClock } from "../core/clock.js";
import { HarnessError } from "../core/errors.js";
import { fileErrorSentence } from "../core/file-errors.js";
import { OPERATIONS, type OperationName, requestBodyXml } from "../smdb/operations.js";
import { action, CliError } from "./common.js";

/**
 * A dump hook writing each message into `dir` (created on first use). The client numbers its
 * messages from 001 in every run; here they continue after the highest number already in the
 * directory, so a second run into the same directory adds to the first instead of overwriting it.
 */
export function dumpToDir(dir: string | undefined): DumpHook | undefined {
  if (!dir) return undefined;
  const target = resolve(dir);
  let offset: Promise<number> | undefined;
  return async (name, content) => {
    offset ??= mkdir(target, { recursive: true }).then(async () => highestDumpNumber(await readdir(target)));
    const base = await offset;
    const numbered = /^(\d+)(-.*)$/.exec(name);
    const file = numbered ? `${String(Number(numbered[1]) + base).padStart(3, "0")}${numbered[2]}` : name;
    await writeFile(join(target, file), content);
  };
}

function highestDumpNumber(files: string[]): number {
  let highest = 0;
  for (const file of files) {
    const match = /^(\d+)-.*\.xml$/.exec(file);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest;
}

/** Loads the configuration and builds the client (shared by `client token` and `client call`). */
export async function clientFromCli(
  options: { config: string; dumpDir?: string },
  clock: Clock = new RealClock(),
): Promise<WscClient> {
  const config = await loadClientConfig(options.config);
  if (options.dumpDir) {
    // Made before anything is sent: a dump dir that cannot be made is a usage error, not a lost dump.
    await mkdir(resolve(options.dumpDir), { recursive: true }).catch((error: unknown) => {
      throw new CliError(`--dump-dir ${fileErrorSentence(options.dumpDir!, error, "created")}`, 2);
    });
  }
  const dump = dumpToDir(options.dumpDir);
  return WscClient.fromConfig(config, { clock, ...(dump ? { dump } : {}) });
}

/** Turns a ClientError into the CLI's one-line error with the step and the reason. */
export function clientCliError(error: unknown): unknown {
  if (error instanceof ClientError) {
    const hint =
      error.reason === "STS_FAULT" || error.reason === "WSP_FAULT"
        ? " (the fault names no reason code, as with `up --fault-mode realistic`: the harness's reason is in GET /admin/api/events)"
        : "";
    return new CliError(
      `step ${error.step}: ${error.reason}: ${error.message}${hint}`,
      error.step === 0 ? 2 : 1,
    );
  }
  return error;
}

/** Reads and parses `--payload FILE`; a file or JSON problem is a usage error (exit 2). */
async function readPayload(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CliError(`--payload ${fileErrorSentence(file, error)}`, 2);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`--payload ${file}: not valid JSON: ${(error as Error).message}`, 2);
  }
}

/** What to give `--payload` for an operation, for the message when it was left out. */
const PAYLOAD_EXAMPLES: Readonly<Record<OperationName, string>> = {
  Ping: "{}",
  IndberetForloeb: 'a course, e.g. {"forloebId": "F-1", "cpr": "0101901234", …}',
  HentForloeb: '{"forloebId": "F-1"} or {"aendretSiden": "2026-01-01T00:00:00Z"}',
};

/**
 * Checks the payload as SMDB would, before anything is sent: a bad or missing payload is the
 * user's own usage error (exit 2), not a refusal by SMDB (exit 1).
 */
function checkPayload(operation: OperationName, payload: unknown, file: string | undefined): void {
  try {
    requestBodyXml(operation, payload);
  } catch (error) {
    if (!(error instanceof HarnessError)) throw error;
    const message = file
      ? `--payload ${file}: ${error.message}`
      : `${error.message}; no --payload was given: ${operation} takes ${PAYLOAD_EXAMPLES[operation]} (see \`smdb-harness client call --help\`)`;
    throw new CliError(`${error.reason}: ${message}; nothing was sent`, 2);
  }
}

export function register(program: Command): void {
  const client =
    program.commands.find((c) => c.name() === "client") ??
    program
      .command("client")
      .description("act as the WSC: get a token from the STS (step 1), call SMDB (step 2)")
      .addHelpText(
        "after",
        `
Examples:
  smdb-harness client token --config .smdb-harness/client-production.yaml --dump-dir dump/
  smdb-harness client call --config .smdb-harness/client-production.yaml --operation Ping`,
      );
  client
    .command("token")
    .description("step 1: ask the STS for a token with the configured systembruger certificate")
    .requiredOption("--config <file>", "client configuration YAML (as `smdb-harness up` writes it)")
    .option("--dump-dir <dir>", "write every request and response XML here, exactly as sent and received")
    .addHelpText(
      "after",
      `
Prints the token's lifetime and the thumbprints of the client and STS certificates as JSON.
Exit 0 on success; 1 when the STS refused (one line: step 1, the reason code, e.g.
CERT_NOT_YET_ACTIVE, and why); 2 for a local problem (configuration, certificate file, password).

Examples:
  smdb-harness client token --config .smdb-harness/client-production.yaml
  smdb-harness client token --config .smdb-harness/client-integration.yaml --dump-dir dump/`,
    )
    .action(
      action(async (options: { config: string; dumpDir?: string }) => {
        let wsc: WscClient | undefined;
        try {
          wsc = await clientFromCli(options);
          const token = await wsc.getToken();
          process.stdout.write(
            `${JSON.stringify(
              {
                environment: wsc.options.environment,
                appliesTo: token.appliesTo,
                created: new Date(token.createdMs).toISOString(),
                expires: new Date(token.expiresMs).toISOString(),
                clientCertificateSha256: token.credential.certificate.sha256,
                stsCertificateSha256: token.stsCertificate.sha256,
                messageId: token.messageId,
                encryptedAssertionBytes: Buffer.byteLength(token.encryptedAssertionXml),
              },
              null,
              2,
            )}\n`,
          );
          return 0;
        } catch (error) {
          throw clientCliError(error);
        } finally {
          wsc?.close();
        }
      }),
    );
  client
    .command("call")
    .description("steps 1 and 2: get a token and call an SMDB operation; prints its result as JSON")
    .requiredOption("--config <file>", "client configuration YAML (as `smdb-harness up` writes it)")
    .addOption(
      new Option("--operation <name>", "the SMDB operation to call")
        .choices(OPERATIONS)
        .makeOptionMandatory(),
    )
    .option(
      "--payload <file>",
      "JSON file with the operation's fields (a course; or {forloebId} / {aendretSiden})",
    )
    .option("--dump-dir <dir>", "write every request and response XML here, exactly as sent and received")
    .addHelpText(
      "after",
      `
Payloads (JSON; fields in docs/smdb.md): IndberetForloeb takes a course, e.g.
  {"forloebId": "F-1", "cpr": "0101901234", "kommunekode": "101", "behandlingssted": "Rusmiddelcenter",
   "behandlingstype": "social", "startdato": "2026-01-05", "stoffer": ["cannabis"]}
HentForloeb takes {"forloebId": "F-1"} or {"aendretSiden": "2026-01-01T00:00:00Z"}; Ping takes none.
Exit 0 on success; 1 when the STS or SMDB refused (one line: the step, the reason code and why);
2 for a local problem (configuration, certificate file, password, a missing or invalid payload),
found before anything is sent.

Examples:
  smdb-harness client call --config .smdb-harness/client-production.yaml --operation Ping
  smdb-harness client call --config .smdb-harness/client-production.yaml --operation IndberetForloeb \\
      --payload course.json --dump-dir dump/
  echo '{"forloebId": "F-1"}' > hent.json
  smdb-harness client call --config .smdb-harness/client-production.yaml --operation HentForloeb --payload hent.json`,
    )
    .action(
      action(async (options: { config: string; operation: string; payload?: string; dumpDir?: string }) => {
        const payload = options.payload ? await readPayload(options.payload) : {};
        checkPayload(options.operation as OperationName, payload, options.payload);
        let wsc: WscClient | undefined;
        try {
          wsc = await clientFromCli(options);
          const res = await wsc.call(options.operation, payload);
          process.stdout.write(`${JSON.stringify(res.result, null, 2)}\n`);
          return 0;
        } catch (error) {
          throw clientCliError(error);
        } finally {
          wsc?.close();
        }
      }),
    );
}
