/**
 * The NemLog-in STS token endpoint (step 1, OIO WS-Trust over SOAP 1.1):
 * `POST /{env}/SecurityTokenService.svc`.
 *
 * Every request gets exactly one event and either a token or a SOAP 1.1 fault (HTTP 500, as the
 * SOAP 1.1 HTTP binding prescribes). The checks are the ordered list `STS_CHECKS`
 * (src/sts/checks.ts, the table of docs/sts.md); the first that refuses decides the fault. Then
 * `issueToken` (src/sts/issue.ts) answers. An unexpected exception (a harness bug) becomes
 * STS_INTERNAL_ERROR (wst:RequestFailed).
 */
import express, { type Request, type Response, type Router } from "express";
import { clipMessage } from "../core/errors.js";
import { type Environment, isEnvironment } from "../core/events.js";
import { bodyRefusalMessage, closeAfterResponse, readRequestBody } from "../core/http-body.js";
import { runSteps, StepRefusal } from "../core/pipeline.js";
import type { OK } from "../core/reason-codes.js";
import { DEFAULT_MAX_XML_BYTES } from "../xml/parse.js";
import { SOAP11_CONTENT_TYPE, type Soap11FaultCode, soap11Fault } from "../xml/soap.js";
import {
  FAULT_CODES,
  Rejection,
  STS_CHECKS,
  type StsCheckContext,
  type StsDeps,
  type StsOptions,
  type StsRefusalReason,
} from "./checks.js";
import { issueToken } from "./issue.js";

export { FAULT_CODES, STS_CHECKS, type StsDeps, type StsOptions };

export interface StsResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Every reason code the token endpoint can give (src/core/reason-codes.ts `STS_REASONS`, and OK). */
export type StsReason = typeof OK | StsRefusalReason;

/** A refusal as sent: reason, sentence, and the fault code (the step's own, or the reason's). */
interface StsRefusal {
  reason: StsRefusalReason;
  message: string;
  code: Soap11FaultCode;
}

/** What the event records of a request besides the decision. */
type EventFacts = Pick<StsCheckContext, "certificate" | "systemUser" | "messageId">;

/** A direct call (no HTTP) is a SOAP 1.1 request as a client sends it. */
const DIRECT_CALL_HEADERS = { "content-type": SOAP11_CONTENT_TYPE };

function certText(facts: EventFacts): string {
  return facts.certificate
    ? `certificate ${facts.certificate.sha256}`
    : "the request (no client certificate read yet)";
}

/**
 * Handles one token request for `env`. Never throws for anything the client sent: every
 * outcome is a response and one event.
 */
export function handleTokenRequest(
  deps: StsDeps,
  env: Environment,
  body: Buffer,
  headers: Record<string, string | string[] | undefined> = DIRECT_CALL_HEADERS,
): StsResponse {
  const ctx: StsCheckContext = {
    deps,
    env,
    body,
    headers,
    nowMs: deps.clocks.harness.nowMs(),
    messageNowMs: deps.clocks.message.nowMs(),
  };
  try {
    runSteps(STS_CHECKS, ctx);
    const issued = issueToken(ctx);
    deps.events.append({
      env,
      step: 1,
      component: "sts",
      outcome: "ok",
      reason: "OK",
      ...eventFacts(ctx),
      detail: issued.detail,
    });
    return { status: 200, contentType: SOAP11_CONTENT_TYPE, body: issued.xml };
  } catch (error) {
    return fault(deps, env, toRefusal(error, ctx), ctx);
  }
}

function eventFacts(facts: EventFacts) {
  return {
    ...(facts.systemUser ? { systemUser: facts.systemUser.id } : {}),
    ...(facts.certificate ? { certSha256: facts.certificate.sha256 } : {}),
    ...(facts.messageId ? { messageId: facts.messageId } : {}),
  };
}

function toRefusal(error: unknown, facts: EventFacts): StsRefusal {
  if (error instanceof StepRefusal) {
    const reason = error.reason as StsRefusalReason;
    // The STS's own sentences name the certificate already; the XML layer's get it in front.
    const message = error.error instanceof Rejection ? error.message : `${certText(facts)}: ${error.message}`;
    return { reason, message, code: (error.fault as Soap11FaultCode | undefined) ?? FAULT_CODES[reason] };
  }
  // Anything else is a bug in the harness (or input we did not foresee): still a fault and an
  // event, never a crash, and not blamed on the client.
  const message = error instanceof Error ? error.message : String(error);
  return {
    reason: "STS_INTERNAL_ERROR",
    message: `${certText(facts)}: the STS failed while processing the request (${message}); expected to issue a token or name what is wrong with the request`,
    code: FAULT_CODES.STS_INTERNAL_ERROR,
  };
}

export function faultResponse(
  options: Pick<StsOptions, "faultMode">,
  reason: StsRefusalReason,
  message: string,
  code: Soap11FaultCode = FAULT_CODES[reason],
): StsResponse {
  return {
    status: 500,
    contentType: SOAP11_CONTENT_TYPE,
    body: soap11Fault({ code, reason, message, mode: options.faultMode }),
  };
}

function fault(deps: StsDeps, env: Environment | null, refusal: StsRefusal, facts: EventFacts): StsResponse {
  const message = clipMessage(refusal.message);
  deps.events.append({
    env,
    step: 1,
    component: "sts",
    outcome: "rejected",
    reason: refusal.reason,
    fault: refusal.code,
    ...eventFacts(facts),
    detail: message,
  });
  return faultResponse(deps.options, refusal.reason, message, refusal.code);
}

// ---------------------------------------------------------------------------------------------
// HTTP

/** The STS routes: `POST /:env/SecurityTokenService.svc` for `integration` and `production`. */
export function stsRouter(deps: StsDeps): Router {
  const router = express.Router();
  router.post("/:env/SecurityTokenService.svc", async (req: Request, res: Response) => {
    const env = req.params.env;
    const limit = deps.options.maxRequestBytes ?? DEFAULT_MAX_XML_BYTES;
    let result: StsResponse;
    let refused = false;
    try {
      const read = await readRequestBody(req, { maxBytes: limit, timeoutMs: deps.options.bodyTimeoutMs });
      if (!isEnvironment(env)) {
        result = faultResponse(
          deps.options,
          "MALFORMED_REQUEST",
          `there is no STS environment "${String(env)}"; use /integration/SecurityTokenService.svc or /production/SecurityTokenService.svc`,
        );
        if (!read.ok) result = { ...result, status: read.status };
        refused = !read.ok;
      } else if (!read.ok) {
        // 413 / 408 with the SOAP 1.1 fault as body; the rest of the body is never read.
        refused = true;
        const message = `${bodyRefusalMessage(read)} (no client certificate read)`;
        result = {
          ...fault(
            deps,
            env,
            { reason: "MALFORMED_REQUEST", message, code: FAULT_CODES.MALFORMED_REQUEST },
            {},
          ),
          status: read.status,
        };
      } else {
        result = handleTokenRequest(deps, env, read.body, req.headers);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = faultResponse(deps.options, "MALFORMED_REQUEST", `the request could not be read: ${message}`);
    }
    if (res.headersSent || res.destroyed) return;
    if (refused) closeAfterResponse(req, res);
    res.status(result.status).type(result.contentType).send(result.body);
  });
  return router;
}
