/**
 * `smdb-harness client call` as a user runs it (a child process) against a harness over HTTP:
 * the result as JSON on stdout, --dump-dir, and a refusal as one line with step and reason.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../../src/harness/harness.js";
import { writeCredentialFiles } from "../../src/pki/index.js";
import { validateCourse } from "../../src/smdb/course.js";
import { PRIVILEGE_HENT } from "../../src/smdb/privileges.js";
import { clientCall, runCli } from "../helpers/cli.js";
import { COURSE } from "../helpers/fixtures.js";
import { provisionSystemUser, realClockHarness } from "../helpers/harness.js";
import { useTempDir } from "../helpers/tmp.js";

let h: Harness;
let dir: string;
useTempDir("smdb-cli-call-", (path) => {
  dir = path;
});

async function clientConfig(name: string, cvr: string, privileges?: string[]): Promise<string> {
  const cert = await h.state.ca.issue({
    profile: "oces3-system",
    cvr,
    name,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
  });
  await provisionSystemUser(
    h.registry,
    { name, cvr, entityId: `https://${name}.example/wsc`, ...(privileges ? { privileges } : {}) },
    { current: cert },
  );
  await writeCredentialFiles(cert, join(dir, name), { password: "test" });
  await writeFile(join(dir, "sts.pem"), h.state.environment("production").stsSigning.certificate.pem);
  const yaml = [
    "environment: production",
    `stsUrl: ${h.stsUrl("production")}`,
    `stsEndpointReference: ${h.state.environment("production").stsEndpointReference}`,
    "stsCertificate: sts.pem",
    `wspUrl: ${h.wspUrl("production")}`,
    `wspEntityId: ${h.state.environment("production").wspEntityId}`,
    `clientCertificate: { cert: ${name}.pem, key: ${name}.key.pem }`,
  ].join("\n");
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, `${yaml}\n`);
  return file;
}

beforeAll(async () => {
  h = await realClockHarness().start();
});

afterAll(async () => {
  await h?.close();
});

describe("smdb-harness client call", () => {
  it("submits and reads back a course, printing each result as JSON, and dumps every message", async () => {
    const config = await clientConfig("kommune", "91234567");
    const payload = join(dir, "course.json");
    await writeFile(payload, JSON.stringify(COURSE));
    const dump = join(dir, "dump");
    const put = await clientCall(config, "IndberetForloeb", { payload, dumpDir: dump });
    expect(put.code, put.stderr).toBe(0);
    expect(JSON.parse(put.stdout)).toEqual({ forloebId: COURSE.forloebId, version: 1, status: "created" });
    const files = (await readdir(dump)).sort();
    expect(files).toEqual([
      "001-sts-request.xml",
      "001-sts-response.xml",
      "001-wsp-IndberetForloeb-request.xml",
      "001-wsp-IndberetForloeb-response.xml",
    ]);
    const request = await readFile(join(dump, "001-wsp-IndberetForloeb-request.xml"), "utf8");
    const stsResponse = await readFile(join(dump, "001-sts-response.xml"), "utf8");
    // The token goes to the WSP exactly as the STS issued it.
    const token = /<(?:\w+:)?EncryptedAssertion[\s\S]*?<\/(?:\w+:)?EncryptedAssertion>/.exec(request)![0];
    expect(stsResponse).toContain(
      token.slice(token.indexOf("<xenc:EncryptedData"), token.indexOf("</xenc:EncryptedData>")),
    );

    const query = join(dir, "query.json");
    await writeFile(query, JSON.stringify({ forloebId: COURSE.forloebId }));
    const got = await clientCall(config, "HentForloeb", { payload: query, dumpDir: dump });
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout).forloeb[0]).toMatchObject({ ...COURSE, version: 1 });
    // A second run into the same dump directory adds to it; nothing of the first run is overwritten.
    expect((await readdir(dump)).sort()).toEqual([
      ...files,
      "002-sts-request.xml",
      "002-sts-response.xml",
      "002-wsp-HentForloeb-request.xml",
      "002-wsp-HentForloeb-response.xml",
    ]);
    expect(await readFile(join(dump, "001-wsp-IndberetForloeb-request.xml"), "utf8")).toBe(request);
  });

  it("an unknown --operation is a usage error before any request is sent (exit 2)", async () => {
    const config = await clientConfig("usage", "91234568");
    const before = h.events.lastSeq;
    const res = await clientCall(config, "Foo");
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      /argument 'Foo' is invalid\. Allowed choices are Ping, IndberetForloeb, HentForloeb/,
    );
    expect(h.events.since(before)).toEqual([]);
  });

  it("a refusal is one line naming step 2 and the reason code, exit 1", async () => {
    const config = await clientConfig("laeser", "97777777", [PRIVILEGE_HENT]);
    const payload = join(dir, "course2.json");
    await writeFile(payload, JSON.stringify(COURSE));
    const res = await clientCall(config, "IndberetForloeb", { payload });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/step 2: PRIVILEGE_MISSING: /);
    const ping = await clientCall(config, "Ping");
    expect(ping.code, ping.stderr).toBe(0);
    expect(JSON.parse(ping.stdout)).toMatchObject({ cvr: "97777777", environment: "production" });
  });

  it("a missing or invalid payload is a usage error: exit 2 before anything is sent", async () => {
    const config = await clientConfig("glemsom", "96666666");
    const before = h.events.since(0).length;
    const indberet = await clientCall(config, "IndberetForloeb");
    expect(indberet.code).toBe(2);
    expect(indberet.stderr).toMatch(
      /^smdb-harness: VALIDATION_ERROR: the course is not valid: forloebId: is required;.* no --payload was given: IndberetForloeb takes a course, e\.g\. .* \(see `smdb-harness client call --help`\); nothing was sent\n$/,
    );
    const hent = await clientCall(config, "HentForloeb");
    expect(hent.code).toBe(2);
    expect(hent.stderr).toBe(
      'smdb-harness: VALIDATION_ERROR: the HentForloeb query is not valid: (query): give exactly one of forloebId and aendretSiden; no --payload was given: HentForloeb takes {"forloebId": "F-1"} or {"aendretSiden": "2026-01-01T00:00:00Z"} (see `smdb-harness client call --help`); nothing was sent\n',
    );
    const bad = join(dir, "bad-course.json");
    await writeFile(bad, JSON.stringify({ ...COURSE, cpr: "12345" }));
    const invalid = await clientCall(config, "IndberetForloeb", { payload: bad });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toBe(
      `smdb-harness: VALIDATION_ERROR: --payload ${bad}: the course is not valid: cpr: must be exactly 10 digits (DDMMYYSSSS); nothing was sent\n`,
    );
    // Neither the STS nor SMDB saw a request.
    expect(h.events.since(0).slice(before)).toEqual([]);
  });

  it("--help teaches: payload shapes (the course example is a valid course), exit codes, examples", async () => {
    const help = await runCli(["client", "call", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Examples:");
    expect(help.stdout).toContain("--operation Ping");
    expect(help.stdout).toMatch(/Exit 0 on success; 1 when the STS or SMDB refused/);
    const course = /takes a course, e\.g\.\n([\s\S]*?\})\n/.exec(help.stdout)?.[1];
    expect(course).toBeDefined();
    expect(() => validateCourse(JSON.parse(course ?? ""))).not.toThrow();
    const token = await runCli(["client", "token", "--help"]);
    expect(token.stdout).toContain("Examples:");
  });
});

describe("client CLI error lines", () => {
  it("a fault without a reason code (realistic fault mode) points at the event log", async () => {
    const { clientCliError } = await import("../../src/cli/client.js");
    const { ClientError } = await import("../../src/client/errors.js");
    const sts = clientCliError(
      new ClientError(1, "STS_FAULT", "the STS refused the token request with wst:FailedAuthentication"),
    ) as { message: string; exitCode: number };
    expect(sts.exitCode).toBe(1);
    expect(sts.message).toMatch(/^step 1: STS_FAULT: .*GET \/admin\/api\/events\)$/);
    const wsp = clientCliError(new ClientError(2, "WSP_FAULT", "SMDB answered with a fault")) as {
      message: string;
    };
    expect(wsp.message).toContain("GET /admin/api/events");
    const named = clientCliError(new ClientError(1, "CERT_EXPIRED", "expired")) as { message: string };
    expect(named.message).toBe("step 1: CERT_EXPIRED: expired");
  });
});
