/**
 * The board script's ground floor: the language and its texts, DOM helpers that build nodes with
 * textContent only (names, subjects and messages come from users and are never parsed as HTML),
 * the admin API client, and how results and refusals are said next to the control that caused
 * them. Browser JavaScript as a string (no build step); no backticks or dollar-braces inside.
 */
export const CORE_SCRIPT = String.raw`
  var LANG = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "da";
  var L = TEXTS[LANG];
  var API = "/admin/api";
  /** NemLog-in shows production first. */
  var ENVS = ["production", "integration"];
  var SLOTS = ["current", "next"];
  document.documentElement.lang = LANG;

  function format(text, vars) {
    return String(text).replace(/\{(\w+)\}/g, function (whole, key) {
      return vars && vars[key] !== undefined && vars[key] !== null ? String(vars[key]) : whole;
    });
  }
  function t(key, vars) {
    var text = L.labels[key];
    return format(text === undefined ? key : text, vars);
  }
  function reasonText(code) {
    var r = L.reasons[code];
    return r ? r[0] : null;
  }
  function reasonTodo(code) {
    var r = L.reasons[code];
    return r ? r[1] : null;
  }
  /** A certificate's name in the client's store or a scenario, in words where the page has them. */
  function certName(name) {
    return name ? L.certificateNames[name] || name : name;
  }
  function envLabel(env) {
    return t("env." + env);
  }

  // --- DOM (text only) -----------------------------------------------------------------------------

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
  function fill(node, children) {
    node.replaceChildren.apply(
      node,
      children.filter(function (c) {
        return c !== null && c !== undefined && c !== false;
      }),
    );
  }
  function byId(id) {
    return document.getElementById(id);
  }
  /** Every static label: data-t (text), data-t-title, data-t-placeholder, data-t-aria. */
  function applyLabels(root) {
    root.querySelectorAll("[data-t]").forEach(function (node) {
      node.textContent = t(node.getAttribute("data-t"));
    });
    root.querySelectorAll("[data-t-title]").forEach(function (node) {
      node.title = t(node.getAttribute("data-t-title"));
    });
    root.querySelectorAll("[data-t-placeholder]").forEach(function (node) {
      node.placeholder = t(node.getAttribute("data-t-placeholder"));
    });
    root.querySelectorAll("[data-t-aria]").forEach(function (node) {
      node.setAttribute("aria-label", t(node.getAttribute("data-t-aria")));
    });
  }

  // --- formats -----------------------------------------------------------------------------------

  function when(iso) {
    return iso ? String(iso).replace("T", " ").slice(0, 16) : "";
  }
  function whenSeconds(iso) {
    return iso ? String(iso).replace("T", " ").slice(0, 19) : "";
  }
  function shortSha(sha) {
    return sha ? sha.slice(0, 8) + "…" : "";
  }
  function commonName(subject) {
    var match = /(?:^|, )CN=(.*?)(?=, [A-Za-z][A-Za-z0-9.]*=|$)/.exec(subject || "");
    return match ? match[1] : subject || "";
  }
  /** A duration in days, hours and minutes, in the page's language. */
  function duration(ms) {
    var sign = ms < 0 ? "−" : "";
    ms = Math.abs(ms);
    var d = Math.floor(ms / 86400000);
    var h = Math.floor((ms % 86400000) / 3600000);
    var m = Math.floor((ms % 3600000) / 60000);
    var s = Math.round((ms % 60000) / 1000);
    var parts = [];
    if (d) parts.push(d + " d");
    if (h) parts.push(h + (LANG === "da" ? " t" : " h"));
    if (m) parts.push(m + " m");
    if (s && !d) parts.push(s + " s");
    if (parts.length === 0) parts.push(ms > 0 ? ms + " ms" : "0");
    return sign + parts.join(" ");
  }
  function hours(ms) {
    var n = (ms / 3600000).toFixed(1);
    return t("hours", { n: LANG === "da" ? n.replace(".", ",") : n });
  }

  // --- the admin API ---------------------------------------------------------------------------------

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
      throw new ApiError(0, "HARNESS_UNREACHABLE", String(error && error.message));
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

  // --- saying what happened ----------------------------------------------------------------------------

  function say(target, kind, parts) {
    target.className = "msg " + kind;
    fill(target, parts);
  }

  /**
   * A refusal: its code, what it means in the page's language, and the server's own sentence —
   * folded away when the page has words of its own for the code.
   */
  function sayError(target, error) {
    if (!(error instanceof ApiError)) {
      say(target, "error", [String(error && error.message ? error.message : error)]);
      return;
    }
    var known = reasonText(error.code);
    var detail = el("span", { class: "detail", text: error.detail });
    say(target, "error", [
      el("b", { class: "code", text: error.code + (error.status ? " (" + error.status + ")" : "") }),
      " ",
      known ? el("span", { class: "said", text: known }) : detail,
      known ? el("details", { class: "server" }, [el("summary", { text: t("serverSaid") }), detail]) : null,
    ]);
  }

  /** Runs an action from a control: disabled while it runs, the result or the refusal beside it. */
  async function act(control, msg, action, success) {
    control.disabled = true;
    say(msg, "busy", ["…"]);
    try {
      var result = await action();
      say(msg, "ok", ["✓ " + (typeof success === "function" ? success(result) : success)]);
      return result;
    } catch (error) {
      sayError(msg, error);
      return undefined;
    } finally {
      control.disabled = false;
      refreshSoon();
    }
  }
`;
