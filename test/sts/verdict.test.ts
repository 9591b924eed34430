/**
 * One verdict: for every kind of provisioned certificate the STS refuses (a CA it does not trust,
 * revoked, expired, not yet valid, not yet active, superseded) and for one it accepts, the admin
 * view's badge (`status.<env>.slots[].status`) is exactly the reason a real token request with that
 * certificate gets from the token endpoint (read from the decision event), under the policy in force.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSignedRst } from "../../src/client/rst.js";
import type { VirtualClock } from "../../src/core/clock.js";
import { type Harness, HarnessBuilder } from "../../src/harness/harness.js";
import type { Credential } from "../../src/pki/index.js";
import { T0 } from "../helpers/harness.js";
import { setUpVerdictCases, type VerdictCase } from "../helpers/verdict-cases.js";

let h: Harness<VirtualClock>;
let cases: VerdictCase[];

beforeAll(async () => {
  h = await new HarnessBuilder().withVirtualClock(T0).withHttp().start();
  cases = await setUpVerdictCases(h.control, h.state.ca);
});

afterAll(async () => {
  await h?.close();
});

/** The reason the production STS gives a real, correctly signed token request with `credential`. */
async function tokenRequestReason(credential: Credential): Promise<string> {
  const endpoints = await h.control.clientEndpoints("production");
  const rst = buildSignedRst({
    credential,
    to: endpoints.stsEndpointReference,
    appliesTo: endpoints.wspEntityId,
    nowMs: h.clock.nowMs(),
  });
  const before = h.events.lastSeq;
  const res = await fetch(endpoints.stsUrl, {
    method: "POST",
    headers: {
      "content-type": "text/xml; charset=utf-8",
      soapaction: '"http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"',
    },
    body: rst.xml,
  });
  await res.text();
  const decisions = h.events.since(before).filter((e) => e.component === "sts");
  expect(decisions).toHaveLength(1);
  expect(res.status).toBe(decisions[0]!.reason === "OK" ? 200 : 500);
  return decisions[0]!.reason;
}

describe("the STS certificate verdict shown by the admin view is the token endpoint's", () => {
  for (const policy of ["at-expiry", "immediate"] as const) {
    it(`under ${policy}`, async () => {
      await h.control.setPolicy(policy);
      const checked = cases.filter((c) => c.policy === policy);
      expect(checked.length).toBeGreaterThan(0);
      for (const c of checked) {
        const view = await h.control.systemUser(c.userId);
        const slot = view.status[c.env].slots.find((s) => s.slot === c.slot);
        expect(slot, c.name).toBeDefined();
        const reason = await tokenRequestReason(c.credential);
        expect({ case: c.name, view: slot!.status, token: reason }).toEqual({
          case: c.name,
          view: c.expected,
          token: c.expected,
        });
        expect(slot!.accepted).toBe(c.expected === "OK");
        expect(view.status[c.env].acceptedSha256.includes(c.credential.certificate.sha256)).toBe(
          c.expected === "OK",
        );
        if (c.expected !== "OK") expect(slot!.explanation).toContain(c.credential.certificate.sha256);
      }
    });
  }
});
