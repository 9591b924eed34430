/**
 * "Klient": the vendor's side. Which certificate (and fallback) the board's client uses and what
 * the STS says of it, its certificate store with "Udrul" (deploy), "Som reserve" and the .cer to
 * download (for the administrator's upload), "Bestil nyt certifikat", "Rul tilbage", when calls
 * run, and the latest calls — green or red, with the step and the reason in the page's language.
 * A red call opens the inspector. The client itself runs in the harness (the admin API's /client).
 */
export const CLIENT_SCRIPT = `
  var clientBuilt = false;
  var clientKey = "";
  var callsKey = "";
  var lastClient = null;

  function callText(call) {
    if (call.ok) return call.newToken ? t("callOk") : t("callOkCached");
    return t("step." + call.step) + ": " + (reasonText(call.reason) || call.reason);
  }

  function buildClient() {
    var msg = byId("client-msg");
    var envSelect = byId("client-env");
    fill(
      envSelect,
      ENVS.map(function (env) {
        return el("option", { value: env, text: envLabel(env) });
      }),
    );
    envSelect.addEventListener("change", function () {
      var d = lastClient && lastClient.deployment;
      if (!d || !d.certificate) return;
      act(envSelect, msg, function () {
        return api("PUT", "/client/deployment", { certificate: d.certificate.id, environment: envSelect.value });
      }, function () {
        return t("deployedDone", { cn: commonName(d.certificate.subject) });
      });
    });
    byId("client-rollback").addEventListener("click", function (event) {
      act(event.currentTarget, msg, function () {
        return api("POST", "/client/rollback");
      }, function (view) {
        return t("rolledBackDone", { cn: view.deployment && view.deployment.certificate ? commonName(view.deployment.certificate.subject) : "—" });
      });
    });
    byId("client-issue").addEventListener("click", function (event) {
      var userId = lastClient && lastClient.systemUserId ? lastClient.systemUserId : boardFocus;
      act(event.currentTarget, msg, function () {
        return api("POST", "/client/certificates", { issue: userId ? { systemUserId: userId } : {} });
      }, function (cert) {
        return t("issuedDone", { cn: commonName(cert.subject) });
      });
    });
    byId("client-trust-sts").addEventListener("click", function (event) {
      act(event.currentTarget, msg, function () {
        return api("POST", "/client/trust-sts", {});
      }, t("trustStsDone"));
    });
    byId("p12-add").addEventListener("click", function (event) {
      var file = byId("p12-file").files && byId("p12-file").files[0];
      if (!file) {
        say(msg, "error", [t("chooseP12First")]);
        return;
      }
      act(event.currentTarget, msg, async function () {
        var bytes = new Uint8Array(await file.arrayBuffer());
        var binary = "";
        for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
        var stored = await api("POST", "/client/certificates", { pkcs12: btoa(binary), password: byId("p12-password").value });
        byId("p12-file").value = "";
        byId("p12-password").value = "";
        return stored;
      }, function (cert) {
        return t("addedP12", { cn: commonName(cert.subject) });
      });
    });
    var mode = byId("call-mode");
    fill(
      mode,
      ["on-change", "interval", "manual"].map(function (m) {
        return el("option", { value: m, text: t("mode." + m) });
      }),
    );
    mode.addEventListener("change", function () {
      act(mode, msg, function () {
        return api("PUT", "/client/call-mode", { mode: mode.value });
      }, function (view) {
        return t("callMode") + ": " + t("mode." + mode.value, { n: Math.round(view.calls.intervalMs / 1000) });
      });
    });
    byId("call-now").addEventListener("click", function (event) {
      act(event.currentTarget, msg, function () {
        return api("POST", "/client/calls");
      }, callText);
    });
    clientBuilt = true;
  }

  function deployButton(cert, asFallback) {
    return el("button", {
      type: "button",
      class: "tiny " + (asFallback ? "as-fallback" : "deploy primary"),
      text: asFallback ? t("asFallback") : t("deploy"),
      onclick: function (event) {
        var d = lastClient && lastClient.deployment;
        var body = asFallback
          ? { certificate: d && d.certificate ? d.certificate.id : cert.id, fallback: cert.id }
          : { certificate: cert.id };
        act(event.currentTarget, byId("client-msg"), function () {
          return api("PUT", "/client/deployment", body);
        }, function () {
          return t("deployedDone", { cn: commonName(cert.subject) });
        });
      },
    });
  }

  function renderClient(view, verdict) {
    if (!clientBuilt) buildClient();
    lastClient = view;
    clientStore = view.certificates;
    var d = view.deployment;
    var key = JSON.stringify([d, view.certificates, view.canRollBack, view.calls, verdict]);
    if (key !== clientKey) {
      clientKey = key;
      if (document.activeElement !== byId("client-env") && d) byId("client-env").value = d.stsEnvironment;
      var modeSelect = byId("call-mode");
      modeSelect.querySelector('option[value="interval"]').textContent = t("mode.interval", { n: Math.round(view.calls.intervalMs / 1000) });
      if (document.activeElement !== modeSelect) modeSelect.value = view.calls.mode;
      byId("client-rollback").disabled = !view.canRollBack;
      var deployed = byId("client-deployed");
      if (!d) {
        fill(deployed, [el("p", { class: "muted", text: t("notDeployed") })]);
      } else {
        var primaryBox = d.certificate
          ? certBox(d.certificate, { revoked: {} })
          : el("span", { class: "muted", text: t("noneShort") });
        if (d.certificate && verdict) {
          var badges = primaryBox.querySelector(".badges") || primaryBox.appendChild(el("div", { class: "badges" }));
          badges.append(
            el("span", {
              class: "badge " + (verdict.reason === "OK" ? "ok" : "bad"),
              "data-verdict": verdict.reason,
              title: verdict.reason,
              text: verdict.reason === "OK" ? "✔ " + t("accepted") : "✖ " + (reasonText(verdict.reason) || verdict.reason),
            }),
          );
        }
        fill(deployed, [
          el("div", { class: "deployed-row" }, [el("span", { class: "label", text: t("inUse") }), primaryBox]),
          el("div", { class: "deployed-row" }, [
            el("span", { class: "label", text: t("fallback") }),
            d.fallback ? certBox(d.fallback, { revoked: {} }) : el("span", { class: "muted", text: t("noneShort") }),
          ]),
          d.stsEnvironment !== d.wspEnvironment
            ? el("p", { class: "warning", text: "⚠ " + t("clientCrossed", { sts: envLabel(d.stsEnvironment), wsp: envLabel(d.wspEnvironment) }) })
            : null,
          d.lookup ? el("p", { class: "small", text: t("lookup", { type: d.lookup.findType, value: d.lookup.findValue }) }) : null,
          d.startError
            ? el("p", { class: "warning", "data-reason": d.startError.reason, text: "✖ " + t("startError") + ": " + (reasonText(d.startError.reason) || d.startError.reason) })
            : null,
        ]);
      }
      var inUse = d && d.certificate ? d.certificate.id : null;
      var fallbackId = d && d.fallback ? d.fallback.id : null;
      fill(
        byId("store"),
        view.certificates.length === 0
          ? [el("tr", {}, [el("td", { class: "muted", text: t("storeEmpty") })])]
          : view.certificates.map(function (cert) {
              return el("tr", { "data-sha256": cert.sha256, class: cert.id === inUse ? "in-use" : cert.id === fallbackId ? "is-fallback" : "" }, [
                el("td", {}, [
                  el("div", { class: "cn", text: (cert.label ? certName(cert.label) + ": " : "") + commonName(cert.subject) }),
                  el("div", { class: "small", text: shortSha(cert.sha256) + " · " + t("validTo", { at: when(cert.notAfter) }) + " · " + t("source." + cert.source) }),
                ]),
                el("td", { class: "store-actions" }, [
                  cert.id === inUse ? null : deployButton(cert, false),
                  cert.id === inUse || cert.id === fallbackId ? null : deployButton(cert, true),
                  el("a", {
                    class: "cer",
                    href: API + "/client/certificates/" + cert.id + "/certificate.cer",
                    download: "",
                    text: t("downloadCer"),
                  }),
                ]),
              ]);
            }),
      );
    }
    var last = view.recent[0];
    byId("client-trust-sts").hidden = !(last && last.reason === "STS_RESPONSE_UNTRUSTED");
    var newCallsKey = view.recent.map(function (c) {
      return c.id;
    }).join(",");
    if (newCallsKey !== callsKey) {
      callsKey = newCallsKey;
      fill(
        byId("calls"),
        view.recent.slice(0, 8).map(function (call) {
          return el(
            "li",
            {
              class: "call " + (call.ok ? "ok" : "fail"),
              "data-call-id": call.id,
              "data-event-seq": call.eventSeq,
              "data-reason": call.reason,
              title: call.ok ? "" : t("inspectHint"),
              onclick: call.ok ? null : function () {
                openInspector(call.eventSeq);
              },
            },
            [
              el("span", { class: "dot", text: call.ok ? "✔" : "✖" }),
              el("span", { class: "when", text: when(call.at) }),
              el("span", { class: "what", text: callText(call) }),
              call.ok ? null : el("code", { class: "code", text: call.reason }),
            ],
          );
        }),
      );
      byId("calls-empty").hidden = view.recent.length > 0;
    }
  }
`;
