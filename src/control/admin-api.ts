/**
 * The admin API (docs/contract.md), mounted at `/admin/api`: a thin HTTP mapping of `HarnessControl`
 * (harness-control.ts), served by `LocalControl`. Each route reads its parameters and body, calls
 * the control surface and sends its JSON view; a `RefusedError` becomes a 4xx `{error, detail}`
 * (never a 500). URLs in answers are built from the Host the request used, so a harness reached
 * through a mapped port or another host name describes itself as the caller sees it.
 * OpenAPI: `GET /admin/api/openapi.json` (openapi.ts).
 */
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { TimeFormatError } from "../core/clock.js";
import { type RefusalKind, RefusedError } from "../core/errors.js";
import type { Environment } from "../core/events.js";
import type { Slot } from "../sts/rollover.js";
import type { LocalBoard } from "./board/board.js";
import { mountBoardRoutes } from "./board/board-api.js";
import type { NewSystemUser, SystemUserChanges, WspTrustInput } from "./harness-control.js";
import { allowOnly, badRequest, objectBody } from "./http-input.js";
import type { LocalControl } from "./local-control.js";
import { openApiDocument } from "./openapi.js";

export interface AdminDeps {
  control: LocalControl;
  /** The trainer board's endpoints (client, timeline, event stream, scenarios): board/board-api.ts. */
  board?: LocalBoard;
}

const UPLOAD_LIMIT = "1mb";

/** The HTTP status of each kind of refusal. */
export const REFUSAL_STATUS: Readonly<Record<RefusalKind, number>> = {
  invalid: 400,
  "not-found": 404,
  conflict: 409,
  unprocessable: 422,
};

