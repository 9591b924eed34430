/**
 * The reports of real runs: JUnit parses as XML with one testcase per scenario; the HTML report
 * is one self-contained page that headless Chromium opens offline and that shows the failure
 * windows (checked in the DOM and kept as a screenshot in the test's temp dir).
 */
import { existsSync } from "node:fs";
import { mkdtemp, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DOMParser } from "@xmldom/xmldom";
import { chromium } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { parseScenarioFile } from "../../src/scenario/parse.js";
import { htmlReport } from "../../src/scenario/report/html.js";
import { jsonReport } from "../../src/scenario/report/json.js";
import { junitReport } from "../../src/scenario/report/junit.js";
import { terminalReport } from "../../src/scenario/report/terminal.js";
import type { ScenarioResult } from "../../src/scenario/result.js";
import { runScenario } from "../../src/scenario/runner.js";
import { REPO_ROOT } from "../helpers/cli.js";

const CHROMIUM = "/usr/bin/chromium";
let dir: string;
let results: ScenarioResult[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smdb-scenario-report-"));
  const files = ["p12-uploaded-instead-of-cer", "correct-rotation-overlap", "sts-signing-rotated-pinned"].map(
    (n) => join(REPO_ROOT, "scenarios", `${n}.yaml`),
  );
  results = [];
  for (const file of files) results.push(await runScenario(file));
  // A scenario whose expectation does not hold, to see a <failure> and a red verdict.
  const wrong = await parseScenarioFile(files[1]!);
  wrong.name = "overlap-with-wrong-expectation";
  wrong.expect = { downtime: { exactMs: 3_600_000, precisionMs: 1000 } };
  results.push(await runScenario(wrong));
});

function parseXmlStrict(text: string) {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== "warning") errors.push(message);
    },
  }).parseFromString(text, "application/xml");
  expect(errors).toEqual([]);
  return doc;
}

describe("reports", () => {
  it("JUnit: parses as XML; one testcase per scenario; failures show expected against actual", () => {
    const xml = junitReport(results, 1234);
    const doc = parseXmlStrict(xml);
    const cases = Array.from(doc.getElementsByTagName("testcase"));
    expect(cases.map((c) => c.getAttribute("name"))).toEqual(results.map((r) => r.name));
    const suite = doc.getElementsByTagName("testsuite")[0]!;
    expect(suite.getAttribute("tests")).toBe(String(results.length));
    expect(suite.getAttribute("failures")).toBe("1");
    const failing = cases.find((c) => c.getAttribute("name") === "overlap-with-wrong-expectation")!;
    const failure = failing.getElementsByTagName("failure")[0]!;
    expect(failure.getAttribute("message")).toBe("downtime: expected 1h, actual 0s");
    expect(failure.textContent).toContain("expected: 1h");
    for (const c of cases.filter((c) => c !== failing))
      expect(c.getElementsByTagName("failure").length).toBe(0);
    // The timeline goes to system-out.
    const p12 = cases.find((c) => c.getAttribute("name") === "p12-uploaded-instead-of-cer")!;
    expect(p12.getElementsByTagName("system-out")[0]!.textContent).toContain("CERT_EXPIRED");
  });

  it("JSON and terminal reports carry the same failure windows", () => {
    const json = JSON.parse(jsonReport(results, 1)) as {
      results: Array<{ name: string; failures: unknown[] }>;
    };
    for (const [i, r] of results.entries()) expect(json.results[i]!.failures.length).toBe(r.failures.length);
    const text = terminalReport(results, 1, { verbose: true });
    expect(text).toContain("calls fail until");
    expect(text).toContain("✖ FAIL overlap-with-wrong-expectation");
    expect(text).not.toContain("\x1b[");
    expect(terminalReport(results, 1, { color: true })).toContain("\x1b[31m");
  });

  it("HTML: one self-contained file that Chromium opens offline and that shows the failure windows", async () => {
    const html = htmlReport(results, 1234);
    // No external assets: no src/href to anything but in-page anchors.
    expect(html).not.toMatch(/\b(?:src|href)="(?!#)/);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    const file = join(dir, "report.html");
    await writeFile(file, html);
    expect(existsSync(CHROMIUM)).toBe(true);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      page.on("request", (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(file).href);
      expect(requests).toEqual([pathToFileURL(file).href]);
      for (const [i, result] of results.entries()) {
        const section = page.locator(`#scenario-${i}`);
        await expect(section.locator("h2").textContent()).resolves.toContain(result.name);
        const windows = section.locator(".failure-window");
        expect(await windows.count()).toBe(result.failures.length);
        for (const [k, w] of result.failures.entries()) {
          const element = windows.nth(k);
          expect(await element.getAttribute("data-reason")).toBe(w.reason);
          expect(await element.getAttribute("data-from")).toBe(new Date(w.fromMs).toISOString());
          const box = await element.boundingBox();
          expect(box, `${result.name} window ${k}`).not.toBeNull();
          expect(box!.width).toBeGreaterThanOrEqual(2);
          expect(box!.height).toBeGreaterThan(50);
        }
        // Four lanes: NemLog-in, client certificate, step 1, step 2.
        await expect(section.locator(".lane-name").allTextContents()).resolves.toEqual([
          `NemLog-in (${result.environment})`,
          "Client certificate",
          "Step 1: STS token",
          "Step 2: SMDB call",
        ]);
      }
      const p12 = page.locator("#scenario-0");
      // The old certificate's expiry is marked on the timeline.
      await expect(p12.locator('.cert-expiry[data-certificate="old"]').count()).resolves.toBe(1);
      await expect(p12.locator(".actions li.rejected").count()).resolves.toBe(1);
      await expect(p12.locator(".failures li").count()).resolves.toBe(results[0]!.failures.length);
      const shot = join(dir, "report.png");
      await page.screenshot({ path: shot, fullPage: true });
      expect((await stat(shot)).size).toBeGreaterThan(10_000);
      process.stdout.write(`HTML report screenshot: ${shot}\n`);
    } finally {
      await browser.close();
    }
  });
});
