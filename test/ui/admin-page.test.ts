/**
 * The board's NemLog-in side in headless Chromium against a real harness (virtual clock, plain
 * HTTP): a trainer's "provisioned to integration test only" mistake done by clicking — the renewed
 * .cer into both environments' next slot (as a file, and from the client's store), "Gem tekniske
 * oplysninger", "Provisioner til integrationstest" — then a real client asks the production STS
 * for a token with the new certificate and gets CERT_NOT_PROVISIONED, which shows in the event
 * log as a refusal the inspector explains. Also: the page is static (no data, no external assets,
 * a strict CSP with the script's hash), the .p12 refusal sentence (in Danish, with the API's own
 * sentence beside it), the clock, policy, STS rotation and revocation controls, the real clock,
 * creating a systembruger, and names shown as text, never as markup.
 */
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientError } from "../../src/client/errors.js";
import { WscClient } from "../../src/client/wsc-client.js";
import type { Environment } from "../../src/core/events.js";
import type { Harness } from "../../src/harness/harness.js";
import { type Credential, toPkcs12 } from "../../src/pki/index.js";
import { PAGE_SCRIPT } from "../../src/ui/page-script.js";
import { ADMIN_PAGE_HTML } from "../../src/ui/ui.js";
import { launchChromium } from "../helpers/browser.js";
import {
  DAY,
  provisionSystemUser,
  realClockHarness,
  rotationPair,
  T0,
  testHarness,
} from "../helpers/harness.js";
import { useTempDir } from "../helpers/tmp.js";

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
  // The vendor has the renewed certificate in the client's store (manual calls only).
  h.board!.client.addCredential(renewed, { label: "fornyet" });
  h.board!.client.setCallMode("manual");
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.on("request", (request) => requests.push(request.url()));
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    // Chromium logs every 4xx answer to fetch; the page shows those itself.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      problems.push(`console: ${message.text()}`);
  });
  const response = await page.goto(h.url);
  const csp = response?.headers()["content-security-policy"] ?? "";
  const hash = createHash("sha256").update(PAGE_SCRIPT, "utf8").digest("base64");
  expect(csp).toContain(`script-src 'sha256-${hash}';`);
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("connect-src 'self'");
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

/** Chooses a file for the draft slot (the upload starts at once) and waits for the sentence. */
async function upload(env: Environment, file: string): Promise<Locator> {
  const row = slotRow(env, "next");
  const msg = row.locator(".upload-control .msg");
  await row.locator("input[type=file]").setInputFiles(file);
  await msg.locator(":scope.ok, :scope.error").waitFor(WAIT);
  return msg;
}

