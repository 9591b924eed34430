#!/usr/bin/env node
import { readFileSync } from "node:fs";
/**
 * The `smdb-harness` command line: thin over the library. Each command group lives in its own
 * module and registers itself here.
 */
import { Command, CommanderError } from "commander";
import { reportError } from "./common.js";

function packageVersion(): string {
  // dist/cli/main.js and src/cli/main.ts both sit two levels below package.json.
  const manifest = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

// `smdb-harness … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const program = new Command();
program
  .name("smdb-harness")
  .description(
    "A local stand-in for the NemLog-in STS and Stofmisbrugsdatabasen (SMDB) for testing systembruger " +
      "certificate rotation: issue test certificates, run the STS and SMDB, call them as a client, " +
      "and run rotation scenarios on a virtual clock.",
  )
  .version(packageVersion(), "-V, --version", "print the version")
  .showHelpAfterError("(run with --help for usage)")
  .configureOutput({ outputError: (text, write) => write(text) })
  // Usage errors (unknown option, bad choice) exit 2 like every other bad input; help exits 0.
  .exitOverride();

type Registration = () => Promise<{ register(program: Command): void }>;
const registrations: Record<string, Registration> = {
  certs: () => import("./certs.js"),
  "check-expiry": () => import("./check-expiry.js"),
  scenario: () => import("./scenario.js"),
  plan: () => import("./plan.js"),
  up: () => import("./up.js"),
  client: () => import("./client.js"),
};

// Loading every command's modules costs ~1 s (the harness, express, the scenario engine), so a
// command given by name loads only its own; anything else (help, --version, a typo) loads them all.
const named = process.argv.slice(2).find((arg) => !arg.startsWith("-"));
const only = named !== undefined ? registrations[named] : undefined;
for (const load of only ? [only] : Object.values(registrations)) (await load()).register(program);

program.addHelpText(
  "after",
  `
Start here:
  smdb-harness up                       run STS + SMDB + admin API on https://127.0.0.1:8080
  smdb-harness certs issue --help       make a test systembruger certificate
  smdb-harness client call --config .smdb-harness/client-production.yaml --operation Ping
  smdb-harness check-expiry certs/      which certificates expire soon?
  smdb-harness scenario run             run the built-in rotation scenarios
  smdb-harness plan --old current.cer --new renewed.cer   a dated, verified rotation plan`,
);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : 2;
  else process.exitCode = reportError(error);
}
