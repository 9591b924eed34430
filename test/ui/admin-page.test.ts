/**
 * The admin page in headless Chromium against a real harness (virtual clock, plain HTTP): a
 * trainer's "provisioned to integration only" mistake done by clicking — upload the renewed .cer
 * into both environments' next slot, "Gem tekniske oplysninger", "Provisioner til
 * integrationstest" — then a real client asks the production STS for a token with the new
 * certificate and gets CERT_NOT_PROVISIONED, which shows in the events table. Also: the .p12
 * refusal sentence of the API on the page, a chosen file surviving the page's refreshes, the other
 * controls (clock, policy, STS rotation, revocation, creating a systembruger) and names shown as
 * text, never as markup. A screenshot is kept in the test's temp dir.
 */
import { existsSync } from "node:fs";
import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientError } from "../../src/client/errors.js";
import { WscClient } from "../../src/client/wsc-client.js";
import type { Environment } from "../../src/core/events.js";
import type { Harness } from "../../src/harness/harness.js";
import { type Credential, toPkcs12 } from "../../src/pki/index.js";
import { ADMIN_PAGE_HTML } from "../../src/ui/ui.js";
import {
  DAY,
  provisionSystemUser,
  realClockHarness,
  rotationPair,
  T0,
  testHarness,
} from "../helpers/harness.js";
import { useTempDir } from "../helpers/tmp.js";

const CHROMIUM = "/usr/bin/chromium";
/** How long the page may take to show a change: generous, as a loaded machine is slow, not broken. */
const WAIT = { timeout: 60_000 };

let dir: string;
useTempDir("smdb-admin-page-", (d) => {
  dir = d;
});

let h: Harness;
let browser: Browser;
let page: Page;
let old: Credential;
let renewed: Credential;
let userId: string;
const requests: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  h = await testHarness().start();
  ({ old, renewed } = await rotationPair(h.state.ca, T0));
  userId = await provisionSystemUser(
    h.registry,
    { name: "Demo Kommune", cvr: "91234567", entityId: "https://demo-kommune.example/smdb-klient" },
    { current: old },
    ["integration", "production"],
  );
  expect(existsSync(CHROMIUM)).toBe(true);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("request", (request) => requests.push(request.url()));
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    // Chromium logs every 4xx answer to fetch; the page shows those itself.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      problems.push(`console: ${message.text()}`);
  });
  const response = await page.goto(h.url);
  expect(response?.headers()["content-security-policy"]).toMatch(/script-src 'sha256-[^']+';/);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const card = () => page.locator(`section.user[data-user-id="${userId}"]`);
const envPart = (env: Environment) => card().locator(`.env[data-env="${env}"]`);
const slotRow = (env: Environment, slot: "current" | "next") =>
  envPart(env).locator(`tr[data-slot="${slot}"]`);
const certIn = (cell: Locator, cert: Credential) =>
  cell.locator(`.cert[data-sha256="${cert.certificate.sha256}"]`);

async function upload(env: Environment, file: string): Promise<Locator> {
  const row = slotRow(env, "next");
  await row.locator("input[type=file]").setInputFiles(file);
  await row.locator("button.upload").click();
  const msg = row.locator(".upload-control .msg");
  await msg.locator(":scope.ok, :scope.error").waitFor(WAIT);
  return msg;
}

