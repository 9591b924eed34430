/**
 * The scenario format (docs/contract.md "Scenario") as JSON Schema, checked with ajv. The top-level
 * schema fixes the shape; each action's `with` has its own schema so that an error can say which
 * fields that action takes. Semantic checks (certificate names, times before `start`) are in
 * parse.ts.
 *
 * Fields beyond docs/contract.md "Scenario" (documented in docs/scenarios.md):
 * - `description`: the real-life situation in plain words.
 * - certificates: `name` (the CN), `organization`, `cvr`, `keyBits`.
 * - `setup.systemUser.next`, `.saved`, `.privileges`, `.cvr`, `.entityId`.
 * - `setup.client.findBy` (`thumbprint` | `subjectName` | `serialNumber`, a store lookup),
 *   `.findValue`, `.operation`, `.stsEnvironment`/`.wspEnvironment` (a misconfigured client),
 *   `.clockSkew`.
 * - `setup.wsp.trust` (`pin-thumbprint` | `subject-and-chain`).
 * - `expect.calls`: the outcome of a call at given instants.
 */
import { ROLLOVER_POLICIES } from "../sts/rollover.js";

export const ACTIONS = [
  "nemlogin.upload",
  "nemlogin.save",
  "nemlogin.provision",
  "nemlogin.revoke",
  "nemlogin.setPrivileges",
  "sts.rotateSigningCertificate",
  "client.deploy",
  "client.trustStsCertificate",
  "wsp.trustStsCertificate",
  "clock.skew",
] as const;
export type ActionName = (typeof ACTIONS)[number];

import { OPERATIONS } from "../smdb/operations.js";

export { OPERATIONS, type OperationName } from "../smdb/operations.js";

export const FIND_BY = ["thumbprint", "subjectName", "serialNumber"] as const;
export type FindBy = (typeof FIND_BY)[number];

export const CERT_PROFILES = ["oces3-system", "foces2"] as const;

/** Short names accepted in `privileges` lists besides the full URIs. */
export const PRIVILEGE_SHORT_NAMES: Record<string, string> = {
  indberet: "urn:dk:dst:smdb:privilege:indberet",
  hent: "urn:dk:dst:smdb:privilege:hent",
};

const TIME = {
  type: ["string"],
  description: "ISO 8601 time, or a duration relative to start (+10d, -1090d, +10d12h30m, +1s500ms)",
};
const DURATION = { type: ["string", "number"], description: "a duration such as 8h, 18d, 1d12h, 90s (or 0)" };
const ENV = { type: "string", enum: ["integration", "production"] };
const CERT_REF = { type: "string", minLength: 1, description: "a name from `certificates`" };
const PRIVILEGES = {
  type: "array",
  items: { type: "string", minLength: 1 },
  description: "privilege URIs, or the short names indberet and hent",
};

