/**
 * The admin API (docs/contract.md), mounted at `/admin/api`: what a NemLog-in administrator does
 * (systembrugere, certificate upload → save → provision), plus the harness's own controls
 * (WSP registrations, trust anchors, revocation, STS signing-certificate rotation, rollover
 * policy, events, the clock). JSON unless said otherwise; certificate uploads take the file as
 * the raw body (DER, PEM or bare base64). Bad input is a 4xx `{error, detail}`, never a 500.
 */
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { type Clock, parseDuration, parseTime, TimeFormatError, VirtualClock } from "../core/clock.js";
import { ENVIRONMENTS, type Environment, type EventLog, isEnvironment } from "../core/events.js";
import type { HarnessState } from "../harness/state.js";
import type { Certificate } from "../pki/index.js";
import { AdminError, certificateView, parseUpload, type Registry, systemUserView } from "../sts/registry.js";
import { isSlot, ROLLOVER_POLICIES, type RolloverPolicy, type Slot } from "../sts/rollover.js";
import type { StsTrust } from "../wsp/service.js";
import { openApiDocument } from "./openapi.js";

export interface AdminDeps {
  registry: Registry;
  state: HarnessState;
  clock: Clock;
  events: EventLog;
  /** The harness's base URL (e.g. `https://127.0.0.1:8080`); default: from the request's Host. */
  baseUrl?: () => string;
  /** Read-only settings shown by `GET /settings` (fault mode, sha1, skew …). */
  settings?: () => Record<string, unknown>;
  /** Which STS signing certificates the simulated SMDB trusts, per environment (mutable). */
  wspTrust?: Record<Environment, StsTrust>;
}

const UPLOAD_LIMIT = "1mb";

