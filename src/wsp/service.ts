/**
 * The simulated SMDB web service (WSP), `POST /{env}/smdb` (SOAP 1.2, OIO IDWS SOAP binding).
 *
 * A `WspService` owns what lives across requests — its options and one replay cache per
 * environment — and runs every request through `WSP_CHECKS` (src/wsp/checks.ts, the table of
 * docs/smdb.md). The first check that refuses answers with its SOAP 1.2 fault and exactly one
 * event; an unexpected internal error is an `env:Receiver` fault (HTTP 500) with event
 * `INTERNAL_ERROR`. A success is one `OK` event and a response signed by the WSP with
 * MessageID/RelatesTo. `wspRouter` is the thin HTTP mapping of a service.
 */
import express, { type Request, type Response, type Router } from "express";
import type { Clocks } from "../core/clock.js";
import { clipMessage, HarnessError } from "../core/errors.js";
import { type Environment, type EventLog, isEnvironment } from "../core/events.js";
import {
  type BodyRefusal,
  bodyRefusalMessage,
  closeAfterResponse,
  readRequestBody,
} from "../core/http-body.js";
import { runStepsAsync, StepRefusal } from "../core/pipeline.js";
import type { Credential } from "../pki/index.js";
import { OperationValidationError, responseAction } from "../smdb/operations.js";
import { buildIdwsResponse } from "../xml/idws.js";
import { MustUnderstandError, VersionMismatchError } from "../xml/soap-version.js";
import { SOAP12_CONTENT_TYPE, soap12FaultEnvelope } from "../xml/soap12.js";
import { WSP_CHECKS, type WspCheckContext, wspEndpointPath } from "./checks.js";
import { FAULT_SUBCODES, faultResponse, wspFault } from "./faults.js";
import { ReplayCache } from "./replay-cache.js";
import type { SmdbStore } from "./store.js";
import type { StsTrust } from "./token.js";
import {
  DEFAULT_WSP_OPTIONS,
  replayCacheOptions,
  type ServiceResponse,
  type WspEnvironment,
  type WspFaultMode,
  type WspOptions,
} from "./types.js";

export {
  DEFAULT_WSP_OPTIONS,
  FAULT_SUBCODES,
  ReplayCache,
  type ServiceResponse,
  type StsTrust,
  WSP_CHECKS,
  type WspEnvironment,
  type WspFaultMode,
  type WspOptions,
  wspEndpointPath,
};

export interface WspDeps {
  /** `harness` rules the token's NotBefore/NotOnOrAfter and the records; `message` the Timestamps and the replay window. */
  clocks: Clocks;
  events: EventLog;
  environments: Record<Environment, WspEnvironment>;
  store: SmdbStore;
  /** Options, or a function returning them (read on every request, so a harness can change them at run time). */
  options?: Partial<WspOptions> | (() => Partial<WspOptions>);
}

const DIRECT_CALL = { contentType: SOAP12_CONTENT_TYPE };

/** The SMDB service: its options, its replay caches, and the checks every request goes through. */
export class WspService {
  readonly #deps: WspDeps;
  readonly #replay: Record<Environment, ReplayCache>;
  #options: WspOptions;

