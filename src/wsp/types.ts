/** What the SMDB service is configured with: its environments and options, and what it answers. */
import type { Environment } from "../core/events.js";
import type { Certificate, Credential } from "../pki/index.js";
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
   * Most MessageIDs remembered per environment. Default 10 000. None is forgotten before its
   * window has passed: when all are live, new requests get REPLAY_CACHE_FULL.
   */
  replayCacheSize: number;
  /** `verbose` (default): reason code and sentence in the fault; `realistic`: generic texts only. */
  faultMode: WspFaultMode;
  /** Largest request body. Default 1 MiB. */
  maxRequestBytes: number;
  /** Accept rsa-sha1/sha1 (the Java reference client signs with them). Default true. */
  allowSha1: boolean;
}

export const DEFAULT_WSP_OPTIONS: WspOptions = {
  clockSkewMs: 5 * 60_000,
  timestampWindowMs: 5 * 60_000,
  replayCacheSize: 10_000,
  faultMode: "verbose",
  maxRequestBytes: 1024 * 1024,
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

export interface ServiceResponse {
  status: number;
  contentType: string;
  body: string;
}
