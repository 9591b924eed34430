/**
 * File problems are sentences ("does not exist", "permission denied", "it is a directory"), never
 * raw errno codes: the shared helper (src/core/file-errors.ts) and the CLI commands that name a
 * file. (Tests run as root, for whom a read is never denied, so EACCES is checked on the helper.)
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileErrorSentence, fileProblem } from "../../src/core/file-errors.js";
import { REPO_ROOT, runCli } from "../helpers/cli.js";
import { useTempDir } from "../helpers/tmp.js";

const errno = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}`), { code });

/** Any upper-case errno-style code in a text (ENOENT, EACCES, EISDIR …). */
const ERRNO = /\bE[A-Z]{3,}\b/;

describe("fileProblem / fileErrorSentence", () => {
  it("says what went wrong in words for the usual codes", () => {
    expect(
      fileErrorSentence("course.json", errno("ENOENT", "no such file or directory, open 'course.json'")),
    ).toBe("course.json does not exist");
    expect(fileErrorSentence("course.json", errno("EACCES", "permission denied, open 'course.json'"))).toBe(
      "course.json cannot be read: permission denied",
    );
    expect(fileErrorSentence("out/report.html", errno("EROFS", "read-only file system"), "written")).toBe(
      "out/report.html cannot be written: the file system is read-only",
    );
    expect(fileErrorSentence("out/report.html", errno("ENOENT", "no such file"), "written")).toBe(
      "out/report.html cannot be written: a directory on its path does not exist",
    );
    expect(fileProblem(errno("EISDIR", "illegal operation on a directory, read"))).toBe(
      "it is a directory, not a file",
    );
    expect(fileProblem(errno("ENOSPC", "no space left on device, write"))).toBe(
      "no space left on the device",
    );
  });

  it("an unknown code keeps Node's words without the code and the syscall", () => {
    expect(fileProblem(errno("EWEIRD", "something odd happened, open '/x/y'"))).toBe(
      "something odd happened",
    );
    expect(fileProblem(new Error("plain failure\nwith a second line"))).toBe("plain failure");
  });
});

describe("the CLI names file problems in sentences", () => {
  let dir: string;
  useTempDir("smdb-file-errors-", (path) => {
    dir = path;
  });

  it("client call: a missing config, a missing payload, a payload that is a directory", async () => {
    const missingConfig = await runCli([
      "client",
      "call",
      "--config",
      join(dir, "nope.yaml"),
      "--operation",
      "Ping",
    ]);
    expect(missingConfig.code).toBe(2);
    expect(missingConfig.stderr).toContain(
      `${join(dir, "nope.yaml")} does not exist; give the client configuration YAML`,
    );

    await writeFile(join(dir, "c.yaml"), "environment: production\n");
    const missingPayload = await runCli([
      "client",
      "call",
      "--config",
      join(dir, "c.yaml"),
      "--operation",
      "HentForloeb",
      "--payload",
      join(dir, "hent.json"),
    ]);
    expect(missingPayload.code).toBe(2);
    expect(missingPayload.stderr).toBe(`smdb-harness: --payload ${join(dir, "hent.json")} does not exist\n`);

    await mkdir(join(dir, "adir.json"));
    const directory = await runCli([
      "client",
      "call",
      "--config",
      join(dir, "c.yaml"),
      "--operation",
      "IndberetForloeb",
      "--payload",
      join(dir, "adir.json"),
    ]);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toBe(
      `smdb-harness: --payload ${join(dir, "adir.json")} cannot be read: it is a directory, not a file\n`,
    );
    // A dump dir that cannot be made is found before anything is sent (the STS here does not exist).
    await writeFile(
      join(dir, "ok.yaml"),
      [
        "environment: production",
        "stsUrl: http://127.0.0.1:9/production/SecurityTokenService.svc",
        "stsEndpointReference: https://signature.sts.nemlog-in.dk/",
        "stsCertificate: sts.pem",
        "wspUrl: http://127.0.0.1:9/production/smdb",
        "wspEntityId: https://smdb.dst.dk/production",
        "clientCertificate: { file: c.p12 }",
      ].join("\n"),
    );
    const dumpDir = await runCli([
      "client",
      "call",
      "--config",
      join(dir, "ok.yaml"),
      "--operation",
      "Ping",
      "--dump-dir",
      join(dir, "ok.yaml", "dump"),
    ]);
    expect(dumpDir.code).toBe(2);
    expect(dumpDir.stderr).toBe(
      `smdb-harness: --dump-dir ${join(dir, "ok.yaml", "dump")} cannot be created: a part of the path is a file, not a directory\n`,
    );
    for (const res of [missingConfig, missingPayload, directory, dumpDir])
      expect(res.stderr).not.toMatch(ERRNO);
  });

  it("scenario run --out under a file, check-expiry and certs inspect of a missing file", async () => {
    await writeFile(join(dir, "blocker"), "a file where a directory should be");
    const report = await runCli([
      "scenario",
      "run",
      join(REPO_ROOT, "scenarios", "saved-not-provisioned.yaml"),
      "--out",
      join(dir, "blocker", "r.json"),
      "--reporter",
      "json",
    ]);
    expect(report.code).toBe(2);
    expect(report.stderr).toBe(
      `smdb-harness: --out ${join(dir, "blocker", "r.json")}: the report cannot be written: a part of the path is a file, not a directory\n`,
    );
    const expiry = await runCli(["check-expiry", join(dir, "gone.cer")]);
    expect(expiry.code).toBe(2);
    expect(expiry.stdout).toContain(`${join(dir, "gone.cer")}: does not exist`);
    const inspect = await runCli(["certs", "inspect", join(dir, "gone.cer")]);
    expect(inspect.code).toBe(2);
    expect(inspect.stderr).toContain(`${join(dir, "gone.cer")}: does not exist`);
    const scenario = await runCli(["scenario", "run", join(dir, "gone.yaml")]);
    expect(scenario.code).toBe(2);
    for (const res of [report, expiry, inspect, scenario]) {
      expect(res.stdout + res.stderr).not.toMatch(ERRNO);
    }
  });
});
