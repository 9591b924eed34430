/**
 * `up`'s configuration from its flags and `SMDB_HARNESS_*` environment variables (a flag wins over
 * its variable, a variable over the default), checked in one place: an invalid value is one
 * sentence naming the flag or variable, what it got and what it takes (exit 2). Pure: the
 * environment comes in as an argument.
 */
import { resolve } from "node:path";
import { parseDuration, parseIsoTime, TimeFormatError } from "../core/clock.js";
import type { FaultMode } from "../harness/harness.js";
import { isRole, ROLES, type Role } from "../harness/roles.js";
import { tlsHostnameProblem } from "../harness/tls.js";
import { isRolloverPolicy, ROLLOVER_POLICIES, type RolloverPolicy } from "../sts/rollover.js";

/** Each setting: its flag and its environment variable. */
export const UP_SETTINGS = {
  role: { flag: "--role", env: "SMDB_HARNESS_ROLE" },
  host: { flag: "--host", env: "SMDB_HARNESS_HOST" },
  port: { flag: "--port", env: "SMDB_HARNESS_PORT" },
  stateDir: { flag: "--state-dir", env: "SMDB_HARNESS_STATE_DIR" },
  http: { flag: "--http", env: "SMDB_HARNESS_HTTP" },
  policy: { flag: "--policy", env: "SMDB_HARNESS_POLICY" },
  faultMode: { flag: "--fault-mode", env: "SMDB_HARNESS_FAULT_MODE" },
  virtualClock: { flag: "--virtual-clock", env: "SMDB_HARNESS_VIRTUAL_CLOCK" },
  messageClock: { flag: "--message-clock", env: "SMDB_HARNESS_MESSAGE_CLOCK" },
  allowSha1: { flag: "--allow-sha1", env: "SMDB_HARNESS_ALLOW_SHA1" },
  clockSkew: { flag: "--clock-skew", env: "SMDB_HARNESS_CLOCK_SKEW" },
  tlsHostname: { flag: "--tls-hostname", env: "SMDB_HARNESS_TLS_HOSTNAMES" },
  tlsCert: { flag: "--tls-cert", env: "SMDB_HARNESS_TLS_CERT" },
  tlsKey: { flag: "--tls-key", env: "SMDB_HARNESS_TLS_KEY" },
  publicUrl: { flag: "--public-url", env: "SMDB_HARNESS_PUBLIC_URL" },
  nemloginUrl: { flag: "--nemlogin-url", env: "SMDB_HARNESS_NEMLOGIN_URL" },
  nemloginCa: { flag: "--nemlogin-ca", env: "SMDB_HARNESS_NEMLOGIN_CA" },
  nemloginWait: { flag: "--nemlogin-wait", env: "SMDB_HARNESS_NEMLOGIN_WAIT" },
} as const;

export type UpSetting = keyof typeof UP_SETTINGS;

/** Other `SMDB_HARNESS_*` variables the package reads (not settings of `up`). */
const OTHER_VARIABLES = [
  "SMDB_HARNESS_KEY_CACHE",
  "SMDB_HARNESS_KEY_POOL",
  "SMDB_HARNESS_DEBUG",
  // The image of the testcontainers module and the container tests; CI's demand that they run.
  "SMDB_HARNESS_IMAGE",
  "SMDB_HARNESS_REQUIRE_DOCKER",
];

export const DEFAULT_PORT = 8080;
export const DEFAULT_NEMLOGIN_WAIT_MS = 30_000;

/** The flags as commander hands them over (undefined: not given). */
export interface UpFlags {
  role?: string;
  host?: string;
  port?: string;
  stateDir?: string;
  http?: boolean;
  policy?: string;
  faultMode?: string;
  virtualClock?: string;
  messageClock?: string;
  allowSha1?: boolean;
  clockSkew?: string;
  tlsHostname?: string[];
  tlsCert?: string;
  tlsKey?: string;
  publicUrl?: string;
  nemloginUrl?: string;
  nemloginCa?: string;
  nemloginWait?: string;
}

export interface UpConfig {
  role: Role;
  host: string;
  port: number;
  /** Absolute. */
  stateDir: string;
  http: boolean;
  policy?: RolloverPolicy;
  faultMode: FaultMode;
  /** Start of the virtual clock (ms since the epoch); undefined: the real clock. */
  virtualClockMs?: number;
  messageClock?: "harness" | "real";
  allowSha1: boolean;
  clockSkewMs?: number;
  tlsHostnames: string[];
  tlsCert?: { cert: string; key: string };
  publicUrl?: string;
  nemlogin?: { url: string; caFile?: string; waitMs: number };
  /** `SMDB_HARNESS_*` variables that are no setting: probably misspelt. */
  unknownVariables: string[];
}

