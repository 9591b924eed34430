/**
 * The admin page at `/`: one self-contained HTML page (no external assets) showing the clock,
 * the environments, every systembruger's draft/saved/provisioned certificates per environment
 * with what the STS accepts now, and the latest events. It reloads itself every few seconds, so
 * a trainer can keep it on screen while running a scenario.
 */

import type { Certificate } from "../pki/index.js";
import type { CertificateSet, Registry } from "../sts/registry.js";
import { decideRollover } from "../sts/rollover.js";
import type { Clock } from "./clock.js";
import { VirtualClock } from "./clock.js";
import { ENVIRONMENTS, type EventLog, type HarnessEvent } from "./events.js";
import type { HarnessState } from "./state.js";

export interface AdminPageDeps {
  registry: Registry;
  state: HarnessState;
  clock: Clock;
  events: EventLog;
  baseUrl: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cn(cert: Certificate): string {
  const match = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject);
  return match ? match[1]! : (cert.subject.split("\n")[0] ?? "");
}

function certCell(
  cert: Certificate | undefined,
  nowMs: number,
  status?: { status: string; accepted: boolean },
): string {
  if (!cert) return '<span class="muted">—</span>';
  const valid = cert.isValidAt(nowMs);
  const badge = status
    ? `<span class="badge ${status.accepted ? "ok" : "bad"}">${escapeHtml(status.accepted ? "ACCEPTED" : status.status === "OK" ? (valid ? "OK" : "NOT VALID NOW") : status.status)}</span>`
    : "";
  return (
    `<div class="cert"><code title="SHA-256 ${cert.sha256}">${cert.sha256.slice(0, 16)}…</code> ${badge}` +
    `<div class="small">${escapeHtml(cn(cert))}</div>` +
    `<div class="small ${valid ? "" : "warn"}">${cert.notBefore.toISOString().slice(0, 10)} → ${cert.notAfter.toISOString().replace("T", " ").slice(0, 19)}Z</div></div>`
  );
}

function sameSet(a: CertificateSet | undefined, b: CertificateSet | undefined): boolean {
  return a?.current?.sha256 === b?.current?.sha256 && a?.next?.sha256 === b?.next?.sha256;
}

/** Warnings a trainer points at: edits not saved, saved changes not provisioned. */
function notes(
  draft: CertificateSet,
  saved: CertificateSet,
  provisioned: CertificateSet | undefined,
): string {
  const out: string[] = [];
  if (!sameSet(draft, saved)) out.push("draft has unsaved changes");
  if (!sameSet(saved, provisioned ?? {}) && (saved.current || saved.next))
    out.push("saved but not provisioned");
  return out.map((text) => `<br><span class="warn">⚠ ${text}</span>`).join("");
}

function setCells(set: CertificateSet | undefined, nowMs: number): string {
  return `<td>${certCell(set?.current, nowMs)}</td><td>${certCell(set?.next, nowMs)}</td>`;
}

function eventRow(event: HarnessEvent): string {
  const detail = typeof event.detail === "string" ? event.detail : JSON.stringify(event.detail);
  return (
    `<tr class="${event.outcome === "rejected" ? "rejected" : ""}"><td>${event.seq}</td><td>${escapeHtml(event.at.replace("T", " ").slice(0, 19))}</td>` +
    `<td>${escapeHtml(event.env ?? "")}</td><td>${escapeHtml(event.component)}${event.step === null ? "" : ` ${event.step}`}</td>` +
    `<td><b>${escapeHtml(event.reason)}</b></td><td>${escapeHtml(event.systemUser ?? "")}</td><td class="small">${escapeHtml(detail)}</td></tr>`
  );
}

