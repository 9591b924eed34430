/**
 * `smdb-harness check-expiry PATH…`: the answer to "why did we get no warning?". Scans files and
 * directories (recursively) for certificate files, prints them sorted by expiry with days left,
 * and exits 0 (all fine), 1 (some expire within the warning window) or 2 (some already expired,
 * or a file could not be read).
 */
import type { Command } from "commander";
import { RealClock } from "../core/clock.js";
import { fileProblem } from "../core/file-errors.js";
import type { Certificate } from "../pki/certificate.js";
import { inspectCertificate } from "../pki/inspect.js";
import { CertificateFileError, loadCredentialFile } from "../pki/load.js";
import { CERTIFICATE_EXTENSIONS, findCertificateFiles, type UnreadableEntry } from "../pki/scan.js";
import { action, CliError } from "./common.js";

const DAY_MS = 86_400_000;

export type ExpiryStatus = "ok" | "expiring" | "expired" | "not-yet-valid";

export interface ExpiryEntry {
  file: string;
  subject: string;
  commonName: string;
  cvr: string | null;
  profile: string;
  sha256: string;
  notBefore: string;
  notAfter: string;
  /** Whole days from now until notAfter, truncated toward zero (negative once expired: -2 = two days ago). */
  daysLeft: number;
  status: ExpiryStatus;
}

export interface ExpiryReport {
  checkedAt: string;
  warnDays: number;
  certificates: ExpiryEntry[];
  unreadable: UnreadableEntry[];
  /** Files that hold only a private key (e.g. BASE.key.pem): not certificates, not an error. */
  skipped: string[];
  exitCode: 0 | 1 | 2;
}

function statusOf(cert: Certificate, nowMs: number, warnDays: number): ExpiryStatus {
  if (cert.notAfter.getTime() < nowMs) return "expired";
  if (cert.notBefore.getTime() > nowMs) return "not-yet-valid";
  if (cert.notAfter.getTime() - nowMs <= warnDays * DAY_MS) return "expiring";
  return "ok";
}

function commonNameOf(subject: string): string {
  const match = /(?:^|, | \+ )CN=((?:\\.|[^,+\\])*)/.exec(subject);
  return match ? match[1]!.replace(/\\(.)/g, "$1").trim() : subject;
}

/** Checks every certificate file under `paths` against `nowMs`. */
export async function checkExpiry(
  paths: string[],
  options: { nowMs: number; warnDays: number; password?: string },
): Promise<ExpiryReport> {
  const { files, unreadable } = await findCertificateFiles(paths);
  const certificates: ExpiryEntry[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    try {
      const loaded = await loadCredentialFile(file, {
        allowKeyOnly: true,
        ...(options.password === undefined ? {} : { password: options.password }),
      });
      if (loaded.certificates.length === 0) {
        skipped.push(file);
        continue;
      }
      // A credential (key + certificate) is about its own certificate; a bundle lists all of its.
      const relevant = loaded.key ? loaded.certificates.slice(0, 1) : loaded.certificates;
      for (const cert of relevant) {
        const info = inspectCertificate(cert);
        certificates.push({
          file,
          subject: info.subject,
          commonName: commonNameOf(info.subject),
          cvr: info.cvr,
          profile: info.profile,
          sha256: info.sha256,
          notBefore: info.notBefore,
          notAfter: info.notAfter,
          daysLeft: Math.trunc((cert.notAfter.getTime() - options.nowMs) / DAY_MS) || 0,
          status: statusOf(cert, options.nowMs, options.warnDays),
        });
      }
    } catch (error) {
      if (error instanceof CertificateFileError) {
        unreadable.push({ file, code: error.code, reason: error.message.slice(file.length + 2) });
      } else {
        unreadable.push({ file, code: "FILE_UNREADABLE", reason: errno(error) });
      }
    }
  }
  certificates.sort((a, b) => a.notAfter.localeCompare(b.notAfter) || a.file.localeCompare(b.file));
  const exitCode =
    unreadable.length > 0 || certificates.some((entry) => entry.status === "expired")
      ? 2
      : certificates.some((entry) => entry.status === "expiring")
        ? 1
        : 0;
  return {
    checkedAt: new Date(options.nowMs).toISOString(),
    warnDays: options.warnDays,
    certificates,
    unreadable,
    skipped,
    exitCode,
  };
}