describe("the admin page", () => {
  it("is one static page with no data in it and no external assets", () => {
    expect(ADMIN_PAGE_HTML).not.toContain("innerHTML");
    expect(ADMIN_PAGE_HTML).not.toContain("Demo Kommune");
    expect(ADMIN_PAGE_HTML).not.toMatch(/\b(?:src|href)="(?!data:|\/admin\/api\/openapi\.json")/);
  });

  it("shows the mistake 'provisioned to integration only' and the STS refusing the new certificate in production", async () => {
    await card().waitFor(WAIT);
    await expect(card().locator("h3 .name").textContent()).resolves.toBe("Demo Kommune");
    await certIn(slotRow("production", "current").locator("td.provisioned"), old).waitFor(WAIT);

    const cer = join(dir, "renewed.cer");
    await writeFile(cer, renewed.certificate.der);
    // Choose the file for production first; the integration upload redraws the card.
    await slotRow("production", "next").locator("input[type=file]").setInputFiles(cer);
    const integrationMsg = await upload("integration", cer);
    await expect(integrationMsg.textContent()).resolves.toContain("uploaded to the draft");
    await certIn(slotRow("integration", "next").locator("td.draft"), renewed).waitFor(WAIT);
    await envPart("integration").locator('[data-warning="unsaved"]').waitFor(WAIT);
    const fileInput = slotRow("production", "next").locator("input[type=file]");
    await expect(
      fileInput.evaluate((input) => (input as unknown as { files: ArrayLike<File> }).files.length),
    ).resolves.toBe(1);
    await slotRow("production", "next").locator("button.upload").click();
    await certIn(slotRow("production", "next").locator("td.draft"), renewed).waitFor(WAIT);
    expect(h.registry.systemUser(userId).draft.production.next?.sha256).toBe(renewed.certificate.sha256);
    expect(h.registry.systemUser(userId).saved.production.next).toBeUndefined();

    await card().locator("button.save").click();
    for (const env of ["integration", "production"] as const) {
      await envPart(env).locator('[data-warning="not-provisioned"]').waitFor(WAIT);
      await envPart(env)
        .locator('[data-warning="unsaved"]')
        .waitFor({ ...WAIT, state: "detached" });
    }

    await envPart("integration").locator("button.provision").click();
    await envPart("integration")
      .locator('[data-warning="not-provisioned"]')
      .waitFor({ ...WAIT, state: "detached" });
    const provisionedNext = certIn(slotRow("integration", "next").locator("td.provisioned"), renewed);
    await provisionedNext.waitFor(WAIT);
    // at-expiry: the STS keeps the current certificate until it expires.
    await expect(provisionedNext.locator(".badge").getAttribute("data-status")).resolves.toBe(
      "CERT_NOT_YET_ACTIVE",
    );
    await expect(
      certIn(slotRow("integration", "current").locator("td.provisioned"), old)
        .locator(".badge")
        .textContent(),
    ).resolves.toBe("ACCEPTED BY STS");
    const warning = envPart("production").locator('[data-warning="not-provisioned"]');
    expect(await warning.isVisible()).toBe(true);
    await expect(warning.textContent()).resolves.toContain("ikke provisioneret til produktion");
    expect(await slotRow("production", "next").locator("td.provisioned .cert").count()).toBe(0);
    expect(h.registry.systemUser(userId).provisioned.integration?.next?.sha256).toBe(
      renewed.certificate.sha256,
    );
    expect(h.registry.systemUser(userId).provisioned.production?.next).toBeUndefined();

    // The vendor switches the production client to the new certificate: the STS refuses it.
    const production = h.state.environment("production");
    const client = new WscClient({
      clock: h.clock,
      stsUrl: h.stsUrl("production"),
      stsEndpointReference: production.stsEndpointReference,
      stsCertificates: [production.stsSigning.certificate],
      wspUrl: h.wspUrl("production"),
      wspEntityId: production.wspEntityId,
      credential: renewed,
    });
    const refusal = await client.getToken().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(ClientError);
    expect(refusal).toMatchObject({ step: 1, reason: "CERT_NOT_PROVISIONED" });

    const row = page.locator('#events tr[data-reason="CERT_NOT_PROVISIONED"]');
    await row.waitFor(WAIT);
    expect(await page.locator("#events tr").first().getAttribute("data-reason")).toBe("CERT_NOT_PROVISIONED");
    expect(await row.getAttribute("class")).toContain("rejected");
    await expect(row.locator("td.thumbprint").textContent()).resolves.toBe(
      `${renewed.certificate.sha256.slice(0, 16)}…`,
    );
    await expect(row.locator("td").nth(2).textContent()).resolves.toBe("production");
    const background = await page.evaluate(
      `getComputedStyle(document.querySelector('#events tr[data-reason="CERT_NOT_PROVISIONED"] td')).backgroundColor`,
    );
    expect(background).toBe("rgb(253, 226, 226)");

    await page.screenshot({ path: join(dir, "admin-page.png"), fullPage: true });
    expect((await stat(join(dir, "admin-page.png"))).size).toBeGreaterThan(10_000);
  });

  it("shows the API's refusal sentence when a .p12 is chosen instead of the .cer", async () => {
    const p12 = toPkcs12(renewed, "hemmelig");
    const file = join(dir, "renewed.p12");
    await writeFile(file, p12);
    const direct = await fetch(`${h.adminUrl}/system-users/${userId}/certificates/production/next`, {
      method: "PUT",
      body: p12,
    });
    expect(direct.status).toBe(400);
    const { error, detail } = (await direct.json()) as { error: string; detail: string };
    expect(error).toBe("PKCS12_NOT_ALLOWED");

    const msg = await upload("production", file);
    expect(await msg.getAttribute("class")).toContain("error");
    await expect(msg.locator("b").textContent()).resolves.toBe("PKCS12_NOT_ALLOWED (400)");
    await expect(msg.locator(".detail").textContent()).resolves.toBe(detail);
    // The draft keeps the .cer uploaded before.
    expect(h.registry.systemUser(userId).draft.production.next?.sha256).toBe(renewed.certificate.sha256);
    await page.locator('#events tr.rejected[data-reason="PKCS12_NOT_ALLOWED"]').first().waitFor(WAIT);
    await page.screenshot({ path: join(dir, "admin-page-p12.png") });
  });

  it("moves the clock, switches the policy, rotates the STS certificate and revokes", async () => {
    await page.locator('button[data-advance="+1d"]').click();
    await page.locator("#now", { hasText: "2026-01-02 00:00:00Z" }).waitFor(WAIT);
    expect(h.clock.nowMs()).toBe(T0 + DAY);

    await page.locator("#policy").selectOption("overlap");
    await page.locator("#policy-msg.ok").waitFor(WAIT);
    expect(h.registry.policy).toBe("overlap");

    const before = h.state.environment("production").stsSigning.certificate.sha256;
    await page.locator('#environments tr[data-env="production"] button.rotate').click();
    await page
      .locator('#environments tr[data-env="production"] td.signing', { hasText: "rotated 1×" })
      .waitFor(WAIT);
    expect(h.state.environment("production").stsSigning.certificate.sha256).not.toBe(before);
    expect(h.state.environment("integration").stsHistory).toHaveLength(0);

    const oldCell = certIn(slotRow("production", "current").locator("td.provisioned"), old);
    await oldCell.locator("button.revoke").click();
    await oldCell.locator(".badge", { hasText: "REVOKED" }).waitFor(WAIT);
    expect(h.registry.revoked().map((r) => r.sha256)).toContain(old.certificate.sha256);
    await page.locator('#events tr[data-reason="CERTIFICATE_REVOKED"]').first().waitFor(WAIT);
  });

  it("on the real clock, offers no clock buttons and says how to get a movable clock", async () => {
    await using real = await realClockHarness().withOptions({ state: h.state }).start();
    const other = await browser.newPage();
    try {
      await other.goto(real.url);
      await other.locator("#clock-kind", { hasText: "real clock" }).waitFor(WAIT);
      expect(await other.locator("#clock-buttons").isVisible()).toBe(false);
      expect(await other.locator("#clock-kind").textContent()).toContain("up --virtual-clock");
      expect(await other.locator('button[data-advance="+1d"]').count()).toBe(1);
    } finally {
      await other.close();
    }
  });

  it("creates a systembruger and shows its name as text, and a refused one's sentence", async () => {
    const form = page.locator("#create-user");
    await form.locator('input[name="name"]').fill("x");
    await form.locator('input[name="cvr"]').fill("12");
    await form.locator('input[name="entityId"]').fill("https://x.example/wsc");
    await form.locator("button").click();
    await page.locator("#create-msg.error").waitFor(WAIT);
    await expect(page.locator("#create-msg .detail").textContent()).resolves.toContain(
      "cvr must be a CVR number of exactly 8 digits",
    );

    const name = '<img src=x onerror="window.__pwned=1">Kommune & Co';
    await form.locator('input[name="name"]').fill(name);
    await form.locator('input[name="cvr"]').fill("98765432");
    await form.locator("button").click();
    await page.locator("#create-msg.ok").waitFor(WAIT);
    const created = h.registry.systemUsers().find((u) => u.identity.cvr === "98765432");
    expect(created).toBeDefined();
    const newCard = page.locator(`section.user[data-user-id="${created!.identity.id}"]`);
    await newCard.waitFor(WAIT);
    await expect(newCard.locator("h3 .name").textContent()).resolves.toBe(name);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
    await expect(form.locator('input[name="name"]').inputValue()).resolves.toBe("");

    expect(requests.filter((url) => !url.startsWith(`${h.url}/`))).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("a scheduled activation says when the policy ignores it", async () => {
    const api = (method: string, path: string, body: unknown) =>
      fetch(`${h.url}/admin/api${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await api("PUT", "/settings", { policy: "at-expiry" })).status).toBe(200);
    expect((await api("POST", `/system-users/${userId}/provision/integration`, { at: "+1d" })).status).toBe(
      200,
    );
    const info = envPart("integration").locator(".info");
    await info.filter({ hasText: "(used only under policy immediate; now at-expiry)" }).waitFor(WAIT);
    expect((await api("PUT", "/settings", { policy: "immediate" })).status).toBe(200);
    await info.filter({ hasNotText: "used only under" }).filter({ hasText: "activates " }).waitFor(WAIT);
    expect(problems).toEqual([]);
  });
});
