/**
 * The whole rotation demo on the trainer board, by clicking, in headless Chromium at 1366×768
 * against a real harness (virtual clock, HTTP) whose board client is the real reference WSC
 * calling the harness's own STS and SMDB: the vendor orders a new certificate and hands over its
 * .cer, the administrator uploads it, saves and provisions to production only, the vendor deploys
 * it early — red, "Certifikatet er endnu ikke aktivt", the inspector shows the refused
 * BinarySecurityToken — then "Spring til udløb" and the calls are green again, with the downtime
 * so far (696,0 timer: from the deployment a day in until the expiry) on the timeline. The Danish board shows no English label at any step and
 * one systembruger fits the screen; `?lang=en` switches every label.
 *
 * Screenshots go to $SMDB_BOARD_SCREENSHOTS when set (else the test's temp dir).
 */
import { mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VirtualClock } from "../../src/core/clock.js";
import { type Harness, HarnessBuilder } from "../../src/harness/harness.js";
import type { Credential } from "../../src/pki/index.js";
import { launchChromium, visibleEnglish } from "../helpers/browser.js";
import { DAY, T0 } from "../helpers/harness.js";
import { useTempDir } from "../helpers/tmp.js";

const WAIT = { timeout: 60_000 };

let dir: string;
useTempDir("smdb-board-demo-", (d) => {
  dir = process.env.SMDB_BOARD_SCREENSHOTS ?? d;
});

let h: Harness<VirtualClock>;
let browser: Browser;
let page: Page;
let old: Credential;
let userId: string;
const problems: string[] = [];
const outside: string[] = [];

beforeAll(async () => {
  await mkdir(dir, { recursive: true });
  h = await new HarnessBuilder().withVirtualClock(T0).withHttp().start();
  old = await h.state.ca.issue({
    profile: "oces3-system",
    cvr: "91234567",
    name: "Testby SMDB-indberetning",
    notBefore: new Date(T0 - 1090 * DAY),
    notAfter: new Date(T0 + 30 * DAY),
  });
  const user = await h.control.createSystemUser({
    name: "Testby Kommune",
    cvr: "91234567",
    entityId: "https://testby.example/smdb-klient",
  });
  userId = user.id;
  for (const env of ["integration", "production"] as const) {
    await h.control.uploadCertificate(userId, env, "current", old.certificate.der);
  }
  await h.control.save(userId);
  for (const env of ["integration", "production"] as const) await h.control.provision(userId, env);
  // As `up` does with the demo client: the board's client starts with the provisioned certificate.
  const stored = h.board!.client.addCredential(old, { label: "gammelt" });
  await h.board!.client.deploy({ certificate: stored.id, environment: "production" });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      problems.push(`console: ${message.text()}`);
  });
  page.on("request", (request) => {
    if (!request.url().startsWith(`${h.url}/`)) outside.push(request.url());
  });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const card = () => page.locator(`section.user[data-user-id="${userId}"]`);
const envPart = (env: string) => card().locator(`.env[data-env="${env}"]`);
const slotRow = (env: string, slot: string) => envPart(env).locator(`tr[data-slot="${slot}"]`);

async function shot(name: string): Promise<void> {
  const path = join(dir, `board-${name}.png`);
  await page.screenshot({ path });
  expect((await stat(path)).size).toBeGreaterThan(20_000);
}

/** No English label on the Danish board, and the systembruger, the client and the timeline on one screen. */
async function danishAndOnOneScreen(): Promise<void> {
  expect(await visibleEnglish(page)).toEqual([]);
  for (const selector of [`section.user[data-user-id="${userId}"]`, "#client", "#timeline"]) {
    const box = await page.locator(selector).boundingBox();
    expect(box, selector).not.toBeNull();
    expect(box!.y + box!.height, `${selector} ends within 768 px`).toBeLessThanOrEqual(768);
    expect(box!.x + box!.width, `${selector} ends within 1366 px`).toBeLessThanOrEqual(1366);
  }
}

