/**
 * "Afspil scenarie" on the board in headless Chromium at 1366×768: the trainer picks a built-in
 * scenario by its Danish title, starts it and clicks "Næste trin" through it; each step is
 * explained in Danish (no English word in the player), the call after each step shows, the
 * timeline carries numbered step markers, and at the end the board shows the measured downtime
 * next to the scenario's expected one — the same.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HarnessBuilder } from "../../src/harness/harness.js";
import { scenarioLibrary } from "../../src/scenario/board-library.js";
import { ENGLISH_WORDS, launchChromium } from "../helpers/browser.js";
import { T0 } from "../helpers/harness.js";
import { useTempDir } from "../helpers/tmp.js";

const WAIT = { timeout: 60_000 };
const SCENARIOS = fileURLToPath(new URL("../../scenarios/", import.meta.url));

let dir: string;
useTempDir("smdb-board-player-", (d) => {
  dir = process.env.SMDB_BOARD_SCREENSHOTS ?? d;
});

let h: Harness;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  await mkdir(dir, { recursive: true });
  h = await new HarnessBuilder()
    .withVirtualClock(T0)
    .withHttp()
    .withOptions({ scenarios: scenarioLibrary(SCENARIOS) })
    .start();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe("Afspil scenarie on the board", () => {
  it("plays 'Klienten skifter før STS'en' step by step, explained in Danish, to the expected downtime", async () => {
    await page.goto(h.url);
    const select = page.locator("#scenario-select");
    await select
      .locator('option[value="client-switched-before-sts"]')
      .waitFor({ ...WAIT, state: "attached" });
    await expect(select.locator('option[value="client-switched-before-sts"]').textContent()).resolves.toBe(
      "Klienten skifter før STS'en",
    );
    await select.selectOption("client-switched-before-sts");
    await page.locator("#scenario-start").click();
    const player = page.locator("#player");
    await player.waitFor(WAIT);
    await expect(page.locator("#player-title").textContent()).resolves.toBe(
      "Scenarie: Klienten skifter før STS'en",
    );
    const steps = player.locator("li.step");
    await expect(steps.count()).resolves.toBe(5);
    await expect(steps.nth(0).locator(".what").textContent()).resolves.toBe(
      "NemLog-in-administratoren lægger nyt som næste i kladden for produktion.",
    );
    await expect(steps.nth(3).locator(".what").textContent()).resolves.toBe(
      "Leverandøren udruller nyt i klienten og genstarter den (tokencachen tømmes).",
    );

    for (let i = 0; i < 4; i++) {
      await page.locator("#scenario-next").click();
      await player.locator(`li.step[data-index="${i}"][data-state="done"]`).waitFor(WAIT);
    }
    const early = player.locator('li.step[data-index="3"] .after');
    await expect(early.getAttribute("data-reason")).resolves.toBe("CERT_NOT_YET_ACTIVE");
    await expect(early.textContent()).resolves.toBe(
      "Kald bagefter: ✖ Trin 1 (STS): Certifikatet er endnu ikke aktivt",
    );
    await page.locator("#lanes .marker", { hasText: "4" }).waitFor(WAIT);
    await page.screenshot({ path: join(dir, "board-7-scenario.png") });

    await expect(page.locator("#scenario-next").textContent()).resolves.toBe("Kør til slut");
    await page.locator("#scenario-next").click();
    await player.locator("li.step.end.done").waitFor(WAIT);
    // 1 day and 1 ms, as the scenario expects.
    await expect(page.locator("#player-result").textContent()).resolves.toBe(
      "Målt nedetid: 1 d · Forventet nedetid: 1 d",
    );
    expect(h.board!.timelineView().downtimeMs).toBe(86_400_001);

    // What shows (innerText), not what the DOM holds.
    const text = (await page.evaluate("document.getElementById('player').innerText")) as string;
    const english = ENGLISH_WORDS.filter((w) =>
      new RegExp(`(?<![\\p{L}_-])${w}(?![\\p{L}_-])`, "u").test(text),
    );
    expect(english).toEqual([]);
    await page.screenshot({ path: join(dir, "board-8-scenario-end.png") });
    expect(problems).toEqual([]);
  });
});
