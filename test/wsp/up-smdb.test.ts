/**
 * Issue 4 "done when": the client performs Ping, IndberetForloeb and HentForloeb against `up`
 * over HTTPS using only the files `up` printed, and a record written before a restart of `up`
 * is read back after it.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../helpers/cli.js";
import { COURSE } from "./helpers.js";

const MAIN = join(REPO_ROOT, "src", "cli", "main.ts");
const TSX_LOADER = pathToFileURL(join(REPO_ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

const children = new Set<ChildProcessWithoutNullStreams>();

/** Starts `up --port 0` and resolves with its URL once it has printed its summary. */
function startUp(
  stateDir: string,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; exited: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    ["--import", TSX_LOADER, MAIN, "up", "--port", "0", "--state-dir", stateDir],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1" },
    },
  );
  children.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  let out = "";
  let err = "";
  child.stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`up did not start\n${out}\n${err}`)), 60_000);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match && out.includes("Press Ctrl+C to stop.")) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`up exited with ${code}\n${out}\n${err}`));
    });
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "up-smdb-"));
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

describe("SMDB through `smdb-harness up` over HTTPS", () => {
  it("serves all three operations to `client call` with the printed files, and keeps records across a restart", async () => {
    const stateDir = join(dir, "state");
    const config = join(stateDir, "client-production.yaml");
    const course = join(dir, "course.json");
    const query = join(dir, "query.json");
    await writeFile(course, JSON.stringify({ ...COURSE, forloebId: "UP-1" }));
    await writeFile(query, JSON.stringify({ forloebId: "UP-1" }));
    const call = (operation: string, payload?: string) =>
      runCli([
        "client",
        "call",
        "--config",
        config,
        "--operation",
        operation,
        ...(payload ? ["--payload", payload] : []),
      ]);

    const first = await startUp(stateDir);
    expect(first.url).toMatch(/^https:/);
    const ping = await call("Ping");
    expect(ping.code, ping.stderr).toBe(0);
    expect(JSON.parse(ping.stdout)).toMatchObject({ environment: "production" });
    const put = await call("IndberetForloeb", course);
    expect(put.code, put.stderr).toBe(0);
    expect(JSON.parse(put.stdout)).toEqual({ forloebId: "UP-1", version: 1, status: "created" });
    const got = await call("HentForloeb", query);
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout).forloeb).toHaveLength(1);
    first.child.kill("SIGTERM");
    await first.exited;

    const second = await startUp(stateDir);
    try {
      const after = await call("HentForloeb", query);
      expect(after.code, after.stderr).toBe(0);
      expect(JSON.parse(after.stdout).forloeb[0]).toMatchObject({ ...COURSE, forloebId: "UP-1", version: 1 });
      const again = await call("IndberetForloeb", course);
      expect(JSON.parse(again.stdout)).toEqual({ forloebId: "UP-1", version: 1, status: "unchanged" });
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });
});
