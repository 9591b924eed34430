/**
 * The one list of reason codes a failed call or a rejected request can carry, per step
 * (docs/contract.md "Reason codes", docs/contract-changes.md, docs/sts.md, docs/smdb.md). A scenario's
 * `expect.failures`/`expect.calls` are checked against it, and test/core/reason-codes.test.ts
 * checks that every code the STS, the WSP and the client construct is listed here.
 *
 * - step 0: the client could not start or send anything (its certificate or configuration);
 * - step 1: the STS's reason (event, and the verbose fault the client passes on), or one the
 *   client gives for the STS's answer;
 * - step 2: the WSP's reason (event, and the verbose fault), or one the client gives for the
 *   WSP's answer or for a request it refuses to send.
 *
 * A code may be used by both steps with the same meaning (`MALFORMED_REQUEST`,
 * `HEADER_NOT_UNDERSTOOD`, `SIGNATURE_INVALID`, `TIMESTAMP_EXPIRED`, `WRONG_ENDPOINT`). Add codes when needed; never reuse
 * one for another meaning.
 */

/** A request that succeeded (events, and a call that got its answer). Never a failure's reason. */
export const OK = "OK";

/** Step 0, client side: nothing was sent (`ClientError(0, …)`). */
export const CLIENT_SETUP_REASONS = [
  "CLIENT_CERT_NOT_FOUND",
  "CLIENT_CERT_UNREADABLE",
  "CONFIG_INVALID",
] as const;

/** Step 1, the STS: why it refused a token request (docs/sts.md, in the order of its checks). */
export const STS_REASONS = [
  "MALFORMED_REQUEST",
  "HEADER_NOT_UNDERSTOOD",
  "UNSUPPORTED_ALGORITHM",
  "SIGNATURE_INVALID",
  "UNSIGNED_PART",
  "WRONG_ENDPOINT",
  "TIMESTAMP_EXPIRED",
  "TIMESTAMP_NOT_YET_VALID",
  "ACT_AS_NOT_ALLOWED",
  "CERT_UNTRUSTED_ISSUER",
  "CERT_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_NOT_REGISTERED",
  "CERT_NOT_PROVISIONED",
  "CERT_NOT_YET_ACTIVE",
  "CERT_SUPERSEDED",
  "UNKNOWN_SERVICE",
  "INVALID_LIFETIME",
  "STS_INTERNAL_ERROR",
] as const;

/**
 * Step 1, client side: a fault without a reason (realistic fault mode), no answer, an answer that
 * cannot be read, or one not signed by a trusted STS certificate.
 */
export const STS_CLIENT_REASONS = [
  "STS_FAULT",
  "STS_UNREACHABLE",
  "STS_RESPONSE_MALFORMED",
  "STS_RESPONSE_UNTRUSTED",
] as const;

/** Step 2, the WSP (SMDB): why it refused a call (docs/smdb.md, in the order of its checks). */
export const WSP_REASONS = [
  "MALFORMED_REQUEST",
  "HEADER_NOT_UNDERSTOOD",
  "TOKEN_MISSING",
  "TOKEN_DECRYPT_FAILED",
  "TOKEN_SIGNATURE_INVALID",
  "TOKEN_ISSUER_UNTRUSTED",
  "AUDIENCE_MISMATCH",
  "TOKEN_LIFETIME_INVALID",
  "TOKEN_NOT_YET_VALID",
  "TOKEN_EXPIRED",
  "HOK_PROOF_INVALID",
  "SIGNATURE_INVALID",
  "WRONG_ENDPOINT",
  "TIMESTAMP_EXPIRED",
  "REPLAY",
  "REPLAY_CACHE_FULL",
  "REPLAY_CLIENT_QUOTA",
  "PRIVILEGE_MISSING",
  "VALIDATION_ERROR",
  "INTERNAL_ERROR",
] as const;

/**
 * Step 2, client side: a fault without a reason (realistic fault mode), no answer, an answer that
 * is no SOAP 1.2 fault or a signed answer for another operation than the one called
 * (`WSP_RESPONSE_MALFORMED`), not correctly signed or not by the configured `wspCertificate`
 * (`WSP_RESPONSE_UNTRUSTED`), or an operation the client does not know (`UNKNOWN_OPERATION`). A
 * payload the client checks before sending is the WSP's `VALIDATION_ERROR`.
 */
export const WSP_CLIENT_REASONS = [
  "WSP_FAULT",
  "WSP_UNREACHABLE",
  "WSP_RESPONSE_MALFORMED",
  "WSP_RESPONSE_UNTRUSTED",
  "UNKNOWN_OPERATION",
] as const;

export type ClientSetupReason = (typeof CLIENT_SETUP_REASONS)[number];
export type StsFailureReason = (typeof STS_REASONS)[number];
export type StsClientReason = (typeof STS_CLIENT_REASONS)[number];
export type WspFailureReason = (typeof WSP_REASONS)[number];
export type WspClientReason = (typeof WSP_CLIENT_REASONS)[number];
/** Every code a failure can carry, at any step. */
export type FailureReason =
  | ClientSetupReason
  | StsFailureReason
  | StsClientReason
  | WspFailureReason
  | WspClientReason;

export type ReasonStep = 0 | 1 | 2;

/** The codes a failure at each step can carry (server side first, then client side). */
export const FAILURE_REASONS: Readonly<Record<ReasonStep, readonly FailureReason[]>> = {
  0: CLIENT_SETUP_REASONS,
  1: [...STS_REASONS, ...STS_CLIENT_REASONS],
  2: [...WSP_REASONS, ...WSP_CLIENT_REASONS],
};

const SETS: Record<ReasonStep, ReadonlySet<string>> = {
  0: new Set(FAILURE_REASONS[0]),
  1: new Set(FAILURE_REASONS[1]),
  2: new Set(FAILURE_REASONS[2]),
};

/** Whether a failure at `step` can carry `reason`. */
export function isFailureReason(step: ReasonStep, reason: string): boolean {
  return SETS[step].has(reason);
}

/** The steps at which a failure can carry `reason` (empty: no such code). */
export function stepsOfReason(reason: string): ReasonStep[] {
  return ([0, 1, 2] as const).filter((step) => SETS[step].has(reason));
}

/** Every failure code, each once. */
export function allFailureReasons(): FailureReason[] {
  return [...new Set([...FAILURE_REASONS[0], ...FAILURE_REASONS[1], ...FAILURE_REASONS[2]])];
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The code in `candidates` closest to `reason` (a typo, a missing word, a word too many), or
 * undefined when none is close enough to be what was meant.
 */
export function closestReason(reason: string, candidates: readonly string[]): string | undefined {
  const wanted = reason.toUpperCase();
  let best: { code: string; distance: number } | undefined;
  for (const code of candidates) {
    const distance = editDistance(wanted, code);
    if (!best || distance < best.distance) best = { code, distance };
  }
  if (!best) return undefined;
  const limit = Math.max(2, Math.floor(Math.max(wanted.length, best.code.length) / 3));
  return best.distance <= limit ? best.code : undefined;
}
