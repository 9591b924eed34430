/**
 * The rollover rule: which of a systembruger's provisioned certificates the STS accepts at a
 * given time, under a rollover policy (docs/protocol.md). One pure function of (provisioned set,
 * policy, time); no clock, no I/O.
 *
 * The rule decides between the *slots* (`current`, `next`). Whether a certificate is inside its
 * own validity period is a separate check of the STS (`CERT_EXPIRED`, `CERT_NOT_YET_VALID`); the
 * rule only says which slot the STS would use. `acceptedSha256` combines both: the thumbprints
 * the STS would accept right now.
 *
 * - `at-expiry`: `current` up to and including its notAfter; from notAfter + 1 ms, `next`.
 * - `overlap`: both slots, each while valid.
 * - `immediate`: a provisioned `next` replaces `current` at the moment of provisioning, or at
 *   the scheduled activation time when one was given; before that, `current`.
 *
 * A set with only one certificate (in either slot) always uses that certificate.
 */
import type { Certificate } from "../pki/index.js";

export type RolloverPolicy = "at-expiry" | "overlap" | "immediate";
/** Every policy, in the order they are offered (CLI choices, schemas, the admin page). */
export const ROLLOVER_POLICIES: readonly RolloverPolicy[] = ["at-expiry", "overlap", "immediate"];
/** The policy the seed guide describes, used whenever none is chosen. */
export const DEFAULT_ROLLOVER_POLICY: RolloverPolicy = "at-expiry";

export function isRolloverPolicy(value: unknown): value is RolloverPolicy {
  return (ROLLOVER_POLICIES as readonly unknown[]).includes(value);
}

export type Slot = "current" | "next";
export const SLOTS: readonly Slot[] = ["current", "next"];

export function isSlot(value: unknown): value is Slot {
  return value === "current" || value === "next";
}

/** A certificate set as provisioned to one environment. */
export interface ProvisionedSet {
  current?: Certificate;
  next?: Certificate;
  /** When the set was provisioned (harness time, ms). */
  provisionedAtMs: number;
  /**
   * `immediate` policy: when `next` replaces `current`. Undefined means at `provisionedAtMs`.
   * Ignored by the other policies.
   */
  activateAtMs?: number;
}

export type RolloverStatus = "OK" | "CERT_NOT_YET_ACTIVE" | "CERT_SUPERSEDED";

export interface SlotDecision {
  slot: Slot;
  certificate: Certificate;
  status: RolloverStatus;
  /** True when the status is OK and the certificate is within its validity period. */
  accepted: boolean;
  /** Why, in one sentence. */
  explanation: string;
}

export interface RolloverDecision {
  policy: RolloverPolicy;
  atMs: number;
  slots: SlotDecision[];
  /** SHA-256 thumbprints the STS accepts now (status OK and within validity). */
  acceptedSha256: string[];
  /**
   * When the answer of this function next changes by the passage of time alone (a rollover
   * moment or a validity bound), or undefined when it never does.
   */
  nextChangeMs?: number;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The moment (exclusive of the old, inclusive of the new) at which `next` takes over, if any. */
export function rolloverMoment(set: ProvisionedSet, policy: RolloverPolicy): number | undefined {
  if (!set.current || !set.next) return undefined;
  switch (policy) {
    case "at-expiry":
      return set.current.notAfter.getTime() + 1;
    case "immediate":
      return set.activateAtMs ?? set.provisionedAtMs;
    case "overlap":
      return undefined;
  }
}

function statusOf(
  set: ProvisionedSet,
  policy: RolloverPolicy,
  slot: Slot,
  atMs: number,
): { status: RolloverStatus; explanation: string } {
  const { current, next } = set;
  if (!current || !next) {
    return { status: "OK", explanation: `it is the only certificate provisioned (slot ${slot})` };
  }
  if (policy === "overlap") {
    return {
      status: "OK",
      explanation: "policy overlap accepts both provisioned certificates while each is valid",
    };
  }
  const moment = rolloverMoment(set, policy)!;
  const rolled = atMs >= moment;
  const rule =
    policy === "at-expiry"
      ? `policy at-expiry switches from current to next when current expires (current notAfter ${iso(current.notAfter.getTime())}, next active from ${iso(moment)})`
      : `policy immediate switches from current to next at ${iso(moment)}${set.activateAtMs === undefined ? " (when it was provisioned)" : " (scheduled activation)"}`;
  if (slot === "current") {
    return rolled
      ? { status: "CERT_SUPERSEDED", explanation: `current was superseded by next: ${rule}` }
      : { status: "OK", explanation: `current is the active certificate: ${rule}` };
  }
  return rolled
    ? { status: "OK", explanation: `next is the active certificate: ${rule}` }
    : { status: "CERT_NOT_YET_ACTIVE", explanation: `next is not active yet: ${rule}` };
}

/** The rollover decision for a provisioned set at `atMs` under `policy`. Pure. */
export function decideRollover(set: ProvisionedSet, policy: RolloverPolicy, atMs: number): RolloverDecision {
  const slots: SlotDecision[] = [];
  for (const slot of SLOTS) {
    const certificate = set[slot];
    if (!certificate) continue;
    const { status, explanation } = statusOf(set, policy, slot, atMs);
    slots.push({
      slot,
      certificate,
      status,
      accepted: status === "OK" && certificate.isValidAt(atMs),
      explanation,
    });
  }
  const candidates: number[] = [];
  const moment = rolloverMoment(set, policy);
  if (moment !== undefined) candidates.push(moment);
  for (const { certificate } of slots) {
    candidates.push(certificate.notBefore.getTime(), certificate.notAfter.getTime() + 1);
  }
  const future = candidates.filter((ms) => ms > atMs);
  return {
    policy,
    atMs,
    slots,
    acceptedSha256: slots.filter((s) => s.accepted).map((s) => s.certificate.sha256),
    ...(future.length > 0 ? { nextChangeMs: Math.min(...future) } : {}),
  };
}

/**
 * The rollover status of one certificate in a provisioned set, or undefined when the
 * certificate is in neither slot.
 */
export function rolloverStatusOf(
  set: ProvisionedSet,
  policy: RolloverPolicy,
  certificate: Certificate,
  atMs: number,
): SlotDecision | undefined {
  return decideRollover(set, policy, atMs).slots.find((s) => s.certificate.sha256 === certificate.sha256);
}
