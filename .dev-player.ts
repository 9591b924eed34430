import { chromium } from "playwright-core";
import { HarnessBuilder } from "./src/harness/harness.js";
import { scenarioLibrary } from "./src/scenario/board-library.js";
const h = await new HarnessBuilder().withVirtualClock("2026-01-01T00:00:00Z").withHttp().withOptions({ scenarios: scenarioLibrary("scenarios") }).start();
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
page.on("pageerror", (e) => console.log("pageerror", e.message));
await page.goto(h.url + (process.argv[2] ?? ""));
await page.waitForTimeout(1000);
await page.locator("#scenario-select").selectOption(process.argv[3] ?? "client-switched-before-sts");
await page.locator("#scenario-start").click();
await page.waitForTimeout(1500);
for (let i = 0; i < Number(process.argv[4] ?? 3); i++) { await page.locator("#scenario-next").click(); await page.waitForTimeout(900); }
await page.screenshot({ path: "/tmp/h7shots/p.png" });
await browser.close();
await h.close();
