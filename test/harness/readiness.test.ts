/**
 * `/health` says ready (200) only when every file `up` prints exists and the demo systembruger is
 * provisioned; before, 503 with what is missing. Proven both ways: a running service whose file
 * disappears answers 503 naming it (and 200 again once it is back), and a CI script that polls
 * `/health` from the moment `up` is spawned finds, at its first 200, every printed file in place.
 */
import { spawn } from "node:child_process";
import { access, readFile, rename } from "node:fs/promises";
import { request } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { RealClock } from "../../src/core/clock.js";
import { type RunningService, serviceFiles, startService } from "../../src/harness/service.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { useTempDir } from "../helpers/tmp.js";

let dir: string;
useTempDir("readiness-", (path) => {
  dir = path;
});
const started: RunningService[] = [];
afterAll(async () => {
  for (const s of started) await s.close();
});

function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => {
        text += c.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("readiness", () => {
  it("answers 503 naming a missing printed file, and 200 once it is back", async () => {
    const stateDir = join(dir, "service");
    const service = await startService({
      role: "all",
      stateDir,
      host: "127.0.0.1",
      port: 0,
      http: true,
      clock: new RealClock(),
      faultMode: "verbose",
      allowSha1: false,
      tlsHostnames: [],
    });
    started.push(service);
    const health = `${service.harness.url}/health`;
    expect((await getJson(health)).status).toBe(200);
    expect(service.files.map((f) => f.path)).toEqual(serviceFiles("all", stateDir, false).map((f) => f.path));

    const config = join(stateDir, "client-production.yaml");
    await rename(config, `${config}.away`);
    const missing = await getJson(health);
    expect(missing.status).toBe(503);
    expect(missing.body).toMatchObject({ status: "starting", missing: [config] });
    await rename(`${config}.away`, config);
    expect((await getJson(health)).status).toBe(200);

    // Every file the service lists exists once it is ready.
    for (const file of service.files) await access(file.path);
  });

  it("never says ready to a poller before every file up prints exists", async () => {
    const stateDir = join(dir, "race");
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        "--import",
        pathToFileURL(join(REPO_ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href,
        join(REPO_ROOT, "src", "cli", "main.ts"),
        "up",
        "--http",
        "--port",
        String(port),
        "--state-dir",
        stateDir,
      ],
      { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    const exited = new Promise((resolve) => child.on("close", resolve));
    try {
      const seen: number[] = [];
      for (;;) {
        const answer = await getJson(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        if (answer) seen.push(answer.status);
        if (answer?.status === 200) break;
        if (answer) expect(answer).toMatchObject({ status: 503, body: { status: "starting" } });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // At the first 200, a client finds everything up prints (its summary may still be on its way).
      for (const file of serviceFiles("all", stateDir, false)) await access(file.path);
      const demo = JSON.parse(await readFile(join(stateDir, "demo.json"), "utf8"));
      await access(demo.p12);
      console.log(
        `readiness: ${seen.filter((s) => s === 503).length} answer(s) 503 before the first 200 (stdout had ${stdout.length} characters by then)`,
      );
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  });
});