export function adminRouter(deps: AdminDeps): Router {
  const { registry, state, clock, events } = deps;
  const router = express.Router();
  const json = express.json({ type: () => true, limit: "100kb", strict: true });
  const raw = express.raw({ type: () => true, limit: UPLOAD_LIMIT });

  const base = (req: Request) => deps.baseUrl?.() ?? `${req.protocol}://${req.get("host") ?? "localhost"}`;

  router.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument);
  });

  // --- environments ----------------------------------------------------------------------------

  const environmentView = (req: Request, env: Environment) => {
    const identity = state.environment(env);
    return {
      env,
      stsUrl: `${base(req)}/${env}/SecurityTokenService.svc`,
      stsEndpointReference: identity.stsEndpointReference,
      stsCertificatePem: identity.stsSigning.certificate.pem,
      stsCertificateSha256: identity.stsSigning.certificate.sha256,
      stsCertificateHistory: identity.stsHistory.map((c) => ({ sha256: c.sha256, pem: c.pem })),
      wspUrl: `${base(req)}/${env}/smdb`,
      wspEntityId: identity.wspEntityId,
      wspCertificatePem: identity.wsp.certificate.pem,
      wspCertificateSha256: identity.wsp.certificate.sha256,
    };
  };

  router.get("/environments", (req, res) => {
    res.json({ environments: ENVIRONMENTS.map((env) => environmentView(req, env)) });
  });

  router.get("/environments/:env", (req, res) => {
    res.json(environmentView(req, envParam(req)));
  });

  router.get("/environments/:env/wsps", (req, res) => {
    const env = envParam(req);
    res.json({
      wsps: registry.wsps(env).map((w) => ({
        entityId: w.entityId,
        builtIn: w.builtIn,
        certificate: certificateView(w.encryptionCertificate),
      })),
    });
  });

  router.post("/environments/:env/wsps", json, async (req, res) => {
    const env = envParam(req);
    const body = objectBody(req);
    const entityId = body.entityId;
    if (typeof entityId !== "string" || entityId.trim() === "" || /\s/.test(entityId)) {
      throw new AdminError(
        400,
        "BAD_REQUEST",
        `entityId must be the WSP's entity ID, a URI without spaces (the AppliesTo address clients ask for); got ${JSON.stringify(entityId)}`,
      );
    }
    let certificate: Certificate;
    let privateKeyPem: string | undefined;
    if (body.certificatePem === undefined) {
      const credential = await state.issueWspCredential(entityId);
      certificate = credential.certificate;
      privateKeyPem = credential.key.privateKeyPem;
    } else if (typeof body.certificatePem === "string") {
      certificate = parseUpload(Buffer.from(body.certificatePem, "utf8"), "certificatePem");
    } else {
      throw new AdminError(
        400,
        "BAD_REQUEST",
        "certificatePem must be a PEM certificate as a string, or left out",
      );
    }
    const wsp = await registry.registerWsp(env, entityId, certificate);
    res.status(201).json({
      env,
      entityId: wsp.entityId,
      certificatePem: certificate.pem,
      certificateSha256: certificate.sha256,
      ...(privateKeyPem ? { privateKeyPem } : {}),
    });
  });

  const trustView = (env: Environment) => {
    const trust = deps.wspTrust?.[env] ?? { mode: "current" };
    return trust.mode === "subject-and-chain"
      ? { mode: trust.mode, subjects: trust.subjects, anchors: trust.anchors.map((c) => c.sha256) }
      : trust;
  };

  router.get("/environments/:env/wsp-trust", (req, res) => {
    res.json(trustView(envParam(req)));
  });

  router.put("/environments/:env/wsp-trust", json, (req, res) => {
    const env = envParam(req);
    if (!deps.wspTrust)
      throw new AdminError(409, "NOT_CONFIGURABLE", "this harness has no SMDB whose trust can be set");
    const body = objectBody(req);
    const mode = body.mode;
    const strings = (value: unknown, field: string): string[] => {
      if (
        !Array.isArray(value) ||
        value.length === 0 ||
        !value.every((v) => typeof v === "string" && v.trim() !== "")
      ) {
        throw new AdminError(
          400,
          "BAD_REQUEST",
          `${field} must be a non-empty list of strings for mode ${String(mode)}`,
        );
      }
      return value as string[];
    };
    let trust: StsTrust;
    if (mode === "current") {
      allowOnly(body, ["mode"]);
      trust = { mode };
    } else if (mode === "pin-thumbprint") {
      allowOnly(body, ["mode", "thumbprints"]);
      const thumbprints = strings(body.thumbprints, "thumbprints").map((t) =>
        t.replace(/[\s:]/g, "").toUpperCase(),
      );
      const bad = thumbprints.filter((t) => !/^(?:[0-9A-F]{40}|[0-9A-F]{64})$/.test(t));
      if (bad.length > 0) {
        throw new AdminError(
          400,
          "BAD_REQUEST",
          `thumbprints must be SHA-1 (40 hex digits) or SHA-256 (64 hex digits); not: ${bad.join(", ")}`,
        );
      }
      trust = { mode, thumbprints };
    } else if (mode === "subject-and-chain") {
      allowOnly(body, ["mode", "subjects"]);
      trust = { mode, subjects: strings(body.subjects, "subjects"), anchors: state.caCertificates() };
    } else {
      throw new AdminError(
        400,
        "BAD_REQUEST",
        `mode must be "current", "pin-thumbprint" (with thumbprints) or "subject-and-chain" (with subjects); got ${JSON.stringify(mode)}`,
      );
    }
    deps.wspTrust[env] = trust;
    events.append({
      env,
      step: null,
      component: "admin",
      outcome: "ok",
      reason: "WSP_TRUST_CHANGED",
      detail: `the ${env} SMDB now trusts ${trust.mode === "current" ? "the STS's current signing certificate" : trust.mode === "pin-thumbprint" ? `only the pinned thumbprints ${trust.thumbprints.join(", ")}` : `STS certificates with subject ${trust.subjects.join(" or ")} under the test CA`}`,
    });
    res.json(trustView(env));
  });

  router.post("/sts/:env/rotate-signing-certificate", async (req, res) => {
    const env = envParam(req);
    const { previous, current } = await state.rotateStsSigningCertificate(env, events);
    res.json({
      env,
      previousSha256: previous.sha256,
      currentSha256: current.sha256,
      certificatePem: current.pem,
    });
  });

  // --- system users ----------------------------------------------------------------------------

  router.get("/system-users", (_req, res) => {
    const now = clock.nowMs();
    res.json({ systemUsers: registry.systemUsers().map((u) => systemUserView(registry, u, now)) });
  });

  router.post("/system-users", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["name", "cvr", "entityId", "privileges", "id"]);
    if (body.id !== undefined && typeof body.id !== "string") {
      throw new AdminError(400, "BAD_REQUEST", "id must be a string when given");
    }
    const user = await registry.createSystemUser(body as never);
    res
      .status(201)
      .location(`${base(req)}/admin/api/system-users/${user.identity.id}`)
      .json(systemUserView(registry, user, clock.nowMs()));
  });

  router.get("/system-users/:id", (req, res) => {
    res.json(systemUserView(registry, registry.systemUser(req.params.id as string), clock.nowMs()));
  });

  router.patch("/system-users/:id", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["name", "cvr", "entityId", "privileges"]);
    const user = await registry.updateSystemUser(req.params.id as string, body);
    res.json(systemUserView(registry, user, clock.nowMs()));
  });

  router.delete("/system-users/:id", async (req, res) => {
    await registry.deleteSystemUser(req.params.id as string);
    res.status(204).end();
  });

  router.put("/system-users/:id/certificates/:env/:slot", raw, async (req, res) => {
    const id = req.params.id as string;
    registry.systemUser(id);
    const env = envParam(req);
    const slot = slotParam(req);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const cert = await registry.uploadCertificate(id, env, slot, body, `the ${slot} certificate for ${env}`);
    res.json({
      env,
      slot,
      certificate: certificateView(cert, clock.nowMs()),
      systemUser: systemUserView(registry, registry.systemUser(id), clock.nowMs()),
    });
  });

  router.delete("/system-users/:id/certificates/:env/:slot", async (req, res) => {
    const id = req.params.id as string;
    registry.systemUser(id);
    await registry.removeCertificate(id, envParam(req), slotParam(req));
    res.json(systemUserView(registry, registry.systemUser(id), clock.nowMs()));
  });

  router.post("/system-users/:id/save", async (req, res) => {
    const user = await registry.save(req.params.id as string);
    res.json(systemUserView(registry, user, clock.nowMs()));
  });

  router.post("/system-users/:id/provision/:env", json, async (req, res) => {
    const id = req.params.id as string;
    registry.systemUser(id);
    const env = envParam(req);
    const body = objectBody(req);
    allowOnly(body, ["at"]);
    let atMs: number | undefined;
    if (body.at !== undefined && body.at !== null) {
      if (typeof body.at !== "string") {
        throw new AdminError(
          400,
          "BAD_REQUEST",
          `at must be an ISO 8601 time or a relative duration like "+10d"`,
        );
      }
      atMs = inRange(parseTime(body.at, clock.nowMs()), "at");
    }
    await registry.provision(id, env, atMs);
    res.json(systemUserView(registry, registry.systemUser(id), clock.nowMs()));
  });

  // --- certificates, trust anchors --------------------------------------------------------------

  router.post("/certificates/revoke", raw, async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const entry = await registry.revoke(body, "the certificate to revoke");
    res.json({
      sha256: entry.sha256,
      subject: entry.subject,
      revokedAt: new Date(entry.revokedAtMs).toISOString(),
    });
  });

  router.get("/certificates/revoked", (_req, res) => {
    res.json({
      revoked: registry.revoked().map((r) => ({
        sha256: r.sha256,
        subject: r.subject,
        revokedAt: new Date(r.revokedAtMs).toISOString(),
      })),
    });
  });

  router.get("/trust-anchors", (_req, res) => {
    const added = new Set(registry.addedTrustAnchors().map((c) => c.sha256));
    res.json({
      trustAnchors: registry
        .trustAnchors()
        .map((c) => ({ builtIn: !added.has(c.sha256), ...certificateView(c) })),
    });
  });

  router.post("/trust-anchors", raw, async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const { added, known } = await registry.addTrustAnchors(body, "the trust anchor");
    res.status(added.length > 0 ? 201 : 200).json({
      added: added.map((c) => certificateView(c)),
      alreadyTrusted: known.map((c) => c.sha256),
    });
  });

  // --- settings, events, clock ------------------------------------------------------------------

  const settingsView = () => ({
    policy: registry.policy,
    policies: ROLLOVER_POLICIES,
    virtualClock: clock instanceof VirtualClock,
    ...(deps.settings?.() ?? {}),
  });

  router.get("/settings", (_req, res) => {
    res.json(settingsView());
  });

  router.put("/settings", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["policy"]);
    if (body.policy !== undefined) await registry.setPolicy(body.policy as RolloverPolicy);
    res.json(settingsView());
  });

  router.get("/events", (req, res) => {
    const since = req.query.since;
    let seq = 0;
    if (since !== undefined) {
      if (typeof since !== "string" || !/^\d{1,15}$/.test(since)) {
        throw new AdminError(
          400,
          "BAD_REQUEST",
          `since must be an event sequence number (0 or more); got ${JSON.stringify(since)}`,
        );
      }
      seq = Number(since);
    }
    res.json({ events: events.since(seq), lastSeq: events.lastSeq });
  });

  const clockView = () => ({
    now: clock.now().toISOString(),
    nowMs: clock.nowMs(),
    virtual: clock instanceof VirtualClock,
  });

  router.get("/clock", (_req, res) => {
    res.json(clockView());
  });

  router.post("/clock", json, (req, res) => {
    if (!(clock instanceof VirtualClock)) {
      throw new AdminError(
        409,
        "CLOCK_NOT_VIRTUAL",
        "the harness runs on the real clock, which cannot be set; start it with a virtual clock (`up --virtual-clock 2026-01-01T00:00:00Z`) to set or advance time",
      );
    }
    const body = objectBody(req);
    allowOnly(body, ["set", "advance"]);
    const { set, advance } = body;
    if ((set === undefined) === (advance === undefined)) {
      throw new AdminError(
        400,
        "BAD_REQUEST",
        'give exactly one of {"set": ISO time} or {"advance": duration like "10d"}',
      );
    }
    const before = clock.nowMs();
    if (set !== undefined) {
      if (typeof set !== "string")
        throw new AdminError(400, "BAD_REQUEST", "set must be an ISO 8601 time string");
      clock.set(inRange(parseTime(set, before), "set"));
    } else {
      if (typeof advance !== "string" && typeof advance !== "number") {
        throw new AdminError(
          400,
          "BAD_REQUEST",
          'advance must be a duration like "10d", "+1h30m" or milliseconds',
        );
      }
      const text = typeof advance === "number" ? advance : /^[+-]/.test(advance) ? advance : `+${advance}`;
      if (typeof text === "number" && !Number.isFinite(text)) {
        throw new AdminError(400, "BAD_REQUEST", "advance must be a finite number of milliseconds");
      }
      clock.set(inRange(before + (typeof text === "number" ? text : parseDuration(text)), "advance"));
    }
    events.append({
      env: null,
      step: null,
      component: "clock",
      outcome: "ok",
      reason: set !== undefined ? "CLOCK_SET" : "CLOCK_ADVANCED",
      detail: `virtual clock ${new Date(before).toISOString()} → ${clock.now().toISOString()}`,
    });
    res.json(clockView());
  });

  // --- errors ----------------------------------------------------------------------------------

  router.use((req, _res, next) => {
    next(
      new AdminError(
        404,
        "NOT_FOUND",
        `no admin API endpoint ${req.method} ${req.baseUrl}${req.path}; see ${req.baseUrl}/openapi.json`,
      ),
    );
  });

  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, body } = errorResponse(error);
    res.status(status).json(body);
  });

  return router;
}

