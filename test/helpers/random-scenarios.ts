/**
 * Random rotation scenarios for cross-checks: a seeded generator (the same seed gives the same
 * scenarios), with the token lifetime given and the scenario's length a few dozen lifetimes, so
 * that a reference run that calls at every renewal stays affordable.
 */

/** mulberry32: a small seeded PRNG with values in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const POLICIES = ["at-expiry", "overlap", "immediate"] as const;

export interface RandomScenario {
  /** YAML-shaped, for `parseScenarioObject`/`runScenario`. */
  input: Record<string, unknown>;
  tokenLifetimeMs: number;
  spanMs: number;
}

/**
 * One random scenario: an old certificate expiring somewhere in the span, a new one, and the
 * rotation steps (upload+save, provisionings, deploy with or without fallback) at random
 * millisecond instants, sometimes with a revocation, a privilege change or a client clock skew.
 */
export function randomScenario(seed: number, tokenLifetimeMs: number): RandomScenario {
  const random = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const spanMs = tokenLifetimeMs * int(12, 24);
  const at = () => `+${int(0, spanMs - 1)}ms`;
  const seconds = (ms: number) => `${ms < 0 ? "-" : "+"}${Math.round(Math.abs(ms) / 1000)}s`;
  const oldExpiry = int(Math.round(spanMs * 0.2), Math.round(spanMs * 0.8));
  const newFrom = random() < 0.7 ? -86_400_000 : int(0, oldExpiry);
  const policy = pick(POLICIES);
  const steps: Array<Record<string, unknown>> = [];
  const upload = int(0, oldExpiry);
  steps.push({ at: `+${upload}ms`, do: "nemlogin.upload", with: { slot: "next", cert: "new" } });
  steps.push({ at: `+${upload + int(0, 1)}ms`, do: "nemlogin.save" });
  for (const environment of ["production", "integration"]) {
    if (environment === "integration" && random() < 0.5) continue;
    const provision = upload + 1 + int(0, spanMs - upload - 2);
    const scheduled = policy === "immediate" && random() < 0.5;
    steps.push({
      at: `+${provision}ms`,
      do: "nemlogin.provision",
      with: {
        environment,
        ...(scheduled ? { at: `+${provision + int(0, spanMs - provision)}ms` } : {}),
      },
    });
  }
  steps.push({
    at: at(),
    do: "client.deploy",
    with: { cert: "new", fallback: random() < 0.4 ? "old" : null },
  });
  if (random() < 0.15) steps.push({ at: at(), do: "nemlogin.revoke", with: { cert: "old" } });
  if (random() < 0.15) {
    steps.push({ at: at(), do: "nemlogin.setPrivileges", with: { privileges: ["hent"] } });
  }
  if (random() < 0.2) {
    const skew = int(-Math.min(tokenLifetimeMs, 600_000), Math.min(tokenLifetimeMs, 600_000));
    steps.push({
      at: at(),
      do: "clock.skew",
      with: { client: `${skew < 0 ? "-" : "+"}${Math.abs(skew)}ms` },
    });
  }
  const relative = (text: string) => Number(text.slice(1, -2));
  steps.sort((a, b) => relative(a.at as string) - relative(b.at as string));
  return {
    tokenLifetimeMs,
    spanMs,
    input: {
      name: `random-${seed}`,
      policy,
      environment: "production",
      start: "2026-03-01T00:00:00Z",
      end: `+${spanMs}ms`,
      certificates: {
        old: { notBefore: "-1000d", notAfter: seconds(oldExpiry) },
        new: { notBefore: seconds(newFrom), notAfter: "+1000d" },
      },
      setup: {
        systemUser: { cert: "old", provisioned: ["integration", "production"] },
        client: { cert: "old", tokenLifetime: `${tokenLifetimeMs}ms` },
      },
      steps,
    },
  };
}
