/**
 * The NemLog-in side of the board, in NemLog-in's order: IT-systemudbyder → Systembrugere → the
 * systembruger → Tekniske oplysninger, production first. Per environment and slot the draft
 * ("Kladde", where uploads go), the saved set ("Gemt") and the provisioned set (what the STS
 * uses) with the STS's own verdict on each provisioned certificate (`data-status`); then "Gem
 * tekniske oplysninger", "Provisioner til integrationstest" and "Provisioner til produktion",
 * which act at once. Controls are made once per systembruger and kept across refreshes; only the
 * data beside them is redrawn, and only when it changed.
 */
export const NEMLOGIN_SCRIPT = String.raw`
  var cards = new Map();
  var clientStore = [];

  /** A certificate in three short lines: its CN; thumbprint and expiry; the STS's verdict and actions. */
  function certBox(cert, options) {
    if (!cert) return el("span", { class: "muted", text: t("noneShort") });
    var badges = [];
    var status = options.status;
    var isRevoked = options.revoked[cert.sha256];
    if (isRevoked) {
      // The STS's verdict on a provisioned certificate is always on a badge's data-status.
      badges.push(
        el("span", {
          class: "badge bad",
          "data-status": status && status.status === "CERT_REVOKED" ? "CERT_REVOKED" : null,
          text: t("revoked"),
        }),
      );
    }
    if (status && !(status.status === "CERT_REVOKED" && isRevoked)) {
      badges.push(
        el("span", {
          class: "badge " + (status.accepted ? "ok" : "bad"),
          "data-status": status.status,
          title: status.status,
          text: status.accepted ? "✔ " + t("accepted") : "✖ " + (reasonText(status.status) || status.status),
        }),
      );
    }
    if (options.onRemove) badges.push(el("button", { type: "button", class: "tiny remove", text: t("remove"), onclick: options.onRemove }));
    if (options.onRevoke && !isRevoked) badges.push(el("button", { type: "button", class: "tiny revoke", text: t("revoke"), onclick: options.onRevoke }));
    return el("div", { class: "cert", "data-sha256": cert.sha256, title: cert.subject + "\nSHA-256 " + cert.sha256 }, [
      el("div", { class: "cn", text: commonName(cert.subject) }),
      el("div", {
        class: "small" + (cert.validNow === false ? " warn" : ""),
        text: shortSha(cert.sha256) + " · " + (cert.validNow === false ? "⚠ " : "") + t("validTo", { at: when(cert.notAfter) }),
      }),
      badges.length ? el("div", { class: "badges" }, badges) : null,
    ]);
  }

  function uploadPath(card, env, slot) {
    return "/system-users/" + encodeURIComponent(card.id) + "/certificates/" + env + "/" + slot;
  }

  /** "Vælg .cer" (a file) or a certificate from the client's store (its public part), into the draft. */
  function uploadControl(card, env, slot) {
    var msg = el("div", { class: "msg", role: "status" });
    var input = el("input", {
      type: "file",
      class: "file",
      accept: ".cer,.crt,.pem,.der,.p12,.pfx",
      "aria-label": t("chooseFileLabel", { slot: t("slot." + slot), env: envLabel(env) }),
    });
    var button = el("label", { class: "file-button" }, [el("span", { text: t("chooseFile") }), input]);
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) return;
      act(input, msg, function () {
        return api("PUT", uploadPath(card, env, slot), file);
      }, function (r) {
        return t("uploaded", { file: file.name, sha: shortSha(r.certificate.sha256) });
      }).then(function () {
        input.value = "";
      });
    });
    var select = el("select", {
      class: "from-client",
      "aria-label": t("fromClientLabel", { slot: t("slot." + slot), env: envLabel(env) }),
    });
    select.addEventListener("change", function () {
      var cert = clientStore.filter(function (c) {
        return c.id === select.value;
      })[0];
      select.value = "";
      if (!cert) return;
      act(select, msg, function () {
        return api("PUT", uploadPath(card, env, slot), cert.pem, "application/x-pem-file");
      }, function (r) {
        return t("uploaded", { file: commonName(cert.subject), sha: shortSha(r.certificate.sha256) });
      });
    });
    card.storeSelects.push(select);
    return el("div", { class: "upload-control" }, [el("div", { class: "upload-row" }, [button, select]), msg]);
  }

  function fillStoreSelect(select) {
    var key = clientStore.map(function (c) {
      return c.id;
    }).join(",");
    if (select.getAttribute("data-key") === key) return;
    select.setAttribute("data-key", key);
    fill(
      select,
      [el("option", { value: "", text: t("fromClient") })].concat(
        clientStore.map(function (c) {
          return el("option", { value: c.id, text: (c.label ? certName(c.label) + ": " : "") + commonName(c.subject) + " · " + shortSha(c.sha256) });
        }),
      ),
    );
  }

  function createCard(id) {
    var card = { id: id, key: "", envs: {}, storeSelects: [] };
    card.name = el("span", { class: "name" });
    card.meta = el("span", { class: "meta" });
    card.msg = el("div", { class: "msg", role: "status" });
    var save = el("button", { type: "button", class: "save primary", text: t("save") });
    save.addEventListener("click", function () {
      act(save, card.msg, function () {
        return api("POST", "/system-users/" + encodeURIComponent(id) + "/save");
      }, t("savedDone"));
    });
    var at = el("input", {
      type: "text",
      class: "activate-at",
      placeholder: t("activateAtPlaceholder"),
      "aria-label": t("activateAtLabel"),
    });
    // NemLog-in's order: save, integration test, production.
    var provisionButtons = ["integration", "production"].map(function (env) {
      var button = el("button", { type: "button", class: "provision primary", "data-env": env, text: t("provision." + env) });
      button.addEventListener("click", function () {
        var value = at.value.trim();
        act(button, card.msg, function () {
          return api("POST", "/system-users/" + encodeURIComponent(id) + "/provision/" + env, value ? { at: value } : {});
        }, t("provisionedDone", { env: envLabel(env).toLowerCase() }));
      });
      return button;
    });
    var envs = el("div", { class: "envs" });
    card.root = el("section", { class: "user", "data-user-id": id }, [
      el("h3", {}, [card.name, " ", card.meta]),
      envs,
      el("div", { class: "user-actions" }, [save].concat(provisionButtons, [
        at,
        el("span", { class: "note", title: t("provisionNoteTitle"), text: "⚠ " + t("provisionNote") }),
      ])),
      card.msg,
    ]);
    ENVS.forEach(function (env) {
      var part = { cells: {} };
      part.warnings = el("div", { class: "warnings" });
      part.info = el("span", { class: "small info" });
      var tbody = el("tbody");
      SLOTS.forEach(function (slot) {
        var cells = {
          draft: el("div", { class: "cert-slot" }),
          saved: el("td", { class: "saved" }),
          provisioned: el("td", { class: "provisioned" }),
        };
        part.cells[slot] = cells;
        tbody.append(
          el("tr", { "data-slot": slot }, [
            el("th", { text: t("slot." + slot) }),
            el("td", { class: "draft" }, [cells.draft, uploadControl(card, env, slot)]),
            cells.saved,
            cells.provisioned,
          ]),
        );
      });
      part.root = el("div", { class: "env", "data-env": env }, [
        el("div", { class: "env-head" }, [el("b", { text: envLabel(env) }), " ", part.info, part.warnings]),
        el("table", { class: "certs" }, [
          el("thead", {}, [
            el("tr", {}, [
              el("th", {}),
              el("th", { text: t("colDraft") }),
              el("th", { text: t("colSaved") }),
              el("th", { text: t("colProvisioned") }),
            ]),
          ]),
          tbody,
        ]),
      ]);
      card.envs[env] = part;
      envs.append(part.root);
    });
    cards.set(id, card);
    return card;
  }

  function revokeHandler(cert, msg) {
    return function (event) {
      var button = event.currentTarget;
      act(button, msg, function () {
        return api("POST", "/certificates/revoke", cert.pem, "application/x-pem-file");
      }, t("revokedDone", { cn: commonName(cert.subject) }));
    };
  }

  function updateCard(card, user, revoked, revokedKey, policy) {
    card.storeSelects.forEach(fillStoreSelect);
    var key = JSON.stringify(user) + revokedKey + policy;
    if (key === card.key) return;
    card.key = key;
    card.name.textContent = user.name;
    card.meta.textContent = "CVR " + user.cvr + " · " + user.entityId;
    ENVS.forEach(function (env) {
      var part = card.envs[env];
      var status = user.status[env];
      var provisioned = user.provisioned[env];
      var warnings = [];
      if (status.unsavedChanges) {
        warnings.push(el("div", { class: "warning", "data-warning": "unsaved", text: "⚠ " + t("warnUnsaved") }));
      }
      if (status.savedNotProvisioned) {
        warnings.push(
          el("div", {
            class: "warning",
            "data-warning": "not-provisioned",
            text: "⚠ " + t("warnNotProvisioned", { env: envLabel(env).toLowerCase(), button: t("provision." + env) }),
          }),
        );
      }
      fill(part.warnings, warnings);
      part.root.classList.toggle("has-warning", warnings.length > 0);
      SLOTS.forEach(function (slot) {
        var cells = part.cells[slot];
        var draftCert = user.draft[env] && user.draft[env][slot];
        cells.draft.replaceChildren(
          certBox(draftCert, {
            revoked: revoked,
            onRemove: function (event) {
              var button = event.currentTarget;
              act(button, card.msg, function () {
                return api("DELETE", uploadPath(card, env, slot));
              }, t("removedDone"));
            },
          }),
        );
        cells.saved.replaceChildren(certBox(user.saved[env] && user.saved[env][slot], { revoked: revoked }));
        var provisionedCert = provisioned && provisioned[slot];
        var slotStatus = provisionedCert
          ? status.slots.filter(function (s) {
              return s.slot === slot;
            })[0]
          : undefined;
        cells.provisioned.replaceChildren(
          certBox(provisionedCert, {
            revoked: revoked,
            status: slotStatus,
            onRevoke: provisionedCert ? revokeHandler(provisionedCert, card.msg) : undefined,
          }),
        );
      });
      var info = [];
      if (provisioned) {
        info.push(t("provisionedAt", { at: when(provisioned.provisionedAt) }));
        if (provisioned.activateAt) {
          info.push(
            t("activatesAt", { at: when(provisioned.activateAt) }) +
              (status.policy === "immediate" ? "" : " " + t("activatesIgnored", { policy: t("policy." + status.policy) })),
          );
        }
        if (status.nextChangeAt) info.push(t("changesAt", { at: when(status.nextChangeAt) }));
      } else {
        info.push(t("neverProvisioned", { env: envLabel(env).toLowerCase() }));
      }
      part.info.textContent = info.join(" · ");
    });
  }

  function renderUsers(list, revokedList, focusId, policy) {
    var container = byId("users");
    var revoked = {};
    revokedList.forEach(function (r) {
      revoked[r.sha256] = true;
    });
    var revokedKey = Object.keys(revoked).sort().join(",");
    // The systembruger the board follows comes first.
    var ordered = list.slice().sort(function (a, b) {
      return (b.id === focusId ? 1 : 0) - (a.id === focusId ? 1 : 0);
    });
    var seen = {};
    ordered.forEach(function (user, index) {
      seen[user.id] = true;
      var card = cards.get(user.id) || createCard(user.id);
      updateCard(card, user, revoked, revokedKey, policy);
      card.root.classList.toggle("focus", user.id === focusId);
      if (container.children[index] !== card.root) container.insertBefore(card.root, container.children[index] || null);
    });
    cards.forEach(function (card, id) {
      if (!seen[id]) {
        card.root.remove();
        cards.delete(id);
      }
    });
    byId("users-empty").hidden = list.length > 0;
    var focus = ordered[0];
    byId("crumb-user").textContent = focus ? focus.name : "…";
    var chips = byId("user-chips");
    var chipKey = ordered.map(function (u) {
      return u.id + "=" + u.name;
    }).join("|");
    if (chips.getAttribute("data-key") !== chipKey) {
      chips.setAttribute("data-key", chipKey);
      fill(
        chips,
        ordered.map(function (user) {
          return el("button", {
            type: "button",
            class: "chip",
            "data-user-id": user.id,
            text: user.name,
            onclick: function () {
              var card = cards.get(user.id);
              if (card) card.root.scrollIntoView({ block: "start" });
            },
          });
        }),
      );
    }
    byId("users-count").textContent = t("usersCount", { n: list.length });
  }

  function buildCreateForm() {
    var form = byId("create-user");
    byId("create-toggle").addEventListener("click", function () {
      form.hidden = !form.hidden;
      if (!form.hidden) form.elements.namedItem("name").focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      var body = {
        name: form.elements.namedItem("name").value,
        cvr: form.elements.namedItem("cvr").value.trim(),
        entityId: form.elements.namedItem("entityId").value.trim(),
      };
      act(button, byId("create-msg"), async function () {
        var user = await api("POST", "/system-users", body);
        form.reset();
        return user;
      }, function (user) {
        return t("userCreated", { id: user.id });
      });
    });
  }
`;
