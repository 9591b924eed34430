/**
 * The message clock: a harness on a virtual clock judges the freshness of messages (the request
 * Timestamps of steps 1 and 2, the replay window, its own response Timestamps) on another clock —
 * the machine's real clock, as `up --virtual-clock` does — while certificates, rollover and tokens
 * stay on harness time. Real HTTP, real crypto, a real client on the real clock.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { callWsp } from "../../src/client/call.js";
import { HttpClient } from "../../src/client/http.js";
import { clientExpiry, OTHER_TIME_THRESHOLD_MS, WscClient } from "../../src/client/wsc-client.js";
import { type Clock, RealClock, type VirtualClock } from "../../src/core/clock.js";
import type { HarnessEvent } from "../../src/core/events.js";
import type { Harness } from "../../src/harness/harness.js";
import type { Credential } from "../../src/pki/index.js";
import { clientCall, killRunningUps, startUp } from "../helpers/cli.js";
import { DAY, provisionSystemUser, testHarness } from "../helpers/harness.js";
import { useTempDir } from "../helpers/tmp.js";

const YEAR = 365 * DAY;
const CVR = "90112233";
/** Virtual start: midnight about 300 days before this machine's time, so the clocks surely disagree. */
const START = Math.floor((Date.now() - 300 * DAY) / DAY) * DAY;

/** A systembruger with a certificate like `up`'s demo one: from a day before START, for 3 years minus 1 s. */
async function provisionDemo(h: Harness): Promise<Credential> {
  const credential = await h.state.ca.issue({
    profile: "oces3-system",
    cvr: CVR,
    name: "Demo Kommune",
    notBefore: new Date(START - DAY),
    notAfter: new Date(START + 3 * YEAR - 1000),
  });
  await provisionSystemUser(
    h.registry,
    { name: "Demo", cvr: CVR, entityId: "https://demo-kommune.example/smdb-klient" },
    { current: credential },
    ["production"],
  );
  return credential;
}

function clientFor(h: Harness, credential: Credential, clock: Clock, dumps?: Map<string, string>): WscClient {
  const identity = h.state.environment("production");
  return new WscClient({
    clock,
    environment: "production",
    stsUrl: h.stsUrl("production"),
    stsEndpointReference: identity.stsEndpointReference,
    stsCertificates: [identity.stsSigning.certificate],
    wspUrl: h.wspUrl("production"),
    wspEntityId: identity.wspEntityId,
    wspCertificates: [identity.wsp.certificate],
    credential,
    ...(dumps
      ? { dump: (name: string, content: string | Buffer) => void dumps.set(name, String(content)) }
      : {}),
  });
}

/** `step:reason` of every step-1 and step-2 event. */
function callEvents(h: Harness): string[] {
  return h.events
    .since(0)
    .filter((e: HarnessEvent) => e.step === 1 || e.step === 2)
    .map((e) => `${e.step}:${e.reason}`);
}

/** The Created of the first wsu:Timestamp (the Security header's) in a message. */
function timestampCreated(xml: string): number {
  const match = /:Timestamp [^>]*><[^>]*:Created>([^<]+)</.exec(xml);
  expect(match, xml).not.toBeNull();
  return Date.parse(match![1]!);
}

const http = new HttpClient();
let dir: string;
useTempDir("message-clock-", (path) => {
  dir = path;
});
afterAll(() => {
  http.close();
  killRunningUps();
});