export { CERTIFICATE_EXTENSIONS, findCertificateFiles, type UnreadableEntry };

/** The problem in words (never a bare errno code). */
function errno(error: unknown): string {
  return fileProblem(error);
}

const STATUS_LABEL: Record<ExpiryStatus, string> = {
  ok: "OK",
  expiring: "EXPIRING",
  expired: "EXPIRED",
  "not-yet-valid": "NOT YET VALID",
};

export function formatReport(report: ExpiryReport): string {
  const lines: string[] = [];
  if (report.certificates.length > 0) {
    const rows = [
      ["STATUS", "DAYS LEFT", "NOT AFTER (UTC)", "PROFILE", "CVR", "FILE", "CN"],
      ...report.certificates.map((entry) => [
        STATUS_LABEL[entry.status],
        String(entry.daysLeft),
        entry.notAfter.replace(/\.000Z$/, "Z"),
        entry.profile,
        entry.cvr ?? "-",
        entry.file,
        entry.commonName,
      ]),
    ];
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    for (const row of rows) {
      lines.push(
        row
          .map((cell, column) =>
            column === row.length - 1
              ? cell
              : column === 1
                ? cell.padStart(widths[column]!)
                : cell.padEnd(widths[column]!),
          )
          .join("  "),
      );
    }
  }
  if (report.unreadable.length > 0) {
    if (lines.length > 0) lines.push("");
    lines.push("UNREADABLE");
    for (const entry of report.unreadable) lines.push(`  ${entry.file}: ${entry.reason}`);
  }
  if (lines.length > 0) lines.push("");
  const count = (status: ExpiryStatus) =>
    report.certificates.filter((entry) => entry.status === status).length;
  const parts = [
    `${report.certificates.length} certificate(s)`,
    `${count("expired")} expired`,
    `${count("expiring")} expiring within ${report.warnDays} days`,
    `${report.unreadable.length} unreadable`,
  ];
  if (report.skipped.length > 0) parts.push(`${report.skipped.length} key-only file(s) skipped`);
  lines.push(`${parts.join(", ")} — exit ${report.exitCode}`);
  return `${lines.join("\n")}\n`;
}

export function register(program: Command): void {
  program
    .command("check-expiry")
    .description(
      "list certificate files by expiry; exit 0 fine, 1 some expire soon, 2 some expired or unreadable",
    )
    .argument("<paths...>", "files or directories (searched recursively for .cer .pem .crt .p12 .pfx)")
    .option("--warn-days <days>", "warn about certificates that expire within this many days", "60")
    .option("--password <password>", "password for .p12/.pfx files (and encrypted keys)")
    .option("--json", "print one JSON object (for monitoring) instead of the table")
    .addHelpText(
      "after",
      `
Each certificate is listed with its days left and status: EXPIRED, EXPIRING (within --warn-days),
NOT YET VALID (a renewal staged early) or OK. Files that cannot be read (not a certificate, wrong
.p12 password, permission denied) are listed with the reason and make the exit code 2. Files that
hold only a private key (BASE.key.pem) are skipped.

Exit codes: 0 all fine · 1 some expire within --warn-days · 2 some expired or unreadable.

Examples:
  smdb-harness check-expiry certs/
  smdb-harness check-expiry certs/ /etc/ssl/smdb/system.p12 --password test --warn-days 90
  smdb-harness check-expiry certs/ --json | jq '.certificates[] | select(.status != "ok")'
  # in cron / a monitoring check
  smdb-harness check-expiry /srv/wsc/certs --warn-days 60 || echo "renew the systembruger certificate"`,
    )
    .action(
      action(async (paths: string[], flags: { warnDays: string; password?: string; json?: boolean }) => {
        if (!/^\d+$/.test(flags.warnDays.trim())) {
          throw new CliError(
            `--warn-days "${flags.warnDays}": give a whole number of days, e.g. --warn-days 60`,
          );
        }
        const report = await checkExpiry(paths, {
          nowMs: new RealClock().nowMs(),
          warnDays: Number(flags.warnDays),
          ...(flags.password === undefined ? {} : { password: flags.password }),
        });
        if (report.certificates.length === 0 && report.unreadable.length === 0) {
          throw new CliError(
            `no certificate files (${CERTIFICATE_EXTENSIONS.join(" ")}) found in ${paths.join(", ")}`,
          );
        }
        process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : formatReport(report));
        return report.exitCode;
      }),
    );
}
