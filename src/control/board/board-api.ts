/**
 * The board's part of the admin API (mounted by admin-api.ts under `/admin/api`): a thin HTTP
 * mapping of `LocalBoard` — the event stream (server-sent events), the board's client, the
 * timeline, the board's clock moves, the inspector and the scenario player. Refusals are
 * `RefusedError`s, turned into 4xx `{error, detail}` by the admin API's error handler.
 *
 *   GET    /events/stream?since=SEQ            text/event-stream of events (`event: harness-event`)
 *   GET    /client                             the client: deployment, store, calls
 *   POST   /client/certificates                {issue: {systemUserId?, name?, …}} | {pkcs12, password, label?}
 *   GET    /client/certificates/{id}/certificate.cer   the public certificate (DER)
 *   PUT    /client/deployment                  {certificate, fallback?, environment?, …}
 *   POST   /client/rollback
 *   POST   /client/calls                       one call now
 *   PUT    /client/call-mode                   {mode: on-change|interval|manual, intervalMs?}
 *   POST   /client/trust-sts                   {environment?}
 *   GET    /board                              clock, followed systembruger, expiry target
 *   GET    /board/timeline                     lanes and downtime so far
 *   POST   /board/clock                        {advance}|{back}|{set}|{jump: "expiry"}|{reset: true}
 *   GET    /board/inspect/{seq}                the messages behind an event, failing element marked
 *   GET    /board/scenarios                    playable scenarios
 *   GET    /board/scenario                     the scenario being played (or null)
 *   POST   /board/scenario                     {name}: start it
 *   POST   /board/scenario/next                the next step
 *   DELETE /board/scenario                     stop playing
 */
import express, { type Request, type Response, type Router } from "express";
import { RefusedError } from "../../core/errors.js";
import type { Environment } from "../../core/events.js";
import type { LocalBoard } from "./board.js";
import type { ScenarioPlayer } from "./scenario-player.js";

const KEEP_ALIVE_MS = 15_000;

function badRequest(message: string): RefusedError {
  return new RefusedError("invalid", "BAD_REQUEST", message);
}

