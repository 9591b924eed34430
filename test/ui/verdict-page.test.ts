/**
 * The page shows the STS's own verdict: for each kind of provisioned certificate the STS refuses
 * (a CA it does not trust, revoked, expired, not yet valid, not yet active, superseded) and one it
 * accepts, the badge in headless Chromium carries exactly the reason code of the admin view — the
 * same function the token endpoint decides with (test/sts/verdict.test.ts holds the view against
 * real token requests). A provisioned certificate from a foreign CA reads CERT_UNTRUSTED_ISSUER.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VirtualClock } from "../../src/core/clock.js";
import { type Harness, HarnessBuilder } from "../../src/harness/harness.js";
import { T0 } from "../helpers/harness.js";
import { setUpVerdictCases, type VerdictCase } from "../helpers/verdict-cases.js";

const CHROMIUM = "/usr/bin/chromium";

let h: Harness<VirtualClock>;
let browser: Browser;
let cases: VerdictCase[];

beforeAll(async () => {
  h = await new HarnessBuilder().withVirtualClock(T0).withHttp().start();
  cases = await setUpVerdictCases(h.control, h.state.ca);
  expect(existsSync(CHROMIUM)).toBe(true);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe("the page's verdict badges", () => {
  for (const policy of ["at-expiry", "immediate"] as const) {
    it(`are the STS's reasons under ${policy}`, async () => {
      await h.control.setPolicy(policy);
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      try {
        await page.goto(h.url);
        for (const c of cases.filter((x) => x.policy === policy)) {
          const view = await h.control.systemUser(c.userId);
          const expected = view.status[c.env].slots.find((s) => s.slot === c.slot)!.status;
          expect(expected, c.name).toBe(c.expected);
          const badge = page
            .locator(
              `[data-user-id="${c.userId}"] [data-env="${c.env}"] .cert[data-sha256="${c.credential.certificate.sha256}"] [data-status]`,
            )
            .first();
          await badge.waitFor({ timeout: 60_000 });
          await expect(badge.getAttribute("data-status"), c.name).resolves.toBe(c.expected);
        }
      } finally {
        await page.close();
      }
    });
  }
});
