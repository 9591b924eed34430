/**
 * The client configuration file (YAML, docs/contract.md):
 *
 *   environment: production
 *   stsUrl: https://127.0.0.1:8080/production/SecurityTokenService.svc
 *   stsEndpointReference: https://signature.sts.nemlog-in.dk/
 *   stsCertificate: sts-production.pem            # or a list of PEM files
 *   wspUrl: https://127.0.0.1:8080/production/smdb
 *   wspEntityId: https://smdb.dst.dk/production
 *   wspCertificate: wsp-production.pem            # optional (or a list): the SMDB's response signer
 *   clientCertificate: { file: system.p12, password: secret }
 *     # or { cert: system.pem, key: system.key.pem }
 *     # or { store: ./store, findType: FindBySubjectName, findValue: "SMDB indberetning" }
 *   fallbackCertificate: { … same forms … }       # optional
 *   tls: { ca: tls-ca.pem }                        # or { insecure: true }
 *   tokenLifetime: 1h                              # optional: requested via wst:Lifetime
 *
 * Every field: docs/client-config.md. Relative paths resolve against the directory of the YAML file. Errors name the file and field.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { parseDuration } from "../core/clock.js";
import { type Environment, isEnvironment } from "../core/events.js";
import { fileErrorSentence } from "../core/file-errors.js";
import { ClientError } from "./errors.js";

export const FIND_TYPES = ["FindByThumbprint", "FindBySubjectName", "FindBySerialNumber"] as const;
export type FindType = (typeof FIND_TYPES)[number];

export type CertificateSourceConfig =
  | { kind: "file"; file: string; password?: string }
  | { kind: "pem"; cert: string; key: string; password?: string }
  | { kind: "store"; store: string; findType: FindType; findValue: string; password?: string };

export interface TlsConfig {
  /** PEM file(s) of the CA(s) that issued the server's TLS certificate. */
  ca?: string;
  insecure?: boolean;
}

export interface ClientConfig {
  /** The YAML file (absolute), for messages. */
  file: string;
  environment: Environment;
  stsUrl: string;
  stsEndpointReference: string;
  /** Absolute paths of the trusted STS signing certificate PEM files. */
  stsCertificate: string[];
  wspUrl: string;
  wspEntityId: string;
  /**
   * Absolute paths of PEM files with the WSP (SMDB) certificate(s) the client trusts to sign
   * responses; empty: any correctly signed response that relates to the request is accepted.
   */
  wspCertificate: string[];
  clientCertificate: CertificateSourceConfig;
  fallbackCertificate?: CertificateSourceConfig;
  tls: TlsConfig;
  tokenLifetimeMs?: number;
}

/**
 * Every field the configuration accepts, by where it appears; the parser allows exactly these,
 * and docs/client-config.md documents each (a test holds them together).
 */
export const CLIENT_CONFIG_FIELDS = {
  top: [
    "environment",
    "stsUrl",
    "stsEndpointReference",
    "stsCertificate",
    "wspUrl",
    "wspEntityId",
    "wspCertificate",
    "clientCertificate",
    "fallbackCertificate",
    "tls",
    "tokenLifetime",
  ],
  /** The three forms of `clientCertificate` and `fallbackCertificate`. */
  certificateFile: ["file", "password"],
  certificatePem: ["cert", "key", "password"],
  certificateStore: ["store", "findType", "findValue", "password"],
  tls: ["ca", "insecure"],
} as const satisfies Record<string, readonly string[]>;

const TOP_LEVEL: readonly string[] = CLIENT_CONFIG_FIELDS.top;

function configError(file: string, field: string, message: string): ClientError {
  return new ClientError(0, "CONFIG_INVALID", `${file}: ${field}: ${message}`, { file, field });
}

export async function loadClientConfig(path: string): Promise<ClientConfig> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ClientError(
      0,
      "CONFIG_INVALID",
      `${fileErrorSentence(file, error)}; give the client configuration YAML`,
      { file },
    );
  }
  return parseClientConfig(text, file);
}

