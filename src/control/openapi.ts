/**
 * OpenAPI 3.1 description of the admin API, served at `GET /admin/api/openapi.json`.
 */
import { ROLLOVER_POLICIES } from "../sts/rollover.js";
import { boardPaths, boardSchemas } from "./board/board-openapi.js";

const error = { $ref: "#/components/responses/Error" };
const envParam = { $ref: "#/components/parameters/Env" };
const idParam = { $ref: "#/components/parameters/SystemUserId" };
const slotParam = { $ref: "#/components/parameters/Slot" };
const certificateBody = {
  required: true,
  description:
    "A certificate file: DER (.cer), PEM, or bare base64. A .p12/.pfx, a private key, or anything else is refused with 400.",
  content: {
    "application/pkix-cert": { schema: { type: "string", format: "binary" } },
    "application/x-pem-file": { schema: { type: "string" } },
    "application/octet-stream": { schema: { type: "string", format: "binary" } },
  },
};
const jsonBody = (schema: object, required = true) => ({
  required,
  content: { "application/json": { schema } },
});
const ok = (description: string, schema: object = { type: "object" }) => ({
  description,
  content: { "application/json": { schema } },
});
const systemUser = { $ref: "#/components/schemas/SystemUser" };

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "smdb-harness admin API",
    version: "1.0.0",
    description:
      "Administration of the simulated NemLog-in STS and SMDB: systembrugere and their certificates " +
      "(upload to a draft, save, provision per environment), WSP registrations, trust anchors, revocation, " +
      "STS signing-certificate rotation, the rollover policy, the decision event log and the (virtual) clock. " +
      "Every error is a 4xx with a JSON body {error, detail}: a stable code and a sentence saying what was " +
      "wrong and what was expected. A split harness (up --role nemlogin|smdb) answers on each service only " +
      "what belongs to it: the smdb service its environment view, wsp-trust, events, clock and settings; the " +
      "nemlogin service everything but wsp-trust. The rest is 404 NOT_THIS_SERVICE naming the other service.",
  },
  servers: [{ url: "/admin/api" }],
  paths: {
    ...boardPaths,
    "/environments": {
      get: { summary: "Both environments", responses: { "200": ok("The environments") } },
    },
    "/environments/{env}": {
      get: {
        summary: "What a client needs for one environment",
        parameters: [envParam],
        responses: {
          "200": ok("The environment", { $ref: "#/components/schemas/Environment" }),
          "404": error,
        },
      },
    },
    "/environments/{env}/client-endpoints": {
      get: {
        summary: "Everything a client needs to connect to one environment (HarnessControl.clientEndpoints)",
        description:
          "stsUrl, stsEndpointReference, stsCertificatePem, wspUrl, wspEntityId, wspCertificatePem and tlsCaPem (null over plain HTTP). URLs are built from the Host the request used.",
        parameters: [envParam],
        responses: { "200": ok("The client endpoints"), "404": error },
      },
    },
    "/environments/{env}/wsps": {
      get: {
        summary: "WSPs registered in the environment",
        parameters: [envParam],
        responses: { "200": ok("The WSPs"), "404": error },
      },
      post: {
        summary: "Register a WSP (the STS encrypts its tokens to the WSP's certificate)",
        description:
          "Without certificatePem the harness issues a certificate and returns it with its private key. " +
          "A WSP that is a service of its own (the smdb service of a split harness) also gives its url and the " +
          "CA of its TLS certificate (tlsCaPem); the nemlogin service then describes it to clients.",
        parameters: [envParam],
        requestBody: jsonBody({
          type: "object",
          required: ["entityId"],
          properties: {
            entityId: { type: "string" },
            certificatePem: { type: "string" },
            url: {
              type: "string",
              description: "The WSP's endpoint, e.g. https://smdb:8443/production/smdb",
            },
            tlsCaPem: { type: "string", description: "PEM of the CA(s) of the WSP's TLS certificate" },
          },
        }),
        responses: {
          "201": ok("Registered", {
            type: "object",
            properties: {
              env: { type: "string" },
              entityId: { type: "string" },
              certificatePem: { type: "string" },
              certificateSha256: { type: "string" },
              privateKeyPem: { type: "string" },
            },
          }),
          "400": error,
          "404": error,
        },
      },
    },
    "/environments/{env}/wsp-trust": {
      get: {
        summary: "Which STS signing certificates the simulated SMDB trusts",
        parameters: [envParam],
        responses: { "200": ok("The trust mode"), "404": error },
      },
      put: {
        summary:
          "Change the SMDB's trust: the STS's current certificate, pinned thumbprints, or subject + chain",
        parameters: [envParam],
        requestBody: jsonBody({
          oneOf: [
            { type: "object", required: ["mode"], properties: { mode: { const: "current" } } },
            {
              type: "object",
              required: ["mode", "thumbprints"],
              properties: {
                mode: { const: "pin-thumbprint" },
                thumbprints: { type: "array", items: { type: "string" } },
              },
            },
            {
              type: "object",
              required: ["mode", "subjects"],
              properties: {
                mode: { const: "subject-and-chain" },
                subjects: { type: "array", items: { type: "string" } },
              },
            },
          ],
        }),
        responses: { "200": ok("The trust mode"), "400": error, "404": error },
      },
    },
    "/sts/{env}/rotate-signing-certificate": {
      post: {
        summary: "Replace the STS token-signing certificate (same subject, new key)",
        parameters: [envParam],
        responses: {
          "200": ok("Rotated", {
            type: "object",
            properties: {
              previousSha256: { type: "string" },
              currentSha256: { type: "string" },
              certificatePem: { type: "string" },
            },
          }),
          "404": error,
        },
      },
    },
    "/system-users": {
      get: { summary: "All systembrugere", responses: { "200": ok("The systembrugere") } },
      post: {
        summary: "Create a systembruger",
        requestBody: jsonBody({
          type: "object",
          required: ["name", "cvr", "entityId"],
          properties: {
            name: { type: "string" },
            cvr: { type: "string", pattern: "^\\d{8}$" },
            entityId: { type: "string" },
            privileges: {
              type: "array",
              items: { type: "string" },
              description: "Default: urn:dk:dst:smdb:privilege:indberet and urn:dk:dst:smdb:privilege:hent",
            },
            id: { type: "string", description: "Optional; generated when left out" },
          },
        }),
        responses: { "201": ok("Created", systemUser), "400": error, "409": error },
      },
    },
    "/system-users/{id}": {
      get: {
        summary:
          "A systembruger: draft, saved and provisioned certificates per environment, and what the STS accepts now",
        parameters: [idParam],
        responses: { "200": ok("The systembruger", systemUser), "404": error },
      },
      patch: {
        summary: "Change name, CVR, entity ID or privileges",
        parameters: [idParam],
        requestBody: jsonBody({
          type: "object",
          properties: {
            name: { type: "string" },
            cvr: { type: "string" },
            entityId: { type: "string" },
            privileges: { type: "array", items: { type: "string" } },
          },
        }),
        responses: { "200": ok("Changed", systemUser), "400": error, "404": error, "409": error },
      },
      delete: {
        summary: "Delete a systembruger",
        parameters: [idParam],
        responses: { "204": { description: "Deleted" }, "404": error },
      },
    },
    "/system-users/{id}/certificates/{env}/{slot}": {
      put: {
        summary: "Upload a certificate into a slot of the draft (not saved, not provisioned)",
        parameters: [idParam, envParam, slotParam],
        requestBody: certificateBody,
        responses: { "200": ok("Uploaded"), "400": error, "404": error, "409": error, "422": error },
      },
      delete: {
        summary: "Empty a slot of the draft",
        parameters: [idParam, envParam, slotParam],
        responses: { "200": ok("Removed", systemUser), "404": error },
      },
    },
    "/system-users/{id}/save": {
      post: {
        summary:
          'Save the draft of every environment ("Gem tekniske oplysninger"); changes nothing the STS does',
        parameters: [idParam],
        responses: { "200": ok("Saved", systemUser), "404": error },
      },
    },
    "/system-users/{id}/provision/{env}": {
      post: {
        summary: "Provision the saved certificates to one environment (acts immediately)",
        parameters: [idParam, envParam],
        requestBody: jsonBody(
          {
            type: "object",
            properties: {
              at: {
                type: "string",
                description:
                  "Policy immediate: when next replaces current (ISO 8601 or relative like +10d); default now",
              },
            },
          },
          false,
        ),
        responses: { "200": ok("Provisioned", systemUser), "400": error, "404": error, "409": error },
      },
    },
    "/certificates/revoke": {
      post: {
        summary: "Revoke a certificate",
        requestBody: certificateBody,
        responses: { "200": ok("Revoked"), "400": error },
      },
    },
    "/certificates/revoked": {
      get: { summary: "Revoked certificates", responses: { "200": ok("The revoked certificates") } },
    },
    "/trust-anchors": {
      get: {
        summary: "CA certificates the STS trusts for client certificates",
        responses: { "200": ok("Anchors") },
      },
      post: {
        summary: "Also trust a CA (or a PEM bundle of CAs) for client certificates",
        requestBody: certificateBody,
        responses: { "200": ok("Already trusted"), "201": ok("Added"), "400": error },
      },
    },
    "/settings": {
      get: { summary: "Harness settings", responses: { "200": ok("Settings") } },
      put: {
        summary: "Change the rollover policy",
        requestBody: jsonBody({
          type: "object",
          properties: { policy: { enum: [...ROLLOVER_POLICIES] } },
        }),
        responses: { "200": ok("Settings"), "400": error },
      },
    },
    "/events": {
      get: {
        summary: "Decision and admin events",
        parameters: [{ name: "since", in: "query", schema: { type: "integer", minimum: 0 } }],
        responses: {
          "200": ok("Events after `since`", {
            type: "object",
            properties: { events: { type: "array", items: { $ref: "#/components/schemas/Event" } } },
          }),
          "400": error,
        },
      },
    },
    "/clock": {
      get: { summary: "Harness time", responses: { "200": ok("The clock") } },
      post: {
        summary: "Set or advance the virtual clock",
        requestBody: jsonBody({
          oneOf: [
            { type: "object", required: ["set"], properties: { set: { type: "string" } } },
            { type: "object", required: ["advance"], properties: { advance: { type: "string" } } },
          ],
        }),
        responses: { "200": ok("The clock"), "400": error, "409": error },
      },
    },
  },
  components: {
    parameters: {
      Env: { name: "env", in: "path", required: true, schema: { enum: ["integration", "production"] } },
      SystemUserId: { name: "id", in: "path", required: true, schema: { type: "string" } },
      Slot: { name: "slot", in: "path", required: true, schema: { enum: ["current", "next"] } },
    },
    responses: {
      Error: {
        description: "Bad input",
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["error", "detail"],
              properties: { error: { type: "string" }, detail: { type: "string" } },
            },
          },
        },
      },
    },
    schemas: {
      ...boardSchemas,
      Environment: {
        type: "object",
        required: [
          "stsUrl",
          "stsEndpointReference",
          "stsCertificatePem",
          "wspUrl",
          "wspEntityId",
          "wspCertificatePem",
        ],
        properties: {
          stsUrl: { type: "string" },
          stsEndpointReference: { type: "string" },
          stsCertificatePem: { type: "string" },
          wspUrl: { type: "string" },
          wspEntityId: { type: "string" },
          wspCertificatePem: { type: "string" },
          tlsCaPem: { type: ["string", "null"], description: "The TLS CA bundle; null over plain HTTP" },
        },
      },
      Certificate: {
        type: ["object", "null"],
        properties: {
          sha256: { type: "string" },
          sha1: { type: "string" },
          subject: { type: "string" },
          issuer: { type: "string" },
          notBefore: { type: "string", format: "date-time" },
          notAfter: { type: "string", format: "date-time" },
          pem: { type: "string" },
        },
      },
      SystemUser: {
        type: "object",
        properties: {
          id: { type: "string" },
          name: { type: "string" },
          cvr: { type: "string" },
          entityId: { type: "string" },
          privileges: { type: "array", items: { type: "string" } },
          draft: { type: "object", description: "Per environment: {current, next}" },
          saved: { type: "object", description: "Per environment: {current, next}" },
          provisioned: {
            type: "object",
            description: "Per environment: {current, next, provisionedAt, activateAt} or null",
          },
          status: {
            type: "object",
            description:
              "Per environment: unsavedChanges, savedNotProvisioned, policy, acceptedSha256, slots, nextChangeAt",
          },
        },
      },
      Event: {
        type: "object",
        required: ["seq", "at", "env", "step", "component", "outcome", "reason", "detail"],
        properties: {
          seq: { type: "integer" },
          at: { type: "string", format: "date-time" },
          env: { type: ["string", "null"] },
          step: { type: ["integer", "null"] },
          component: { enum: ["sts", "wsp", "client", "admin", "clock"] },
          outcome: { enum: ["ok", "rejected"] },
          reason: { type: "string" },
          fault: { type: "string" },
          systemUser: { type: "string" },
          certSha256: { type: "string" },
          messageId: { type: "string" },
          detail: {},
        },
      },
    },
  },
} as const;
