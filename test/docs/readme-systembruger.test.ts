/**
 * README's "Bring your own systembruger": its commands run as written (curl included) against a
 * running `smdb-harness up`, only with the address `up` got and `npx smdb-harness` as this
 * checkout's CLI: create, upload the .cer to the draft, save, provision, and a client with the
 * new certificate reaches SMDB as the new systembruger.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { type CliResult, killRunningUps, REPO_ROOT, type RunningUp, startUp } from "../helpers/cli.js";
import { jsonAt, readmeShellBlocks } from "../helpers/readme.js";
import { useTempDir } from "../helpers/tmp.js";

function bash(script: string, cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-euo", "pipefail", "-c", script], {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("README: bring your own systembruger", () => {
  let work: string;
  useTempDir("smdb-readme-byo-", (path) => {
    work = path;
  });
  let up: RunningUp | undefined;

  afterAll(async () => {
    if (up) {
      up.child.kill("SIGTERM");
      await up.exited;
    }
    killRunningUps();
  });

  it("names the four administrator steps as curl calls", () => {
    const script = readmeShellBlocks("Bring your own systembruger").join("\n");
    const calls = script.split("\n").filter((line) => line.startsWith("curl "));
    expect(calls.map((c) => /-X (\w+)/.exec(c)?.[1] ?? "GET")).toEqual([
      "POST",
      "PUT",
      "POST",
      "POST",
      "GET",
    ]);
    expect(script).toContain("/admin/api/system-users \\");
    expect(script).toContain("--data-binary @certs/min.cer");
    expect(script).toContain("/certificates/production/current");
    expect(script).toContain("/min-indberetning/save");
    expect(script).toContain("/min-indberetning/provision/production");
  });

  it("runs as written against `up`: the new systembruger is provisioned and its client calls SMDB", async () => {
    up = await startUp(["--state-dir", join(work, ".smdb-harness")]);
    expect(up.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const cli = `node --import ${pathToFileURL(join(REPO_ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href} ${join(REPO_ROOT, "src", "cli", "main.ts")}`;
    const script = readmeShellBlocks("Bring your own systembruger")
      .join("\n")
      .replaceAll("https://127.0.0.1:8080", up.url)
      .replaceAll("npx smdb-harness", cli);
    const res = await bash(script, work);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    // The last curl: the systembruger as the admin API shows it, provisioned to production.
    // (curl prints each answer without a newline, so they run together.)
    const user = jsonAt(res.stdout, res.stdout.lastIndexOf('{"name":"Min indberetning"')) as {
      id: string;
      cvr: string;
      provisioned: Record<string, { current: { sha256: string } | null } | null>;
      status: Record<string, { acceptedSha256: string[] }>;
    };
    expect(user).toMatchObject({ id: "min-indberetning", cvr: "91234567" });
    const provisioned = user.provisioned["production"]?.current?.sha256;
    expect(provisioned).toMatch(/^[0-9A-F]{64}$/);
    expect(user.status["production"]?.acceptedSha256).toEqual([provisioned]);
    expect(user.provisioned["integration"]).toBeNull();
    // The client call at the end: SMDB saw the new systembruger.
    const ping = jsonAt(res.stdout, res.stdout.lastIndexOf('{\n  "environment"')) as Record<string, string>;
    expect(ping).toMatchObject({
      environment: "production",
      cvr: "91234567",
      systembruger: "https://min-kommune.example/smdb",
    });
  });
});
