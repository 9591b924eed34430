/**
 * The one way tests start a harness (`testHarness`, `realClockHarness`), and the setup many tests
 * share: OCES3 system certificates issued relative to a start time, a systembruger created,
 * uploaded, saved and provisioned the way a NemLog-in administrator does it, and a real harness
 * (virtual clock, HTTP) with such a systembruger in its rotation state. Everything is real: the
 * test CA, the registry, the HTTP server.
 *
 * (test/sts/fixture.ts and test/wsp/helpers.ts are not harnesses: each mounts one endpoint's
 * router on its own, to test that endpoint's checks with options and credentials a test
 * controls. Tests of the harness's own options — state dirs, a shared state, the README's
 * builder — call `startHarness`/`HarnessBuilder` themselves, as that is what they test.)
 */
import type { Clock, VirtualClock } from "../../src/core/clock.js";
import type { Environment } from "../../src/core/events.js";
import { type Harness, HarnessBuilder } from "../../src/harness/harness.js";
import type { Credential, TestCa } from "../../src/pki/index.js";
import type { Registry } from "../../src/sts/registry/registry.js";
import type { RolloverPolicy } from "../../src/sts/rollover.js";

export const DAY = 86_400_000;
/** The start of most rotation tests. */
export const T0 = Date.parse("2026-01-01T00:00:00Z");
/** The fictitious CVR most tests use. */
export const TEST_CVR = "91234567";

/**
 * A harness for a test: HTTP on a free port, a virtual clock at `at` (default T0), in memory.
 * Chain further options (`.withPolicy(…)`, `.withMessageClock("real")`, `.withHttp(false)` for
 * HTTPS, …), then `start()`; close it in `afterAll` (or `await using`).
 */
export function testHarness(at: Date | number | string = T0): HarnessBuilder<VirtualClock> {
  return new HarnessBuilder().withVirtualClock(at).withHttp();
}

/** As `testHarness`, on the machine's clock: for a client or CLI process that stamps real time. */
export function realClockHarness(): HarnessBuilder<Clock> {
  return new HarnessBuilder().withHttp();
}

/** Issues OCES3 system certificates under `ca`, valid from `fromDays` to `toDays` days after `t0`. */
export function oces3Issuer(
  ca: TestCa,
  t0: number,
  cvr: string = TEST_CVR,
): (name: string, fromDays: number, toDays: number) => Promise<Credential> {
  return (name, fromDays, toDays) =>
    ca.issue({
      profile: "oces3-system",
      cvr,
      name,
      notBefore: new Date(t0 + fromDays * DAY),
      notAfter: new Date(t0 + toDays * DAY),
    });
}

/**
 * The certificates of a rotation: `old`, issued almost three years before `t0` and expiring 30
 * days after it, and `renewed`, valid from the day before `t0` for three years.
 */
export async function rotationPair(
  ca: TestCa,
  t0: number,
  cvr: string = TEST_CVR,
): Promise<{ old: Credential; renewed: Credential }> {
  const issue = oces3Issuer(ca, t0, cvr);
  return { old: await issue("old", -1090, 30), renewed: await issue("renewed", -1, 1095) };
}

/**
 * Creates a systembruger and puts `certificates` in its slots in each of `environments`, then
 * saves and provisions to `provisionTo` (default: the same environments), as the administrator's
 * "Gem tekniske oplysninger" and "Provisioner til …" do. Returns its id.
 */
export async function provisionSystemUser(
  registry: Registry,
  user: { name: string; cvr: string; entityId: string; privileges?: string[] },
  certificates: { current?: Credential; next?: Credential },
  environments: readonly Environment[] = ["production"],
  provisionTo: readonly Environment[] = environments,
): Promise<string> {
  const { identity } = await registry.createSystemUser(user);
  for (const env of environments) {
    if (certificates.current)
      await registry.uploadCertificate(identity.id, env, "current", certificates.current.certificate.der);
    if (certificates.next)
      await registry.uploadCertificate(identity.id, env, "next", certificates.next.certificate.der);
  }
  await registry.save(identity.id);
  for (const env of provisionTo) await registry.provision(identity.id, env);
  return identity.id;
}

export interface SystemUserHarness {
  harness: Harness;
  clock: VirtualClock;
  /** The harness's test CA (the one its STS trusts). */
  ca: TestCa;
  /** Provisioned as `current`. */
  old: Credential;
  /** Provisioned as `next`. */
  renewed: Credential;
  userId: string;
}

/**
 * A harness over HTTP on a virtual clock at `t0` (default T0) with one systembruger whose `old`
 * certificate is provisioned as current and `renewed` as next (see `rotationPair`) in
 * `environments` (default production). Close `harness` in afterAll.
 */
export async function harnessWithSystemUser(
  options: {
    t0?: number;
    policy?: RolloverPolicy;
    name?: string;
    cvr?: string;
    entityId?: string;
    environments?: readonly Environment[];
  } = {},
): Promise<SystemUserHarness> {
  const t0 = options.t0 ?? T0;
  const cvr = options.cvr ?? TEST_CVR;
  const builder = testHarness(t0);
  if (options.policy) builder.withPolicy(options.policy);
  const harness = await builder.start();
  try {
    const ca = harness.state.ca;
    const { old, renewed } = await rotationPair(ca, t0, cvr);
    const userId = await provisionSystemUser(
      harness.registry,
      {
        name: options.name ?? "Kommune",
        cvr,
        entityId: options.entityId ?? "https://kommune.example/wsc",
      },
      { current: old, next: renewed },
      options.environments,
    );
    return { harness, clock: harness.clock, ca, old, renewed, userId };
  } catch (error) {
    await harness.close();
    throw error;
  }
}