export function renderAdminPage(deps: AdminPageDeps): string {
  const { registry, state, clock, events, baseUrl } = deps;
  const now = clock.nowMs();
  const virtual = clock instanceof VirtualClock;
  const envRows = ENVIRONMENTS.map((env) => {
    const e = state.environment(env);
    return (
      `<tr><th>${env}</th><td><code>${escapeHtml(`${baseUrl}/${env}/SecurityTokenService.svc`)}</code><div class="small">wsa:To ${escapeHtml(e.stsEndpointReference)}</div></td>` +
      `<td><code title="${e.stsSigning.certificate.sha256}">${e.stsSigning.certificate.sha256.slice(0, 16)}…</code>${e.stsHistory.length > 0 ? `<div class="small">rotated ${e.stsHistory.length}×</div>` : ""}</td>` +
      `<td><code>${escapeHtml(`${baseUrl}/${env}/smdb`)}</code><div class="small">${escapeHtml(e.wspEntityId)}</div></td></tr>`
    );
  }).join("");
  const users = registry.systemUsers();
  const userBlocks = users
    .map((user) => {
      const rows = ENVIRONMENTS.map((env) => {
        const provisioned = user.provisioned[env];
        const decision = provisioned ? decideRollover(provisioned, registry.policy, now) : undefined;
        const statusOf = (cert: Certificate | undefined) =>
          decision?.slots.find((s) => s.certificate === cert);
        return (
          `<tr><th>${env}</th>${setCells(user.draft[env], now)}${setCells(user.saved[env], now)}` +
          `<td>${certCell(provisioned?.current, now, statusOf(provisioned?.current))}</td>` +
          `<td>${certCell(provisioned?.next, now, statusOf(provisioned?.next))}</td>` +
          `<td class="small">${provisioned ? `provisioned ${new Date(provisioned.provisionedAtMs).toISOString().slice(0, 19)}Z${provisioned.activateAtMs !== undefined ? `<br>activates ${new Date(provisioned.activateAtMs).toISOString().slice(0, 19)}Z` : ""}${decision?.nextChangeMs !== undefined ? `<br>changes ${new Date(decision.nextChangeMs).toISOString().slice(0, 19)}Z` : ""}` : '<span class="warn">not provisioned</span>'}${notes(user.draft[env], user.saved[env], provisioned)}</td></tr>`
        );
      }).join("");
      return (
        `<h3>${escapeHtml(user.identity.name)} <span class="small">${escapeHtml(user.identity.id)} · CVR ${escapeHtml(user.identity.cvr)} · ${escapeHtml(user.identity.entityId)}</span></h3>` +
        `<table><thead><tr><th></th><th colspan="2">draft</th><th colspan="2">saved</th><th colspan="2">provisioned (what the STS uses)</th><th></th></tr>` +
        `<tr><th></th><th>current</th><th>next</th><th>current</th><th>next</th><th>current</th><th>next</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
      );
    })
    .join("");
  const lastEvents = events.since(Math.max(0, events.lastSeq - 40)).reverse();
  const clockControls = virtual
    ? `<span class="controls">${["+1h", "+1d", "+10d", "+30d", "+365d"].map((d) => `<button onclick="advance('${d}')">${d}</button>`).join(" ")}</span>`
    : '<span class="small">(real clock)</span>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<title>smdb-harness</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
thead th{background:#f2f2f2}
code{font-size:.9em}.small{font-size:.8em;color:#555}.muted{color:#aaa}.warn{color:#b35c00}
.badge{font-size:.75em;padding:0 .4em;border-radius:.3em;color:#fff}.badge.ok{background:#2a7d2a}.badge.bad{background:#b32d2d}
tr.rejected td{background:#fff0f0}h1{margin-bottom:.2em}h3{margin-bottom:.2em}
</style></head><body>
<h1>smdb-harness</h1>
<p>Harness time <b id="now">${new Date(now).toISOString()}</b> ${clockControls} · rollover policy <b>${escapeHtml(registry.policy)}</b> · <a href="/admin/api/openapi.json">admin API</a></p>
<h2>Environments</h2>
<table><thead><tr><th></th><th>STS</th><th>STS signing certificate</th><th>SMDB (WSP)</th></tr></thead><tbody>${envRows}</tbody></table>
<h2>Systembrugere (${users.length})</h2>
${userBlocks || '<p class="muted">none yet — create one with POST /admin/api/system-users</p>'}
<h2>Latest events</h2>
<table><thead><tr><th>#</th><th>at</th><th>env</th><th>component</th><th>reason</th><th>systembruger</th><th>detail</th></tr></thead>
<tbody>${lastEvents.map(eventRow).join("") || '<tr><td colspan="7" class="muted">no events yet</td></tr>'}</tbody></table>
<script>
function advance(by){fetch('/admin/api/clock',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({advance:by})}).then(function(){location.reload()})}
</script>
</body></html>
`;
}