export function adminRouter(deps: AdminDeps): Router {
  const router = express.Router();
  const json = express.json({ type: () => true, limit: "100kb", strict: true });
  const raw = express.raw({ type: () => true, limit: UPLOAD_LIMIT });

  /** The control surface describing URLs as this request reached the harness. */
  const control = (req: Request) => deps.control.at(`${req.protocol}://${req.get("host") ?? "localhost"}`);
  const id = (req: Request) => req.params.id as string;
  const env = (req: Request) => req.params.env as Environment;
  const slot = (req: Request) => req.params.slot as Slot;
  const bytes = (req: Request) => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

  router.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument);
  });

  // --- environments ----------------------------------------------------------------------------

  router.get("/environments", async (req, res) => {
    const c = control(req);
    res.json({
      environments: await Promise.all((["integration", "production"] as const).map((e) => c.environment(e))),
    });
  });
  router.get("/environments/:env", async (req, res) => {
    res.json(await control(req).environment(env(req)));
  });
  router.get("/environments/:env/client-endpoints", async (req, res) => {
    res.json(await control(req).clientEndpoints(env(req)));
  });
  router.get("/environments/:env/wsps", async (req, res) => {
    res.json({ wsps: await control(req).wsps(env(req)) });
  });
  router.post("/environments/:env/wsps", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["entityId", "certificatePem", "url", "tlsCaPem"]);
    res.status(201).json(await control(req).registerWsp(env(req), body as { entityId: string }));
  });
  router.get("/environments/:env/wsp-trust", async (req, res) => {
    res.json(await control(req).wspTrust(env(req)));
  });
  router.put("/environments/:env/wsp-trust", json, async (req, res) => {
    res.json(await control(req).setWspTrust(env(req), objectBody(req) as WspTrustInput));
  });
  router.post("/sts/:env/rotate-signing-certificate", async (req, res) => {
    res.json(await control(req).rotateStsSigningCertificate(env(req)));
  });

  // --- system users ----------------------------------------------------------------------------

  router.get("/system-users", async (req, res) => {
    res.json({ systemUsers: await control(req).systemUsers() });
  });
  router.post("/system-users", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["name", "cvr", "entityId", "privileges", "id"]);
    if (body.id !== undefined && typeof body.id !== "string")
      throw badRequest("id must be a string when given");
    const user = await control(req).createSystemUser(body as unknown as NewSystemUser);
    res
      .status(201)
      .location(`${req.protocol}://${req.get("host") ?? "localhost"}/admin/api/system-users/${user.id}`)
      .json(user);
  });
  router.get("/system-users/:id", async (req, res) => {
    res.json(await control(req).systemUser(id(req)));
  });
  router.patch("/system-users/:id", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["name", "cvr", "entityId", "privileges"]);
    res.json(await control(req).updateSystemUser(id(req), body as SystemUserChanges));
  });
  router.delete("/system-users/:id", async (req, res) => {
    await control(req).deleteSystemUser(id(req));
    res.status(204).end();
  });
  router.put("/system-users/:id/certificates/:env/:slot", raw, async (req, res) => {
    res.json(await control(req).uploadCertificate(id(req), env(req), slot(req), bytes(req)));
  });
  router.delete("/system-users/:id/certificates/:env/:slot", async (req, res) => {
    res.json(await control(req).removeCertificate(id(req), env(req), slot(req)));
  });
  router.post("/system-users/:id/save", async (req, res) => {
    res.json(await control(req).save(id(req)));
  });
  router.post("/system-users/:id/provision/:env", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["at"]);
    res.json(await control(req).provision(id(req), env(req), body as { at?: string }));
  });

  // --- certificates, trust anchors --------------------------------------------------------------

  router.post("/certificates/revoke", raw, async (req, res) => {
    res.json(await control(req).revokeCertificate(bytes(req)));
  });
  router.get("/certificates/revoked", async (req, res) => {
    res.json({ revoked: await control(req).revokedCertificates() });
  });
  router.get("/trust-anchors", async (req, res) => {
    res.json({ trustAnchors: await control(req).trustAnchors() });
  });
  router.post("/trust-anchors", raw, async (req, res) => {
    const result = await control(req).addTrustAnchors(bytes(req));
    res.status(result.added.length > 0 ? 201 : 200).json(result);
  });

  // --- settings, events, clock ------------------------------------------------------------------

  router.get("/settings", async (req, res) => {
    res.json(await control(req).settings());
  });
  router.put("/settings", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["policy"]);
    const c = control(req);
    res.json(body.policy !== undefined ? await c.setPolicy(body.policy as never) : await c.settings());
  });
  router.get("/events", async (req, res) => {
    const since = req.query.since;
    if (since !== undefined && (typeof since !== "string" || !/^\d{1,15}$/.test(since))) {
      throw badRequest(`since must be an event sequence number (0 or more); got ${JSON.stringify(since)}`);
    }
    res.json(await control(req).events(since === undefined ? 0 : Number(since)));
  });
  router.get("/clock", async (req, res) => {
    res.json(await control(req).clock());
  });
  router.post("/clock", json, async (req, res) => {
    const c = control(req);
    // A real clock is named as the reason before anything about the body.
    c.requireVirtualClock();
    const body = objectBody(req);
    allowOnly(body, ["set", "advance"]);
    const { set, advance } = body;
    if ((set === undefined) === (advance === undefined)) {
      throw badRequest('give exactly one of {"set": ISO time} or {"advance": duration like "10d"}');
    }
    if (set !== undefined && typeof set !== "string") throw badRequest("set must be an ISO 8601 time string");
    res.json(
      set !== undefined ? await c.setClock(set as string) : await c.advanceClock(advance as string | number),
    );
  });

  if (deps.board) mountBoardRoutes(router, deps.board);

  // --- errors ----------------------------------------------------------------------------------

  router.use((req, _res, next) => {
    next(
      new RefusedError(
        "not-found",
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
  if (error instanceof RefusedError) {
    return { status: REFUSAL_STATUS[error.kind], body: { error: error.reason, detail: error.message } };
  }
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