/** Parses and checks the configuration; `file` is where it came from (relative paths resolve against its directory). */
export function parseClientConfig(text: string, file: string): ClientConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ClientError(0, "CONFIG_INVALID", `${file}: not valid YAML: ${doc.errors[0]!.message}`, {
      file,
    });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The yaml library refuses alias bombs here ("Excessive alias count …").
    throw new ClientError(0, "CONFIG_INVALID", `${file}: YAML refused: ${(error as Error).message}`, {
      file,
    });
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ClientError(
      0,
      "CONFIG_INVALID",
      `${file}: expected a YAML mapping with ${TOP_LEVEL.slice(0, 7).join(", ")}, …`,
      { file },
    );
  }
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!TOP_LEVEL.includes(key))
      throw configError(file, key, `unknown field; expected one of ${TOP_LEVEL.join(", ")}`);
  }
  const dir = dirname(file);
  const str = (field: string, value: unknown, required = true): string | undefined => {
    if (value === undefined || value === null) {
      if (required) throw configError(file, field, "is missing");
      return undefined;
    }
    if (typeof value !== "string" && typeof value !== "number")
      throw configError(file, field, "must be a string");
    const s = String(value).trim();
    if (s === "") throw configError(file, field, "must not be empty");
    return s;
  };
  const url = (field: string, value: unknown): string => {
    const s = str(field, value)!;
    let parsed: URL;
    try {
      parsed = new URL(s);
    } catch {
      throw configError(file, field, `"${s}" is not a URL`);
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
      throw configError(file, field, `"${s}" must be an http(s) URL`);
    return s;
  };
  const path = (field: string, value: unknown): string => resolve(dir, str(field, value)!);

  const environment = str("environment", obj.environment)!;
  if (!isEnvironment(environment))
    throw configError(file, "environment", `"${environment}" must be integration or production`);
  /** One PEM file or a list of them (at least one). */
  const pemFiles = (field: string, value: unknown): string[] => {
    const files = Array.isArray(value)
      ? value.map((v, i) => path(`${field}[${i}]`, v))
      : [path(field, value)];
    if (files.length === 0) throw configError(file, field, "give at least one PEM file");
    return files;
  };
  const stsCertificate = pemFiles("stsCertificate", obj.stsCertificate);
  const wspCertificate =
    obj.wspCertificate === undefined || obj.wspCertificate === null
      ? []
      : pemFiles("wspCertificate", obj.wspCertificate);

  const source = (field: string, value: unknown): CertificateSourceConfig => {
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      throw configError(file, field, "must be {file, password}, {cert, key} or {store, findType, findValue}");
    }
    const v = value as Record<string, unknown>;
    const password = v.password === undefined || v.password === null ? undefined : String(v.password);
    const withPassword = password !== undefined ? { password } : {};
    const allowed = (keys: readonly string[]) => {
      for (const key of Object.keys(v)) {
        if (!keys.includes(key))
          throw configError(file, `${field}.${key}`, `unknown field; expected ${keys.join(", ")}`);
      }
    };
    if ("store" in v) {
      allowed(CLIENT_CONFIG_FIELDS.certificateStore);
      const findType = str(`${field}.findType`, v.findType)!;
      if (!(FIND_TYPES as readonly string[]).includes(findType)) {
        throw configError(file, `${field}.findType`, `"${findType}" must be one of ${FIND_TYPES.join(", ")}`);
      }
      return {
        kind: "store",
        store: path(`${field}.store`, v.store),
        findType: findType as FindType,
        findValue: str(`${field}.findValue`, v.findValue)!,
        ...withPassword,
      };
    }
    if ("file" in v) {
      allowed(CLIENT_CONFIG_FIELDS.certificateFile);
      return { kind: "file", file: path(`${field}.file`, v.file), ...withPassword };
    }
    if ("cert" in v || "key" in v) {
      allowed(CLIENT_CONFIG_FIELDS.certificatePem);
      return {
        kind: "pem",
        cert: path(`${field}.cert`, v.cert),
        key: path(`${field}.key`, v.key),
        ...withPassword,
      };
    }
    throw configError(file, field, "must be {file, password}, {cert, key} or {store, findType, findValue}");
  };

  let tls: TlsConfig = {};
  if (obj.tls !== undefined && obj.tls !== null) {
    if (typeof obj.tls !== "object" || Array.isArray(obj.tls))
      throw configError(file, "tls", "must be {ca: FILE} or {insecure: true}");
    const t = obj.tls as Record<string, unknown>;
    for (const key of Object.keys(t)) {
      if (!(CLIENT_CONFIG_FIELDS.tls as readonly string[]).includes(key))
        throw configError(
          file,
          `tls.${key}`,
          `unknown field; expected ${CLIENT_CONFIG_FIELDS.tls.join(" or ")}`,
        );
    }
    if (t.insecure !== undefined && typeof t.insecure !== "boolean")
      throw configError(file, "tls.insecure", "must be true or false");
    tls = {
      ...(t.ca !== undefined ? { ca: path("tls.ca", t.ca) } : {}),
      ...(t.insecure === true ? { insecure: true } : {}),
    };
  }
  let tokenLifetimeMs: number | undefined;
  if (obj.tokenLifetime !== undefined) {
    try {
      tokenLifetimeMs = parseDuration(String(obj.tokenLifetime));
    } catch (error) {
      throw configError(file, "tokenLifetime", (error as Error).message);
    }
    if (tokenLifetimeMs <= 0) throw configError(file, "tokenLifetime", "must be positive");
  }
  return {
    file,
    environment,
    stsUrl: url("stsUrl", obj.stsUrl),
    stsEndpointReference: str("stsEndpointReference", obj.stsEndpointReference)!,
    stsCertificate,
    wspUrl: url("wspUrl", obj.wspUrl),
    wspEntityId: str("wspEntityId", obj.wspEntityId)!,
    wspCertificate,
    clientCertificate: source("clientCertificate", obj.clientCertificate),
    ...(obj.fallbackCertificate !== undefined && obj.fallbackCertificate !== null
      ? { fallbackCertificate: source("fallbackCertificate", obj.fallbackCertificate) }
      : {}),
    tls,
    ...(tokenLifetimeMs !== undefined ? { tokenLifetimeMs } : {}),
  };
}