describe("message clock", () => {
  it("harness on a virtual clock, message clock real: a client on the real clock calls SMDB with one token; past its certificate's notAfter step 1 fails with CERT_EXPIRED", async () => {
    await using h = await testHarness(START).withMessageClock("real").start();
    expect(h.messageClock).toBeInstanceOf(RealClock);
    const credential = await provisionDemo(h);
    const dumps = new Map<string, string>();
    const client = clientFor(h, credential, new RealClock(), dumps);
    try {
      const sentMs = Date.now();
      const first = await client.call("Ping");
      const answeredMs = Date.now();
      /** Stamped on the real clock while the call was under way (Created may be cut to the second). */
      const expectStampedDuringCall = (xml: string) => {
        const created = timestampCreated(xml);
        expect(created).toBeGreaterThanOrEqual(Math.floor(sentMs / 1000) * 1000);
        expect(created).toBeLessThanOrEqual(answeredMs);
      };
      // SMDB's business time is harness time.
      expect(first.result).toMatchObject({ cvr: CVR, tid: new Date(START).toISOString() });
      // Responses are stamped with the message clock; the token's lifetime is harness time.
      const stsResponse = dumps.get("001-sts-response.xml")!;
      expectStampedDuringCall(stsResponse);
      expect(/Lifetime><[^>]*:Created>([^<]+)</.exec(stsResponse)?.[1]).toBe(new Date(START).toISOString());
      const wspResponse = [...dumps].find(([name]) => name.endsWith("-wsp-Ping-response.xml"))![1];
      expectStampedDuringCall(wspResponse);

      // The token's NotOnOrAfter lies ~300 days in the client's past, yet the client keeps using
      // it (its lifetime counted on its own clock) instead of asking the STS on every call.
      const token = client.cachedToken;
      expect(token).toBeDefined();
      expect(token!.expiresMs).toBe(START + 8 * 3_600_000);
      expect(token!.clientExpiresMs - token!.receivedMs).toBe(8 * 3_600_000);
      expect((await client.call("Ping")).tokenRefreshed).toBe(false);
      expect(callEvents(h)).toEqual(["1:OK", "2:OK", "2:OK"]);

      // 1200 days on: the certificate (3 years) has expired. SMDB refuses the cached token as
      // expired (harness time), the client asks for a new one, and the STS refuses the
      // certificate — not the message's timestamp.
      (h.clock as VirtualClock).advance("1200d");
      await expect(client.call("Ping")).rejects.toMatchObject({ step: 1, reason: "CERT_EXPIRED" });
      expect(callEvents(h).slice(3)).toEqual(["2:TOKEN_EXPIRED", "1:CERT_EXPIRED"]);
    } finally {
      client.close();
    }
  });

  it("a trainer sets the virtual clock back behind the cached token: SMDB refuses it as not yet valid, the client fetches a new one and the call succeeds", async () => {
    await using h = await testHarness(START).withMessageClock("real").start();
    const credential = await provisionDemo(h);
    const client = clientFor(h, credential, new RealClock());
    try {
      await client.call("Ping");
      (h.clock as VirtualClock).set(START - DAY);
      const again = await client.call("Ping");
      expect(again.tokenRefreshed).toBe(true);
      expect(again.result).toMatchObject({ tid: new Date(START - DAY).toISOString() });
      expect(callEvents(h)).toEqual(["1:OK", "2:OK", "2:TOKEN_NOT_YET_VALID", "1:OK", "2:OK"]);
    } finally {
      client.close();
    }
  });

  it("clientExpiry: the STS's expiry while the clocks agree (skew included), the lifetime from arrival when the STS is in another time", () => {
    const hour = 3_600_000;
    const t = Date.parse("2026-06-01T00:00:00Z");
    // Same time, and a client 10 minutes behind or ahead: the token's own NotOnOrAfter.
    expect(clientExpiry(t, t + 8 * hour, t)).toBe(t + 8 * hour);
    expect(clientExpiry(t, t + 8 * hour, t - 10 * 60_000)).toBe(t + 8 * hour);
    expect(clientExpiry(t, t + 8 * hour, t + OTHER_TIME_THRESHOLD_MS)).toBe(t + 8 * hour);
    // Another time (a virtual clock 300 days off either way): 8 hours from arrival.
    expect(clientExpiry(t, t + 8 * hour, t + 300 * DAY)).toBe(t + 300 * DAY + 8 * hour);
    expect(clientExpiry(t, t + 8 * hour, t - 300 * DAY)).toBe(t - 300 * DAY + 8 * hour);
    // No Created in the Lifetime (createdMs = expiresMs): nothing to compare, the stated expiry.
    expect(clientExpiry(t + 8 * hour, t + 8 * hour, t + 300 * DAY)).toBe(t + 8 * hour);
  });

  it("message clock = harness (the default): the same real-clock client's timestamps are refused in step 1 and step 2", async () => {
    await using h = await testHarness(START).start();
    expect(h.messageClock).toBe(h.clock);
    const credential = await provisionDemo(h);
    const real = clientFor(h, credential, new RealClock());
    const onHarnessTime = clientFor(h, credential, h.clock);
    try {
      // Step 1: the real-clock request was created ~300 days in the STS's future.
      await expect(real.getToken()).rejects.toMatchObject({ step: 1, reason: "TIMESTAMP_NOT_YET_VALID" });
      // Step 2: a token obtained on harness time, used in a request stamped with the real clock.
      const token = await onHarnessTime.getToken();
      const deps = {
        getToken: async () => token,
        transport: http.transport(2),
        wspUrl: h.wspUrl("production"),
        clock: new RealClock(),
      };
      await expect(callWsp(deps, "Ping")).rejects.toMatchObject({ step: 2, reason: "TIMESTAMP_EXPIRED" });
      // On harness time both steps pass.
      expect((await onHarnessTime.call("Ping")).result).toMatchObject({ cvr: CVR });
      // With the virtual clock ~900 days ahead of the machine's, the real-clock request is too old.
      (h.clock as VirtualClock).advance("1200d");
      await expect(real.getToken()).rejects.toMatchObject({ step: 1, reason: "TIMESTAMP_EXPIRED" });
      expect(callEvents(h)).toEqual([
        "1:TIMESTAMP_NOT_YET_VALID",
        "1:OK",
        "2:TIMESTAMP_EXPIRED",
        "2:OK",
        "1:TIMESTAMP_EXPIRED",
      ]);
    } finally {
      real.close();
      onHarnessTime.close();
    }
  });
});