/** Maps an error to the admin API's `{error, detail}` answer. */
export function errorResponse(error: unknown): { status: number; body: { error: string; detail: string } } {
  if (error instanceof AdminError)
    return { status: error.status, body: { error: error.reason, detail: error.message } };
  if (error instanceof TimeFormatError)
    return { status: 400, body: { error: "BAD_TIME", detail: error.message } };
  const e = error as { type?: string; status?: number; statusCode?: number; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (e?.type === "entity.parse.failed") {
    return {
      status: 400,
      body: { error: "MALFORMED_JSON", detail: `the body is not valid JSON: ${e.message}` },
    };
  }
  if (e?.type === "entity.too.large") {
    return { status: 413, body: { error: "BODY_TOO_LARGE", detail: `the body is too large (${e.message})` } };
  }
  if (typeof status === "number" && status >= 400 && status < 500) {
    return {
      status,
      body: {
        error: e.type ? e.type.toUpperCase().replace(/\W+/g, "_") : "BAD_REQUEST",
        detail: String(e.message),
      },
    };
  }
  return {
    status: 500,
    body: { error: "INTERNAL_ERROR", detail: error instanceof Error ? error.message : String(error) },
  };
}

const MIN_TIME_MS = Date.parse("1950-01-01T00:00:00Z");
const MAX_TIME_MS = Date.parse("9999-12-31T23:59:59Z");

/** Harness times stay within years 1950–9999 (X.509 can express them; Date can print them). */
function inRange(ms: number, field: string): number {
  if (!Number.isFinite(ms) || ms < MIN_TIME_MS || ms > MAX_TIME_MS) {
    throw new AdminError(
      400,
      "BAD_TIME",
      `${field} leads to a time outside 1950-01-01 … 9999-12-31 (${Number.isFinite(ms) ? `${ms} ms since the epoch` : String(ms)}); give a time within that range`,
    );
  }
  return ms;
}

function envParam(req: Request): Environment {
  const env = req.params.env;
  if (!isEnvironment(env)) {
    throw new AdminError(
      404,
      "UNKNOWN_ENVIRONMENT",
      `there is no environment "${env}"; use integration or production`,
    );
  }
  return env;
}

function slotParam(req: Request): Slot {
  const slot = req.params.slot;
  if (!isSlot(slot)) {
    throw new AdminError(404, "UNKNOWN_SLOT", `there is no certificate slot "${slot}"; use current or next`);
  }
  return slot;
}

function objectBody(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body) || Buffer.isBuffer(body)) {
    throw new AdminError(400, "BAD_REQUEST", "the body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

function allowOnly(body: Record<string, unknown>, allowed: string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new AdminError(
      400,
      "BAD_REQUEST",
      `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")}; allowed: ${allowed.join(", ")}`,
    );
  }
}
