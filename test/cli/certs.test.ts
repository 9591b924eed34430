import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCredentialFile } from "../../src/pki/load.js";
import { runCli } from "../helpers/cli.js";
import { REFERENCE_FIXTURES as REF } from "../helpers/fixtures.js";
import { openssl } from "../helpers/openssl.js";
import { useTempDir } from "../helpers/tmp.js";

const YEAR_MS = 365 * 86_400_000;

let work: string;
useTempDir("smdb-cli-certs-", (dir) => {
  work = dir;
});

/** `certs issue <flags> --json` in the work directory: exit 0; the parsed JSON. */
async function issueJson(flags: string[]) {
  const result = await runCli(["certs", "issue", ...flags, "--json"], { cwd: work });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

/** A user error: exit 2, one line on stderr that names what was wrong, no stack trace. */
function expectOneLineError(result: { code: number; stderr: string; stdout: string }, pattern: RegExp): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe("certs issue", () => {
  it("issues an oces3-system certificate under <state-dir>/ca, valid now until 3 years − 1 s, all four files", async () => {
    const before = Date.now();
    const out = await issueJson([
      "--profile",
      "oces3-system",
      "--cvr",
      "91234567",
      "--name",
      "Min indberetning",
      "--out",
      "certs/system",
      "--password",
      "test",
    ]);
    expect(out.profile).toBe("oces3-system");
    expect(out.cvr).toBe("91234567");
    expect(out.subject).toMatch(/^C=DK, organizationIdentifier=NTRDK-91234567, O=.*, CN=Min indberetning$/);
    const notBefore = Date.parse(out.notBefore);
    const notAfter = Date.parse(out.notAfter);
    expect(notBefore).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(notAfter - notBefore).toBe(3 * YEAR_MS - 1000);

    // Under the state dir's CA, which is the one a harness on that state dir trusts.
    const root = join(work, ".smdb-harness", "ca", "root.pem");
    const issuing = join(work, ".smdb-harness", "ca", "issuing.pem");
    const verify = openssl([
      "verify",
      "-CAfile",
      root,
      "-untrusted",
      issuing,
      join(work, "certs", "system.pem"),
    ]);
    expect(verify.stdout.trim()).toMatch(/: OK$/);
    const p12 = await loadCredentialFile(join(work, "certs", "system.p12"), { password: "test" });
    expect(p12.certificates[0]!.sha256).toBe(out.sha256);
    expect(p12.key).toBeDefined();
    const cer = await readFile(join(work, "certs", "system.cer"));
    expect(cer[0]).toBe(0x30);
  });

  it("issues a second certificate under the same CA, with a different key", async () => {
    await issueJson(["--profile", "oces3-system", "--cvr", "91234567", "--out", "certs/second"]);
    const first = await loadCredentialFile(join(work, "certs", "system.p12"), { password: "test" });
    const second = await loadCredentialFile(join(work, "certs", "second.p12"));
    expect(second.certificates[1]!.sha256).toBe(first.certificates[1]!.sha256); // same issuing CA
    expect(second.key!.publicKeySha256).not.toBe(first.key!.publicKeySha256);
    // and never one of the CA's own keys
    for (const cert of second.certificates.slice(1)) {
      expect(cert.publicKey.export({ type: "spki", format: "der" })).not.toEqual(
        second.certificates[0]!.publicKey.export({ type: "spki", format: "der" }),
      );
    }
  });

  it("relative and absolute times; --not-after defaults to --not-before + 3 y − 1 s", async () => {
    const old = await issueJson(["--profile", "oces3-system", "--not-before", "-3y", "--out", "certs/old"]);
    expect(Date.parse(old.notAfter)).toBeLessThan(Date.now());
    expect(Date.parse(old.notAfter) - Date.parse(old.notBefore)).toBe(3 * YEAR_MS - 1000);

    const foces = await issueJson([
      "--profile",
      "foces2",
      "--cvr",
      "98765432",
      "--not-before",
      "2026-01-01T00:00:00Z",
      "--not-after",
      "2029-01-01",
      "--out",
      "certs/foces",
    ]);
    expect(foces.notBefore).toBe("2026-01-01T00:00:00.000Z");
    expect(foces.notAfter).toBe("2029-01-01T00:00:00.000Z");
    expect(foces.profile).toBe("foces2");
    expect(foces.cvr).toBe("98765432");
  });

  it("--uuid gives a renewal the same subject as the certificate it replaces (FindBySubjectName keeps working)", async () => {
    const uuid = "0f4a5b6c-1d2e-4f30-8a9b-0c1d2e3f4a5b";
    const common = ["--profile", "oces3-system", "--cvr", "91234567", "--name", "Sys"];
    const a = await issueJson([...common, "--uuid", uuid, "--out", "certs/cur"]);
    const b = await issueJson([...common, "--uuid", uuid, "--not-before", "+1d", "--out", "certs/new"]);
    const c = await issueJson([...common, "--out", "certs/other"]);
    expect(b.subject).toBe(a.subject);
    expect(b.sha256).not.toBe(a.sha256);
    expect(c.subject).not.toBe(a.subject);
    expectOneLineError(
      await runCli(["certs", "issue", "--profile", "sts", "--uuid", uuid, "--out", "x"], { cwd: work }),
      /--uuid applies to --profile oces3-system only, not sts/,
    );
    // Fresh RSA keys for what the CLI writes (never the key pool): room on a busy machine.
  }, 180_000);

  it("certs ca --out DIR, then certs issue --ca DIR chains to that CA (openssl verify -CAfile)", async () => {
    const made = await runCli(["certs", "ca", "--out", "myca"], { cwd: work });
    expect(made.code, made.stderr).toBe(0);
    for (const file of [
      "root.cer",
      "root.pem",
      "issuing.cer",
      "issuing.pem",
      "root.key.pem",
      "issuing.key.pem",
    ]) {
      expect(made.stdout).toContain(join("myca", file));
    }
    expect(openssl(["x509", "-inform", "DER", "-in", join(work, "myca", "root.cer"), "-noout"]).code).toBe(0);
    const issued = await runCli(
      ["certs", "issue", "--profile", "wsp", "--ca", "myca", "--out", "certs/wsp", "--password", "pw"],
      { cwd: work },
    );
    expect(issued.code, issued.stderr).toBe(0);
    expect(issued.stdout).toContain("Profile:     wsp");
    const verify = openssl([
      "verify",
      "-CAfile",
      join(work, "myca", "root.pem"),
      "-untrusted",
      join(work, "myca", "issuing.pem"),
      join(work, "certs", "wsp.pem"),
    ]);
    expect(verify.stdout.trim()).toMatch(/wsp\.pem: OK$/);
    const p12 = openssl([
      "pkcs12",
      "-info",
      "-noout",
      "-in",
      join(work, "certs", "wsp.p12"),
      "-passin",
      "pass:pw",
    ]);
    expect(p12.code, p12.stderr).toBe(0);
    // A second `certs ca` into the same directory would orphan the certificates issued under it.
    const again = await runCli(["certs", "ca", "--out", "myca"], { cwd: work });
    expectOneLineError(again, /--out myca: already holds a test CA/);
  });

  it("bad input: one line naming the flag, exit 2", async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ["--not-before", "+10x"],
        /--not-before: "\+10x" is neither an ISO 8601 time .* nor a relative duration/,
      ],
      [["--not-after", "yesterday"], /--not-after: "yesterday" is neither/],
      [["--not-before", "+1d", "--not-after", "-1d"], /--not-after .* is not after --not-before/],
      [["--cvr", "1234"], /--cvr "1234": a CVR number has 8 digits/],
      [["--ca", "no-such-ca"], /--ca no-such-ca: no test CA there/],
    ];
    for (const [flags, pattern] of cases) {
      const result = await runCli(
        ["certs", "issue", "--profile", "oces3-system", "--out", "certs/bad", ...flags],
        {
          cwd: work,
        },
      );
      expectOneLineError(result, pattern);
    }
    await writeFile(join(work, "a-file"), "x");
    expectOneLineError(
      await runCli(["certs", "issue", "--profile", "tls", "--out", "a-file/tls"], { cwd: work }),
      /--out a-file\/tls: cannot write the files \(a part of the path is a file, not a directory\)/,
    );
    expectOneLineError(
      await runCli(["certs", "issue", "--profile", "tls", "--out", "x", "--state-dir", "a-file"], {
        cwd: work,
      }),
      /--state-dir a-file: cannot load or create the CA in a-file\/ca/,
    );
    const badProfile = await runCli(["certs", "issue", "--profile", "oces4", "--out", "x"], { cwd: work });
    expect(badProfile.code).toBe(2);
    expect(badProfile.stderr).toMatch(
      /--profile .*'oces4' is invalid. Allowed choices are oces3-system, foces2/,
    );
    // Fresh RSA keys for the state dir's CA and the certificate (never the pool): slower on a busy machine.
  }, 180_000);

  it("--help teaches: profiles, time syntax and examples", async () => {
    const help = await runCli(["certs", "issue", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Examples:");
    expect(help.stdout).toContain("--not-before -3y");
    expect(help.stdout).toContain("oces3-system");
    // relative times are the machine's: a trainer on a virtual clock is told to give ISO times
    expect(help.stdout).toMatch(/not a harness's --virtual-clock/);
  });
});

describe("certs inspect", () => {
  it("--json of the real OCES3 certificate", async () => {
    const result = await runCli(["certs", "inspect", join(REF, "nemlogin-idp-test-oces3.cer"), "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(Object.keys(info)).toEqual([
      "subject",
      "issuer",
      "serialNumber",
      "notBefore",
      "notAfter",
      "sha1",
      "sha256",
      "cvr",
      "profile",
    ]);
    expect(info.cvr).toBe("34051178");
    expect(info.profile).toBe("oces3-system");
    expect(info.sha1).toBe("357FAAAB559E427FCF66BF81627378A86A1106C3");
  });

  it("the real FOCES certificate in bare base64, human-readable", async () => {
    const result = await runCli(["certs", "inspect", join(REF, "nemlogin-adfs-test-foces-bare-base64.cer")]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("base64 (no PEM armour)");
    expect(result.stdout).toMatch(/CVR:\s+34051178/);
    expect(result.stdout).toMatch(/Profile:\s+foces2/);
    expect(result.stdout).toMatch(/EXPIRED \d+ day\(s\) ago/);
  });

  it("a .p12 needs its password; wrong and missing passwords and broken files are one-line errors", async () => {
    const p12 = join(work, "certs", "system.p12");
    const ok = await runCli(["certs", "inspect", p12, "--password", "test", "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).profile).toBe("oces3-system");
    expectOneLineError(
      await runCli(["certs", "inspect", p12]),
      /system\.p12: is a password-protected PKCS#12/,
    );
    expectOneLineError(
      await runCli(["certs", "inspect", p12, "--password", "nope"]),
      /system\.p12: the password given does not open this PKCS#12/,
    );
    expectOneLineError(
      await runCli(["certs", "inspect", join(work, "missing.cer")]),
      /missing\.cer: does not exist/,
    );
    await writeFile(join(work, "empty.cer"), "");
    expectOneLineError(await runCli(["certs", "inspect", join(work, "empty.cer")]), /empty\.cer: is empty/);
    expectOneLineError(
      await runCli(["certs", "inspect", join(REF, "README.md")]),
      /README\.md: is a text file but neither PEM/,
    );
    expectOneLineError(
      await runCli(["certs", "inspect", join(work, "certs", "system.key.pem")]),
      /system\.key\.pem: .*holds a private key but no certificate/,
    );
  });
});