describe("smdb-harness up --virtual-clock, as a real process, with `client call` on this machine's clock", () => {
  it("checks message timestamps on the real clock (said at startup): Ping works, 1200 days on step 1 fails with CERT_EXPIRED; --message-clock harness brings the timestamp errors back", async () => {
    const stateDir = join(dir, "state");
    const config = join(stateDir, "client-production.yaml");
    const start = new Date(START).toISOString();
    const up = await startUp(["--http", "--state-dir", stateDir, "--virtual-clock", start]);
    expect(up.stdout()).toContain(
      "message timestamps are checked against this machine's clock; certificates, rollover and tokens use harness time",
    );
    const settings = (await (await fetch(`${up.url}/admin/api/settings`)).json()) as { messageClock: string };
    expect(settings.messageClock).toBe("real");

    const ok = await clientCall(config, "Ping");
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ cvr: CVR, tid: start });

    const advanced = await fetch(`${up.url}/admin/api/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ advance: "1200d" }),
    });
    expect(advanced.status).toBe(200);
    const expired = await clientCall(config, "Ping");
    expect(expired.code).toBe(1);
    expect(expired.stderr).toMatch(/step 1: CERT_EXPIRED/);
    up.child.kill("SIGINT");
    expect(await up.exited).toBe(0);

    const strict = await startUp([
      "--http",
      "--state-dir",
      stateDir,
      "--virtual-clock",
      start,
      "--message-clock",
      "harness",
    ]);
    expect(strict.stdout()).toContain("message timestamps are checked against the virtual clock");
    const refused = await clientCall(config, "Ping");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/step 1: TIMESTAMP_NOT_YET_VALID/);
    strict.child.kill("SIGINT");
    expect(await strict.exited).toBe(0);
    // Fresh RSA keys for what the CLI writes (never the key pool): room on a busy machine.
  }, 180_000);
});