/** An invalid setting: `message` is the sentence to print. */
export class UpConfigError extends Error {
  override readonly name = "UpConfigError";
}

type Env = Readonly<Record<string, string | undefined>>;

/** Where a value came from, for the messages. */
function source(setting: UpSetting, fromFlag: boolean): string {
  return fromFlag ? UP_SETTINGS[setting].flag : UP_SETTINGS[setting].env;
}

function pick(flags: UpFlags, env: Env, setting: UpSetting): { value: string; from: string } | undefined {
  const flag = flags[setting as keyof UpFlags];
  if (typeof flag === "string") return { value: flag, from: source(setting, true) };
  const fromEnv = env[UP_SETTINGS[setting].env];
  if (fromEnv !== undefined && fromEnv !== "") return { value: fromEnv, from: source(setting, false) };
  return undefined;
}

const TRUE = ["1", "true", "yes", "on"];
const FALSE = ["0", "false", "no", "off"];

function bool(flags: UpFlags, env: Env, setting: "http" | "allowSha1"): boolean {
  if (flags[setting] === true) return true;
  const raw = env[UP_SETTINGS[setting].env];
  if (raw === undefined || raw === "") return false;
  const lower = raw.toLowerCase();
  if (TRUE.includes(lower)) return true;
  if (FALSE.includes(lower)) return false;
  throw new UpConfigError(`${UP_SETTINGS[setting].env} must be true or false (or 1/0, yes/no); got "${raw}"`);
}

function oneOf<T extends string>(
  picked: { value: string; from: string } | undefined,
  allowed: readonly T[],
): T | undefined {
  if (!picked) return undefined;
  if ((allowed as readonly string[]).includes(picked.value)) return picked.value as T;
  throw new UpConfigError(`${picked.from} must be one of ${allowed.join(", ")}; got "${picked.value}"`);
}

function httpUrl(picked: { value: string; from: string } | undefined): string | undefined {
  if (!picked) return undefined;
  let url: URL;
  try {
    url = new URL(picked.value);
  } catch {
    url = new URL("invalid:");
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.host === "") {
    throw new UpConfigError(
      `${picked.from} must be an http(s) URL like https://nemlogin:8443; got "${picked.value}"`,
    );
  }
  if (url.pathname !== "/" || url.search || url.hash) {
    throw new UpConfigError(
      `${picked.from} must be a base URL without a path, like https://nemlogin:8443; got "${picked.value}"`,
    );
  }
  return `${url.protocol}//${url.host}`;
}

function duration(picked: { value: string; from: string } | undefined, example: string): number | undefined {
  if (!picked) return undefined;
  try {
    return Math.abs(parseDuration(/^[+-]/.test(picked.value) ? picked.value : `+${picked.value}`));
  } catch (error) {
    if (error instanceof TimeFormatError) {
      throw new UpConfigError(`${picked.from} must be a duration like ${example}; got "${picked.value}"`);
    }
    throw error;
  }
}

