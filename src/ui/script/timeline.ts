/**
 * The live timeline (lanes over harness time, as the scenario report draws them: draft, saved and
 * provisioned per environment, the client's certificate, the STS's verdict on it, the calls) with
 * the downtime so far, and the inspector: the request and response behind a red call or a
 * refusal, the failing element marked, what it means and what to do. Both read the admin API
 * (`/board/timeline`, `/board/inspect/{seq}`); the timeline is redrawn when events arrive.
 */
export const TIMELINE_SCRIPT = String.raw`
  var timelineKey = "";

  function refName(ref) {
    return ref ? certName(ref.label) || ref.cn : "";
  }

  function segmentText(laneId, seg) {
    var data = seg.data || {};
    if (/\.(draft|saved|provisioned)$/.test(laneId)) {
      if (data.current && data.next) return t("laneSet", { current: refName(data.current), next: refName(data.next) });
      if (data.current) return t("laneSetCurrent", { current: refName(data.current) });
      if (data.next) return t("laneSetNext", { next: refName(data.next) });
      return t("laneEmpty");
    }
    if (laneId === "client") {
      if (data.reason) return "✖ " + (reasonText(data.reason) || data.reason);
      if (!data.certificate) return t("laneEmpty");
      return data.fallback
        ? t("laneClientFallback", { cert: refName(data.certificate), fallback: refName(data.fallback) })
        : t("laneClient", { cert: refName(data.certificate) });
    }
    if (laneId === "verdict") {
      if (!data.reason) return t("laneEmpty");
      return data.reason === "OK" ? "✔ " + t("accepted") : "✖ " + (reasonText(data.reason) || data.reason);
    }
    if (laneId === "calls") {
      if (!data.reason) return t("laneEmpty");
      return data.reason === "OK" ? "✔ " + t("callOk") : "✖ " + t("step." + data.step) + ": " + (reasonText(data.reason) || data.reason);
    }
    return "";
  }

  function renderTimeline(view) {
    var key = JSON.stringify(view);
    if (key === timelineKey) return;
    timelineKey = key;
    var span = Math.max(1, view.nowMs - view.originMs);
    // History fills the track up to NOW_AT %; the rest shows each lane's value now, however long the history.
    var NOW_AT = 94;
    var pos = function (ms) {
      return ((ms - view.originMs) / span) * NOW_AT;
    };
    byId("downtime").textContent = t("downtime") + ": " + hours(view.downtimeMs);
    byId("downtime").classList.toggle("bad", view.downtimeMs > 0);
    var rows = view.lanes.map(function (lane) {
      var track = el("div", { class: "track" });
      lane.segments.forEach(function (seg) {
        if (seg.toMs <= seg.fromMs && seg !== lane.segments[lane.segments.length - 1]) return;
        var text = segmentText(lane.id, seg);
        var clickable = lane.id === "calls" && seg.tone === "fail" && seg.data.eventSeq;
        var node = el("div", {
          class: "seg tone-" + seg.tone + (clickable ? " clickable" : ""),
          "data-reason": seg.data && seg.data.reason ? seg.data.reason : null,
          "data-event-seq": clickable ? seg.data.eventSeq : null,
          title: text + "\n" + whenSeconds(new Date(seg.fromMs).toISOString()) + " → " + whenSeconds(new Date(seg.toMs).toISOString()) + " (" + duration(seg.toMs - seg.fromMs) + ")",
          onclick: clickable
            ? function () {
                openInspector(seg.data.eventSeq);
              }
            : null,
        }, [el("span", { text: text })]);
        // The lane's open segment runs to the right edge, which is now.
        var right = seg.toMs >= view.nowMs ? 100 : pos(seg.toMs);
        node.style.left = pos(seg.fromMs) + "%";
        node.style.width = Math.max(0.4, right - pos(seg.fromMs)) + "%";
        track.append(node);
      });
      return el("div", { class: "lane", "data-lane": lane.id }, [el("div", { class: "lane-name", text: t("lane." + lane.id) }), track]);
    });
    var markers = el("div", { class: "track markers" });
    view.markers.forEach(function (m) {
      var node = el("div", {
        class: "marker " + m.kind,
        title: m.kind === "clock-back" ? t("clockBack") : t("scenario") + " " + (m.data.index + 1),
        text: m.kind === "clock-back" ? "↺" : String(m.data.index + 1),
      });
      node.style.left = pos(m.atMs) + "%";
      markers.append(node);
    });
    var axis = el("div", { class: "track axis" });
    var ticks = span < 60000 ? 0 : 4;
    for (var i = 0; i <= ticks; i++) {
      var tick = el("span", { class: "tick", text: when(new Date(view.originMs + (span * i) / 4).toISOString()) });
      tick.style.left = (i * NOW_AT) / Math.max(1, ticks) + "%";
      axis.append(tick);
    }
    fill(byId("lanes"), [view.markers.length ? el("div", { class: "lane marker-row" }, [el("div", { class: "lane-name" }), markers]) : null].concat(rows, [
      el("div", { class: "lane axis-row" }, [el("div", { class: "lane-name" }), axis]),
    ]));
  }

  // --- the inspector ------------------------------------------------------------------------------

  function messageBlock(message) {
    var pre = el("pre", { class: "xml" });
    message.lines.forEach(function (line, i) {
      var cls = "line";
      if (message.highlight && i >= message.highlight.from && i <= message.highlight.to) cls += " hl";
      if (message.fault && i >= message.fault.from && i <= message.fault.to) cls += " fault";
      pre.append(el("span", { class: cls, text: line + "\n" }));
    });
    return el("section", { class: "message", "data-direction": message.direction, "data-step": message.step }, [
      el("h4", {
        text: (message.direction === "request" ? t("request") : t("response")) + " · " + t("step." + message.step) + (message.truncated ? " " + t("truncated") : ""),
      }),
      pre,
    ]);
  }

  async function openInspector(seq) {
    var dialog = byId("inspector");
    var body = byId("inspector-body");
    fill(body, [el("p", { class: "msg busy", text: "…" })]);
    if (!dialog.open) dialog.showModal();
    var view;
    try {
      view = await api("GET", "/board/inspect/" + seq);
    } catch (error) {
      var msg = el("div", { class: "msg" });
      sayError(msg, error);
      fill(body, [msg]);
      return;
    }
    var event = view.event;
    var rejected = event.outcome === "rejected";
    var detail = typeof event.detail === "string" ? event.detail : event.detail && event.detail.message ? event.detail.message : "";
    byId("inspector-event").textContent = t("inspectorEvent", { seq: event.seq, at: whenSeconds(event.at) });
    var todo = reasonTodo(event.reason);
    fill(body, [
      el("p", { class: "verdict " + (rejected ? "bad" : "ok"), "data-reason": event.reason }, [
        el("b", { text: (rejected ? "✖ " : "✔ ") + t("who." + event.component) + (event.step !== null && event.step !== undefined ? " · " + t("step." + event.step) : "") + ": " }),
        el("span", { text: reasonText(event.reason) || (L.events[event.reason] || event.reason) }),
        " ",
        el("code", { text: event.reason }),
      ]),
      rejected && todo ? el("div", { class: "todo" }, [el("h3", { text: t("todo") }), el("p", { text: todo })]) : null,
      view.failingElement ? el("p", { class: "failing", text: t("failingElement", { element: view.failingElement }) }) : null,
      view.noMessages ? el("p", { class: "muted", text: t("noMessages." + view.noMessages) }) : null,
      el("div", { class: "messages" }, view.messages.map(messageBlock)),
      detail ? el("details", { class: "server" }, [el("summary", { text: t("serverSaid") }), el("p", { class: "detail", text: detail })]) : null,
    ]);
    var marked = body.querySelector(".hl");
    if (marked) marked.scrollIntoView({ block: "center" });
  }
`;
