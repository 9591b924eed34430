/**
 * Issue 4 "done when": the client performs Ping, IndberetForloeb and HentForloeb against `up`
 * over HTTPS using only the files `up` printed, and a record written before a restart of `up`
 * is read back after it.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { clientCall, killRunningUps, startUp } from "../helpers/cli.js";
import { COURSE } from "../helpers/fixtures.js";
import { useTempDir } from "../helpers/tmp.js";

let dir: string;
useTempDir("up-smdb-", (path) => {
  dir = path;
});
afterAll(() => {
  killRunningUps();
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
      clientCall(config, operation, payload ? { payload } : {});

    const first = await startUp(["--state-dir", stateDir]);
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

    const second = await startUp(["--state-dir", stateDir]);
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
    // A new state dir makes its CA with fresh RSA 3072 keys (never the key pool): room on a busy machine.
  }, 180_000);
});
