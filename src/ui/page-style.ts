/**
 * The board's stylesheet: one systembruger, the client and the timeline on a 1366×768 screen, in
 * strong contrast for a projector. Positions of timeline segments are set by the script through
 * the CSSOM (element.style), which the Content-Security-Policy allows.
 */
export const PAGE_STYLE = `
:root{--ok:#1d6b1d;--ok-bg:#d4eed5;--bad:#a31f1f;--bad-bg:#f8d4d4;--warn:#8a4b00;--line:#c4c8cc;--head:#e8edf2;--accent:#0b4f8a;--info-bg:#dde7f5;--none-bg:#eeeeee}
*{box-sizing:border-box}[hidden]{display:none!important}
html{font-size:13px}
body{font-family:system-ui,"Segoe UI",Roboto,sans-serif;line-height:1.3;margin:0;color:#111;background:#f4f5f7}
h2{font-size:1.15rem;margin:0 0 .3rem}h3{font-size:1.1rem;margin:0}h4{font-size:.95rem;margin:.2rem 0}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.88em}
.small{font-size:.85rem;color:#444}.muted{color:#777}.warn{color:var(--warn)}
button,select,input{font:inherit}
button{padding:.18rem .6rem;border:2px solid var(--accent);background:#fff;color:var(--accent);border-radius:.25rem;cursor:pointer;white-space:nowrap}
button.primary{background:var(--accent);color:#fff}
button:disabled{opacity:.45;cursor:default}
button.tiny{font-size:.8rem;padding:0 .35rem;border-width:1px}
button.revoke{border-color:var(--bad);color:var(--bad)}
input[type=text],select{padding:.12rem .3rem;border:1px solid #888;border-radius:.2rem;background:#fff}
.toolbar{display:flex;flex-wrap:wrap;gap:.35rem;align-items:center}
.row{display:flex;gap:.4rem;align-items:center;margin:.25rem 0}
header#top{background:#fff;border-bottom:3px solid var(--accent);padding:.3rem .8rem}
header .row1{display:flex;flex-wrap:wrap;gap:.4rem 1.4rem;align-items:center}
header .row2{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin-top:.25rem}
.brand b{font-size:1.25rem;color:var(--accent)}
#now{font-size:1.3rem;font-variant-numeric:tabular-nums}
#set-time{width:11rem}
#lang{margin-left:auto;display:flex;gap:.4rem}#lang a{color:var(--accent);font-weight:700;text-decoration:none;padding:0 .2rem}#lang a.current{border-bottom:2px solid var(--accent)}
.msg{font-size:.9rem}.msg.ok{color:var(--ok)}.msg.busy{color:#666}
.msg.error{color:var(--bad);background:#fdecec;border-left:4px solid var(--bad);padding:.1rem .4rem}
.msg details.server{display:inline;margin-left:.3rem;color:#555}.msg details.server summary{cursor:pointer;display:inline;font-size:.85rem}
main{display:grid;grid-template-columns:minmax(0,1fr) 430px;grid-template-areas:"nemlogin side" "timeline timeline" "log log" "env env";gap:.5rem .7rem;padding:.4rem .8rem 2rem}
#nemlogin{grid-area:nemlogin;min-width:0}
#side{grid-area:side;min-width:0;min-height:420px;position:relative}
#side .side-inner{position:absolute;inset:0;overflow:auto}
#timeline{grid-area:timeline}#log-box{grid-area:log}#env-box{grid-area:env}
.crumbs{font-size:.9rem;color:#333;margin-bottom:.2rem}
.users-bar{display:flex;flex-wrap:wrap;gap:.3rem;align-items:center;margin-bottom:.3rem}
.chip{font-size:.85rem;padding:0 .45rem;border-width:1px;border-radius:1rem}
#create-user{display:flex;flex-wrap:wrap;gap:.4rem;align-items:end;margin:.2rem 0}
#create-user label{display:flex;flex-direction:column;font-size:.85rem}
#create-user input[name=entityId]{min-width:20rem}
.user{background:#fff;border:1px solid var(--line);border-radius:.35rem;padding:.35rem .6rem;margin-bottom:.6rem}
.user.focus{border:2px solid var(--accent)}
.user .meta{font-size:.85rem;font-weight:400;color:#555}
.user h4.technical{color:var(--accent)}
.env{border-left:5px solid transparent;padding-left:.4rem;margin:.15rem 0}.env.has-warning{border-left-color:#e0a000}
.env-head{font-size:.95rem;display:flex;flex-wrap:wrap;gap:0 .5rem;align-items:baseline}
.env-head .warnings{flex-basis:100%}
.warning{font-weight:600;color:#5c3300;background:#fff3cd;border:1px solid #e0a000;border-radius:.25rem;padding:0 .4rem;margin:.1rem 0;font-size:.85rem}
table{border-collapse:collapse;background:#fff;width:100%}
td,th{border:1px solid var(--line);padding:.15rem .3rem;vertical-align:top;text-align:left}
thead th{background:var(--head);font-size:.88rem}tbody th{background:#f6f7f8;white-space:nowrap;font-size:.9rem;width:5.5rem}
table.certs td{width:31%}
.cert .cn{font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.badges{display:flex;flex-wrap:wrap;gap:.2rem;align-items:center;margin-top:.05rem}
.badge{display:inline-block;font-size:.8rem;font-weight:700;padding:0 .35rem;border-radius:.25rem;color:#fff}
.badge.ok{background:var(--ok)}.badge.bad{background:var(--bad)}
.upload-control{margin-top:.1rem}
.upload-row{display:flex;gap:.3rem;align-items:center}
.file-button{display:inline-block;font-size:.85rem;border:1px solid var(--accent);color:var(--accent);border-radius:.25rem;padding:0 .4rem;cursor:pointer;position:relative;white-space:nowrap}
.file-button input{position:absolute;inset:0;opacity:0;width:100%;cursor:pointer}
select.from-client{font-size:.85rem;max-width:9.5rem}
.user-actions{display:flex;flex-wrap:wrap;gap:.35rem;align-items:center;margin-top:.3rem}
input.activate-at{width:12rem;font-size:.9rem}
.note{font-size:.85rem;color:var(--warn)}
#side section{background:#fff;border:1px solid var(--line);border-radius:.35rem;padding:.35rem .6rem;margin-bottom:.5rem}
#client-deployed .deployed-row{display:grid;grid-template-columns:7rem 1fr;gap:.3rem;margin:.15rem 0}
#client-deployed .label{font-size:.88rem;color:#444}
.store-box{margin:.25rem 0}
#store-table{display:block;max-height:8rem;overflow:auto}
#p12-password{width:10rem;font-size:.85rem}
#store-table td{font-size:.88rem;border-width:0 0 1px}#store-table tr.in-use td{background:#eef4fb}
.store-actions{white-space:nowrap;text-align:right}.store-actions>*{margin-left:.25rem}
a.cer{font-size:.85rem;color:var(--accent)}
#calls{list-style:none;margin:.2rem 0;padding:0}
li.call{display:flex;gap:.35rem;align-items:baseline;padding:.1rem .3rem;border-radius:.2rem;margin-bottom:.1rem;font-size:.9rem}
li.call.ok{background:var(--ok-bg)}li.call.fail{background:var(--bad-bg);cursor:pointer}
li.call .dot{font-weight:700}li.call.ok .dot{color:var(--ok)}li.call.fail .dot{color:var(--bad)}
li.call .when{font-variant-numeric:tabular-nums;color:#333;white-space:nowrap}li.call .what{flex:1}
li.call .code{font-size:.78rem;color:#555}
#player ol{margin:.2rem 0;padding-left:1.3rem;max-height:13rem;overflow:auto}
li.step{margin-bottom:.15rem;font-size:.9rem}li.step .when{font-variant-numeric:tabular-nums;color:#555}
li.step.done,li.step.refused{color:#555}li.step.next{font-weight:700;background:#fff7d6}
li.step .refusal{color:var(--warn)}li.step .after.ok{color:var(--ok)}li.step .after.fail{color:var(--bad);cursor:pointer}
#player-result{font-weight:700}
#timeline{background:#fff;border:1px solid var(--line);border-radius:.35rem;padding:.3rem .6rem}
.tl-head{display:flex;gap:1rem;align-items:baseline}#downtime{font-size:1.05rem;color:var(--ok)}#downtime.bad{color:var(--bad)}
.lane{display:grid;grid-template-columns:13rem 1fr;align-items:center;min-height:1.2rem}
.lane-name{font-size:.85rem;font-weight:600;color:#333;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.track{position:relative;height:1.15rem}
.seg{position:absolute;top:.08rem;bottom:.08rem;border-radius:.2rem;border:1px solid #999;overflow:hidden;font-size:.78rem;line-height:1.05rem;padding:0 .2rem;white-space:nowrap;text-overflow:ellipsis}
.seg.tone-ok{background:var(--ok-bg);border-color:var(--ok)}.seg.tone-fail{background:var(--bad-bg);border-color:var(--bad)}
.seg.tone-info{background:var(--info-bg);border-color:#4a6fa5}.seg.tone-none{background:var(--none-bg);border-color:#bbb;color:#777}
.seg.clickable{cursor:pointer}
.marker-row,.axis-row{min-height:1rem}.track.markers,.track.axis{height:1rem}
.marker{position:absolute;transform:translateX(-50%);font-size:.72rem;font-weight:700;background:#333;color:#fff;border-radius:1rem;padding:0 .3rem}
.marker.clock-back{background:var(--warn)}
.tick{position:absolute;font-size:.75rem;color:#555;transform:translateX(-50%);white-space:nowrap}.tick:first-child{transform:none}
details>summary{cursor:pointer;font-weight:700;color:var(--accent)}
#events-box{max-height:60vh;overflow:auto;border:1px solid var(--line)}
#events-table td{font-size:.85rem;white-space:nowrap}#events-table td.meaning{white-space:normal}
#events-table tr.rejected td{background:#fde2e2}#events-table tr.rejected td.reason{color:var(--bad)}
#events-table tr.clickable{cursor:pointer}
#events-table.only-rejected tr:not(.rejected){display:none}
#env-table code{overflow-wrap:anywhere}
#connection{background:var(--bad);color:#fff;font-weight:700;padding:.3rem .8rem}
body:not(.ready) main{opacity:.6}
dialog#inspector{width:min(1200px,94vw);max-height:90vh;border:2px solid var(--accent);border-radius:.4rem;padding:.5rem .8rem}
dialog#inspector::backdrop{background:rgba(0,0,0,.35)}
.inspector-head{display:flex;gap:.8rem;align-items:baseline;position:sticky;top:0;background:#fff}
.inspector-head button{margin-left:auto}
#inspector-body .verdict.bad{color:var(--bad)}#inspector-body .verdict.ok{color:var(--ok)}
#inspector-body .todo{background:#eef4fb;border-left:4px solid var(--accent);padding:.1rem .6rem;margin:.3rem 0}
#inspector-body .todo p{margin:.2rem 0}
#inspector-body .failing{font-weight:700;color:var(--warn)}
pre.xml{font-size:.8rem;background:#fafafa;border:1px solid var(--line);padding:.3rem;max-height:20rem;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere;margin:.2rem 0}
pre.xml .line.fault{background:#fde2e2}
pre.xml .line.hl{background:#ffe58a;outline:1px solid #e0a000}
`;
