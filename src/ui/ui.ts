/**
 * The trainer board at `/`: a small imitation of NemLog-in's administration of a systembruger
 * ("IT-systemudbyder" → "Systembrugere" → the systembruger → "Tekniske oplysninger", production
 * first) beside the vendor's client ("Klient"), a live timeline with the downtime so far, the
 * clock, "Afspil scenarie" and an inspector — Danish by default, English with `?lang=en`.
 *
 * One static page (no data in it, no external assets, no build step): its labels are keys
 * (`data-t`) the script fills in the page's language, and everything else comes as JSON from the
 * admin API and is put into the DOM as text (src/ui/script/). The Content-Security-Policy allows
 * only this page's own script and style (by hash) and requests to the harness itself.
 */
import { createHash } from "node:crypto";
import type { Request, Response } from "express";
import { PAGE_SCRIPT } from "./page-script.js";
import { PAGE_STYLE } from "./page-style.js";

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

export const ADMIN_PAGE_HTML = `<!doctype html>
<html lang="da"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>NemLog-in · smdb-harness</title>
<style>${PAGE_STYLE}</style></head>
<body>
<header id="top">
<div class="row1">
<div class="brand"><b data-t="brand"></b> <span class="small" data-t="brandSub"></span></div>
<div class="clock"><span class="small" data-t="clock"></span> <b id="now"></b> <span id="clock-kind" class="small"></span></div>
<div class="policy"><label for="policy" class="small" data-t="policy"></label> <select id="policy"></select></div>
<div id="player-controls" class="toolbar" hidden><select id="scenario-select" data-t-aria="playScenario"></select><button type="button" id="scenario-start" data-t="playScenario"></button></div>
<nav id="lang" data-t-aria="language"></nav>
</div>
<div class="row2"><div id="clock-buttons" class="toolbar"></div><div id="clock-msg" class="msg" role="status"></div></div>
</header>
<div id="connection" hidden></div>
<main>
<section id="nemlogin">
<nav class="crumbs"><span data-t="crumbProvider"></span> › <span data-t="crumbUsers"></span> › <b id="crumb-user"></b> › <span data-t="crumbTechnical"></span></nav>
<div class="users-bar"><span id="users-count"></span> <span id="user-chips"></span> <button type="button" id="create-toggle" class="tiny" data-t="createUser"></button></div>
<form id="create-user" autocomplete="off" hidden>
<label><span data-t="userName"></span><input name="name" type="text" required></label>
<label><span data-t="userCvr"></span><input name="cvr" type="text" inputmode="numeric" required></label>
<label><span data-t="userEntityId"></span><input name="entityId" type="text" required placeholder="https://kommune.example/smdb-klient"></label>
<button type="submit" class="primary" data-t="create"></button>
</form>
<div id="create-msg" class="msg" role="status"></div>
<p id="users-empty" class="muted" hidden data-t="usersEmpty"></p>
<div id="users"></div>
</section>
<aside id="side"><div class="side-inner">
<section id="player" hidden>
<h2 id="player-title"></h2>
<p id="player-description" class="small"></p>
<ol id="player-steps"></ol>
<div class="toolbar"><button type="button" id="scenario-next" class="primary" data-t="nextStep"></button><button type="button" id="scenario-stop" data-t="stop"></button><span id="player-result"></span></div>
<div id="player-msg" class="msg" role="status"></div>
<p class="small muted" data-t="scenarioChanges"></p>
</section>
<section id="client">
<h2><span data-t="clientTitle"></span> <span class="small" data-t="clientSub"></span></h2>
<div class="row"><label for="client-env" class="small" data-t="clientEnv"></label> <select id="client-env"></select></div>
<div id="client-deployed"></div>
<div class="toolbar"><button type="button" id="client-rollback" data-t="rollback"></button><button type="button" id="client-issue" data-t="issue" data-t-title="issueTitle"></button><button type="button" id="client-trust-sts" hidden data-t="trustSts"></button></div>
<div id="client-msg" class="msg" role="status"></div>
<div class="store-box"><div class="small" data-t="store"></div><table id="store-table"><tbody id="store"></tbody></table>
<div class="upload-row"><label class="file-button"><span data-t="chooseP12"></span><input type="file" id="p12-file" accept=".p12,.pfx" data-t-aria="chooseP12"></label><input type="password" id="p12-password" autocomplete="off" data-t-placeholder="p12Password" data-t-aria="p12Password"><button type="button" id="p12-add" class="tiny" data-t="addP12"></button></div></div>
<div class="row"><label for="call-mode" class="small" data-t="callMode"></label> <select id="call-mode"></select> <button type="button" id="call-now" class="primary" data-t="callNow"></button></div>
<ol id="calls"></ol>
<p id="calls-empty" class="muted" data-t="noCalls"></p>
</section>
</div></aside>
<section id="timeline">
<div class="tl-head"><h2 data-t="timeline"></h2> <b id="downtime"></b></div>
<div id="lanes"></div>
</section>
<details id="log-box">
<summary data-t="log"></summary>
<label class="small"><input type="checkbox" id="only-rejected"> <span data-t="onlyRejected"></span></label>
<div id="events-box"><table id="events-table"><thead><tr><th data-t="logSeq"></th><th data-t="logAt"></th><th data-t="logEnv"></th><th data-t="logWho"></th><th data-t="logReason"></th><th data-t="logText"></th><th data-t="logUser"></th><th data-t="logThumb"></th></tr></thead>
<tbody id="events"></tbody></table></div>
<p id="events-empty" class="muted" data-t="logEmpty"></p>
</details>
<details id="env-box">
<summary data-t="environments"></summary>
<table id="env-table"><thead><tr><th></th><th data-t="envSts"></th><th data-t="envSigning"></th><th data-t="envSmdb"></th><th></th></tr></thead>
<tbody id="environments"></tbody></table>
</details>
</main>
<dialog id="inspector">
<div class="inspector-head"><h2 data-t="inspector"></h2> <span id="inspector-event" class="small"></span> <button type="button" id="inspector-close" data-t="close"></button></div>
<div id="inspector-body"></div>
</dialog>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;

/** Only this page's script and style, and requests to the harness itself. */
export const ADMIN_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(PAGE_SCRIPT)}`,
  `style-src ${sha256(PAGE_STYLE)}`,
  "connect-src 'self'",
  "img-src data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** `GET /`: the board. */
export function serveAdminPage(_req: Request, res: Response): void {
  res
    .set({ "content-security-policy": ADMIN_PAGE_CSP, "cache-control": "no-store" })
    .type("html")
    .send(ADMIN_PAGE_HTML);
}
