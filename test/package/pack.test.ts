/**
 * The package as a user gets it: `npm pack`, the tarball installed into an empty directory (its
 * dependencies from the registry), then `npx smdb-harness up --http` answers and `client call`
 * with the configuration it wrote succeeds; the library and the `smdb-harness/testcontainers`
 * entry resolve through package.json `exports` (the latter asks for its optional peer
 * `testcontainers`, which that directory does not have).
 */
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";
import { run, runOk } from "../helpers/docker.js";
import { useTempDir } from "../helpers/tmp.js";

let dir: string;
useTempDir("pack-", (path) => {
  dir = path;
});
const children: Array<ReturnType<typeof spawn>> = [];
afterAll(() => {
  for (const child of children) {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

describe("npm pack", () => {
  it("installs into an empty directory, where npx smdb-harness up answers and a client call succeeds", async () => {
    const started = Date.now();
    const packed = await runOk("npm", ["pack", "--pack-destination", dir, "--json"], { cwd: REPO_ROOT });
    const tarball = join(dir, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
    const app = join(dir, "app");
    await runOk("mkdir", ["-p", app]);
    await writeFile(
      join(app, "package.json"),
      JSON.stringify({ name: "pack-check", private: true, type: "module" }),
    );
    await runOk("npm", ["install", "--no-audit", "--no-fund", tarball], { cwd: app });
    console.log(`npm pack + install into an empty directory: ${Date.now() - started} ms`);

    // Its own process group, so that stopping it also stops the harness npx started.
    const up = spawn("npx", ["smdb-harness", "up", "--http", "--port", "0", "--state-dir", "state"], {
      cwd: app,
      env: { ...process.env, NO_COLOR: "1" },
      detached: true,
    });
    children.push(up);
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      let err = "";
      up.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        const match = /listening on (\S+)/.exec(out);
        if (match && out.includes("Press Ctrl+C to stop.")) resolve(match[1]!);
      });
      up.stderr.on("data", (c: Buffer) => {
        err += c.toString();
      });
      up.on("close", (code) => reject(new Error(`up exited with ${code}\n${out}\n${err}`)));
    });
    console.log(`up answered at ${url}`);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);

    const call = await run(
      "npx",
      ["smdb-harness", "client", "call", "--config", "state/client-production.yaml", "--operation", "Ping"],
      { cwd: app },
    );
    expect(call.code, call.stderr).toBe(0);
    expect(JSON.parse(call.stdout)).toMatchObject({ environment: "production", cvr: "90112233" });

    const library = await run(
      "node",
      [
        "-e",
        'import("smdb-harness").then((m) => console.log(typeof m.startHarness, typeof m.RemoteControl))',
      ],
      { cwd: app },
    );
    expect(library.stdout.trim()).toBe("function function");
    const module = await run(
      "node",
      ["-e", 'import("smdb-harness/testcontainers").catch((e) => console.log(e.code, e.message))'],
      {
        cwd: app,
      },
    );
    expect(module.stdout).toMatch(/^ERR_MODULE_NOT_FOUND Cannot find package 'testcontainers'/);

    const closed = new Promise((resolve) => up.once("close", resolve));
    process.kill(-up.pid!, "SIGTERM");
    await closed;
  }, 600_000);
});
