#!/usr/bin/env node
/**
 * The `smdb-harness` command line: thin over the library. Each command group lives in its own
 * module and registers itself here.
 */
import { Command, CommanderError } from "commander";
import { reportError } from "./common.js";

const program = new Command();
program
  .name("smdb-harness")
  .description(
    "A local stand-in for the NemLog-in STS and Stofmisbrugsdatabasen (SMDB) for testing systembruger\n" +
      "certificate rotation: issue test certificates, run the STS and SMDB, call them as a client,\n" +
      "and run rotation scenarios on a virtual clock.",
  )
  .showHelpAfterError("(run with --help for usage)")
  .configureOutput({ outputError: (text, write) => write(text) })
  // Usage errors (unknown option, bad choice) exit 2 like every other bad input; help exits 0.
  .exitOverride();

const registrations: Array<() => Promise<{ register(program: Command): void }>> = [
  () => import("./certs.js"),
  () => import("./check-expiry.js"),
  () => import("./scenario.js"),
  () => import("./up.js"),
  () => import("./client.js"),
];

for (const load of registrations) (await load()).register(program);

program.addHelpText(
  "after",
  `
Start here:
  smdb-harness up                       run STS + SMDB + admin API on https://127.0.0.1:8080
  smdb-harness certs issue --help       make a test systembruger certificate
  smdb-harness check-expiry certs/      which certificates expire soon?
  smdb-harness scenario run             run the built-in rotation scenarios`,
);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : 2;
  else process.exitCode = reportError(error);
}