/** `up`'s configuration; throws `UpConfigError` for the first invalid setting. */
export function resolveUpConfig(
  flags: UpFlags,
  env: Env,
  defaults: { stateDir: string; cwd: string },
): UpConfig {
  const role = oneOf(pick(flags, env, "role"), ROLES) ?? "all";
  if (!isRole(role)) throw new UpConfigError(`role must be one of ${ROLES.join(", ")}`);

  const portPicked = pick(flags, env, "port");
  let port = DEFAULT_PORT;
  if (portPicked) {
    port = Number(portPicked.value);
    if (!/^\d+$/.test(portPicked.value) || port > 65_535) {
      throw new UpConfigError(
        `${portPicked.from} must be a port number 0–65535 (0: any free port); got "${portPicked.value}"`,
      );
    }
  }
  const hostPicked = pick(flags, env, "host");
  const host = hostPicked?.value ?? "127.0.0.1";
  if (/\s|\//.test(host)) {
    throw new UpConfigError(
      `${hostPicked!.from} must be an address to listen on, like 127.0.0.1 or 0.0.0.0; got "${host}"`,
    );
  }
  const stateDir = resolve(defaults.cwd, pick(flags, env, "stateDir")?.value ?? defaults.stateDir);
  const http = bool(flags, env, "http");
  const allowSha1 = bool(flags, env, "allowSha1");

  const policyPicked = pick(flags, env, "policy");
  if (policyPicked && !isRolloverPolicy(policyPicked.value)) {
    throw new UpConfigError(
      `${policyPicked.from} must be one of ${ROLLOVER_POLICIES.join(", ")}; got "${policyPicked.value}"`,
    );
  }
  const faultMode = oneOf(pick(flags, env, "faultMode"), ["verbose", "realistic"] as const) ?? "verbose";
  const messageClock = oneOf(pick(flags, env, "messageClock"), ["harness", "real"] as const);

  const clockPicked = pick(flags, env, "virtualClock");
  let virtualClockMs: number | undefined;
  if (clockPicked) {
    try {
      virtualClockMs = parseIsoTime(clockPicked.value);
    } catch (error) {
      if (!(error instanceof TimeFormatError)) throw error;
      throw new UpConfigError(
        `${clockPicked.from} must be an ISO 8601 time like 2026-01-01T00:00:00Z; got "${clockPicked.value}"`,
      );
    }
  }
  const clockSkewMs = duration(pick(flags, env, "clockSkew"), "5m");

  const tlsHostnames: string[] = [];
  const fromFlags = flags.tlsHostname ?? [];
  const names =
    fromFlags.length > 0
      ? fromFlags.map((value) => ({ value, from: "--tls-hostname" }))
      : (env[UP_SETTINGS.tlsHostname.env] ?? "")
          .split(/[\s,]+/)
          .filter((n) => n !== "")
          .map((value) => ({ value, from: UP_SETTINGS.tlsHostname.env }));
  for (const { value, from } of names) {
    const problem = tlsHostnameProblem(value);
    if (problem) throw new UpConfigError(`${from}: "${value}" ${problem}`);
    tlsHostnames.push(value);
  }
  const certPicked = pick(flags, env, "tlsCert");
  const keyPicked = pick(flags, env, "tlsKey");
  if ((certPicked === undefined) !== (keyPicked === undefined)) {
    throw new UpConfigError(
      certPicked
        ? `${certPicked.from} needs its private key too: give --tls-key (SMDB_HARNESS_TLS_KEY)`
        : `${keyPicked!.from} needs its certificate too: give --tls-cert (SMDB_HARNESS_TLS_CERT)`,
    );
  }
  if (certPicked && http) {
    throw new UpConfigError(
      `${certPicked.from} is for HTTPS, but plain HTTP is asked for (--http / SMDB_HARNESS_HTTP)`,
    );
  }
  if (certPicked && tlsHostnames.length > 0) {
    throw new UpConfigError(
      "--tls-hostname names are for the generated TLS certificate; with your own (--tls-cert) put the names in it",
    );
  }
  const publicUrl = httpUrl(pick(flags, env, "publicUrl"));

  const nemloginPicked = pick(flags, env, "nemloginUrl");
  const nemloginUrl = httpUrl(nemloginPicked);
  const nemloginCa = pick(flags, env, "nemloginCa")?.value;
  const waitMs = duration(pick(flags, env, "nemloginWait"), "30s") ?? DEFAULT_NEMLOGIN_WAIT_MS;
  if (role === "smdb" && !nemloginUrl) {
    throw new UpConfigError(
      "role smdb learns the STS from the nemlogin service: give its URL with --nemlogin-url or SMDB_HARNESS_NEMLOGIN_URL (e.g. https://nemlogin:8443)",
    );
  }
  if (role !== "smdb" && nemloginPicked) {
    throw new UpConfigError(`${nemloginPicked.from} is only for role smdb (this is role ${role})`);
  }
  if (role === "smdb") {
    if (policyPicked) {
      throw new UpConfigError(
        `${policyPicked.from} is a setting of the STS: give it to the nemlogin service, not to role smdb`,
      );
    }
    if (clockPicked || (flags.messageClock ?? env[UP_SETTINGS.messageClock.env])) {
      throw new UpConfigError(
        "role smdb follows the nemlogin service's clock and message clock: give --virtual-clock and --message-clock to the nemlogin service",
      );
    }
  }

  const known = new Set<string>([...Object.values(UP_SETTINGS).map((s) => s.env), ...OTHER_VARIABLES]);
  const unknownVariables = Object.keys(env).filter(
    (name) => name.startsWith("SMDB_HARNESS_") && !known.has(name),
  );

  return {
    role,
    host,
    port,
    stateDir,
    http,
    ...(policyPicked ? { policy: policyPicked.value as RolloverPolicy } : {}),
    faultMode,
    ...(virtualClockMs !== undefined ? { virtualClockMs } : {}),
    ...(messageClock ? { messageClock } : {}),
    allowSha1,
    ...(clockSkewMs !== undefined ? { clockSkewMs } : {}),
    tlsHostnames,
    ...(certPicked && keyPicked
      ? {
          tlsCert: {
            cert: resolve(defaults.cwd, certPicked.value),
            key: resolve(defaults.cwd, keyPicked.value),
          },
        }
      : {}),
    ...(publicUrl ? { publicUrl } : {}),
    ...(role === "smdb" && nemloginUrl
      ? {
          nemlogin: {
            url: nemloginUrl,
            ...(nemloginCa ? { caFile: resolve(defaults.cwd, nemloginCa) } : {}),
            waitMs,
          },
        }
      : {}),
    unknownVariables,
  };
}
