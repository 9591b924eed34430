/**
 * The admin page at `/`: a small imitation of the NemLog-in administration screens for live
 * demonstrations. One self-contained, static HTML page (no external assets, no build step) whose
 * script does everything through the admin API (src/control/admin-api.ts): create a systembruger,
 * upload a .cer into the draft `current`/`next` slot per environment, "Gem tekniske oplysninger",
 * "Provisioner til integrationstest"/"… produktion", revoke a certificate, rotate the STS signing
 * certificate, switch the rollover policy, move the virtual clock, and the events, newest first,
 * polled with `GET /admin/api/events?since=`. Warnings show when draft ≠ saved or saved ≠
 * provisioned.
 *
 * The page holds no data: every name and subject reaches the browser as JSON and is put into the
 * DOM as text (src/ui/page-script.ts). The Content-Security-Policy allows only this
 * page's own script and style (by hash) and requests to the harness itself.
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
<title>smdb-harness · NemLog-in administration (simulated)</title>
<style>${PAGE_STYLE}</style></head>
<body>
<header>
<h1>smdb-harness <span class="small">NemLog-in administration and STS, simulated</span></h1>
<div class="bar">
<div><span class="small">Harness time</span><br><span id="now">…</span> <span class="small" id="clock-kind"></span></div>
<div><span id="clock-buttons" class="toolbar"></span><div id="clock-msg" class="msg" role="status"></div></div>
<div><label for="policy" class="small">Rollover policy</label><br><select id="policy"></select>
<div id="policy-help" class="small"></div><div id="policy-msg" class="msg" role="status"></div></div>
<div class="small"><a href="/admin/api/openapi.json">admin API</a></div>
</div>
<div id="connection" hidden></div>
</header>
<main>
<h2>Systembrugere (<span id="user-count">…</span>)</h2>
<form id="create-user" autocomplete="off">
<label>Navn<input name="name" type="text" required></label>
<label>CVR-nummer<input name="cvr" type="text" inputmode="numeric" required></label>
<label>Entity ID<input name="entityId" type="text" required placeholder="https://kommune.example/smdb-klient"></label>
<button type="submit" class="primary">Opret systembruger</button>
</form>
<div id="create-msg" class="msg" role="status"></div>
<p id="users-empty" class="muted" hidden>No systembrugere yet: create one above.</p>
<div id="users"></div>
<h2>Events <span class="small">newest first</span></h2>
<label class="small"><input type="checkbox" id="only-rejected"> only rejections</label>
<div id="events-box"><table id="events-table"><thead><tr><th>#</th><th>harness time</th><th>env</th><th>who</th><th>reason</th><th>systembruger</th><th>thumbprint</th><th>detail</th></tr></thead>
<tbody id="events"></tbody></table></div>
<p id="events-empty" class="muted" hidden>No events yet.</p>
<h2>Environments</h2>
<table id="env-table"><thead><tr><th></th><th>STS</th><th>STS signing certificate</th><th>SMDB (WSP)</th><th></th></tr></thead>
<tbody id="environments"></tbody></table>
</main>
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

/** `GET /`: the admin page. */
export function serveAdminPage(_req: Request, res: Response): void {
  res
    .set({ "content-security-policy": ADMIN_PAGE_CSP, "cache-control": "no-store" })
    .type("html")
    .send(ADMIN_PAGE_HTML);
}
