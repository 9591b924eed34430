/**
 * One `up` per state dir (src/harness/state-lock.ts): the decision on an existing lock as a pure
 * function, and the real thing with `up` processes: a second `up` on the same dir is refused with
 * the PID of the first; after the first is killed (SIGKILL, no clean-up) the next `up` takes the
 * lock over; a state dir that cannot be written is named as such.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { judgeLock, LOCK_STALE_AFTER_MS, type LockSituation } from "../../src/harness/state-lock.js";
import { killRunningUps, runCli, startUp } from "../helpers/cli.js";
import { useTempDir } from "../helpers/tmp.js";

let dir: string;
useTempDir("state-lock-", (path) => {
  dir = path;
});
afterAll(() => {
  killRunningUps();
});

const base: LockSituation = {
  stateDir: "/s",
  holder: { pid: 4242, hostname: "box", startedAt: "2026-01-01T00:00:00.000Z" },
  heartbeatAgeMs: 1000,
  self: { pid: 7, hostname: "box" },
  holderAlive: true,
};

describe("judgeLock", () => {
  it("is held by a live process on this host, named with its PID", () => {
    expect(judgeLock(base)).toEqual({
      kind: "held",
      sentence:
        "the state dir /s is in use by another smdb-harness up (PID 4242, since 2026-01-01T00:00:00.000Z); stop that one first, or give this one another --state-dir",
    });
  });
  it("is stale when its PID is gone, when it names our own PID (a restarted container), or when nobody touched it", () => {
    expect(judgeLock({ ...base, holderAlive: false })).toEqual({
      kind: "stale",
      why: "PID 4242 that held it is not running",
    });
    expect(judgeLock({ ...base, self: { pid: 4242, hostname: "box" } }).kind).toBe("stale");
    expect(judgeLock({ ...base, heartbeatAgeMs: LOCK_STALE_AFTER_MS + 1 }).kind).toBe("stale");
    expect(judgeLock({ ...base, holder: undefined }).kind).toBe("stale");
  });
  it("trusts the heartbeat for a holder on another host (a shared volume)", () => {
    const other = { ...base, self: { pid: 4242, hostname: "other" }, holderAlive: false };
    expect(judgeLock(other)).toMatchObject({ kind: "held" });
    expect((judgeLock(other) as { sentence: string }).sentence).toContain("PID 4242 on host box");
    expect(judgeLock({ ...other, heartbeatAgeMs: LOCK_STALE_AFTER_MS + 1 }).kind).toBe("stale");
  });
});

describe("up and its state dir", () => {
  it("refuses a second up on the same state dir naming the first one's PID, and takes over the lock of a killed one", async () => {
    const stateDir = join(dir, "shared");
    const first = await startUp(["--http", "--state-dir", stateDir]);
    const lock = JSON.parse(await readFile(join(stateDir, "up.lock"), "utf8"));
    expect(lock.pid).toBe(first.child.pid);
    const configBefore = await readFile(join(stateDir, "client-production.yaml"), "utf8");

    const second = await runCli(["up", "--http", "--port", "0", "--state-dir", stateDir]);
    expect(second.code).toBe(2);
    expect(second.stderr.trim()).toMatch(
      new RegExp(
        `^smdb-harness: the state dir ${stateDir} is in use by another smdb-harness up \\(PID ${first.child.pid}, since [^)]+\\); stop that one first, or give this one another --state-dir$`,
      ),
    );
    // The refused one changed nothing: the first one's client configuration still names its port.
    expect(await readFile(join(stateDir, "client-production.yaml"), "utf8")).toBe(configBefore);

    first.child.kill("SIGKILL");
    await first.exited;
    const third = await startUp(["--http", "--state-dir", stateDir]);
    expect(third.stdout()).toContain(
      `took over the state dir's lock: PID ${first.child.pid} that held it is not running`,
    );
    third.child.kill("SIGTERM");
    expect(await third.exited).toBe(0);
    // A clean stop removes the lock.
    await expect(readFile(join(stateDir, "up.lock"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("names a state dir it cannot write as such", async () => {
    const file = join(dir, "a-file");
    await writeFile(file, "not a directory");
    const result = await runCli(["up", "--http", "--port", "0", "--state-dir", join(file, "state")]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `smdb-harness: cannot write the state dir ${join(file, "state")}: a part of the path is a file, not a directory; run as a user who may write there, or give another --state-dir`,
    );
  });
});
