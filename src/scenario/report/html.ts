/**
 * The HTML reporter, for trainers: ONE self-contained file (inline CSS and SVG, no scripts, no
 * external assets) with, per scenario, a timeline whose lanes show NemLog-in's provisioned
 * state, the client's certificate, the outcome of step 1 (STS) and of step 2 (SMDB), the
 * failure windows as red bands across all lanes, and the actions as numbered markers.
 */
import { formatDuration } from "../../core/clock.js";
import { type LaneSegment, relTime, type ScenarioResult, type Tone } from "../result.js";

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const WIDTH = 1100;
const LABEL_W = 185;
const LANE_H = 30;
const TOP = 48;
const CHAR_W = 6.6;

const FILL: Record<Tone, string> = { ok: "#cdeccf", fail: "#f6c4c4", info: "#dde7f5", none: "#eeeeee" };
const STROKE: Record<Tone, string> = { ok: "#3c8d40", fail: "#b3261e", info: "#4a6fa5", none: "#aaaaaa" };

function niceTicks(spanMs: number): number {
  const day = 86_400_000;
  const candidates = [
    3_600_000,
    6 * 3_600_000,
    day,
    2 * day,
    5 * day,
    10 * day,
    30 * day,
    90 * day,
    365 * day,
  ];
  return candidates.find((step) => spanMs / step <= 12) ?? 365 * day;
}