export const scenarioSchema = {
  $id: "smdb-harness/scenario",
  type: "object",
  additionalProperties: false,
  required: ["name", "start", "certificates", "setup"],
  properties: {
    name: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$" },
    description: { type: "string" },
    policy: { type: "string", enum: [...ROLLOVER_POLICIES] },
    environment: ENV,
    start: { type: "string" },
    end: TIME,
    certificates: {
      type: "object",
      minProperties: 1,
      propertyNames: { pattern: "^[A-Za-z][A-Za-z0-9_-]*$" },
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        required: ["notBefore", "notAfter"],
        properties: {
          profile: { type: "string", enum: [...CERT_PROFILES] },
          notBefore: TIME,
          notAfter: TIME,
          name: { type: "string", minLength: 1, description: "the certificate's CN" },
          organization: { type: "string", minLength: 1 },
          cvr: { type: "string", pattern: "^[0-9]{8}$" },
          keyBits: { type: "integer", enum: [2048, 3072, 4096] },
        },
      },
    },
    setup: {
      type: "object",
      additionalProperties: false,
      required: ["systemUser", "client"],
      properties: {
        systemUser: {
          type: "object",
          additionalProperties: false,
          required: ["cert"],
          properties: {
            cert: CERT_REF,
            next: CERT_REF,
            provisioned: { type: "array", items: ENV, uniqueItems: true },
            privileges: PRIVILEGES,
            cvr: { type: "string", pattern: "^[0-9]{8}$" },
            name: { type: "string", minLength: 1 },
            entityId: { type: "string", minLength: 1 },
          },
        },
        client: {
          type: "object",
          additionalProperties: false,
          required: ["cert"],
          properties: {
            cert: CERT_REF,
            fallback: CERT_REF,
            tokenLifetime: DURATION,
            findBy: { type: "string", enum: [...FIND_BY] },
            findValue: { type: "string", minLength: 1 },
            operation: { type: "string", enum: [...OPERATIONS] },
            stsEnvironment: ENV,
            wspEnvironment: ENV,
            clockSkew: { type: "string" },
          },
        },
        wsp: {
          type: "object",
          additionalProperties: false,
          properties: {
            trust: { type: "string", enum: ["pin-thumbprint", "subject-and-chain"] },
          },
        },
      },
    },
    steps: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["at", "do"],
        properties: {
          at: TIME,
          do: { type: "string", enum: [...ACTIONS] },
          with: { type: "object" },
          note: { type: "string" },
        },
      },
    },
    expect: {
      type: "object",
      additionalProperties: false,
      properties: {
        // A duration, or `{min, max}`; the shape is checked in parse.ts for a clearer message.
        downtime: { type: ["string", "number", "object"] },
        failures: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["from", "to", "step", "reason"],
            properties: {
              from: TIME,
              to: TIME,
              step: { type: "integer", enum: [0, 1, 2] },
              reason: { type: "string", pattern: "^[A-Z][A-Z0-9_]*$" },
            },
          },
        },
        calls: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["at", "outcome"],
            properties: {
              at: TIME,
              outcome: { type: "string", enum: ["ok", "fail"] },
              step: { type: "integer", enum: [0, 1, 2] },
              reason: { type: "string", pattern: "^[A-Z][A-Z0-9_]*$" },
              certificate: CERT_REF,
            },
          },
        },
      },
    },
  },
} as const;

/** The `with` of each action. */
export const actionSchemas: Record<ActionName, object> = {
  "nemlogin.upload": {
    type: "object",
    additionalProperties: false,
    required: ["cert"],
    properties: {
      cert: CERT_REF,
      slot: { type: "string", enum: ["current", "next"] },
      environment: ENV,
      format: {
        type: "string",
        enum: ["cer", "pem", "p12"],
        description: "the file uploaded: the .cer (DER), a PEM, or by mistake the .p12",
      },
    },
  },
  "nemlogin.save": { type: "object", additionalProperties: false, properties: {} },
  "nemlogin.provision": {
    type: "object",
    additionalProperties: false,
    properties: { environment: ENV, at: TIME },
  },
  "nemlogin.revoke": {
    type: "object",
    additionalProperties: false,
    required: ["cert"],
    properties: { cert: CERT_REF },
  },
  "nemlogin.setPrivileges": {
    type: "object",
    additionalProperties: false,
    required: ["privileges"],
    properties: { privileges: PRIVILEGES },
  },
  "sts.rotateSigningCertificate": {
    type: "object",
    additionalProperties: false,
    properties: { environment: ENV },
  },
  "client.deploy": {
    type: "object",
    additionalProperties: false,
    required: ["cert"],
    properties: {
      cert: CERT_REF,
      fallback: { anyOf: [CERT_REF, { type: "null" }] },
      findValue: { type: "string", minLength: 1 },
    },
  },
  "client.trustStsCertificate": {
    type: "object",
    additionalProperties: false,
    properties: { environment: ENV },
  },
  "wsp.trustStsCertificate": {
    type: "object",
    additionalProperties: false,
    properties: { environment: ENV },
  },
  "clock.skew": {
    type: "object",
    additionalProperties: false,
    required: ["client"],
    properties: { client: { type: "string", description: "the client clock's offset: +10m, -2m, 0s" } },
  },
};
