/**
 * The rest of the board: the clock (set, forward, back, "spring til udløb", reset — through the
 * board's clock moves, which call wherever the answer can change on the way), the rollover policy,
 * "Afspil scenarie" (a built-in scenario step by step, each step explained), the event log, the
 * environments (STS signing rotation), and the loop that keeps it all current: an event stream
 * (server-sent events) that triggers a redraw on every event, and a slow poll as a fallback.
 */
export const BOARD_SCRIPT = `
  var boardFocus = null;
  var headerBuilt = false;
  var lastBoard = null;

  // --- clock and policy ---------------------------------------------------------------------------

  function moveClock(button, body) {
    act(button, byId("clock-msg"), function () {
      return api("POST", "/board/clock", body);
    }, function (r) {
      return t("clockMoved", { at: whenSeconds(r.clock.now) });
    });
  }

  function buildHeader() {
    var buttons = byId("clock-buttons");
    [["back1d", { back: "1d" }], ["adv1h", { advance: "1h" }], ["adv1d", { advance: "1d" }], ["adv10d", { advance: "10d" }], ["adv30d", { advance: "30d" }]].forEach(function (b) {
      var button = el("button", { type: "button", class: "clock-move", "data-move": JSON.stringify(b[1]), text: t(b[0]) });
      button.addEventListener("click", function () {
        moveClock(button, b[1]);
      });
      buttons.append(button);
    });
    var jump = el("button", { type: "button", id: "jump-expiry", class: "primary", text: t("jumpExpiry") });
    jump.addEventListener("click", function () {
      moveClock(jump, { jump: "expiry" });
    });
    var input = el("input", { type: "text", id: "set-time", placeholder: t("setTimePlaceholder"), "aria-label": t("setTimeLabel") });
    var set = el("button", { type: "button", id: "set-time-button", text: t("setTime") });
    set.addEventListener("click", function () {
      var value = input.value.trim();
      if (value) moveClock(set, { set: value });
    });
    var reset = el("button", { type: "button", id: "clock-reset", text: t("reset") });
    reset.addEventListener("click", function () {
      moveClock(reset, { reset: true });
    });
    buttons.append(jump, input, set, reset);
    var select = byId("policy");
    select.addEventListener("change", function () {
      var value = select.value;
      act(select, byId("clock-msg"), function () {
        return api("PUT", "/settings", { policy: value });
      }, t("policyChanged", { policy: t("policy." + value) }));
    });
    var lang = byId("lang");
    ["da", "en"].forEach(function (code) {
      lang.append(el("a", { href: "?lang=" + code, class: code === LANG ? "current" : "", hreflang: code, text: code.toUpperCase() }));
    });
    headerBuilt = true;
  }

  function renderHeader(board, settings) {
    if (!headerBuilt) buildHeader();
    lastBoard = board;
    var clock = board.clock;
    byId("now").textContent = whenSeconds(clock.now);
    byId("clock-kind").textContent = clock.virtual ? t("clockVirtual") : t("clockReal");
    byId("clock-buttons").hidden = !clock.virtual;
    var jump = byId("jump-expiry");
    jump.disabled = !board.expiry;
    jump.textContent = board.expiry ? t("jumpExpiryAt", { at: when(board.expiry.at) }) : t("jumpExpiry");
    jump.title = board.expiry ? t("jumpExpiryTitle", { cert: certName(board.expiry.certificate.label) || board.expiry.certificate.cn }) : "";
    byId("clock-reset").title = t("resetTitle", { at: when(board.resetTo) });
    var select = byId("policy");
    if (select.options.length !== settings.policies.length) {
      fill(
        select,
        settings.policies.map(function (p) {
          return el("option", { value: p, text: t("policy." + p) });
        }),
      );
    }
    if (document.activeElement !== select) select.value = settings.policy;
    select.title = t("policyHelp." + settings.policy);
  }

  // --- "Afspil scenarie" ------------------------------------------------------------------------

  var scenarioListKey = "";
  var playerKey = "";

  function scenarioTitle(name, description) {
    var known = L.scenarios[name];
    return known ? known : [name, description || ""];
  }

  function buildPlayer() {
    var start = byId("scenario-start");
    start.addEventListener("click", function () {
      var name = byId("scenario-select").value;
      if (!name) return;
      act(start, byId("player-msg"), function () {
        return api("POST", "/board/scenario", { name: name });
      }, function (p) {
        return scenarioTitle(p.name, p.description)[0];
      });
    });
    byId("scenario-next").addEventListener("click", function (event) {
      act(event.currentTarget, byId("player-msg"), function () {
        return api("POST", "/board/scenario/next");
      }, function (p) {
        return p.finished ? t("scenarioDone") : t("nextStep");
      });
    });
    byId("scenario-stop").addEventListener("click", function (event) {
      act(event.currentTarget, byId("player-msg"), function () {
        return api("DELETE", "/board/scenario");
      }, t("stop"));
    });
  }

  function renderScenarioList(list) {
    var key = JSON.stringify(list);
    if (key === scenarioListKey) return;
    scenarioListKey = key;
    byId("player-controls").hidden = list.length === 0;
    fill(
      byId("scenario-select"),
      [el("option", { value: "", text: t("chooseScenario") })].concat(
        list.map(function (s) {
          return el("option", { value: s.name, text: scenarioTitle(s.name, s.description)[0] });
        }),
      ),
    );
  }

  function stepText(player, step) {
    var w = step.with || {};
    var env = envLabel(w.environment || player.environment);
    var vars = {
      cert: certName(w.cert),
      slot: w.slot ? t("slot." + w.slot).toLowerCase() : "",
      env: env,
      envLower: env.toLowerCase(),
      fallback: certName(w.fallback),
      findValue: w.findValue,
      privileges: (w.privileges || []).join(", ") || "—",
      at: typeof w.atMs === "number" ? when(new Date(w.atMs).toISOString()) : "",
      skew: typeof w.clientMs === "number" ? duration(w.clientMs) : "",
    };
    var key = step.do;
    if (key === "nemlogin.upload" && w.format === "p12") key = "nemlogin.upload.p12";
    if (key === "nemlogin.provision" && typeof w.atMs === "number") key = "nemlogin.provision.at";
    if (key === "client.deploy" && w.findValue) key = "client.deploy.findValue";
    else if (key === "client.deploy" && w.fallback) key = "client.deploy.fallback";
    if (key === "clock.skew" && w.clientMs === 0) key = "clock.skew.zero";
    return format(L.steps[key] || step.do, vars);
  }

  function renderPlayer(player, timeline) {
    var box = byId("player");
    box.hidden = !player;
    if (!player) {
      playerKey = "";
      return;
    }
    var key = JSON.stringify([player, player.finished ? timeline.downtimeMs : 0]);
    if (key === playerKey) return;
    playerKey = key;
    var title = scenarioTitle(player.name, player.description);
    byId("player-title").textContent = t("scenario") + ": " + title[0];
    byId("player-description").textContent = title[1];
    var items = player.steps.map(function (step) {
      return el("li", { class: "step " + step.state + (player.next === step.index ? " next" : ""), "data-index": step.index, "data-state": step.state }, [
        el("span", { class: "when", text: "+" + duration(step.atMs - player.startMs) }),
        " ",
        el("span", { class: "what", text: stepText(player, step) }),
        step.refusal
          ? el("div", { class: "refusal", "data-code": step.refusal.code, text: t("stepRefused", { text: reasonText(step.refusal.code) || step.refusal.code }) })
          : null,
        step.call
          ? el("div", {
              class: "after " + (step.call.ok ? "ok" : "fail"),
              "data-reason": step.call.reason,
              text: t("stepCall", { text: step.call.ok ? "✔ OK" : "✖ " + t("step." + step.call.step) + ": " + (reasonText(step.call.reason) || step.call.reason) }),
              onclick: step.call.ok ? null : function () {
                openInspector(step.call.eventSeq);
              },
            })
          : null,
      ]);
    });
    items.push(
      el("li", { class: "step end" + (player.finished ? " done" : player.next === player.steps.length ? " next" : "") }, [
        el("span", { class: "when", text: "+" + duration(player.endMs - player.startMs) }),
        " ",
        el("span", { class: "what", text: format(L.steps.end, { at: when(player.end) }) }),
      ]),
    );
    fill(byId("player-steps"), items);
    var next = byId("scenario-next");
    next.disabled = player.finished;
    next.textContent = player.next === player.steps.length ? t("toEnd") : t("nextStep");
    var expected = player.expected && player.expected.downtime;
    fill(byId("player-result"), player.finished
      ? [
          el("span", { text: t("measuredDowntime", { d: duration(timeline.downtimeMs) }) }),
          expected && expected.exactMs !== undefined ? el("span", { text: " · " + t("expectedDowntime", { d: duration(expected.exactMs) }) }) : null,
        ]
      : []);
    var current = byId("player-steps").querySelector(".next");
    if (current) current.scrollIntoView({ block: "nearest" });
  }

  // --- the event log ------------------------------------------------------------------------------

  var MAX_LOG_ROWS = 200;

  function eventMeaning(event) {
    return reasonText(event.reason) || L.events[event.reason] || event.reason;
  }

  function logRow(event) {
    var rejected = event.outcome === "rejected";
    var inspectable = rejected && (event.component === "sts" || event.component === "wsp" || event.component === "client");
    return el("tr", {
      class: (rejected ? "rejected" : "") + (inspectable ? " clickable" : ""),
      "data-seq": event.seq,
      "data-reason": event.reason,
      onclick: inspectable ? function () {
        openInspector(event.seq);
      } : null,
    }, [
      el("td", { text: String(event.seq) }),
      el("td", { text: whenSeconds(event.at) }),
      el("td", { text: event.env ? envLabel(event.env) : "" }),
      el("td", { text: t("who." + event.component) + (event.step === null || event.step === undefined ? "" : " " + event.step) }),
      el("td", { class: "reason" }, [el("code", { text: (rejected ? "✖ " : "") + event.reason })]),
      el("td", { class: "meaning", text: eventMeaning(event) }),
      el("td", { text: event.systemUser || "" }),
      el("td", { class: "thumbprint" }, [event.certSha256 ? el("code", { title: "SHA-256 " + event.certSha256, text: shortSha(event.certSha256) }) : null]),
    ]);
  }

  function addLogEvent(event) {
    var body = byId("events");
    body.insertBefore(logRow(event), body.firstChild);
    while (body.children.length > MAX_LOG_ROWS) body.lastChild.remove();
    byId("events-empty").hidden = true;
  }

  // --- environments -------------------------------------------------------------------------------

  var envRows = {};

  function environmentRow(env) {
    if (envRows[env]) return envRows[env];
    var msg = el("div", { class: "msg", role: "status" });
    var button = el("button", { type: "button", class: "rotate", text: t("rotateSts") });
    button.addEventListener("click", function () {
      act(button, msg, function () {
        return api("POST", "/sts/" + env + "/rotate-signing-certificate");
      }, function (r) {
        return t("rotatedDone", { sha: shortSha(r.currentSha256) });
      });
    });
    var row = { tr: el("tr", { "data-env": env }), sts: el("td"), signing: el("td", { class: "signing" }), smdb: el("td"), key: "" };
    row.tr.append(el("th", { text: envLabel(env) }), row.sts, row.signing, row.smdb, el("td", {}, [button, msg]));
    byId("environments").append(row.tr);
    envRows[env] = row;
    return row;
  }

  function renderEnvironments(list, trust) {
    ENVS.forEach(function (env) {
      var e = list.filter(function (x) {
        return x.env === env;
      })[0];
      if (!e) return;
      var row = environmentRow(env);
      var key = JSON.stringify([e.stsUrl, e.stsCertificateSha256, e.stsCertificateHistory.length, e.wspUrl, trust[env]]);
      if (key === row.key) return;
      row.key = key;
      fill(row.sts, [el("code", { text: e.stsUrl }), el("div", { class: "small", text: "wsa:To " + e.stsEndpointReference })]);
      var tr = trust[env] || { mode: "current" };
      fill(row.signing, [
        el("code", { class: "sha", title: "SHA-256 " + e.stsCertificateSha256, text: shortSha(e.stsCertificateSha256) }),
        e.stsCertificateHistory.length > 0 ? el("div", { class: "small", text: t("rotatedTimes", { n: e.stsCertificateHistory.length }) }) : null,
        el("div", {
          class: "small",
          text: t("wspTrust." + tr.mode, { list: (tr.thumbprints || tr.subjects || []).map(function (x) { return tr.thumbprints ? shortSha(x) : x; }).join(", ") }),
        }),
      ]);
      fill(row.smdb, [el("code", { text: e.wspUrl }), el("div", { class: "small", text: e.wspEntityId })]);
    });
  }

  // --- keeping the board current ------------------------------------------------------------------

  var timer = null;
  var running = false;
  var again = false;
  var POLL_MS = 5000;
  var stream = null;

  async function refresh() {
    try {
      var r = await Promise.all([
        api("GET", "/board"),
        api("GET", "/settings"),
        api("GET", "/system-users"),
        api("GET", "/certificates/revoked"),
        api("GET", "/client"),
        api("GET", "/board/timeline"),
        api("GET", "/board/scenario"),
        api("GET", "/board/scenarios"),
        api("GET", "/environments"),
        Promise.all(ENVS.map(function (env) {
          return api("GET", "/environments/" + env + "/wsp-trust");
        })),
      ]);
      var board = r[0];
      boardFocus = board.systemUserId;
      renderHeader(board, r[1]);
      // The client's store feeds the upload controls' "fra klienten" lists: first.
      var verdictLane = r[5].lanes.filter(function (l) {
        return l.id === "verdict";
      })[0];
      var lastVerdict = verdictLane && verdictLane.segments.length ? verdictLane.segments[verdictLane.segments.length - 1].data : null;
      renderClient(r[4], lastVerdict && lastVerdict.reason ? lastVerdict : null);
      renderUsers(r[2].systemUsers, r[3].revoked, boardFocus, r[1].policy);
      renderTimeline(r[5]);
      renderScenarioList(r[7].scenarios);
      renderPlayer(r[6], r[5]);
      var trust = {};
      ENVS.forEach(function (env, i) {
        trust[env] = r[9][i];
      });
      renderEnvironments(r[8].environments, trust);
      byId("connection").hidden = true;
      document.body.classList.add("ready");
    } catch (error) {
      var banner = byId("connection");
      banner.hidden = false;
      banner.textContent = "⚠ " + t("connectionLost") + (error instanceof ApiError ? " (" + error.code + ")" : "");
    }
  }

  /** One refresh at a time; one asked for during a refresh runs right after it. */
  async function loop() {
    clearTimeout(timer);
    running = true;
    again = false;
    try {
      await refresh();
    } finally {
      running = false;
    }
    timer = setTimeout(loop, again ? 0 : POLL_MS);
  }

  function refreshSoon() {
    if (running) again = true;
    else {
      clearTimeout(timer);
      timer = setTimeout(loop, 50);
    }
  }

  /** The event stream: the log gets every event, and every event redraws the board. */
  async function openStream() {
    var since = 0;
    try {
      var head = await api("GET", "/events?since=999999999999999");
      since = Math.max(0, head.lastSeq - 60);
    } catch (_) {
      since = 0;
    }
    stream = new EventSource(API + "/events/stream?since=" + since);
    stream.addEventListener("harness-event", function (message) {
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (_) {
        return;
      }
      addLogEvent(event);
      refreshSoon();
    });
  }

  byId("only-rejected").addEventListener("change", function (event) {
    byId("events-table").classList.toggle("only-rejected", event.currentTarget.checked);
  });
  byId("inspector-close").addEventListener("click", function () {
    byId("inspector").close();
  });
`;
