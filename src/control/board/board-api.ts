/**
 * The board's part of the admin API (mounted by admin-api.ts under `/admin/api`): a thin HTTP
 * mapping of `BoardControl` (board-control.ts) on the harness's `LocalBoard`, plus the event
 * stream (server-sent events). Each route reads its parameters and body, calls the control surface
 * and sends its JSON view; a `RefusedError` becomes a 4xx `{error, detail}` through the admin
 * API's error handler. OpenAPI: board-openapi.ts.
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
import { allowOnly, badRequest, objectBody } from "../http-input.js";
import type { LocalBoard } from "./board.js";
import { type DeployInput, type IssueInput, localBoardControl } from "./board-control.js";
import type { CallMode } from "./client-station.js";

const KEEP_ALIVE_MS = 15_000;

function strings(body: Record<string, unknown>, fields: string[]): void {
  for (const field of fields) {
    if (body[field] !== undefined && typeof body[field] !== "string")
      throw badRequest(`${field} must be a string`);
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
  const control = localBoardControl(board);

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
    res.json(await control.client());
  });
  router.post("/client/certificates", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["issue", "pkcs12", "password", "label"]);
    strings(body, ["pkcs12", "password", "label"]);
    if (body.issue !== undefined) {
      if (typeof body.issue !== "object" || body.issue === null || Array.isArray(body.issue))
        throw badRequest("issue must be an object");
      const issue = body.issue as Record<string, unknown>;
      allowOnly(issue, ["systemUserId", "cvr", "name", "label", "notBefore", "notAfter"]);
      strings(issue, ["systemUserId", "cvr", "name", "label", "notBefore", "notAfter"]);
      const input = { ...(body.label !== undefined ? { label: body.label } : {}), ...issue } as IssueInput;
      res.status(201).json(await control.issueClientCertificate(input));
      return;
    }
    if (body.pkcs12 === undefined || body.password === undefined) {
      throw badRequest(
        'give {"issue": {...}} to issue a certificate, or {"pkcs12": base64, "password": "…"} to add one',
      );
    }
    res
      .status(201)
      .json(
        await control.addClientPkcs12(
          Buffer.from(body.pkcs12 as string, "base64"),
          body.password as string,
          body.label as string | undefined,
        ),
      );
  });
  router.get("/client/certificates/:id/certificate.cer", async (req, res) => {
    const id = req.params.id as string;
    const der = await control.clientCertificateDer(id);
    res
      .set({
        "content-type": "application/pkix-cert",
        "content-disposition": `attachment; filename="${id
          .slice(0, 12)
          .toLowerCase()
          .replace(/[^0-9a-f]/g, "")}.cer"`,
      })
      .send(Buffer.from(der));
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
    if (body.skewMs !== undefined && typeof body.skewMs !== "number")
      throw badRequest("skewMs must be a number");
    res.json(await control.deployClient(body as DeployInput));
  });
  router.post("/client/rollback", async (_req, res) => {
    res.json(await control.rollBackClient());
  });
  router.post("/client/calls", async (_req, res) => {
    res.status(201).json(await control.callClient());
  });
  router.put("/client/call-mode", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["mode", "intervalMs"]);
    res.json(await control.setCallMode(body.mode as CallMode, body.intervalMs as number | undefined));
  });
  router.post("/client/trust-sts", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["environment"]);
    res.json(await control.clientTrustsCurrentStsCertificate(body.environment as DeployInput["environment"]));
  });

  // --- the board: timeline, clock, inspector -------------------------------------------------------

  router.get("/board", async (_req, res) => {
    res.json(await control.board());
  });
  router.get("/board/timeline", async (_req, res) => {
    res.json(await control.timeline());
  });
  router.post("/board/clock", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["advance", "back", "set", "jump", "reset"]);
    strings(body, ["advance", "back", "set", "jump"]);
    res.json(await control.moveClock(body));
  });
  router.get("/board/inspect/:seq", async (req, res) => {
    res.json(await control.inspect(sequence(req.params.seq, "seq")));
  });

  // --- the scenario player -----------------------------------------------------------------------

  router.get("/board/scenarios", async (_req, res) => {
    res.json({ scenarios: await control.scenarios() });
  });
  router.get("/board/scenario", async (_req, res) => {
    res.json(await control.scenario());
  });
  router.post("/board/scenario", json, async (req, res) => {
    const body = objectBody(req);
    allowOnly(body, ["name"]);
    res.json(await control.startScenario(body.name as string));
  });
  router.post("/board/scenario/next", async (_req, res) => {
    res.json(await control.nextScenarioStep());
  });
  router.delete("/board/scenario", async (_req, res) => {
    await control.stopScenario();
    res.status(204).end();
  });
}
