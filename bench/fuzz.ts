/**
 * `npm run fuzz [-- --runs N] [-- --seed S]`: 10,000 mutations (default) of legitimate step-1 and
 * step-2 messages against an in-process harness over HTTP (bench/fuzz-engine.ts), printing one
 * JSON report: mutations, accepted (must be 0), equivalent messages accepted, HTTP 5xx without a
 * SOAP fault (must be 0), crashes (must be 0), answers by status, and answer times (p50, p99,
 * max). Exit 1 when a property failed.
 */
import { harnessWithSystemUser } from "../test/helpers/harness.js";
import { fuzz } from "./fuzz-engine.js";

function option(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n)) {
    process.stderr.write(`fuzz: ${name} needs an integer\n`);
    process.exit(2);
  }
  return n;
}

const runs = option("--runs") ?? 10_000;
const seed = option("--seed") ?? Math.floor(Math.random() * 2 ** 31);
const { harness, old } = await harnessWithSystemUser({
  name: "Kommune fuzz",
  entityId: "https://fuzz.example/wsc",
});
try {
  const report = await fuzz({ harness, client: old }, runs, seed);
  process.stdout.write(`${JSON.stringify({ seed, ...report })}\n`);
  const failed = report.accepted + report.http5xxWithoutFault + report.notSoapFault + report.crashes > 0;
  process.exitCode = failed || report.problems.length > 0 ? 1 : 0;
} finally {
  await harness.close();
}