  constructor(deps: WspDeps) {
    this.#deps = deps;
    this.#options = this.#resolveOptions();
    const cache = () => new ReplayCache(replayCacheOptions(this.#options));
    this.#replay = { integration: cache(), production: cache() };
  }

  /** The options (defaults filled in) as the last request saw them; read anew with `refreshOptions`. */
  get options(): WspOptions {
    return this.#options;
  }

  /** The replay cache of `env`. */
  replayCache(env: Environment): ReplayCache {
    return this.#replay[env];
  }

  /** Reads the options again (they may be a function of the harness's settings); resizes the caches. */
  refreshOptions(): WspOptions {
    this.#options = this.#resolveOptions();
    // Changed options resize the caches; what they remember stays.
    for (const cache of Object.values(this.#replay)) cache.configure(replayCacheOptions(this.#options));
    return this.#options;
  }

  #resolveOptions(): WspOptions {
    const given = typeof this.#deps.options === "function" ? this.#deps.options() : this.#deps.options;
    return { ...DEFAULT_WSP_OPTIONS, ...given };
  }

  /**
   * Handles one step-2 request for `env`. Never throws: every outcome is a response and one event.
   * `http.contentType` is the request's Content-Type, absent when it had none (a direct call
   * without `http` is taken as a SOAP 1.2 request).
   */
  async handle(
    env: Environment,
    body: Buffer | string,
    http: { contentType?: string | undefined } = DIRECT_CALL,
  ): Promise<ServiceResponse> {
    const options = this.refreshOptions();
    const ctx: WspCheckContext = {
      env,
      environment: this.#deps.environments[env],
      environments: this.#deps.environments,
      options,
      replay: this.#replay[env],
      store: this.#deps.store,
      body,
      contentType: http.contentType,
      nowMs: this.#deps.clocks.harness.nowMs(),
      messageNowMs: this.#deps.clocks.message.nowMs(),
    };
    try {
      await runStepsAsync(WSP_CHECKS, ctx);
      return this.#answer(ctx);
    } catch (error) {
      if (error instanceof StepRefusal) return this.#refuse(ctx, error);
      return this.#internalError(ctx, error);
    }
  }

  /**
   * A body refused before parsing (the router read no more of it): over the size limit (413) or
   * too slow to arrive (408), with the SOAP 1.2 fault of the `parse` step.
   */
  refuseBody(env: Environment, read: BodyRefusal): ServiceResponse {
    const response = this.#refuse(
      { env },
      new StepRefusal("parse", new HarnessError("MALFORMED_REQUEST", bodyRefusalMessage(read)), undefined),
    );
    return { ...response, status: read.status };
  }

  #answer(ctx: WspCheckContext): ServiceResponse {
    const operation = ctx.operation!;
    const result = ctx.result!;
    const credential = ctx.environment.credential();
    const response = buildIdwsResponse({
      action: responseAction(operation),
      relatesTo: ctx.messageId!,
      nowMs: ctx.messageNowMs,
      bodyXml: result.bodyXml,
      certificate: credential.certificate,
      privateKey: credential.key.privateKey,
    });
    this.#deps.events.append({
      env: ctx.env,
      step: 2,
      component: "wsp",
      outcome: "ok",
      reason: "OK",
      ...(ctx.systemUser ? { systemUser: ctx.systemUser } : {}),
      ...(ctx.certSha256 ? { certSha256: ctx.certSha256 } : {}),
      messageId: ctx.messageId!,
      detail: { operation, result: result.summary, stsCertificateSha256: ctx.token!.stsCertificate.sha256 },
    });
    return { status: 200, contentType: SOAP12_CONTENT_TYPE, body: response.xml };
  }

  #refuse(
    ctx: Pick<WspCheckContext, "env" | "messageId" | "systemUser" | "certSha256" | "operation">,
    refusal: StepRefusal,
  ): ServiceResponse {
    const cause = refusal.error;
    const message = clipMessage(refusal.message);
    const fault = wspFault(refusal.reason, refusal.fault);
    const fields = cause instanceof OperationValidationError ? cause.fields : [];
    this.#deps.events.append({
      env: ctx.env,
      step: 2,
      component: "wsp",
      outcome: "rejected",
      reason: refusal.reason,
      fault: fault.subcode ?? fault.code,
      ...(ctx.systemUser ? { systemUser: ctx.systemUser } : {}),
      ...(ctx.certSha256 ? { certSha256: ctx.certSha256 } : {}),
      ...(ctx.messageId ? { messageId: ctx.messageId } : {}),
      detail: fields.length > 0 ? { message, operation: ctx.operation, fields } : message,
    });
    return faultResponse({
      reason: refusal.reason,
      message,
      fault,
      faultMode: this.#options.faultMode,
      fields,
      ...(ctx.messageId ? { relatesTo: ctx.messageId } : {}),
      ...(cause instanceof MustUnderstandError ? { notUnderstood: cause.headers } : {}),
      ...(cause instanceof VersionMismatchError && cause.received === "1.1" ? { soap11: true } : {}),
    });
  }

  #internalError(ctx: WspCheckContext, error: unknown): ServiceResponse {
    const message = error instanceof Error ? error.message : String(error);
    this.#deps.events.append({
      env: ctx.env,
      step: 2,
      component: "wsp",
      outcome: "rejected",
      reason: "INTERNAL_ERROR",
      fault: "env:Receiver",
      ...(ctx.messageId ? { messageId: ctx.messageId } : {}),
      detail: `the WSP failed while handling the request: ${message}`,
    });
    return {
      status: 500,
      contentType: SOAP12_CONTENT_TYPE,
      body: soap12FaultEnvelope({ code: "env:Receiver", reason: `INTERNAL_ERROR: ${message}` }),
    };
  }
}

