/**
 * The board's part of the admin API in OpenAPI 3.1 (merged into `GET /admin/api/openapi.json`
 * by openapi.ts): the event stream, the board's client, the timeline, the board's clock moves, the
 * inspector and the scenario player (board-api.ts).
 */

const error = { $ref: "#/components/responses/Error" };
const json = (schema: object) => ({ required: true, content: { "application/json": { schema } } });
const ok = (description: string, schema: object = { type: "object" }) => ({
  description,
  content: { "application/json": { schema } },
});
const client = { $ref: "#/components/schemas/BoardClient" };
const call = { $ref: "#/components/schemas/BoardCall" };
const player = { $ref: "#/components/schemas/BoardScenario" };
const envEnum = { enum: ["integration", "production"] };

export const boardPaths = {
  "/events/stream": {
    get: {
      summary: "The event log as server-sent events",
      description:
        "Every event after `since` (or the Last-Event-ID header), then each new one as it happens, as " +
        "`id: SEQ`, `event: harness-event`, `data: {event JSON}`. While a stream is open the board's client " +
        "makes its automatic calls.",
      parameters: [{ name: "since", in: "query", schema: { type: "integer", minimum: 0 } }],
      responses: {
        "200": {
          description: "The stream",
          content: { "text/event-stream": { schema: { type: "string" } } },
        },
        "400": error,
      },
    },
  },
  "/client": {
    get: {
      summary: "The board's client: deployment, certificate store, when calls run, the latest calls",
      description:
        "The vendor's side on the trainer board: the reference WSC run inside the harness against its own STS " +
        "and SMDB (over real HTTP). Private keys are never shown.",
      responses: { "200": ok("The client", client) },
    },
  },
  "/client/certificates": {
    post: {
      summary: "Put a certificate with its key in the client's store",
      description:
        "`{issue: {systemUserId?, cvr?, name?, label?, notBefore?, notAfter?}}` issues an OCES3 system certificate " +
        "under the harness's CA (for the systembruger's CVR; default valid from a day ago for 3 years), as MitID " +
        "Erhverv would; `{pkcs12: base64, password, label?}` adds a .p12/.pfx.",
      requestBody: json({
        type: "object",
        properties: {
          issue: {
            type: "object",
            properties: {
              systemUserId: { type: "string" },
              cvr: { type: "string" },
              name: { type: "string" },
              label: { type: "string" },
              notBefore: { type: "string", format: "date-time" },
              notAfter: { type: "string", format: "date-time" },
            },
          },
          pkcs12: { type: "string", contentEncoding: "base64" },
          password: { type: "string" },
          label: { type: "string" },
        },
      }),
      responses: {
        "201": ok("Stored", { $ref: "#/components/schemas/StoredCertificate" }),
        "400": error,
        "409": error,
      },
    },
  },
  "/client/certificates/{id}/certificate.cer": {
    get: {
      summary: "The public certificate of a stored one (DER), for the administrator to upload",
      parameters: [
        { name: "id", in: "path", required: true, schema: { type: "string" }, description: "SHA-256" },
      ],
      responses: {
        "200": {
          description: "The .cer",
          content: { "application/pkix-cert": { schema: { type: "string", format: "binary" } } },
        },
        "404": error,
      },
    },
  },
  "/client/deployment": {
    put: {
      summary: "Deploy: restart the client with a certificate from its store (empty token cache)",
      requestBody: json({
        type: "object",
        properties: {
          certificate: { type: "string", description: "SHA-256 of a stored certificate" },
          fallback: { type: ["string", "null"], description: "tried when the STS refuses the first" },
          environment: envEnum,
          stsEnvironment: envEnum,
          wspEnvironment: envEnum,
          skewMs: { type: "number" },
          operation: { enum: ["Ping", "IndberetForloeb", "HentForloeb"] },
        },
      }),
      responses: { "200": ok("Deployed", client), "400": error, "404": error },
    },
  },
  "/client/rollback": {
    post: {
      summary: "Back to the deployment before the last one",
      responses: { "200": ok("Rolled back", client), "409": error },
    },
  },
  "/client/calls": {
    post: {
      summary: "One call now: step 1 (when the token cache needs it) and step 2, recorded as a client event",
      responses: { "201": ok("The call", call), "409": error },
    },
  },
  "/client/call-mode": {
    put: {
      summary:
        "When calls run: on every change (clock, NemLog-in, deployment), also every intervalMs, or by hand",
      requestBody: json({
        type: "object",
        required: ["mode"],
        properties: {
          mode: { enum: ["on-change", "interval", "manual"] },
          intervalMs: { type: "integer", minimum: 1000, maximum: 600000 },
        },
      }),
      responses: { "200": ok("The client", client), "400": error },
    },
  },
  "/client/trust-sts": {
    post: {
      summary: "The client also trusts the STS's current signing certificate (after a rotation)",
      requestBody: json({ type: "object", properties: { environment: envEnum } }),
      responses: { "200": ok("The client", client), "400": error },
    },
  },
  "/board": {
    get: {
      summary:
        "Harness time, the systembruger the board follows, the old certificate's expiry ahead, the reset time",
      responses: { "200": ok("The board") },
    },
  },
  "/board/timeline": {
    get: {
      summary: "Lanes over harness time and the downtime so far",
      description:
        "Lanes: draft, saved and provisioned per environment (production first), the client's certificate, the " +
        "STS's verdict on it, and the calls; each a list of segments {fromMs, toMs, tone, data}. downtimeMs sums " +
        "the failed calls' segments.",
      responses: { "200": ok("The timeline", { $ref: "#/components/schemas/BoardTimeline" }) },
    },
  },
  "/board/clock": {
    post: {
      summary: "Move harness time and call wherever the answer can change on the way",
      description:
        'Exactly one of {advance: duration}, {back: duration}, {set: ISO or relative}, {jump: "expiry"} (the ' +
        "instant the STS switches from the old certificate) or {reset: true} (the time the harness started at; the " +
        "timeline starts over). Forward, the client calls at each certificate bound, rollover change and token " +
        "renewal in between, so the timeline's downtime is exact. Virtual clock only.",
      requestBody: json({
        type: "object",
        properties: {
          advance: { type: "string" },
          back: { type: "string" },
          set: { type: "string" },
          jump: { enum: ["expiry"] },
          reset: { const: true },
        },
      }),
      responses: { "200": ok("The clock and the calls made"), "400": error, "409": error },
    },
  },
  "/board/inspect/{seq}": {
    get: {
      summary: "The request and response behind an event, the failing element marked, for the inspector",
      description:
        "For a client call event, or an STS/SMDB decision on a request the board's client sent (found by its " +
        "MessageID): each message indented as lines, with `highlight` (the element the refusal is about) and " +
        "`fault` line ranges. The messages of the latest calls only are kept; they never hold a private key.",
      parameters: [{ name: "seq", in: "path", required: true, schema: { type: "integer", minimum: 0 } }],
      responses: { "200": ok("The inspection"), "404": error },
    },
  },
  "/board/scenarios": {
    get: { summary: "Scenarios the board can play", responses: { "200": ok("{scenarios: [...]}") } },
  },
  "/board/scenario": {
    get: { summary: "The scenario being played, or null", responses: { "200": ok("The player", player) } },
    post: {
      summary: "Start playing a scenario: its time, policy, systembruger (id `scenarie`) and client",
      requestBody: json({ type: "object", required: ["name"], properties: { name: { type: "string" } } }),
      responses: { "200": ok("The player", player), "404": error, "409": error },
    },
    delete: { summary: "Stop playing", responses: { "204": { description: "Stopped" }, "404": error } },
  },
  "/board/scenario/next": {
    post: {
      summary: "The next step: the clock to its time, the step, a call; after the last, on to the end",
      responses: { "200": ok("The player", player), "409": error },
    },
  },
} as const;

