/**
 * `up`'s settings from flags and SMDB_HARNESS_* variables (src/cli/up-config.ts): a flag wins over
 * its variable, a variable over the default, and every invalid value is one sentence naming the
 * flag or variable, what it got and what it takes. The CLI turns that into exit 2.
 */
import { describe, expect, it } from "vitest";
import { resolveUpConfig, UP_SETTINGS, UpConfigError, type UpFlags } from "../../src/cli/up-config.js";
import { runCli } from "../helpers/cli.js";

const DEFAULTS = { stateDir: ".smdb-harness", cwd: "/work/here" };
const resolve = (flags: UpFlags, env: Record<string, string> = {}) => resolveUpConfig(flags, env, DEFAULTS);
const refusal = (flags: UpFlags, env: Record<string, string> = {}): string => {
  try {
    resolve(flags, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UpConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
};

describe("up settings", () => {
  it("defaults to role all on 127.0.0.1:8080 over HTTPS with state in ./.smdb-harness", () => {
    expect(resolve({})).toEqual({
      role: "all",
      host: "127.0.0.1",
      port: 8080,
      stateDir: "/work/here/.smdb-harness",
      http: false,
      faultMode: "verbose",
      allowSha1: false,
      tlsHostnames: [],
      unknownVariables: [],
    });
  });

  it("takes every setting from its SMDB_HARNESS_* variable", () => {
    const config = resolve(
      {},
      {
        SMDB_HARNESS_ROLE: "nemlogin",
        SMDB_HARNESS_HOST: "0.0.0.0",
        SMDB_HARNESS_PORT: "8443",
        SMDB_HARNESS_STATE_DIR: "/var/lib/smdb-harness",
        SMDB_HARNESS_POLICY: "overlap",
        SMDB_HARNESS_FAULT_MODE: "realistic",
        SMDB_HARNESS_VIRTUAL_CLOCK: "2026-01-01T00:00:00Z",
        SMDB_HARNESS_MESSAGE_CLOCK: "harness",
        SMDB_HARNESS_ALLOW_SHA1: "yes",
        SMDB_HARNESS_CLOCK_SKEW: "2m",
        SMDB_HARNESS_TLS_HOSTNAMES: "nemlogin, harness.example 10.0.0.5",
        SMDB_HARNESS_PUBLIC_URL: "https://nemlogin:8443",
      },
    );
    expect(config).toMatchObject({
      role: "nemlogin",
      host: "0.0.0.0",
      port: 8443,
      stateDir: "/var/lib/smdb-harness",
      policy: "overlap",
      faultMode: "realistic",
      virtualClockMs: Date.parse("2026-01-01T00:00:00Z"),
      messageClock: "harness",
      allowSha1: true,
      clockSkewMs: 120_000,
      tlsHostnames: ["nemlogin", "harness.example", "10.0.0.5"],
      publicUrl: "https://nemlogin:8443",
    });
    expect(resolve({}, { SMDB_HARNESS_HTTP: "true" }).http).toBe(true);
    expect(
      resolve(
        {},
        {
          SMDB_HARNESS_ROLE: "smdb",
          SMDB_HARNESS_NEMLOGIN_URL: "https://nemlogin:8443/",
          SMDB_HARNESS_NEMLOGIN_CA: "ca.pem",
          SMDB_HARNESS_NEMLOGIN_WAIT: "5s",
        },
      ).nemlogin,
    ).toEqual({ url: "https://nemlogin:8443", caFile: "/work/here/ca.pem", waitMs: 5000 });
  });

  it("lets a flag win over its variable", () => {
    const config = resolve(
      { port: "9000", policy: "immediate", tlsHostname: ["a.example"], role: "all" },
      {
        SMDB_HARNESS_PORT: "8443",
        SMDB_HARNESS_POLICY: "overlap",
        SMDB_HARNESS_TLS_HOSTNAMES: "b.example",
        SMDB_HARNESS_ROLE: "nemlogin",
      },
    );
    expect(config).toMatchObject({
      port: 9000,
      policy: "immediate",
      tlsHostnames: ["a.example"],
      role: "all",
    });
  });

  it("refuses each invalid value in one sentence naming where it came from", () => {
    expect(refusal({}, { SMDB_HARNESS_ROLE: "both" })).toBe(
      'SMDB_HARNESS_ROLE must be one of all, nemlogin, smdb; got "both"',
    );
    expect(refusal({}, { SMDB_HARNESS_POLICY: "sometimes" })).toBe(
      'SMDB_HARNESS_POLICY must be one of at-expiry, overlap, immediate; got "sometimes"',
    );
    expect(refusal({}, { SMDB_HARNESS_FAULT_MODE: "loud" })).toMatch(
      /^SMDB_HARNESS_FAULT_MODE must be one of verbose, realistic/,
    );
    expect(refusal({}, { SMDB_HARNESS_MESSAGE_CLOCK: "wall" })).toMatch(
      /^SMDB_HARNESS_MESSAGE_CLOCK must be one of harness, real/,
    );
    expect(refusal({}, { SMDB_HARNESS_PORT: "http" })).toMatch(
      /^SMDB_HARNESS_PORT must be a port number 0–65535/,
    );
    expect(refusal({ port: "70000" }, {})).toMatch(/^--port must be a port number/);
    expect(refusal({}, { SMDB_HARNESS_HTTP: "maybe" })).toBe(
      'SMDB_HARNESS_HTTP must be true or false (or 1/0, yes/no); got "maybe"',
    );
    expect(refusal({}, { SMDB_HARNESS_VIRTUAL_CLOCK: "tomorrow" })).toMatch(
      /^SMDB_HARNESS_VIRTUAL_CLOCK must be an ISO 8601 time like 2026-01-01T00:00:00Z; got "tomorrow"$/,
    );
    expect(refusal({}, { SMDB_HARNESS_CLOCK_SKEW: "a while" })).toMatch(
      /^SMDB_HARNESS_CLOCK_SKEW must be a duration/,
    );
    expect(refusal({}, { SMDB_HARNESS_TLS_HOSTNAMES: "ok.example,under_score" })).toBe(
      'SMDB_HARNESS_TLS_HOSTNAMES: "under_score" is neither an IP address nor a DNS name (letters, digits and hyphens between dots)',
    );
    expect(refusal({ tlsHostname: ["-bad"] })).toMatch(/^--tls-hostname: "-bad"/);
    expect(refusal({}, { SMDB_HARNESS_PUBLIC_URL: "nemlogin:8443" })).toMatch(
      /^SMDB_HARNESS_PUBLIC_URL must be an http\(s\) URL/,
    );
    expect(refusal({ tlsCert: "cert.pem" })).toMatch(/^--tls-cert needs its private key too/);
    expect(refusal({ tlsKey: "key.pem" })).toMatch(/^--tls-key needs its certificate too/);
  });

  it("knows what belongs to which role", () => {
    expect(refusal({ role: "smdb" })).toMatch(
      /^role smdb learns the STS from the nemlogin service: give its URL with --nemlogin-url/,
    );
    expect(refusal({ role: "all", nemloginUrl: "https://nemlogin:8443" })).toBe(
      "--nemlogin-url is only for role smdb (this is role all)",
    );
    expect(refusal({ role: "smdb", nemloginUrl: "https://n:1", policy: "overlap" })).toMatch(
      /^--policy is a setting of the STS: give it to the nemlogin service/,
    );
    expect(
      refusal(
        { role: "smdb", nemloginUrl: "https://n:1" },
        { SMDB_HARNESS_VIRTUAL_CLOCK: "2026-01-01T00:00:00Z" },
      ),
    ).toMatch(/^role smdb follows the nemlogin service's clock/);
  });

  it("names SMDB_HARNESS_* variables that are no setting (a misspelling would otherwise pass silently)", () => {
    expect(
      resolve({}, { SMDB_HARNESS_POLCY: "overlap", SMDB_HARNESS_KEY_POOL: "off" }).unknownVariables,
    ).toEqual(["SMDB_HARNESS_POLCY"]);
    for (const { env } of Object.values(UP_SETTINGS)) expect(env).toMatch(/^SMDB_HARNESS_[A-Z0-9_]+$/);
  });

  it("exits 2 with the sentence on the command line, before anything starts", async () => {
    const result = await runCli(["up", "--state-dir", "/nonexistent/never-made"], {
      env: { SMDB_HARNESS_POLICY: "sometimes" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'smdb-harness: SMDB_HARNESS_POLICY must be one of at-expiry, overlap, immediate; got "sometimes"',
    );
    const role = await runCli(["up", "--role", "both"]);
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/argument 'both' is invalid\. Allowed choices are all, nemlogin, smdb\./);
  });
});
