/**
 * The board's script, run by the browser as it is (no build step): the parts in src/ui/script/
 * in one function scope, after the texts of both languages (src/ui/texts.ts) as JSON. It talks
 * only to the admin API and builds every node with createElement and textContent.
 */
import { BOARD_SCRIPT } from "./script/board.js";
import { CLIENT_SCRIPT } from "./script/client.js";
import { CORE_SCRIPT } from "./script/core.js";
import { NEMLOGIN_SCRIPT } from "./script/nemlogin.js";
import { TIMELINE_SCRIPT } from "./script/timeline.js";
import { textsFor } from "./texts.js";

/** JSON that is safe inside a script element (no closing tag, no HTML comment opener). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/\u2028|\u2029/g, (c) => (c === "\u2028" ? "\\u2028" : "\\u2029"));
}

export const PAGE_SCRIPT = [
  '"use strict";',
  "(function () {",
  `  var TEXTS = ${scriptJson({ da: textsFor("da"), en: textsFor("en") })};`,
  CORE_SCRIPT,
  NEMLOGIN_SCRIPT,
  CLIENT_SCRIPT,
  TIMELINE_SCRIPT,
  BOARD_SCRIPT,
  "  applyLabels(document);",
  '  document.title = t("pageTitle");',
  "  buildCreateForm();",
  "  buildPlayer();",
  "  loop();",
  "  openStream();",
  "})();",
  "",
].join("\n");
