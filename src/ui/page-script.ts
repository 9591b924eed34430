/**
 * The admin page's script, run by the browser as it is (no build step). It talks only to the
 * admin API (`/admin/api`, src/control/admin-api.ts) and builds every node with createElement and
 * textContent: names, subjects and event details come from users and are never parsed as HTML.
 *
 * Controls (file inputs, form fields, message lines) are made once per systembruger, environment
 * and slot and kept across polls; only the data beside them is redrawn, and only when it changed,
 * so a chosen file or a half-typed name survives the refresh.
 *
 * Kept free of backticks and dollar-brace so that it can live in this template literal.
 */
export const PAGE_SCRIPT = String.raw`"use strict";
(function () {
  var API = "/admin/api";
  var POLL_MS = 1500;
  var MAX_EVENT_ROWS = 200;
  var ENVS = ["integration", "production"];
  var SLOTS = ["current", "next"];
  var ENV_LABEL = { integration: "Integrationstest", production: "Produktion" };
  var PROVISION_LABEL = {
    integration: "Provisioner til integrationstest",
    production: "Provisioner til produktion",
  };
  var SLOT_LABEL = { current: "Nuværende (current)", next: "Næste (next)" };
  var POLICY_HELP = {
    "at-expiry": "the STS accepts the provisioned current certificate until it expires, then the next one",
    overlap: "the STS accepts both provisioned certificates while each is valid",
    immediate: "provisioning a next certificate replaces the current one at once (or at the activation time)",
  };

  // --- DOM helpers (text only) -------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === undefined || value === null || value === false) return;
        if (key === "text") node.textContent = String(value);
        else if (key === "class") node.className = value;
        else if (key.indexOf("on") === 0) node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? "" : String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    });
    return node;
  }

  /** Replaces the children of node with the given nodes and strings (as text), skipping null. */
  function fill(node, children) {
    node.replaceChildren.apply(
      node,
      children.filter(function (child) {
        return child !== null && child !== undefined && child !== false;
      }),
    );
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function isoSeconds(iso) {
    return iso ? String(iso).replace("T", " ").slice(0, 19) : "";
  }

  function shortSha(sha) {
    return sha ? sha.slice(0, 16) + "…" : "";
  }

  function commonName(subject) {
    var match = /(?:^|, )CN=(.*?)(?=, [A-Za-z][A-Za-z0-9.]*=|$)/.exec(subject || "");
    return match ? match[1] : subject || "";
  }

  // --- API ----------------------------------------------------------------------------------------

  function ApiError(status, code, detail) {
    this.status = status;
    this.code = code;
    this.detail = detail;
  }

  async function api(method, path, body, contentType) {
    var init = { method: method, headers: {} };
    if (body !== undefined) {
      if (typeof body === "string" || body instanceof Blob || body instanceof ArrayBuffer) {
        init.body = body;
        init.headers["content-type"] = contentType || "application/octet-stream";
      } else {
        init.body = JSON.stringify(body);
        init.headers["content-type"] = "application/json";
      }
    }
    var response;
    try {
      response = await fetch(API + path, init);
    } catch (error) {
      throw new ApiError(0, "HARNESS_UNREACHABLE", "the harness does not answer (" + error.message + ")");
    }
    var text = await response.text();
    var data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      throw new ApiError(
        response.status,
        (data && data.error) || "HTTP_" + response.status,
        (data && data.detail) || text || response.statusText,
      );
    }
    return data;
  }

  function say(target, kind, parts) {
    target.className = "msg " + kind;
    fill(target, parts);
  }

  function sayError(target, error) {
    if (error instanceof ApiError) {
      say(target, "error", [
        el("b", { text: error.code + (error.status ? " (" + error.status + ")" : "") }),
        ": ",
        el("span", { class: "detail", text: error.detail }),
      ]);
    } else {
      say(target, "error", [String(error && error.message ? error.message : error)]);
    }
  }

  /** Runs an admin action from a button: disabled while running, result or 4xx sentence in msg. */
  async function act(button, msg, action, success) {
    button.disabled = true;
    say(msg, "busy", ["…"]);
    try {
      var result = await action();
      say(msg, "ok", ["✓ " + (typeof success === "function" ? success(result) : success)]);
    } catch (error) {
      sayError(msg, error);
    } finally {
      button.disabled = false;
      refreshSoon();
    }
  }

  // --- header: clock and policy ---------------------------------------------------------------------

  var headerBuilt = false;

  function buildHeader() {
    var clockButtons = byId("clock-buttons");
    ["+1h", "+1d", "+10d", "+30d", "+365d"].forEach(function (by) {
      var button = el("button", { type: "button", "data-advance": by, text: by });
      button.addEventListener("click", function () {
        act(button, byId("clock-msg"), function () {
          return api("POST", "/clock", { advance: by });
        }, function (clock) {
          return "clock advanced " + by + " to " + isoSeconds(clock.now);
        });
      });
      clockButtons.append(button);
    });
    var select = byId("policy");
    select.addEventListener("change", function () {
      var value = select.value;
      act(select, byId("policy-msg"), function () {
        return api("PUT", "/settings", { policy: value });
      }, "rollover policy is now " + value);
    });
    headerBuilt = true;
  }

  function renderHeader(clock, settings) {
    if (!headerBuilt) buildHeader();
    byId("now").textContent = isoSeconds(clock.now) + "Z";
    byId("clock-kind").textContent = clock.virtual ? "virtual clock" : "real clock (cannot be moved: start up --virtual-clock ISO-TIME to move time)";
    byId("clock-buttons").hidden = !clock.virtual;
    var select = byId("policy");
    var policies = settings.policies || [settings.policy];
    if (select.options.length !== policies.length) {
      fill(
        select,
        policies.map((p) => el("option", { value: p, text: p })),
      );
    }
    if (document.activeElement !== select) select.value = settings.policy;
    byId("policy-help").textContent = POLICY_HELP[settings.policy] || "";
  }

  // --- environments -------------------------------------------------------------------------------

  var envRows = {};

  function environmentRow(env) {
    if (envRows[env]) return envRows[env];
    var msg = el("div", { class: "msg", role: "status" });
    var button = el("button", { type: "button", class: "rotate", text: "Rotate STS signing certificate" });
    button.addEventListener("click", () => {
      act(button, msg, () => api("POST", "/sts/" + env + "/rotate-signing-certificate"), (r) => "new STS signing certificate " + shortSha(r.currentSha256) + " (was " + shortSha(r.previousSha256) + ")");
    });
    var row = {
      tr: el("tr", { "data-env": env }),
      sts: el("td"),
      signing: el("td", { class: "signing" }),
      smdb: el("td"),
      actions: el("td", {}, [button, msg]),
      key: "",
    };
    row.tr.append(el("th", { text: ENV_LABEL[env] }), row.sts, row.signing, row.smdb, row.actions);
    byId("environments").append(row.tr);
    envRows[env] = row;
    return row;
  }

  function renderEnvironments(list, trust) {
    list.forEach((e) => {
      var row = environmentRow(e.env);
      var key = JSON.stringify([e.stsUrl, e.stsCertificateSha256, e.stsCertificateHistory.length, e.wspUrl, trust[e.env]]);
      if (key === row.key) return;
      row.key = key;
      row.sts.replaceChildren(
        el("code", { text: e.stsUrl }),
        el("div", { class: "small", text: "wsa:To " + e.stsEndpointReference }),
      );
      var t = trust[e.env] || { mode: "current" };
      fill(row.signing, [
        el("code", { class: "sha", title: "SHA-256 " + e.stsCertificateSha256, text: shortSha(e.stsCertificateSha256) }),
        e.stsCertificateHistory.length > 0
          ? el("div", { class: "small", text: "rotated " + e.stsCertificateHistory.length + "×" })
          : null,
        el("div", {
          class: "small",
          text:
            "SMDB trusts: " +
            (t.mode === "current"
              ? "the current STS certificate"
              : t.mode === "pin-thumbprint"
                ? "pinned " + t.thumbprints.map(shortSha).join(", ")
                : "subject " + (t.subjects || []).join(" or ")),
        }),
      ]);
      row.smdb.replaceChildren(
        el("code", { text: e.wspUrl }),
        el("div", { class: "small", text: e.wspEntityId }),
      );
    });
  }

  // --- systembrugere --------------------------------------------------------------------------------

  var cards = new Map();

  function certBox(cert, options) {
    if (!cert) return el("span", { class: "muted", text: "—" });
    var badges = [];
    var revokedVerdict = options.status && options.status.status === "CERT_REVOKED";
    if (options.revoked[cert.sha256]) {
      // The STS's verdict on a provisioned certificate is always on a badge's data-status.
      badges.push(el("span", revokedVerdict ? { class: "badge bad", "data-status": "CERT_REVOKED", text: "REVOKED" } : { class: "badge bad", text: "REVOKED" }));
    }
    if (cert.validNow === false) badges.push(el("span", { class: "badge bad", text: "NOT VALID NOW" }));
    // A revoked certificate's verdict (CERT_REVOKED) is the REVOKED badge already.
    if (options.status && !(options.status.status === "CERT_REVOKED" && options.revoked[cert.sha256])) {
      badges.push(
        el("span", {
          class: "badge " + (options.status.accepted ? "ok" : "bad"),
          "data-status": options.status.status,
          text: options.status.accepted ? "ACCEPTED BY STS" : options.status.status,
        }),
      );
    }
    var box = el("div", { class: "cert", "data-sha256": cert.sha256 }, [
      el("div", { class: "cn", text: commonName(cert.subject) }),
      el("div", {}, [
        el("code", { class: "sha", title: "SHA-256 " + cert.sha256 + "\nSHA-1 " + cert.sha1 + "\n" + cert.subject, text: shortSha(cert.sha256) }),
        " ",
      ].concat(badges)),
      el("div", {
        class: "small" + (cert.validNow === false ? " warn" : ""),
        text: cert.notBefore.slice(0, 10) + " → " + isoSeconds(cert.notAfter) + "Z",
      }),
      options.status && !options.status.accepted && options.status.explanation
        ? el("div", { class: "small", text: options.status.explanation })
        : null,
    ]);
    var buttons = [];
    if (options.onRemove) buttons.push(el("button", { type: "button", class: "small-button remove", text: "Fjern", onclick: options.onRemove }));
    if (options.onRevoke && !options.revoked[cert.sha256]) {
      buttons.push(el("button", { type: "button", class: "small-button revoke", text: "Revoke", onclick: options.onRevoke }));
    }
    if (buttons.length > 0) box.append(el("div", { class: "cert-actions" }, buttons));
    return box;
  }

  function uploadControl(card, env, slot) {
    var input = el("input", {
      type: "file",
      class: "file",
      "aria-label": "certificate file for " + env + " " + slot,
    });
    var msg = el("div", { class: "msg", role: "status" });
    var button = el("button", { type: "button", class: "upload", text: "Upload til kladde" });
    button.addEventListener("click", () => {
      var file = input.files && input.files[0];
      if (!file) {
        say(msg, "error", ["choose a certificate file (.cer) first"]);
        return;
      }
      act(button, msg, () => api("PUT", "/system-users/" + encodeURIComponent(card.id) + "/certificates/" + env + "/" + slot, file), (r) => file.name + " uploaded to the draft (" + shortSha(r.certificate.sha256) + ")");
    });
    return el("div", { class: "upload-control" }, [input, button, msg]);
  }

  function createCard(id) {
    var card = { id: id, key: "", envs: {} };
    card.name = el("span", { class: "name" });
    card.meta = el("span", { class: "meta" });
    card.msg = el("div", { class: "msg", role: "status" });
    var save = el("button", { type: "button", class: "save primary", text: "Gem tekniske oplysninger" });
    save.addEventListener("click", () => {
      act(save, card.msg, () => api("POST", "/system-users/" + encodeURIComponent(id) + "/save"), "saved (Gem tekniske oplysninger): every environment's draft is now the saved set; nothing is provisioned yet");
    });
    card.root = el("section", { class: "user", "data-user-id": id }, [
      el("h3", {}, [card.name, " ", card.meta]),
      el("div", { class: "toolbar" }, [save, card.msg]),
    ]);
    ENVS.forEach((env) => {
      var part = { cells: {} };
      part.warnings = el("div", { class: "warnings" });
      part.info = el("div", { class: "small info" });
      part.msg = el("div", { class: "msg", role: "status" });
      var at = el("input", {
        type: "text",
        class: "activate-at",
        placeholder: "activation (optional): +10d or ISO",
        "aria-label": "activation time for " + env,
      });
      var provision = el("button", { type: "button", class: "provision primary", "data-env": env, text: PROVISION_LABEL[env] });
      provision.addEventListener("click", () => {
        var value = at.value.trim();
        act(provision, part.msg, () => api("POST", "/system-users/" + encodeURIComponent(id) + "/provision/" + env, value ? { at: value } : {}), "provisioned to " + ENV_LABEL[env].toLowerCase() + (value ? " (activation " + value + ")" : "") + ": the STS uses the saved set now");
      });
      var tbody = el("tbody");
      SLOTS.forEach((slot) => {
        var cells = {
          draft: el("div", { class: "cert-slot" }),
          saved: el("td", { class: "saved" }),
          provisioned: el("td", { class: "provisioned" }),
        };
        part.cells[slot] = cells;
        tbody.append(
          el("tr", { "data-slot": slot }, [
            el("th", { text: SLOT_LABEL[slot] }),
            el("td", { class: "draft" }, [cells.draft, uploadControl(card, env, slot)]),
            cells.saved,
            cells.provisioned,
          ]),
        );
      });
      part.root = el("div", { class: "env", "data-env": env }, [
        el("h4", { text: ENV_LABEL[env] + " (" + env + ")" }),
        part.warnings,
        el("table", { class: "certs" }, [
          el("thead", {}, [
            el("tr", {}, [
              el("th", { text: "Slot" }),
              el("th", { text: "Kladde (draft)" }),
              el("th", { text: "Gemt (saved)" }),
              el("th", { text: "Provisioneret — what the STS uses" }),
            ]),
          ]),
          tbody,
        ]),
        el("div", { class: "toolbar" }, [provision, at, part.info]),
        part.msg,
      ]);
      card.envs[env] = part;
      card.root.append(part.root);
    });
    cards.set(id, card);
    return card;
  }

  function updateCard(card, user, revoked, revokedKey) {
    var key = JSON.stringify(user) + revokedKey;
    if (key === card.key) return;
    card.key = key;
    card.name.textContent = user.name;
    card.meta.textContent = user.id + " · CVR " + user.cvr + " · " + user.entityId;
    ENVS.forEach((env) => {
      var part = card.envs[env];
      var status = user.status[env];
      var provisioned = user.provisioned[env];
      var warnings = [];
      if (status.unsavedChanges) {
        warnings.push(
          el("div", {
            class: "warning",
            "data-warning": "unsaved",
            text: "⚠ Kladden er ikke gemt: the draft differs from the saved set. Nothing changes until “Gem tekniske oplysninger”.",
          }),
        );
      }
      if (status.savedNotProvisioned) {
        warnings.push(
          el("div", {
            class: "warning",
            "data-warning": "not-provisioned",
            text:
              "⚠ Gemt, men ikke provisioneret til " +
              ENV_LABEL[env].toLowerCase() +
              ": the STS in " + env + " still uses the provisioned set. Click “" + PROVISION_LABEL[env] + "”.",
          }),
        );
      }
      fill(part.warnings, warnings);
      part.root.classList.toggle("has-warning", warnings.length > 0);
      SLOTS.forEach((slot) => {
        var cells = part.cells[slot];
        var draftCert = user.draft[env] && user.draft[env][slot];
        cells.draft.replaceChildren(
          certBox(draftCert, {
            revoked: revoked,
            onRemove: (event) => {
              var button = event.currentTarget;
              act(button, part.msg, () => api("DELETE", "/system-users/" + encodeURIComponent(user.id) + "/certificates/" + env + "/" + slot), "removed the " + slot + " certificate from the " + env + " draft");
            },
            onRevoke: revokeHandler(draftCert, part.msg),
          }),
        );
        cells.saved.replaceChildren(certBox(user.saved[env] && user.saved[env][slot], { revoked: revoked }));
        var provisionedCert = provisioned && provisioned[slot];
        var slotStatus = provisionedCert
          ? status.slots.filter((s) => s.slot === slot)[0]
          : undefined;
        cells.provisioned.replaceChildren(
          certBox(provisionedCert, { revoked: revoked, status: slotStatus, onRevoke: revokeHandler(provisionedCert, part.msg) }),
        );
      });
      var info = [];
      if (provisioned) {
        info.push("provisioned " + isoSeconds(provisioned.provisionedAt) + "Z");
        if (provisioned.activateAt) {
          info.push(
            "activates " + isoSeconds(provisioned.activateAt) + "Z" +
              (status.policy === "immediate" ? "" : " (used only under policy immediate; now " + status.policy + ")"),
          );
        }
        if (status.nextChangeAt) info.push("STS answer changes " + isoSeconds(status.nextChangeAt) + "Z");
      } else {
        info.push("never provisioned to " + env);
      }
      part.info.textContent = info.join(" · ");
    });
  }

  function revokeHandler(cert, msg) {
    if (!cert) return undefined;
    return (event) => {
      var button = event.currentTarget;
      act(button, msg, () => api("POST", "/certificates/revoke", cert.pem, "application/x-pem-file"), "revoked " + commonName(cert.subject) + " (" + shortSha(cert.sha256) + ")");
    };
  }

  function renderUsers(list, revokedList) {
    var container = byId("users");
    var revoked = {};
    revokedList.forEach((r) => {
      revoked[r.sha256] = true;
    });
    var revokedKey = Object.keys(revoked).sort().join(",");
    var seen = {};
    list.forEach((user, index) => {
      seen[user.id] = true;
      var card = cards.get(user.id) || createCard(user.id);
      updateCard(card, user, revoked, revokedKey);
      if (container.children[index] !== card.root) container.insertBefore(card.root, container.children[index] || null);
    });
    cards.forEach((card, id) => {
      if (!seen[id]) {
        card.root.remove();
        cards.delete(id);
      }
    });
    byId("users-empty").hidden = list.length > 0;
    byId("user-count").textContent = String(list.length);
  }

  function buildCreateForm() {
    var form = byId("create-user");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      var button = form.querySelector("button");
      var body = {
        name: form.elements.namedItem("name").value,
        cvr: form.elements.namedItem("cvr").value.trim(),
        entityId: form.elements.namedItem("entityId").value.trim(),
      };
      act(button, byId("create-msg"), async () => {
        var user = await api("POST", "/system-users", body);
        form.reset();
        return user;
      }, (user) => "systembruger " + user.id + " created; upload its certificate below");
    });
  }

  // --- events ---------------------------------------------------------------------------------------

  var lastSeq = null;

  function eventRow(event) {
    var detail = typeof event.detail === "string" ? event.detail : JSON.stringify(event.detail);
    var rejected = event.outcome === "rejected";
    return el("tr", { class: rejected ? "rejected" : "", "data-seq": event.seq, "data-reason": event.reason }, [
      el("td", { text: String(event.seq) }),
      el("td", { text: isoSeconds(event.at) }),
      el("td", { text: event.env || "" }),
      el("td", { text: event.component + (event.step === null || event.step === undefined ? "" : " " + event.step) }),
      el("td", { class: "reason" }, [el("b", { text: (rejected ? "✖ " : "") + event.reason })]),
      el("td", { text: event.systemUser || "" }),
      el("td", { class: "thumbprint" }, [
        event.certSha256 ? el("code", { title: "SHA-256 " + event.certSha256, text: shortSha(event.certSha256) }) : null,
      ]),
      el("td", { class: "detail" }, [
        el("div", {
          class: rejected ? "" : "clamp",
          title: rejected ? null : "click to show all",
          text: detail,
          onclick: (e) => {
            e.currentTarget.classList.remove("clamp");
          },
        }),
      ]),
    ]);
  }

  async function pollEvents() {
    var body = byId("events");
    if (lastSeq === null) {
      var head = await api("GET", "/events?since=999999999999999");
      lastSeq = Math.max(0, head.lastSeq - 60);
    }
    var data = await api("GET", "/events?since=" + lastSeq);
    if (data.lastSeq < lastSeq) {
      // Another harness on this address (restarted): start over.
      body.replaceChildren();
      lastSeq = null;
      return;
    }
    data.events.forEach((event) => {
      body.insertBefore(eventRow(event), body.firstChild);
      lastSeq = Math.max(lastSeq, event.seq);
    });
    while (body.children.length > MAX_EVENT_ROWS) body.lastChild.remove();
    byId("events-empty").hidden = body.children.length > 0;
  }

  // --- polling ----------------------------------------------------------------------------------------

  var timer = null;
  var running = false;
  var again = false;

  async function refresh() {
    try {
      var results = await Promise.all([
        api("GET", "/clock"),
        api("GET", "/settings"),
        api("GET", "/environments"),
        api("GET", "/system-users"),
        api("GET", "/certificates/revoked"),
        Promise.all(
          ENVS.map((env) => api("GET", "/environments/" + env + "/wsp-trust")),
        ),
      ]);
      var trust = {};
      ENVS.forEach((env, i) => {
        trust[env] = results[5][i];
      });
      renderHeader(results[0], results[1]);
      renderEnvironments(results[2].environments, trust);
      renderUsers(results[3].systemUsers, results[4].revoked);
      await pollEvents();
      byId("connection").hidden = true;
      document.body.classList.add("ready");
    } catch (error) {
      var banner = byId("connection");
      banner.hidden = false;
      banner.textContent =
        "⚠ " + (error instanceof ApiError ? error.code + ": " + error.detail : String(error)) + " — retrying";
    }
  }

  /** One refresh at a time; a refresh asked for during one runs right after it. */
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
    if (running) {
      again = true;
    } else {
      clearTimeout(timer);
      timer = setTimeout(loop, 0);
    }
  }

  byId("only-rejected").addEventListener("change", (event) => {
    byId("events-table").classList.toggle("only-rejected", event.currentTarget.checked);
  });
  buildCreateForm();
  loop();
})();
`;
