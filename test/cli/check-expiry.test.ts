import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkExpiry } from "../../src/cli/check-expiry.js";
import { createTestCa, type TestCa } from "../../src/pki/ca.js";
import { writeCredentialFiles } from "../../src/pki/export.js";
import { runCli } from "../helpers/cli.js";
import { REFERENCE_FIXTURES as REF } from "../helpers/fixtures.js";

const DAY = 86_400_000;

let ca: TestCa;
let root: string;

async function issueInto(dir: string, name: string, notBefore: number, notAfter: number, password = "pw") {
  const cred = await ca.issue({
    profile: "oces3-system",
    cvr: "91234567",
    name,
    notBefore: new Date(notBefore),
    notAfter: new Date(notAfter),
  });
  await writeCredentialFiles(cred, join(dir, name), { password });
  return cred;
}

beforeAll(async () => {
  const now = Date.now();
  ca = await createTestCa(now);
  root = await mkdtemp(join(tmpdir(), "smdb-expiry-"));
  await issueInto(join(root, "fine"), "system", now - DAY, now + 1000 * DAY);
  await issueInto(join(root, "soon", "nested", "deeper"), "renew-me", now - 1000 * DAY, now + 20 * DAY);
  await issueInto(join(root, "expired"), "old", now - 1100 * DAY, now - 2 * DAY);
  await issueInto(join(root, "staged"), "next", now + 5 * DAY, now + 1100 * DAY);
  // A directory with a mix of good and broken files.
  const mixed = join(root, "mixed");
  await issueInto(mixed, "good", now - DAY, now + 500 * DAY, "other-password");
  await writeFile(join(mixed, "notes.pem"), "remember to renew\n");
  await writeFile(join(mixed, "empty.cer"), "");
  await writeFile(join(mixed, "truncated.cer"), Buffer.from([0x30, 0x82, 0x05, 0x00, 0x30]));
  await writeFile(join(mixed, "ignored.txt"), "not a certificate extension, not scanned");
  await mkdir(join(root, "empty-dir"), { recursive: true });
});

describe("check-expiry exit codes", () => {
  it("0 when every certificate is fine (key-only files are skipped, not errors)", async () => {
    const result = await runCli(["check-expiry", join(root, "fine"), "--password", "pw"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^OK\s+\d+/m);
    expect(result.stdout).toContain("1 key-only file(s) skipped");
  });

  it("a certificate not yet valid (a staged renewal) does not fail the check", async () => {
    const result = await runCli(["check-expiry", join(root, "staged"), "--password", "pw"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("NOT YET VALID");
  });

  it("1 when some expire within --warn-days (found recursively); 0 with a shorter window", async () => {
    const result = await runCli(["check-expiry", join(root, "soon"), "--password", "pw"]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^EXPIRING\s+19\s/m);
    expect(result.stdout).toContain(join("nested", "deeper", "renew-me.cer"));
    const narrow = await runCli([
      "check-expiry",
      join(root, "soon"),
      "--password",
      "pw",
      "--warn-days",
      "10",
    ]);
    expect(narrow.code).toBe(0);
  });

  it("2 when some are expired; the table is sorted by expiry", async () => {
    const result = await runCli([
      "check-expiry",
      join(root, "fine"),
      join(root, "soon"),
      join(root, "expired"),
      "--password",
      "pw",
    ]);
    expect(result.code).toBe(2);
    const statuses = result.stdout
      .split("\n")
      .slice(1)
      .map((line) => line.split(/\s{2,}/)[0])
      .filter((status) => status && /^[A-Z ]+$/.test(status));
    expect(statuses.slice(0, 9)).toEqual([
      "EXPIRED",
      "EXPIRED",
      "EXPIRED",
      "EXPIRING",
      "EXPIRING",
      "EXPIRING",
      "OK",
      "OK",
      "OK",
    ]);
    expect(result.stdout).toMatch(/^EXPIRED\s+-2\s/m);
  });

  it("2 for a directory with a mix of good and broken files, each unreadable one listed with its reason", async () => {
    const result = await runCli(["check-expiry", join(root, "mixed"), "--password", "pw"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("UNREADABLE");
    expect(result.stdout).toMatch(/empty\.cer: is empty/);
    expect(result.stdout).toMatch(/notes\.pem: is a text file but neither PEM/);
    expect(result.stdout).toMatch(/truncated\.cer: starts like ASN\.1 but is not well-formed DER/);
    expect(result.stdout).toMatch(/good\.p12: the password given does not open/);
    expect(result.stdout).not.toContain("ignored.txt");
    // the good files in the same directory are still listed
    expect(result.stdout).toMatch(/^OK .*good\.cer/m);
  });

  it("2 for a path that does not exist; 2 with one line for a directory without certificates", async () => {
    const missing = await runCli(["check-expiry", join(root, "nope")]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(/nope: does not exist/);
    const empty = await runCli(["check-expiry", join(root, "empty-dir")]);
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim().split("\n")).toHaveLength(1);
    expect(empty.stderr).toMatch(
      /no certificate files \(\.cer \.pem \.crt \.p12 \.pfx\) found in .*empty-dir/,
    );
  });

  it("--warn-days must be a number", async () => {
    const result = await runCli(["check-expiry", root, "--warn-days", "soon"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'smdb-harness: --warn-days "soon": give a whole number of days, e.g. --warn-days 60',
    );
  });

  it("--json: one object for monitoring, with the exit code", async () => {
    const result = await runCli(["check-expiry", join(root, "soon"), REF, "--json", "--password", "pw"]);
    expect(result.code).toBe(2); // the FOCES reference certificate expired in 2023
    const report = JSON.parse(result.stdout);
    expect(report.exitCode).toBe(2);
    expect(report.warnDays).toBe(60);
    const foces = report.certificates.find((entry: { file: string }) =>
      entry.file.endsWith("bare-base64.cer"),
    );
    expect(foces).toMatchObject({ status: "expired", cvr: "34051178", profile: "foces2" });
    expect(foces.daysLeft).toBeLessThan(-600);
    const renew = report.certificates.find((entry: { file: string }) => entry.file.endsWith("renew-me.cer"));
    expect(renew).toMatchObject({ status: "expiring", daysLeft: 19, commonName: "renew-me" });
    expect(report.certificates.map((entry: { notAfter: string }) => entry.notAfter)).toEqual(
      [...report.certificates.map((entry: { notAfter: string }) => entry.notAfter)].sort(),
    );
  });
});

describe("checkExpiry (library) on a virtual time", () => {
  it("the same files change status as time passes", async () => {
    const now = Date.now();
    const dir = join(root, "soon");
    expect(
      (await checkExpiry([dir], { nowMs: now - 100 * DAY, warnDays: 60, password: "pw" })).exitCode,
    ).toBe(0);
    expect((await checkExpiry([dir], { nowMs: now, warnDays: 60, password: "pw" })).exitCode).toBe(1);
    const later = await checkExpiry([dir], { nowMs: now + 21 * DAY, warnDays: 60, password: "pw" });
    expect(later.exitCode).toBe(2);
    expect(later.certificates.every((entry) => entry.status === "expired")).toBe(true);
  });
});
