/** The admin page's stylesheet: large type and strong contrast, for a projector. */
export const PAGE_STYLE = `
:root{--ok:#1d6b1d;--bad:#a31f1f;--warn:#8a4b00;--line:#b9b9b9;--head:#e9edf2;--accent:#0b4f8a}
*{box-sizing:border-box}[hidden]{display:none!important}
body{font-family:system-ui,"Segoe UI",Roboto,sans-serif;font-size:18px;line-height:1.35;margin:0;padding:1em 1.5em 3em;color:#111;background:#fafafa}
h1{font-size:1.6em;margin:0 0 .3em}h2{font-size:1.3em;margin:1.2em 0 .4em;border-bottom:3px solid var(--accent);padding-bottom:.15em}
h3{font-size:1.2em;margin:0 0 .4em}h4{font-size:1.05em;margin:.8em 0 .3em}
header{border-bottom:1px solid var(--line);padding:.2em 0 .6em}
.bar{display:flex;flex-wrap:wrap;gap:.6em 1.6em;align-items:center}
#now{font-size:1.5em;font-weight:700;font-variant-numeric:tabular-nums;letter-spacing:.02em}
table{border-collapse:collapse;margin:.3em 0 .6em;background:#fff;width:100%}
td,th{border:1px solid var(--line);padding:.35em .5em;vertical-align:top;text-align:left}
thead th{background:var(--head)}tbody th{background:#f4f4f4;white-space:nowrap}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em}
.small{font-size:.8em;color:#444}.muted{color:#888}.warn{color:var(--warn)}
button,select,input{font:inherit;font-size:.9em}
button{padding:.3em .8em;border:2px solid var(--accent);background:#fff;color:var(--accent);border-radius:.3em;cursor:pointer}
button.primary{background:var(--accent);color:#fff}
button:disabled{opacity:.5;cursor:progress}
button.small-button{font-size:.75em;padding:.1em .5em;border-width:1px}
button.revoke{border-color:var(--bad);color:var(--bad)}
input[type=text]{padding:.25em .4em;border:1px solid #888;border-radius:.2em}
.badge{display:inline-block;font-size:.72em;font-weight:700;padding:.05em .45em;border-radius:.3em;color:#fff;margin-right:.25em}
.badge.ok{background:var(--ok)}.badge.bad{background:var(--bad)}
.msg{font-size:.85em;min-height:0}.msg.ok{color:var(--ok)}.msg.busy{color:#666}
.msg.error{color:var(--bad);background:#fdecec;border-left:4px solid var(--bad);padding:.2em .5em;margin:.2em 0}
.toolbar{display:flex;flex-wrap:wrap;gap:.5em;align-items:center;margin:.3em 0}
.user{background:#fff;border:2px solid var(--line);border-radius:.4em;padding:.7em 1em;margin:0 0 1.2em}
.user .meta{font-size:.7em;font-weight:400;color:#444}
.env{border-left:6px solid transparent;padding-left:.6em}.env.has-warning{border-left-color:#e0a000}
.warning{font-weight:700;color:#5c3300;background:#fff3cd;border:2px solid #e0a000;border-radius:.3em;padding:.3em .6em;margin:.3em 0}
.cert .cn{font-weight:600}.cert-actions{margin-top:.2em;display:flex;gap:.4em}
.upload-control{margin-top:.4em;padding-top:.4em;border-top:1px dashed var(--line)}
.upload-control input[type=file]{font-size:.8em;max-width:100%}
td.draft,td.saved,td.provisioned{width:31%}
#create-user{display:flex;flex-wrap:wrap;gap:.5em;align-items:end}
#create-user label{display:flex;flex-direction:column;font-size:.85em}
#create-user input{min-width:14em}
#create-user input[name=entityId]{min-width:22em}
#events-box{max-height:70vh;overflow:auto;border:1px solid var(--line)}
#events-table{margin:0}#events-table thead th{position:sticky;top:0}
#events-table td{font-size:.8em}#events-table td:not(.detail){white-space:nowrap}
#events-table .clamp{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden;cursor:pointer}
#events-table tr.rejected td{background:#fde2e2}
#events-table tr.rejected td.reason{color:var(--bad)}
#events-table.only-rejected tr:not(.rejected){display:none}
#events-table td.detail{min-width:16em;overflow-wrap:anywhere}
#env-table code{overflow-wrap:anywhere}button.rotate{white-space:nowrap}
input.activate-at{width:21em}
#connection{background:var(--bad);color:#fff;font-weight:700;padding:.4em .8em}
body:not(.ready) main{opacity:.6}
`;
