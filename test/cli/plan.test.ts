/**
 * `smdb-harness plan` as a user runs it: from the .cer files (or dates) a dated plan in Danish or
 * English, as JSON, as a calendar with reminders before the deadlines, and as a scenario file that
 * `scenario run` passes; bad input is one sentence and exit 2.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestCa } from "../../src/pki/index.js";
import { runCli } from "../helpers/cli.js";

const DAY = 86_400_000;
let dir: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smdb-plan-"));
  const now = Date.parse("2027-01-10T08:00:00Z");
  const ca = await createTestCa(now, "plan test");
  const issue = async (name: string, cvr: string, from: number, to: number) => {
    const credential = await ca.issue({
      profile: "oces3-system",
      cvr,
      name,
      notBefore: new Date(from),
      notAfter: new Date(to),
    });
    files[name] = join(dir, `${name}.cer`);
    await writeFile(files[name]!, credential.certificate.der);
  };
  const expiry = Date.parse("2027-03-15T14:22:07Z");
  await issue("old", "91234567", expiry - 1095 * DAY, expiry);
  await issue("renewed", "91234567", Date.parse("2027-02-01T10:00:00Z"), Date.parse("2030-01-31T09:59:59Z"));
  await issue("short", "91234567", Date.parse("2027-02-01T10:00:00Z"), expiry - DAY);
  await issue("late", "91234567", expiry + DAY, expiry + 1000 * DAY);
  await issue(
    "other-cvr",
    "92345678",
    Date.parse("2027-02-01T10:00:00Z"),
    Date.parse("2030-01-31T09:59:59Z"),
  );
});

describe("smdb-harness plan", () => {
  it("prints a verified plan in Danish from the .cer files", async () => {
    const run = await runCli(
      [
        "plan",
        "--old",
        files.old!,
        "--new",
        files.renewed!,
        "--today",
        "2027-01-10T08:00:00Z",
        "--workers",
        "1",
      ],
      { timeoutMs: 300_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      "Gammelt certifikat udløber (sidste gyldige øjeblik): 2027-03-15 14:22:07 UTC",
    );
    expect(run.stdout).toContain("NemLog-in-administrator: «Provisioner til produktion»");
    expect(run.stdout).toContain("Leverandørens udviklere: Udrul det nye certifikat i klienten (WSC)");
    // The client without fallback switches the first millisecond after the expiry.
    expect(run.stdout).toContain("Anbefalet 2027-03-15 14:22:07.001 UTC");
    expect(run.stdout).toContain("Forventet svar: trin 1 CERT_NOT_YET_ACTIVE");
    expect(run.stdout).toMatch(
      /efterprøvet ved at køre de tilsvarende scenarier gennem den rigtige motor.*: \d+ kørsler, \d+ rigtige kald/,
    );
    // The new certificate exists: nothing to order.
    expect(run.stdout).not.toContain("1. NemID-administrator");
  }, 300_000);

  it("--lang en --json, --ics and --scenario: the calendar reminds before deadlines, the scenario passes", async () => {
    const ics = join(dir, "plan.ics");
    const scenario = join(dir, "plan.yaml");
    const run = await runCli(
      [
        "plan",
        "--old-not-after",
        "2027-03-15",
        "--new-not-before",
        "2027-02-01",
        "--policy",
        "overlap",
        "--today",
        "2027-01-10T08:00:00Z",
        "--lang",
        "en",
        "--json",
        "--ics",
        ics,
        "--scenario",
        scenario,
        "--workers",
        "1",
      ],
      { timeoutMs: 300_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as {
      policy: string;
      oldCertificate: { notAfter: string; exact: boolean };
      steps: Array<{
        id: string;
        party: string;
        recommended: string;
        earliest: string;
        latest: string;
        late?: { downtimeMs: number };
        verified: boolean;
      }>;
      integrationCheck: { expected: string; actual: string; verified: boolean };
      verification: { verified: boolean; runs: number; evaluations: number };
    };
    expect(json.policy).toBe("overlap");
    expect(json.oldCertificate).toEqual(
      expect.objectContaining({ notAfter: "2027-03-15T00:00:00.000Z", exact: false }),
    );
    expect(json.steps.map((s) => s.id)).toEqual([
      "order",
      "upload",
      "provisionIntegration",
      "testIntegration",
      "provisionProduction",
      "deploy",
    ]);
    expect(json.steps.map((s) => s.party)).toEqual([
      "nemid-admin",
      "nemlogin-admin",
      "nemlogin-admin",
      "vendor",
      "nemlogin-admin",
      "vendor",
    ]);
    for (const step of json.steps) {
      expect(step.verified).toBe(true);
      expect(Date.parse(step.earliest)).toBeLessThanOrEqual(Date.parse(step.recommended));
      expect(Date.parse(step.recommended)).toBeLessThanOrEqual(Date.parse(step.latest));
    }
    expect(json.steps.find((s) => s.id === "deploy")!.late!.downtimeMs).toBe(DAY);
    expect(json.integrationCheck).toEqual({
      at: expect.any(String),
      expected: "OK",
      actual: "OK",
      verified: true,
    });
    expect(json.verification.verified).toBe(true);

    const raw = await readFile(ics, "utf8");
    expect(raw.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    for (const line of raw.split("\r\n")) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    // Long lines are folded (RFC 5545 §3.1): unfold to read them.
    const calendar = raw.replace(/\r\n /g, "");
    // Every deadline entry reminds two weeks, three days and a day before.
    const deadlines = calendar.split("BEGIN:VEVENT").filter((e) => e.includes("SUMMARY:DEADLINE"));
    expect(deadlines.length).toBeGreaterThanOrEqual(5);
    for (const entry of deadlines) {
      expect(entry).toContain("TRIGGER:-P14D");
      expect(entry).toContain("TRIGGER:-P3D");
    }
    expect(calendar).toContain(
      'SUMMARY:DEADLINE: NemLog-in administrator: "Provisioner til produktion" (provision to production)',
    );

    const check = await runCli(["scenario", "run", scenario], { timeoutMs: 120_000 });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain("✔ PASS rotation-plan");
  }, 300_000);

  it("refuses bad input with one sentence and exit 2", async () => {
    const cases: Array<{ args: string[]; message: RegExp }> = [
      {
        args: ["--old", files.old!, "--new", files.short!],
        message: /^smdb-harness: the new certificate expires at .*, not after the old one/,
      },
      {
        args: ["--old", files.old!, "--new", files.late!],
        message: /^smdb-harness: the new certificate is valid only from .*, after the old one expires/,
      },
      {
        args: ["--old", files.old!, "--new", files["other-cvr"]!],
        message: /^smdb-harness: the new certificate belongs to CVR 92345678 and the old one to CVR 91234567/,
      },
      {
        args: ["--old-not-after", "2027-03-15"],
        message: /^smdb-harness: give the new certificate: --new FILE/,
      },
      {
        args: ["--old-not-after", "15/3/2027", "--new-not-before", "2027-02-01"],
        message: /^smdb-harness: --old-not-after must be a date or time/,
      },
      {
        args: ["--old-not-after", "2027-03-15", "--new-not-before", "2027-02-01", "--environments", "test"],
        message: /^smdb-harness: --environments takes integration, production or both/,
      },
      {
        args: ["--old", join(dir, "missing.cer"), "--new", files.renewed!],
        message: /^smdb-harness: --old .*missing\.cer/,
      },
      {
        args: ["--old-not-after", "2027-03-15", "--new-not-before", "2027-02-01", "--workers", "0"],
        message: /^smdb-harness: --workers must be a whole number of at least 1/,
      },
    ];
    for (const c of cases) {
      const run = await runCli(["plan", ...c.args, "--today", "2027-01-10T08:00:00Z"]);
      expect(run.code, c.args.join(" ")).toBe(2);
      expect(run.stderr, c.args.join(" ")).toMatch(c.message);
      expect(run.stderr.trimEnd().split("\n"), run.stderr).toHaveLength(1);
      expect(run.stdout).toBe("");
    }
  }, 300_000);
});
