/**
 * Headless Chromium for the page tests: the system's /usr/bin/chromium through playwright-core
 * (no browser is downloaded), and what a Danish screen must not show.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the page tests need Debian's chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/**
 * English words and phrases of the board's labels (and of English sentences), case-sensitive as
 * whole words: none may show on the Danish board. Reason codes (CERT_NOT_YET_ACTIVE) are codes, not
 * words, and do not match.
 */
export const ENGLISH_WORDS = [
  "Harness time",
  "Rollover policy",
  "Revoke",
  "Revoked",
  "Upload",
  "Save",
  "Saved",
  "saved",
  "Provision",
  "Provisioned",
  "provisioned",
  "Draft",
  "draft",
  "Current",
  "current",
  "Next",
  "next",
  "Client",
  "client",
  "Events",
  "Event",
  "Downtime",
  "Certificate",
  "certificate",
  "Step",
  "step",
  "Reason",
  "reason",
  "Clock",
  "clock",
  "Time",
  "Play",
  "Reset",
  "Jump",
  "expiry",
  "Timeline",
  "Inspector",
  "Request",
  "Response",
  "Close",
  "Deploy",
  "Roll back",
  "Call",
  "calls",
  "Accepted",
  "accepted",
  "rejected",
  "Environment",
  "production",
  "integration",
  "virtual",
  "Order",
  "Download",
  "fallback",
  "Fallback",
  "System user",
  "the",
  "The",
  "and",
  "with",
  "not",
  "from",
  "until",
  "when",
  "only",
  "yet",
  "never",
  "what",
  "What",
];

/** The English words among the page's visible text (closed <details> and hidden nodes excluded). */
export async function visibleEnglish(page: Page): Promise<string[]> {
  const text = (await page.evaluate("document.body.innerText")) as string;
  return ENGLISH_WORDS.filter((word) =>
    new RegExp(`(?<![\\p{L}\\p{N}_-])${word.replace(/ /g, "\\s+")}(?![\\p{L}\\p{N}_-])`, "u").test(text),
  ).map((word) => {
    const at = text.search(new RegExp(`(?<![\\p{L}\\p{N}_-])${word}(?![\\p{L}\\p{N}_-])`, "u"));
    return `${word} (in "${text.slice(Math.max(0, at - 30), at + word.length + 30).replace(/\s+/g, " ")}")`;
  });
}
