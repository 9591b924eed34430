/**
 * The rollover policies seen through the STS endpoint (real HTTP, real Registry), at their
 * boundaries: the current certificate's notAfter exactly and one millisecond either side, and a
 * scheduled activation under `immediate`.
 */
import request from "supertest";
import { beforeEach, describe, expect, it } from "vitest";
import { buildSignedRst } from "../../src/client/rst.js";
import type { Credential } from "../../src/pki/index.js";
import type { RolloverPolicy } from "../../src/sts/rollover.js";
import { parseXml } from "../../src/xml/parse.js";
import { readSoap11Fault } from "../../src/xml/soap.js";
import { addSystemUser, issueClient, rstParams, type StsFixture, stsFixture } from "./fixture.js";

const DAY = 86_400_000;
let f: StsFixture;
let current: Credential;
let next: Credential;
let userId: string;
let notAfter: number;

async function reasonFor(cred: Credential): Promise<string> {
  const before = f.events.lastSeq;
  const xml = buildSignedRst(rstParams(f, { credential: cred })).xml;
  const res = await request(f.app)
    .post("/production/SecurityTokenService.svc")
    .set("content-type", "text/xml")
    .send(xml);
  const events = f.events.since(before).filter((e) => e.component === "sts");
  expect(events).toHaveLength(1);
  const reason = res.status === 200 ? "OK" : (readSoap11Fault(parseXml(res.text))?.reason ?? "?");
  expect(events[0]!.reason).toBe(reason);
  return reason;
}

async function setup(policy: RolloverPolicy, provisionAt?: number): Promise<void> {
  f = await stsFixture();
  await f.registry.setPolicy(policy);
  const now = f.clock.nowMs();
  current = await issueClient(f.ca, now - 300 * DAY, now + 10 * DAY, "Current");
  next = await issueClient(f.ca, now - DAY, now + 1000 * DAY, "Next");
  notAfter = current.certificate.notAfter.getTime();
  userId = await addSystemUser(f, current, ["production"], ["production"]);
  await f.registry.uploadCertificate(userId, "production", "next", next.certificate.der);
  await f.registry.save(userId);
  await f.registry.provision(userId, "production", provisionAt);
}

describe("at-expiry", () => {
  beforeEach(() => setup("at-expiry"));
  it("accepts the current certificate up to its notAfter and the next one from just after it", async () => {
    f.clock.set(notAfter - 1);
    expect(await reasonFor(current)).toBe("OK");
    expect(await reasonFor(next)).toBe("CERT_NOT_YET_ACTIVE");
    f.clock.set(notAfter);
    expect(await reasonFor(current)).toBe("OK");
    expect(await reasonFor(next)).toBe("CERT_NOT_YET_ACTIVE");
    f.clock.set(notAfter + 1);
    expect(await reasonFor(current)).toBe("CERT_EXPIRED");
    expect(await reasonFor(next)).toBe("OK");
  });
});

describe("overlap", () => {
  beforeEach(() => setup("overlap"));
  it("accepts both while each is valid", async () => {
    f.clock.set(notAfter - 1);
    expect(await reasonFor(current)).toBe("OK");
    expect(await reasonFor(next)).toBe("OK");
    f.clock.set(notAfter);
    expect(await reasonFor(current)).toBe("OK");
    f.clock.set(notAfter + 1);
    expect(await reasonFor(current)).toBe("CERT_EXPIRED");
    expect(await reasonFor(next)).toBe("OK");
  });
});

describe("immediate", () => {
  it("replaces the current certificate at provisioning", async () => {
    await setup("immediate");
    expect(await reasonFor(current)).toBe("CERT_SUPERSEDED");
    expect(await reasonFor(next)).toBe("OK");
  });
  it("with a scheduled activation: the old one until then, the new one from then", async () => {
    const at = Date.parse("2026-03-05T00:00:00Z");
    await setup("immediate", at);
    f.clock.set(at - 1);
    expect(await reasonFor(current)).toBe("OK");
    expect(await reasonFor(next)).toBe("CERT_NOT_YET_ACTIVE");
    f.clock.set(at);
    expect(await reasonFor(current)).toBe("CERT_SUPERSEDED");
    expect(await reasonFor(next)).toBe("OK");
    f.clock.set(at + 1);
    expect(await reasonFor(current)).toBe("CERT_SUPERSEDED");
    expect(await reasonFor(next)).toBe("OK");
  });
});
