import { beforeAll, describe, expect, it } from "vitest";
import { type Certificate, createTestCa } from "../../../src/pki/index.js";
import { decideRollover, type ProvisionedSet, rolloverStatusOf } from "../../../src/sts/rollover.js";

const DAY = 86_400_000;
const T0 = Date.parse("2026-01-01T00:00:00Z");

let oldCert: Certificate;
let newCert: Certificate;
let oldEnd: number;

beforeAll(async () => {
  const ca = await createTestCa(T0);
  oldCert = (
    await ca.issue({
      profile: "oces3-system",
      cvr: "91234567",
      name: "old",
      notBefore: new Date(T0 - 1000 * DAY),
      notAfter: new Date(T0 + 30 * DAY),
    })
  ).certificate;
  newCert = (
    await ca.issue({
      profile: "oces3-system",
      cvr: "91234567",
      name: "new",
      notBefore: new Date(T0 - DAY),
      notAfter: new Date(T0 + 1095 * DAY),
    })
  ).certificate;
  oldEnd = oldCert.notAfter.getTime();
  expect(oldEnd).toBe(T0 + 30 * DAY);
});

function set(extra: Partial<ProvisionedSet> = {}): ProvisionedSet {
  return { current: oldCert, next: newCert, provisionedAtMs: T0 + 11 * DAY, ...extra };
}

function reasons(s: ProvisionedSet, policy: "at-expiry" | "overlap" | "immediate", at: number) {
  return {
    current: rolloverStatusOf(s, policy, oldCert, at)?.status,
    next: rolloverStatusOf(s, policy, newCert, at)?.status,
    accepted: decideRollover(s, policy, at).acceptedSha256,
  };
}

describe("at-expiry", () => {
  it("accepts current up to and including its notAfter, and not next", () => {
    for (const at of [T0, oldEnd - 1, oldEnd]) {
      expect(reasons(set(), "at-expiry", at)).toEqual({
        current: "OK",
        next: "CERT_NOT_YET_ACTIVE",
        accepted: [oldCert.sha256],
      });
    }
  });
  it("switches to next one millisecond after current's notAfter", () => {
    for (const at of [oldEnd + 1, oldEnd + 2, oldEnd + 100 * DAY]) {
      expect(reasons(set(), "at-expiry", at)).toEqual({
        current: "CERT_SUPERSEDED",
        next: "OK",
        accepted: [newCert.sha256],
      });
    }
  });
  it("ignores a scheduled activation time", () => {
    expect(reasons(set({ activateAtMs: T0 + DAY }), "at-expiry", T0 + 2 * DAY).next).toBe(
      "CERT_NOT_YET_ACTIVE",
    );
  });
  it("keeps a lone current in use after it expired (the STS reports the expiry itself)", () => {
    const lone = { current: oldCert, provisionedAtMs: T0 };
    const after = decideRollover(lone, "at-expiry", oldEnd + 1);
    expect(after.slots[0]!.status).toBe("OK");
    expect(after.slots[0]!.accepted).toBe(false);
    expect(after.acceptedSha256).toEqual([]);
    expect(decideRollover(lone, "at-expiry", oldEnd).acceptedSha256).toEqual([oldCert.sha256]);
  });
  it("uses a lone next as the active certificate", () => {
    expect(reasons({ next: newCert, provisionedAtMs: T0 }, "at-expiry", T0).next).toBe("OK");
  });
  it("reports when the answer next changes", () => {
    expect(decideRollover(set(), "at-expiry", T0).nextChangeMs).toBe(oldEnd + 1);
    expect(decideRollover(set(), "at-expiry", oldEnd + 1).nextChangeMs).toBe(newCert.notAfter.getTime() + 1);
  });
});

describe("overlap", () => {
  it("accepts both while each is valid", () => {
    for (const at of [T0, oldEnd - 1, oldEnd]) {
      expect(reasons(set(), "overlap", at)).toEqual({
        current: "OK",
        next: "OK",
        accepted: [oldCert.sha256, newCert.sha256],
      });
    }
  });
  it("drops current one millisecond after its notAfter", () => {
    expect(reasons(set(), "overlap", oldEnd + 1).accepted).toEqual([newCert.sha256]);
  });
  it("does not accept next before its notBefore", () => {
    const nb = newCert.notBefore.getTime();
    expect(reasons(set(), "overlap", nb - 1).accepted).toEqual([oldCert.sha256]);
    expect(reasons(set(), "overlap", nb).accepted).toEqual([oldCert.sha256, newCert.sha256]);
  });
});

describe("immediate", () => {
  const provisioned = T0 + 11 * DAY;
  it("replaces current at the instant of provisioning", () => {
    expect(reasons(set(), "immediate", provisioned - 1)).toEqual({
      current: "OK",
      next: "CERT_NOT_YET_ACTIVE",
      accepted: [oldCert.sha256],
    });
    for (const at of [provisioned, provisioned + 1]) {
      expect(reasons(set(), "immediate", at)).toEqual({
        current: "CERT_SUPERSEDED",
        next: "OK",
        accepted: [newCert.sha256],
      });
    }
  });
  it("replaces current exactly at a scheduled activation", () => {
    const at = T0 + 20 * DAY;
    const scheduled = set({ activateAtMs: at });
    expect(reasons(scheduled, "immediate", provisioned)).toMatchObject({
      current: "OK",
      next: "CERT_NOT_YET_ACTIVE",
    });
    expect(reasons(scheduled, "immediate", at - 1)).toMatchObject({
      current: "OK",
      next: "CERT_NOT_YET_ACTIVE",
    });
    expect(reasons(scheduled, "immediate", at)).toMatchObject({ current: "CERT_SUPERSEDED", next: "OK" });
    expect(reasons(scheduled, "immediate", at + 1)).toMatchObject({ current: "CERT_SUPERSEDED", next: "OK" });
    expect(decideRollover(scheduled, "immediate", provisioned).nextChangeMs).toBe(at);
  });
  it("explains the decision with the rule and the times", () => {
    const d = rolloverStatusOf(set(), "immediate", oldCert, provisioned)!;
    expect(d.explanation).toContain("superseded");
    expect(d.explanation).toContain(new Date(provisioned).toISOString());
  });
});

it("returns undefined for a certificate in neither slot", () => {
  expect(rolloverStatusOf({ current: oldCert, provisionedAtMs: T0 }, "overlap", newCert, T0)).toBeUndefined();
});
