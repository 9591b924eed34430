/** What the SMDB service is configured with: its environments and options, and what it answers. */
import type { Environment } from "../core/events.js";
import { DEFAULT_BODY_TIMEOUT_MS } from "../core/http-body.js";
import type { Certificate, Credential } from "../pki/index.js";
import { DEFAULT_REPLAY_MEMORY_BYTES, type ReplayCacheOptions } from "./replay-cache.js";
import type { StsTrust } from "./token.js";

/** What the WSP needs to know about one environment (wired by the harness from its state). */
export interface WspEnvironment {
  env: Environment;
  /** The WSP's entity ID: the audience tokens must be issued for. */
  entityId: string;
  /**
   * The endpoint reference of this environment's STS: the `saml2:Issuer` every token must carry
   * (the production WSP refuses a token the integration STS issued, even one signed with a key it trusts).
   */
  stsIssuer: string;
  /** The WSP's credential: decrypts tokens, signs responses. */
  credential(): Credential;
  /** The certificate(s) the environment's STS signs tokens with now. */
  stsCertificates(): Certificate[];
  /** Which STS certificates this WSP trusts (default `{mode: "current"}`); a function to allow changes at run time. */
  trust?: StsTrust | (() => StsTrust);
}

export type WspFaultMode = "verbose" | "realistic";

export interface WspOptions {
  /** Allowed difference between the clocks of client/STS and WSP (token times, Created). Default 5 min. */
  clockSkewMs: number;
  /** How old a request's wsu:Created may be, and how long MessageIDs are remembered. Default 5 min. */
  timestampWindowMs: number;
  /**
   * Memory for the MessageIDs remembered per environment (src/wsp/replay-cache.ts). Default 64 MiB
   * (over half a million entries). None is forgotten before its window has passed.
   */
  replayCacheBytes: number;
  /** Capacity in MessageIDs instead of `replayCacheBytes` (small configurations, tests). */
  replayCacheSize?: number;
  /** `verbose` (default): reason code and sentence in the fault; `realistic`: generic texts only. */
  faultMode: WspFaultMode;
  /** Largest request body. Default 1 MiB: a larger one is answered 413 without being read. */
  maxRequestBytes: number;
  /** Longest time a request body may take to arrive. Default 30 s: a slower one is answered 408. */
  bodyTimeoutMs: number;
  /** Accept rsa-sha1/sha1 (the Java reference client signs with them). Default true. */
  allowSha1: boolean;
}

export const DEFAULT_WSP_OPTIONS: WspOptions = {
  clockSkewMs: 5 * 60_000,
  timestampWindowMs: 5 * 60_000,
  replayCacheBytes: DEFAULT_REPLAY_MEMORY_BYTES,
  faultMode: "verbose",
  maxRequestBytes: 1024 * 1024,
  bodyTimeoutMs: DEFAULT_BODY_TIMEOUT_MS,
  allowSha1: true,
};

/**
 * How long a MessageID is remembered. A message is accepted while its wsu:Created lies within
 * [now − window − skew, now + skew]: one created up to `skew` in the future stays acceptable until
 * window + 2 × skew after it was first seen (inclusive), so its MessageID is remembered that long.
 */
export function replayWindowMs(options: Pick<WspOptions, "timestampWindowMs" | "clockSkewMs">): number {
  return options.timestampWindowMs + 2 * options.clockSkewMs + 1;
}

/** The replay cache's size and lifetime from the options. */
export function replayCacheOptions(options: WspOptions): ReplayCacheOptions {
  const ttlMs = replayWindowMs(options);
  return options.replayCacheSize === undefined
    ? { ttlMs, memoryBytes: options.replayCacheBytes }
    : { ttlMs, maxEntries: options.replayCacheSize };
}

export interface ServiceResponse {
  status: number;
  contentType: string;
  body: string;
}