function timelineSvg(result: ScenarioResult, index: number): string {
  const start = result.startMs;
  const span = Math.max(1, result.endMs - start);
  const plotW = WIDTH - LABEL_W - 20;
  const x = (ms: number) => LABEL_W + ((Math.min(Math.max(ms, start), result.endMs) - start) / span) * plotW;
  const lanes: Array<[string, LaneSegment[]]> = [
    [`NemLog-in (${result.environment})`, result.lanes.nemlogin],
    ["Client certificate", result.lanes.client],
    ["Step 1: STS token", result.lanes.step1],
    ["Step 2: SMDB call", result.lanes.step2],
  ];
  // Action markers: those closer together than a marker's size stack downwards.
  const markerRows: number[] = [];
  let lastMarkerX = Number.NEGATIVE_INFINITY;
  for (const a of result.actions) {
    const ax = x(a.atMs);
    const previous = markerRows[markerRows.length - 1] ?? -1;
    markerRows.push(ax - lastMarkerX < 20 ? previous + 1 : 0);
    lastMarkerX = ax;
  }
  const rows = Math.max(1, ...markerRows.map((r) => r + 1));
  const markersBottom = TOP + lanes.length * LANE_H + 6 + 32 + (rows - 1) * 22 + 12;
  const height = markersBottom + 30;
  const parts: string[] = [];
  parts.push(
    `<svg class="timeline" id="timeline-${index}" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="timeline of ${esc(result.name)}">`,
  );
  // Axis.
  const tick = niceTicks(span);
  const axisY = TOP + lanes.length * LANE_H + 6;
  parts.push(`<line x1="${LABEL_W}" y1="${axisY}" x2="${LABEL_W + plotW}" y2="${axisY}" stroke="#888"/>`);
  for (let t = 0; t <= span; t += tick) {
    const tx = x(start + t);
    parts.push(`<line x1="${tx}" y1="${TOP - 4}" x2="${tx}" y2="${axisY + 4}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${tx}" y="${axisY + 16}" class="tick">${esc(relTime(start + t, start))}</text>`);
  }
  // Lanes.
  lanes.forEach(([name, segments], laneIndex) => {
    const y = TOP + laneIndex * LANE_H;
    parts.push(`<text x="6" y="${y + LANE_H / 2 + 4}" class="lane-name">${esc(name)}</text>`);
    for (const s of segments) {
      const x1 = x(s.fromMs);
      const w = Math.max(2, x(s.toMs) - x1);
      const title = `${name}: ${s.label}\n${relTime(s.fromMs, start)} → ${relTime(s.toMs, start)} (${formatDuration(s.toMs - s.fromMs)})`;
      parts.push(
        `<g class="segment tone-${s.tone}"><title>${esc(title)}</title><rect x="${x1.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${LANE_H - 6}" rx="3" fill="${FILL[s.tone]}" stroke="${STROKE[s.tone]}" stroke-width="0.8"/>`,
      );
      const maxChars = Math.floor((w - 8) / CHAR_W);
      if (maxChars >= 3) {
        const label = s.label.length > maxChars ? `${s.label.slice(0, maxChars - 1)}…` : s.label;
        parts.push(
          `<text x="${(x1 + 4).toFixed(1)}" y="${y + LANE_H / 2 + 4}" class="seg-label">${esc(label)}</text>`,
        );
      }
      parts.push("</g>");
    }
  });
  // Failure windows: a red band across all lanes.
  result.failures.forEach((w, i) => {
    const x1 = x(w.fromMs);
    const width = Math.max(3, x(w.toMs) - x1);
    const nearRightEdge = x1 > WIDTH - 220;
    const title = `Calls fail ${relTime(w.fromMs, start)} → ${relTime(w.toMs, start)} (${formatDuration(w.toMs - w.fromMs)}): step ${w.step} ${w.reason}`;
    parts.push(
      `<g class="failure-window" data-reason="${esc(w.reason)}" data-step="${w.step}" data-from="${new Date(w.fromMs).toISOString()}" data-to="${new Date(w.toMs).toISOString()}"><title>${esc(title)}</title>` +
        `<rect x="${x1.toFixed(1)}" y="${TOP - 8}" width="${width.toFixed(1)}" height="${lanes.length * LANE_H + 12}" fill="rgba(220,30,30,0.16)" stroke="#c62828" stroke-dasharray="4 2"/>` +
        // Alternate rows so that the labels of adjacent windows do not overlap.
        `<text x="${(nearRightEdge ? x1 + width - 3 : x1 + 3).toFixed(1)}" y="${i % 2 === 0 ? TOP - 12 : TOP - 26}" class="fail-label"${nearRightEdge ? ' text-anchor="end"' : ""}>✖ ${i + 1}: ${esc(w.reason)}</text></g>`,
    );
  });
  // Certificate expiries inside the time span: a line and a label under the axis.
  for (const cert of result.certificates) {
    if (cert.notAfterMs < start || cert.notAfterMs >= result.endMs) continue;
    const cx = x(cert.notAfterMs);
    parts.push(
      `<g class="cert-expiry" data-certificate="${esc(cert.name)}"><title>${esc(`certificate ${cert.name} expires ${new Date(cert.notAfterMs).toISOString()} (${cert.subject})`)}</title>` +
        `<line x1="${cx}" y1="${TOP - 4}" x2="${cx}" y2="${axisY}" stroke="#b26a00" stroke-width="2"/>` +
        `<text x="${cx + 4}" y="${markersBottom + 16}" class="expiry-label">◆ ${esc(cert.name)} expires</text></g>`,
    );
  }
  // Actions: numbered markers.
  result.actions.forEach((a, i) => {
    const ax = x(a.atMs);
    const my = axisY + 32 + markerRows[i]! * 22;
    const colour = a.ok ? "#333" : "#b26a00";
    parts.push(
      `<g class="action"><title>${esc(`${i + 1}. ${relTime(a.atMs, start)} ${a.do}: ${a.message}`)}</title>` +
        `<line x1="${ax}" y1="${TOP - 4}" x2="${ax}" y2="${axisY}" stroke="${colour}" stroke-width="1.2" stroke-dasharray="2 2"/>` +
        `<circle cx="${ax}" cy="${my}" r="9" fill="${colour}"/><text x="${ax}" y="${my + 4}" class="marker">${i + 1}</text></g>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

function section(result: ScenarioResult, index: number): string {
  const start = result.startMs;
  const verdict = result.error ? "error" : result.passed ? "pass" : "fail";
  const verdictText = result.error ? "could not run" : result.passed ? "as expected" : "expectation not met";
  const out: string[] = [];
  out.push(`<section class="scenario ${verdict}" id="scenario-${index}">`);
  out.push(
    `<h2><span class="badge ${verdict}">${verdictText}</span> ${esc(result.name)} <small>${esc(result.policy)} · ${esc(result.environment)}</small></h2>`,
  );
  if (result.description) out.push(`<p class="description">${esc(result.description)}</p>`);
  if (result.error) {
    out.push(`<pre class="error">${esc(result.error)}</pre></section>`);
    return out.join("\n");
  }
  out.push(
    `<p class="downtime">Downtime: <strong class="${result.downtimeMs > 0 ? "bad" : "good"}">${result.downtimeMs > 0 ? esc(formatDuration(result.downtimeMs)) : "none"}</strong> over the scenario's ${esc(formatDuration(result.endMs - start))}, ${esc(new Date(start).toISOString())} → ${esc(new Date(result.endMs).toISOString())}</p>`,
  );
  out.push(timelineSvg(result, index));
  out.push('<div class="columns"><div><h3>What was done</h3><ol class="actions">');
  for (const a of result.actions) {
    out.push(
      `<li class="${a.ok ? "" : "rejected"}"><code>${esc(relTime(a.atMs, start))}</code> <b>${esc(a.do)}</b> ${esc(a.message)}</li>`,
    );
  }
  out.push("</ol></div><div><h3>When calls failed</h3>");
  if (result.failures.length === 0) out.push('<p class="good">Never: every call succeeded.</p>');
  else {
    out.push('<ol class="failures">');
    for (const w of result.failures) {
      out.push(
        `<li><code>${esc(relTime(w.fromMs, start))} → ${esc(relTime(w.toMs, start))}</code> (${esc(formatDuration(w.toMs - w.fromMs))}) step ${w.step} <b>${esc(w.reason)}</b>${w.message ? `<br><span class="msg">${esc(w.message)}</span>` : ""}</li>`,
      );
    }
    out.push("</ol>");
  }
  out.push("</div></div>");
  if (result.expectations.length > 0) {
    out.push(
      '<table class="expectations"><tr><th></th><th>Expectation</th><th>Expected</th><th>Actual</th></tr>',
    );
    for (const e of result.expectations) {
      out.push(
        `<tr class="${e.ok ? "ok" : "bad"}"><td>${e.ok ? "✔" : "✖"}</td><td>${esc(e.label)}</td><td>${esc(e.expected)}</td><td>${esc(e.actual)}</td></tr>`,
      );
    }
    out.push("</table>");
  }
  out.push("</section>");
  return out.join("\n");
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{margin:0 0 4px}
.summary{color:#555;margin-bottom:18px}
nav a{margin-right:10px;text-decoration:none}
.scenario{background:#fff;border:1px solid #ddd;border-radius:8px;padding:14px 18px;margin:18px 0}
.scenario.fail{border-left:6px solid #c62828}.scenario.pass{border-left:6px solid #2e7d32}.scenario.error{border-left:6px solid #b26a00}
h2{font-size:19px;margin:0 0 6px}h2 small{color:#777;font-weight:normal;font-size:13px}
.badge{font-size:12px;padding:2px 8px;border-radius:10px;color:#fff;vertical-align:middle}
.badge.pass{background:#2e7d32}.badge.fail{background:#c62828}.badge.error{background:#b26a00}
.description{max-width:1050px;line-height:1.45}
.downtime .bad{color:#c62828}.good{color:#2e7d32}
svg.timeline{display:block;margin:8px 0;font-size:11px}
svg .tick{text-anchor:middle;fill:#666}
svg .lane-name{font-weight:600;fill:#333}
svg .seg-label{fill:#222}
svg .fail-label{fill:#b3261e;font-weight:700}
svg .marker{text-anchor:middle;fill:#fff;font-weight:700}
svg .expiry-label{fill:#b26a00;font-weight:600}
.columns{display:flex;gap:30px;flex-wrap:wrap}.columns>div{flex:1;min-width:380px}
h3{font-size:15px;margin:10px 0 4px}
ol{margin:0;padding-left:22px;line-height:1.5}
li.rejected{color:#b26a00}
.msg{color:#666;font-size:12px}
table.expectations{border-collapse:collapse;margin-top:10px}
table.expectations td,table.expectations th{border:1px solid #ddd;padding:3px 8px;text-align:left;font-size:13px}
tr.bad{background:#fde8e8}tr.ok td:first-child{color:#2e7d32}tr.bad td:first-child{color:#c62828}
pre.error{background:#fff3e0;padding:8px;white-space:pre-wrap}
`;

export function htmlReport(
  results: ScenarioResult[],
  elapsedMs: number,
  title = "smdb-harness rotation scenarios",
): string {
  const passed = results.filter((r) => r.passed).length;
  const nav = results
    .map((r, i) => `<a href="#scenario-${i}">${r.passed ? "✔" : "✖"} ${esc(r.name)}</a>`)
    .join(" ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="summary">${results.length} scenario${results.length === 1 ? "" : "s"}: ${passed} as expected, ${results.length - passed} not · ran in ${(elapsedMs / 1000).toFixed(1)} s on a virtual clock. Red bands: the periods in which the client's calls to SMDB fail, with the reason. Numbered markers: the steps taken (hover for details).</p>
<nav>${nav}</nav>
${results.map(section).join("\n")}
</body>
</html>
`;
}
