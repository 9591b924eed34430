/**
 * One systembruger per STS certificate verdict, set up through the control surface on a harness at
 * T0: a certificate from a CA the STS does not trust, a revoked one, an expired one, one not yet
 * valid, a `next` not yet active (at-expiry), a `current` superseded (immediate), and one accepted.
 * Used to show that the admin views and the page say exactly what a real token request gets.
 */
import type { HarnessControl } from "../../src/control/harness-control.js";
import type { Environment } from "../../src/core/events.js";
import { type Credential, createTestCa, type TestCa } from "../../src/pki/index.js";
import type { RolloverPolicy, Slot } from "../../src/sts/rollover.js";
import type { CertificateVerdictReason } from "../../src/sts/verdict.js";
import { DAY, T0, TEST_CVR } from "./harness.js";

export interface VerdictCase {
  name: string;
  userId: string;
  env: Environment;
  slot: Slot;
  credential: Credential;
  /** The policy under which this verdict holds at T0. */
  policy: RolloverPolicy;
  expected: CertificateVerdictReason;
}

/** Sets up every case on a harness whose virtual clock the control can move; leaves it at T0. */
export async function setUpVerdictCases(control: HarnessControl, harnessCa: TestCa): Promise<VerdictCase[]> {
  const foreignCa = await createTestCa(T0, "Foreign vendor");
  const issue = (ca: TestCa, name: string, fromDays: number, toDays: number) =>
    ca.issue({
      profile: "oces3-system",
      cvr: TEST_CVR,
      name,
      notBefore: new Date(T0 + fromDays * DAY),
      notAfter: new Date(T0 + toDays * DAY),
    });
  const env: Environment = "production";
  await control.setPolicy("at-expiry");
  await control.setClock(T0 - 20 * DAY);
  const cases: VerdictCase[] = [];
  const add = async (
    name: string,
    expected: CertificateVerdictReason,
    certificates: { current?: Credential; next?: Credential },
    check: Slot,
    policy: RolloverPolicy = "at-expiry",
  ) => {
    const userId = `verdict-${name}`;
    await control.createSystemUser({
      id: userId,
      name: `Verdict ${name}`,
      cvr: TEST_CVR,
      entityId: `https://${name}.verdict.example/wsc`,
    });
    for (const slot of ["current", "next"] as const) {
      const credential = certificates[slot];
      if (credential) await control.uploadCertificate(userId, env, slot, credential.certificate.der);
    }
    await control.save(userId);
    await control.provision(userId, env);
    cases.push({ name, userId, env, slot: check, credential: certificates[check]!, policy, expected });
  };
  await add(
    "foreign-ca",
    "CERT_UNTRUSTED_ISSUER",
    { current: await issue(foreignCa, "foreign", -100, 300) },
    "current",
  );
  const revoked = await issue(harnessCa, "revoked", -100, 300);
  await add("revoked", "CERT_REVOKED", { current: revoked }, "current");
  await add("expired", "CERT_EXPIRED", { current: await issue(harnessCa, "expired", -100, -5) }, "current");
  await add(
    "not-yet-valid",
    "CERT_NOT_YET_VALID",
    { current: await issue(harnessCa, "future", 5, 300) },
    "current",
  );
  await add(
    "not-yet-active",
    "CERT_NOT_YET_ACTIVE",
    {
      current: await issue(harnessCa, "active-old", -100, 30),
      next: await issue(harnessCa, "active-new", -30, 300),
    },
    "next",
  );
  await add(
    "superseded",
    "CERT_SUPERSEDED",
    {
      current: await issue(harnessCa, "superseded-old", -100, 30),
      next: await issue(harnessCa, "superseded-new", -30, 300),
    },
    "current",
    "immediate",
  );
  await add("accepted", "OK", { current: await issue(harnessCa, "accepted", -100, 300) }, "current");
  await control.setClock(T0 - DAY);
  await control.revokeCertificate(revoked.certificate.der);
  await control.setClock(T0);
  return cases;
}