export const boardSchemas = {
  StoredCertificate: {
    type: "object",
    properties: {
      id: { type: "string", description: "SHA-256" },
      label: { type: ["string", "null"] },
      source: { enum: ["registered", "issued", "uploaded", "scenario"] },
      subject: { type: "string" },
      notBefore: { type: "string", format: "date-time" },
      notAfter: { type: "string", format: "date-time" },
      pem: { type: "string" },
    },
  },
  BoardCall: {
    type: "object",
    required: ["id", "at", "ok", "step", "reason", "eventSeq"],
    properties: {
      id: { type: "integer" },
      at: { type: "string", format: "date-time" },
      ok: { type: "boolean" },
      step: { enum: [0, 1, 2] },
      reason: { type: "string" },
      message: { type: ["string", "null"] },
      newToken: { type: "boolean" },
      certSha256: { type: ["string", "null"] },
      eventSeq: { type: "integer" },
    },
  },
  BoardClient: {
    type: "object",
    properties: {
      deployment: { type: ["object", "null"] },
      canRollBack: { type: "boolean" },
      certificates: { type: "array", items: { $ref: "#/components/schemas/StoredCertificate" } },
      calls: { type: "object", properties: { mode: { type: "string" }, intervalMs: { type: "integer" } } },
      recent: { type: "array", items: { $ref: "#/components/schemas/BoardCall" } },
      systemUserId: { type: ["string", "null"] },
    },
  },
  BoardTimeline: {
    type: "object",
    properties: {
      originMs: { type: "integer" },
      nowMs: { type: "integer" },
      downtimeMs: { type: "integer" },
      lanes: { type: "array", items: { type: "object" } },
      markers: { type: "array", items: { type: "object" } },
    },
  },
  BoardScenario: { type: ["object", "null"] },
} as const;
