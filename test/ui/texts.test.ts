/**
 * The board's words hold together: every label exists in Danish and English (and differs where it
 * is not a name or a symbol), every key the page looks up — `data-t…` in the HTML, `t("…")` in the
 * script — is a label, every reason code the STS, SMDB and the client can give has a Danish
 * meaning and advice, every scenario action has an explanation, and every built-in scenario a
 * Danish title. A missing text would put an English code or key on a Danish screen.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  CLIENT_SETUP_REASONS,
  STS_CLIENT_REASONS,
  STS_REASONS,
  WSP_CLIENT_REASONS,
  WSP_REASONS,
} from "../../src/core/reason-codes.js";
import { ACTIONS } from "../../src/scenario/schema.js";
import { PAGE_SCRIPT } from "../../src/ui/page-script.js";
import { EVENT_TEXTS, LABELS, REASONS, SCENARIO_TEXTS, STEP_TEXTS } from "../../src/ui/texts.js";
import { ADMIN_PAGE_HTML } from "../../src/ui/ui.js";

/** Labels that are the same in both languages: names, symbols, abbreviations. */
const SAME_IN_BOTH = new Set([
  "brand",
  "back1d",
  "adv1d",
  "adv10d",
  "adv30d",
  "policy.overlap",
  "userEntityId",
  "noneShort",
  "laneClient",
  "logSeq",
  "who.sts",
  "who.admin",
  "who.wsp",
  "envSts",
  "envSmdb",
  "stop",
]);

describe("the board's texts", () => {
  it("has every label in Danish and in English", () => {
    for (const [key, [da, en]] of Object.entries(LABELS)) {
      expect(da.trim(), key).not.toBe("");
      expect(en.trim(), key).not.toBe("");
      if (!SAME_IN_BOTH.has(key)) expect(da, `${key} is translated`).not.toBe(en);
    }
  });

  it("has a label for every key the page uses", () => {
    const keys = new Set<string>();
    for (const m of ADMIN_PAGE_HTML.matchAll(/data-t(?:-title|-placeholder|-aria)?="([^"]+)"/g))
      keys.add(m[1]!);
    // Whole keys only: t("policy." + name) is checked below, by its prefix.
    for (const m of PAGE_SCRIPT.matchAll(/\bt\("([^"]+)"\s*[,)]/g)) keys.add(m[1]!);
    expect(keys.size).toBeGreaterThan(80);
    const missing = [...keys].filter((k) => !(k in LABELS));
    expect(missing).toEqual([]);
    // Keys built from a prefix and a value: every value has its label.
    for (const prefix of ["env.", "slot.", "provision.", "policy.", "policyHelp."]) {
      expect(Object.keys(LABELS).filter((k) => k.startsWith(prefix)).length, prefix).toBeGreaterThanOrEqual(
        2,
      );
    }
    for (const key of [
      "step.0",
      "step.1",
      "step.2",
      "mode.on-change",
      "mode.interval",
      "mode.manual",
      "source.registered",
      "source.issued",
      "source.uploaded",
      "source.scenario",
      "who.admin",
      "who.clock",
      "who.client",
      "wspTrust.current",
      "wspTrust.pin-thumbprint",
      "wspTrust.subject-and-chain",
      "noMessages.NOT_FROM_BOARD_CLIENT",
      "noMessages.NO_LONGER_KEPT",
      "noMessages.NOT_SENT",
      "noMessages.NOT_A_CALL",
      "lane.production.draft",
      "lane.production.saved",
      "lane.production.provisioned",
      "lane.integration.draft",
      "lane.integration.saved",
      "lane.integration.provisioned",
      "lane.client",
      "lane.verdict",
      "lane.calls",
    ]) {
      expect(LABELS, key).toHaveProperty([key]);
    }
  });

  it("says what every reason code means and what to do, in both languages", () => {
    const codes = [
      ...CLIENT_SETUP_REASONS,
      ...STS_REASONS,
      ...STS_CLIENT_REASONS,
      ...WSP_REASONS,
      ...WSP_CLIENT_REASONS,
    ].filter(
      (c) => !["STS_INTERNAL_ERROR", "INTERNAL_ERROR", "REPLAY_CACHE_FULL", "UNKNOWN_OPERATION"].includes(c),
    );
    const missing = codes.filter((c) => !REASONS[c]);
    expect(missing).toEqual([]);
    for (const [code, texts] of Object.entries(REASONS)) {
      for (const lang of ["da", "en"] as const) {
        expect(texts[lang][0].trim(), `${code} ${lang}`).not.toBe("");
        expect(texts[lang][1].trim(), `${code} ${lang}`).not.toBe("");
      }
      expect(texts.da[0], `${code} is translated`).not.toBe(texts.en[0]);
    }
  });

  it("explains every scenario action, names every built-in scenario and every admin event", () => {
    for (const action of ACTIONS) expect(STEP_TEXTS, action).toHaveProperty([action]);
    const dir = fileURLToPath(new URL("../../scenarios/", import.meta.url));
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
      const name = /^name:\s*(\S+)/m.exec(readFileSync(`${dir}${file}`, "utf8"))![1]!;
      expect(SCENARIO_TEXTS, name).toHaveProperty([name]);
    }
    for (const reason of [
      "SAVED",
      "PROVISIONED",
      "CERTIFICATE_UPLOADED",
      "CLOCK_SET",
      "CLOCK_ADVANCED",
      "CLIENT_DEPLOYED",
    ]) {
      expect(EVENT_TEXTS, reason).toHaveProperty([reason]);
    }
  });
});