describe("the board's NemLog-in side", () => {
  it("is one static page with no data in it and no external assets", () => {
    expect(ADMIN_PAGE_HTML).not.toContain("innerHTML");
    expect(ADMIN_PAGE_HTML).not.toContain("Demo Kommune");
    expect(ADMIN_PAGE_HTML).not.toMatch(/\b(?:src|href)="(?!data:)/);
    expect(ADMIN_PAGE_HTML).not.toMatch(/<(?:img|iframe|object|embed|link rel="stylesheet")/);
  });

  it("shows the mistake 'provisioned to integration test only' and the STS refusing the new certificate in production", async () => {
    await card().waitFor(WAIT);
    await expect(card().locator("h3 .name").textContent()).resolves.toBe("Demo Kommune");
    await certIn(slotRow("production", "current").locator("td.provisioned"), old).waitFor(WAIT);

    // Integration test: the .cer file, chosen like an administrator would.
    const cer = join(dir, "renewed.cer");
    await writeFile(cer, renewed.certificate.der);
    const integrationMsg = await upload("integration", cer);
    await expect(integrationMsg.textContent()).resolves.toContain("renewed.cer er lagt i kladden");
    await certIn(slotRow("integration", "next").locator("td.draft"), renewed).waitFor(WAIT);
    await envPart("integration").locator('[data-warning="unsaved"]').waitFor(WAIT);

    // Production: the public part of the certificate in the client's store.
    const fromClient = slotRow("production", "next").locator("select.from-client");
    await fromClient
      .locator(`option[value="${renewed.certificate.sha256}"]`)
      .waitFor({ ...WAIT, state: "attached" });
    await fromClient.selectOption(renewed.certificate.sha256);
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

    await card().locator('button.provision[data-env="integration"]').click();
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
    ).resolves.toBe("✔ Accepteres af STS");
    const warning = envPart("production").locator('[data-warning="not-provisioned"]');
    expect(await warning.isVisible()).toBe(true);
    await expect(warning.textContent()).resolves.toContain("ikke provisioneret til produktion");
    expect(await slotRow("production", "next").locator("td.provisioned .cert").count()).toBe(0);
    expect(h.registry.systemUser(userId).provisioned.integration?.next?.sha256).toBe(
      renewed.certificate.sha256,
    );
    expect(h.registry.systemUser(userId).provisioned.production?.next).toBeUndefined();

    // The vendor's own client (not the board's) switches production to the new certificate.
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
    client.close();
    expect(refusal).toBeInstanceOf(ClientError);
    expect(refusal).toMatchObject({ step: 1, reason: "CERT_NOT_PROVISIONED" });

    await page.locator("#log-box > summary").click();
    const row = page.locator('#events tr[data-reason="CERT_NOT_PROVISIONED"]');
    await row.waitFor(WAIT);
    expect(await page.locator("#events tr").first().getAttribute("data-reason")).toBe("CERT_NOT_PROVISIONED");
    expect(await row.getAttribute("class")).toContain("rejected");
    await expect(row.locator("td.thumbprint").textContent()).resolves.toBe(
      `${renewed.certificate.sha256.slice(0, 8)}…`,
    );
    await expect(row.locator("td").nth(2).textContent()).resolves.toBe("Produktion");
    await expect(row.locator("td.meaning").textContent()).resolves.toBe(
      "Certifikatet er ikke provisioneret i dette miljø",
    );
    const background = await page.evaluate(
      `getComputedStyle(document.querySelector('#events tr[data-reason="CERT_NOT_PROVISIONED"] td')).backgroundColor`,
    );
    expect(background).toBe("rgb(253, 226, 226)");
    // The inspector explains it; the request came from another client, so its messages are not kept.
    await row.click();
    const inspector = page.locator("dialog#inspector");
    await inspector.locator(".todo").waitFor(WAIT);
    await expect(inspector.locator(".todo").textContent()).resolves.toContain("Provisioner til");
    await expect(inspector.locator(".muted").textContent()).resolves.toContain("ikke fra tavlens klient");
    await inspector.locator("#inspector-close").click();
    await page.locator("#log-box > summary").click();
    await page.screenshot({ path: join(dir, "admin-page.png") });
  });

  it("shows the refusal when a .p12 is chosen instead of the .cer: in Danish, with the API's own sentence", async () => {
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
    await expect(msg.locator("b.code").textContent()).resolves.toBe("PKCS12_NOT_ALLOWED (400)");
    await expect(msg.locator(".said").textContent()).resolves.toBe(
      "NemLog-in tager kun imod den offentlige del: upload .cer-filen, aldrig .p12/.pfx med den private nøgle.",
    );
    await expect(msg.locator(".detail").textContent()).resolves.toBe(detail);
    // The draft keeps the .cer put there before.
    expect(h.registry.systemUser(userId).draft.production.next?.sha256).toBe(renewed.certificate.sha256);
    expect(h.events.since(0).some((e) => e.reason === "PKCS12_NOT_ALLOWED" && e.outcome === "rejected")).toBe(
      true,
    );
  });

  it("puts a .p12 in the client's store, and says so when its password is wrong", async () => {
    const other = await h.state.ca.issue({
      profile: "oces3-system",
      cvr: "91234567",
      name: "Leverandørens nye system",
      notBefore: new Date(T0 - DAY),
      notAfter: new Date(T0 + 1000 * DAY),
    });
    const file = join(dir, "vendor.p12");
    await writeFile(file, toPkcs12(other, "rigtig"));
    const msg = page.locator("#client-msg");
    await page.locator("#p12-file").setInputFiles(file);
    await page.locator("#p12-password").fill("forkert");
    await page.locator("#p12-add").click();
    await page.locator("#client-msg.error").waitFor(WAIT);
    await expect(msg.locator("b.code").textContent()).resolves.toBe("PKCS12_WRONG_PASSWORD (400)");
    await expect(msg.locator(".said").textContent()).resolves.toBe("Adgangskoden til .p12-filen er forkert.");
    await page.locator("#p12-file").setInputFiles(file);
    await page.locator("#p12-password").fill("rigtig");
    await page.locator("#p12-add").click();
    await page.locator(`#store tr[data-sha256="${other.certificate.sha256}"]`).waitFor(WAIT);
    await expect(msg.textContent()).resolves.toBe("✓ Leverandørens nye system er lagt i klientens lager");
    await expect(page.locator("#p12-password").inputValue()).resolves.toBe("");
  });

  it("moves the clock, switches the policy, rotates the STS certificate and revokes", async () => {
    await page.locator('button.clock-move[data-move=\'{"advance":"1d"}\']').click();
    await page.locator("#now", { hasText: "2026-01-02 00:00:00" }).waitFor(WAIT);
    expect(h.clock.nowMs()).toBe(T0 + DAY);
    await page.locator('button.clock-move[data-move=\'{"back":"1d"}\']').click();
    await page.locator("#now", { hasText: "2026-01-01 00:00:00" }).waitFor(WAIT);
    await page.locator("#set-time").fill("2026-01-05T12:00:00Z");
    await page.locator("#set-time-button").click();
    await page.locator("#now", { hasText: "2026-01-05 12:00:00" }).waitFor(WAIT);
    await page.locator("#clock-reset").click();
    await page.locator("#now", { hasText: "2026-01-01 00:00:00" }).waitFor(WAIT);
    expect(h.clock.nowMs()).toBe(T0);

    await page.locator("#policy").selectOption("overlap");
    await page.locator("#clock-msg.ok").waitFor(WAIT);
    expect(h.registry.policy).toBe("overlap");
    await expect(page.locator("#policy option:checked").textContent()).resolves.toBe("Overlap");

    const before = h.state.environment("production").stsSigning.certificate.sha256;
    await page.locator("#env-box > summary").click();
    await page.locator('#environments tr[data-env="production"] button.rotate').click();
    await page
      .locator('#environments tr[data-env="production"] td.signing', { hasText: "skiftet 1 gang(e)" })
      .waitFor(WAIT);
    expect(h.state.environment("production").stsSigning.certificate.sha256).not.toBe(before);
    expect(h.state.environment("integration").stsHistory).toHaveLength(0);

    // Only provisioned certificates can be revoked from the board.
    expect(await slotRow("production", "current").locator("td.draft button.revoke").count()).toBe(0);
    const oldCell = certIn(slotRow("production", "current").locator("td.provisioned"), old);
    await oldCell.locator("button.revoke").click();
    await oldCell.locator(".badge", { hasText: "Spærret" }).waitFor(WAIT);
    await expect(oldCell.locator('[data-status="CERT_REVOKED"]').count()).resolves.toBe(1);
    expect(h.registry.revoked().map((r) => r.sha256)).toContain(old.certificate.sha256);
  });

  it("on the real clock, offers no clock buttons and says how to get a movable clock", async () => {
    await using real = await realClockHarness().withOptions({ state: h.state }).start();
    const other = await browser.newPage();
    try {
      await other.goto(real.url);
      await other.locator("#clock-kind", { hasText: "rigtigt ur" }).waitFor(WAIT);
      expect(await other.locator("#clock-buttons").isVisible()).toBe(false);
      expect(await other.locator("#clock-kind").textContent()).toContain("up --virtual-clock");
    } finally {
      await other.close();
    }
  });

  it("creates a systembruger and shows its name as text, and a refused one's sentence", async () => {
    await page.locator("#create-toggle").click();
    const form = page.locator("#create-user");
    await form.locator('input[name="name"]').fill("x");
    await form.locator('input[name="cvr"]').fill("12");
    await form.locator('input[name="entityId"]').fill("https://x.example/wsc");
    await form.locator("button[type=submit]").click();
    await page.locator("#create-msg.error").waitFor(WAIT);
    await expect(page.locator("#create-msg .detail").textContent()).resolves.toContain(
      "cvr must be a CVR number of exactly 8 digits",
    );

    const name = '<img src=x onerror="window.__pwned=1">Kommune & Co';
    await form.locator('input[name="name"]').fill(name);
    await form.locator('input[name="cvr"]').fill("98765432");
    await form.locator("button[type=submit]").click();
    await page.locator("#create-msg.ok").waitFor(WAIT);
    const created = h.registry.systemUsers().find((u) => u.identity.cvr === "98765432");
    expect(created).toBeDefined();
    const newCard = page.locator(`section.user[data-user-id="${created!.identity.id}"]`);
    await newCard.waitFor(WAIT);
    await expect(newCard.locator("h3 .name").textContent()).resolves.toBe(name);
    await expect(page.locator(`.chip[data-user-id="${created!.identity.id}"]`).textContent()).resolves.toBe(
      name,
    );
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
    await info.filter({ hasText: "(bruges kun under skiftereglen Straks; nu Ved udløb)" }).waitFor(WAIT);
    expect((await api("PUT", "/settings", { policy: "immediate" })).status).toBe(200);
    await info
      .filter({ hasNotText: "bruges kun under" })
      .filter({ hasText: "næste aktiveres " })
      .waitFor(WAIT);
    expect(problems).toEqual([]);
  });
});