function objectBody(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body) || Buffer.isBuffer(body)) {
    throw badRequest("the body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

function allowOnly(body: Record<string, unknown>, allowed: string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw badRequest(
      `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")}; allowed: ${allowed.join(", ")}`,
    );
  }
}

function sequence(value: unknown, field: string): number {
  if (value === undefined) return 0;
  if (typeof value !== "string" || !/^\d{1,15}$/.test(value)) {
    throw badRequest(`${field} must be an event sequence number (0 or more); got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** Adds the board's routes to the admin API's router. */
export function mountBoardRoutes(router: Router, board: LocalBoard): void {
  const json = express.json({ type: () => true, limit: "2mb", strict: true });
  const player = (): ScenarioPlayer => {
    if (!board.player) {
      throw new RefusedError(
        "not-found",
        "NO_SCENARIOS",
        "this harness has no scenarios to play (`smdb-harness up` offers the built-in ones)",
      );
    }
    return board.player;
  };

  // --- the event stream ------------------------------------------------------------------------

  router.get("/events/stream", (req: Request, res: Response) => {
    const lastEventId = req.get("last-event-id");
    const since =
      lastEventId !== undefined ? sequence(lastEventId, "Last-Event-ID") : sequence(req.query.since, "since");
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    const stop = board.watch(since, (event) => {
      res.write(`id: ${event.seq}\nevent: harness-event\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
    keepAlive.unref();
    const close = () => {
      clearInterval(keepAlive);
      stop();
    };
    req.on("close", close);
    res.on("close", close);
  });

  // --- the client ------------------------------------------------------------------------------

  router.get("/client", async (_req, res) => {
    await board.client.systemUserId();
    res.json(board.client.view());
  });
  router.post("/client/certificates", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["issue", "pkcs12", "password", "label"]);
    if (body.issue !== undefined) {
      const issue = body.issue;
      if (typeof issue !== "object" || issue === null || Array.isArray(issue))
        throw badRequest("issue must be an object");
      const i = issue as Record<string, unknown>;
      allowOnly(i, ["systemUserId", "cvr", "name", "label", "notBefore", "notAfter"]);
      const time = (v: unknown, field: string): number | undefined => {
        if (v === undefined) return undefined;
        const ms = typeof v === "string" ? Date.parse(v) : Number.NaN;
        if (Number.isNaN(ms))
          throw new RefusedError("invalid", "BAD_TIME", `${field} must be an ISO 8601 time`);
        return ms;
      };
      const str = (v: unknown, field: string): string | undefined => {
        if (v === undefined) return undefined;
        if (typeof v !== "string" || v.trim() === "") throw badRequest(`${field} must be a non-empty string`);
        return v;
      };
      const notBefore = time(i.notBefore, "notBefore");
      const notAfter = time(i.notAfter, "notAfter");
      const systemUserId = str(i.systemUserId, "systemUserId");
      const cvr = str(i.cvr, "cvr");
      const name = str(i.name, "name");
      const label = str(i.label ?? body.label, "label");
      const view = await board.client.issue({
        ...(systemUserId !== undefined ? { systemUserId } : {}),
        ...(cvr !== undefined ? { cvr } : {}),
        ...(name !== undefined ? { name } : {}),
        ...(label !== undefined ? { label } : {}),
        ...(notBefore !== undefined ? { notBefore } : {}),
        ...(notAfter !== undefined ? { notAfter } : {}),
      });
      res.status(201).json(view);
      return;
    }
    if (typeof body.pkcs12 !== "string" || typeof body.password !== "string") {
      throw badRequest(
        'give {"issue": {...}} to issue a certificate, or {"pkcs12": base64, "password": "…"} to add one',
      );
    }
    const bytes = Buffer.from(body.pkcs12, "base64");
    res
      .status(201)
      .json(
        board.client.importPkcs12(
          bytes,
          body.password,
          typeof body.label === "string" ? body.label : undefined,
        ),
      );
  });
  router.get("/client/certificates/:id/certificate.cer", (req, res) => {
    const cert = board.client.certificate(req.params.id as string);
    res
      .set({
        "content-type": "application/pkix-cert",
        "content-disposition": `attachment; filename="${cert.sha256.slice(0, 12).toLowerCase()}.cer"`,
      })
      .send(cert.der);
  });
  router.put("/client/deployment", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, [
      "certificate",
      "fallback",
      "environment",
      "stsEnvironment",
      "wspEnvironment",
      "skewMs",
      "operation",
    ]);
    if (
      body.operation !== undefined &&
      !["Ping", "IndberetForloeb", "HentForloeb"].includes(body.operation as string)
    )
      throw badRequest("operation must be Ping, IndberetForloeb or HentForloeb");
    res.json(await board.client.deploy(body as never));
  });
  router.post("/client/rollback", async (_req, res) => {
    res.json(await board.client.rollback());
  });
  router.post("/client/calls", async (_req, res) => {
    const call = await board.client.call();
    if (!call) {
      throw new RefusedError(
        "conflict",
        "NO_CLIENT_DEPLOYED",
        "the board's client has no certificate deployed yet",
      );
    }
    res.status(201).json(call);
  });
  router.put("/client/call-mode", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["mode", "intervalMs"]);
    board.client.setCallMode(body.mode, body.intervalMs);
    res.json(board.client.view());
  });
  router.post("/client/trust-sts", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["environment"]);
    res.json(await board.client.trustCurrentStsCertificate(body.environment as Environment | undefined));
  });

  // --- the board: timeline, clock, inspector -------------------------------------------------------

  router.get("/board", async (_req, res) => {
    res.json(await board.view());
  });
  router.get("/board/timeline", (_req, res) => {
    res.json(board.timelineView());
  });
  router.post("/board/clock", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["advance", "back", "set", "jump", "reset"]);
    for (const field of ["advance", "back", "set", "jump"] as const) {
      if (body[field] !== undefined && typeof body[field] !== "string")
        throw badRequest(`${field} must be a string`);
    }
    res.json(await board.moveClock(body as never));
  });
  router.get("/board/inspect/:seq", (req, res) => {
    res.json(board.inspect(sequence(req.params.seq, "seq")));
  });

  // --- the scenario player -----------------------------------------------------------------------

  router.get("/board/scenarios", async (_req, res) => {
    res.json({ scenarios: board.player ? await board.player.list() : [] });
  });
  router.get("/board/scenario", (_req, res) => {
    res.json(board.player?.view() ?? null);
  });
  router.post("/board/scenario", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["name"]);
    res.json(await player().start(body.name as string));
  });
  router.post("/board/scenario/next", async (_req, res) => {
    res.json(await player().next());
  });
  router.delete("/board/scenario", (_req, res) => {
    player().stop();
    res.status(204).end();
  });
}