/**
 * Express router for `POST /:env/smdb`: reads the raw body (src/core/http-body.ts, as the STS
 * does: a larger body is a SOAP 1.2 fault, not an HTML error page; past the hard cap the
 * connection is cut) and hands it to the service with its Content-Type.
 */
export function wspRouter(service: WspService): Router {
  const router = express.Router();
  router.post("/:env/smdb", (req: Request, res: Response) => {
    const env = req.params["env"];
    let refused = false;
    const send = (r: ServiceResponse) => {
      if (res.headersSent || res.destroyed) return;
      if (refused) closeAfterResponse(req, res);
      res.status(r.status).type(r.contentType).send(r.body);
    };
    const { maxRequestBytes, bodyTimeoutMs } = service.refreshOptions();
    readRequestBody(req, { maxBytes: maxRequestBytes, timeoutMs: bodyTimeoutMs })
      .then((read) => {
        refused = !read.ok;
        if (!isEnvironment(env)) {
          return {
            status: read.ok ? 404 : read.status,
            contentType: SOAP12_CONTENT_TYPE,
            body: soap12FaultEnvelope({
              reason: `unknown environment "${env}"; use /integration/smdb or /production/smdb`,
            }),
          };
        }
        if (!read.ok) return service.refuseBody(env, read);
        return service.handle(env, read.body, { contentType: req.headers["content-type"] });
      })
      .then(send, (error: Error) =>
        send({
          status: 400,
          contentType: SOAP12_CONTENT_TYPE,
          body: soap12FaultEnvelope({ reason: `the request body could not be read: ${error.message}` }),
        }),
      );
  });
  return router;
}

/** What `wspEnvironmentFromState` reads: the harness state's per-environment identity. */
export interface WspIdentitySource {
  environment(env: Environment): {
    wspEntityId: string;
    wsp: Credential;
    stsSigning: Credential;
    stsEndpointReference: string;
  };
}

/**
 * A `WspEnvironment` that follows the harness state: its WSP credential and entity ID, and — in
 * the default trust mode — whatever the environment's STS signs with now (so a rotation of the
 * STS signing certificate is trusted at once, while `pin-thumbprint` breaks as it would).
 */
export function wspEnvironmentFromState(
  state: WspIdentitySource,
  env: Environment,
  trust?: StsTrust | (() => StsTrust),
): WspEnvironment {
  return {
    env,
    get entityId() {
      return state.environment(env).wspEntityId;
    },
    get stsIssuer() {
      return state.environment(env).stsEndpointReference;
    },
    credential: () => state.environment(env).wsp,
    stsCertificates: () => [state.environment(env).stsSigning.certificate],
    ...(trust ? { trust } : {}),
  };
}