describe("the rotation demo on the board, in Danish", () => {
  it("starts green, in NemLog-in's words and order, production first", async () => {
    await page.goto(h.url);
    await page
      .locator("li.call.ok")
      .first()
      .waitFor(WAIT)
      .catch(async () => {
        // The page's event stream makes the client call on every change; a first call by hand.
        await page.locator("#call-now").click();
        await page.locator("li.call.ok").first().waitFor(WAIT);
      });
    await expect(page.locator(".crumbs").textContent()).resolves.toBe(
      "IT-systemudbyder › Systembrugere › Testby Kommune › Tekniske oplysninger",
    );
    const envOrder = await card()
      .locator(".env")
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-env")));
    expect(envOrder).toEqual(["production", "integration"]);
    const buttons = await card().locator(".user-actions button").allInnerTexts();
    expect(buttons).toEqual([
      "Gem tekniske oplysninger",
      "Provisioner til integrationstest",
      "Provisioner til produktion",
    ]);
    await expect(page.locator("#client h2").textContent()).resolves.toContain("Klient");
    await expect(page.locator("#downtime").textContent()).resolves.toBe("Nedetid indtil nu: 0,0 timer");
    await danishAndOnOneScreen();
    await shot("1-start");
  });

  it("the vendor orders a new certificate; the administrator uploads its .cer, saves and provisions to production only", async () => {
    await page.locator("#client-issue").click();
    const issued = page.locator("#store tr").filter({ hasText: "Testby Kommune" });
    await issued.waitFor(WAIT);
    const sha256 = (await issued.getAttribute("data-sha256"))!;
    const download = page.waitForEvent("download");
    await issued.locator("a.cer").click();
    const cer = join(dir, "nyt.cer");
    await (await download).saveAs(cer);
    expect((await readFile(cer)).length).toBeGreaterThan(1000);

    await slotRow("production", "next").locator("input[type=file]").setInputFiles(cer);
    await slotRow("production", "next").locator(`td.draft .cert[data-sha256="${sha256}"]`).waitFor(WAIT);
    await envPart("production").locator('[data-warning="unsaved"]').waitFor(WAIT);
    await danishAndOnOneScreen();

    await card().locator("button.save").click();
    await envPart("production").locator('[data-warning="not-provisioned"]').waitFor(WAIT);
    await card().locator('button.provision[data-env="production"]').click();
    await envPart("production")
      .locator('[data-warning="not-provisioned"]')
      .waitFor({ ...WAIT, state: "detached" });
    const next = slotRow("production", "next").locator(
      `td.provisioned .cert[data-sha256="${sha256}"] [data-status]`,
    );
    await next.waitFor(WAIT);
    await expect(next.getAttribute("data-status")).resolves.toBe("CERT_NOT_YET_ACTIVE");
    await expect(next.textContent()).resolves.toBe("✖ Certifikatet er endnu ikke aktivt");
    // Integration test never got it: its provisioned next slot stays empty.
    expect(await slotRow("integration", "next").locator("td.provisioned .cert").count()).toBe(0);
    expect(h.registry.systemUser(userId).provisioned.production?.next?.sha256).toBe(sha256);
    expect(h.registry.systemUser(userId).provisioned.integration?.next).toBeUndefined();
    await danishAndOnOneScreen();
    await shot("2-provisioned-production");
  });

  it("the vendor deploys it early: red, with the step and the reason in Danish, and the inspector shows why", async () => {
    // A day later.
    await page.locator('button.clock-move[data-move=\'{"advance":"1d"}\']').click();
    await page.locator("#now", { hasText: "2026-01-02 00:00:00" }).waitFor(WAIT);
    const row = page.locator("#store tr").filter({ hasText: "Testby Kommune" });
    await row.locator("button.deploy").click();
    const red = page.locator('li.call.fail[data-reason="CERT_NOT_YET_ACTIVE"]').first();
    await red.waitFor(WAIT);
    await expect(red.locator(".what").textContent()).resolves.toBe(
      "Trin 1 (STS): Certifikatet er endnu ikke aktivt",
    );
    await page.locator('#client-deployed [data-verdict="CERT_NOT_YET_ACTIVE"]').waitFor(WAIT);
    await page.locator('#lanes [data-lane="calls"] .seg.tone-fail').first().waitFor(WAIT);
    await danishAndOnOneScreen();
    await shot("3-red");

    await red.click();
    const inspector = page.locator("dialog#inspector");
    await inspector.locator(".failing").waitFor(WAIT);
    await expect(inspector.locator(".failing").textContent()).resolves.toBe(
      "Det fejlende element er markeret: wsse:BinarySecurityToken",
    );
    const marked = await inspector.locator(".line.hl").allInnerTexts();
    expect(marked.join("")).toContain("<wsse:BinarySecurityToken");
    await expect(inspector.locator(".todo").textContent()).resolves.toContain("Rul klienten tilbage");
    await expect(
      inspector.locator('.message[data-direction="response"] .line.fault').first().isVisible(),
    ).resolves.toBe(true);
    // The inspector's own labels are Danish (the XML is the message itself).
    const labels = await inspector
      .locator(".inspector-head, .verdict, .todo h3, .failing, .message h4")
      .allInnerTexts();
    expect(labels.join(" ")).toMatch(
      /Inspektør[\s\S]*Anmodning · Trin 1 \(STS\)[\s\S]*Svar · Trin 1 \(STS\)/,
    );
    await shot("4-inspector");
    await inspector.locator("#inspector-close").click();
    await inspector.waitFor({ state: "hidden" });
  });

  it("'Spring til udløb': at the old certificate's expiry the STS switches, and the calls are green again", async () => {
    const jump = page.locator("#jump-expiry");
    await expect(jump.textContent()).resolves.toBe("Spring til udløb (2026-01-31 00:00)");
    await jump.click();
    await page.locator("#now", { hasText: "2026-01-31 00:00:00" }).waitFor(WAIT);
    expect(h.clock.nowMs()).toBe(old.certificate.notAfter.getTime() + 1);
    await page.locator("li.call").first().and(page.locator(".ok")).waitFor(WAIT);
    await page.locator('#client-deployed [data-verdict="OK"]').waitFor(WAIT);
    // Red from the early deployment (a day after the start) until the expiry: 29 days and 1 ms.
    await page.locator("#downtime", { hasText: "Nedetid indtil nu: 696,0 timer" }).waitFor(WAIT);
    expect(h.board!.timelineView().downtimeMs).toBe(29 * DAY + 1);
    const verdicts = await page
      .locator('#lanes [data-lane="verdict"] .seg[data-reason]')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-reason")));
    expect(verdicts).toEqual(["OK", "CERT_NOT_YET_ACTIVE", "OK"]);
    await danishAndOnOneScreen();
    await shot("5-green");
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
  });

  it("?lang=en switches every label", async () => {
    const english = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    try {
      await english.goto(`${h.url}/?lang=en`);
      await english.locator("li.call").first().waitFor(WAIT);
      await expect(english.locator("html").getAttribute("lang")).resolves.toBe("en");
      const text = (await english.evaluate("document.body.innerText")) as string;
      for (const label of [
        "Save technical details",
        "Provision to integration test",
        "Provision to production",
        "Client",
        "Timeline",
        "Downtime so far: 696.0 hours",
        "Jump to expiry",
        "Reset",
        "IT system provider › System users › Testby Kommune › Technical details",
      ]) {
        expect(text, label).toContain(label);
      }
      for (const danish of [
        "Gem tekniske oplysninger",
        "Klient",
        "Tidslinje",
        "Nedetid",
        "Nulstil",
        "Næste",
        "Kladde",
      ]) {
        expect(text, danish).not.toContain(danish);
      }
      await english.screenshot({ path: join(dir, "board-6-english.png") });
    } finally {
      await english.close();
    }
  });
});
