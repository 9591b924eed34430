/**
 * A real STS for tests: a real Registry (in memory) on a virtual clock, the test CA, one
 * systembruger with a provisioned OCES3 certificate, the SMDB WSP registered in both
 * environments, and an express app with `stsRouter` for supertest.
 */
import express from "express";
import request from "supertest";
import { expect } from "vitest";
import { type RstRequestParams, rstEnvelopeTemplate } from "../../src/client/rst.js";
import { clocksOf, VirtualClock } from "../../src/core/clock.js";
import { ENVIRONMENTS, type Environment, EventLog } from "../../src/core/events.js";
import { type Credential, createTestCa, type TestCa } from "../../src/pki/index.js";
import { Registry } from "../../src/sts/registry/registry.js";
import {
  FAULT_CODES,
  type StsDeps,
  type StsOptions,
  type StsReason,
  stsRouter,
} from "../../src/sts/token-service.js";
import type { StsEnvironment } from "../../src/sts/types.js";
import { signXml } from "../../src/xml/dsig.js";
import { parseXml } from "../../src/xml/parse.js";
import { readSoap11Fault } from "../../src/xml/soap.js";
import { strToBstXml } from "../../src/xml/wsse.js";
import { provisionSystemUser } from "../helpers/harness.js";

export const START = "2026-03-01T10:00:00Z";
export const ENDPOINTS: Record<Environment, string> = {
  integration: "https://signature.sts.test-nemlog-in.dk/",
  production: "https://signature.sts.nemlog-in.dk/",
};
export const WSP_ID: Record<Environment, string> = {
  integration: "https://smdb.dst.dk/integration",
  production: "https://smdb.dst.dk/production",
};
export const CVR = "91234567";
export const ENTITY_ID = "https://wsc.kommune.example/smdb";

const DAY = 86_400_000;

export interface StsFixture {
  clock: VirtualClock;
  events: EventLog;
  registry: Registry;
  ca: TestCa;
  sts: Record<Environment, Credential>;
  wsp: Record<Environment, Credential>;
  client: Credential;
  userId: string;
  deps: StsDeps;
  app: express.Express;
  environments: Record<Environment, StsEnvironment>;
}

let caPromise: Promise<TestCa> | undefined;
let credentialsPromise:
  | Promise<{
      sts: Record<Environment, Credential>;
      wsp: Record<Environment, Credential>;
      client: Credential;
    }>
  | undefined;

/** The test CA is shared by all fixtures of a test file (issuing is the slow part). */
export function sharedCa(): Promise<TestCa> {
  caPromise ??= createTestCa(Date.parse(START), "sts-test");
  return caPromise;
}

export async function issueClient(
  ca: TestCa,
  fromMs: number,
  toMs: number,
  name = "SMDB indberetning",
): Promise<Credential> {
  return ca.issue({
    profile: "oces3-system",
    cvr: CVR,
    name,
    notBefore: new Date(fromMs),
    notAfter: new Date(toMs),
  });
}

export async function stsFixture(
  options: Partial<StsOptions> = {},
  start: string = START,
): Promise<StsFixture> {
  const clock = new VirtualClock(start);
  const events = new EventLog(() => clock.nowMs());
  const ca = await sharedCa();
  const now = clock.nowMs();
  const registry = await Registry.open({
    clock,
    events,
    builtInTrustAnchors: [ca.root.certificate, ca.issuing.certificate],
  });
  credentialsPromise ??= (async () => {
    const sts = {} as Record<Environment, Credential>;
    const wsp = {} as Record<Environment, Credential>;
    for (const env of ENVIRONMENTS) {
      const validity = { notBefore: new Date(now - DAY), notAfter: new Date(now + 1000 * DAY) };
      sts[env] = await ca.issue({ profile: "sts", name: `STS ${env}`, ...validity });
      wsp[env] = await ca.issue({ profile: "wsp", name: `SMDB ${env}`, ...validity });
    }
    return { sts, wsp, client: await issueClient(ca, now - 100 * DAY, now + 900 * DAY) };
  })();
  const { sts, wsp, client } = await credentialsPromise;
  for (const env of ENVIRONMENTS) {
    await registry.registerWsp(env, WSP_ID[env], wsp[env].certificate, { builtIn: true });
  }
  const userId = await provisionSystemUser(
    registry,
    { name: "Testkommune SMDB", cvr: CVR, entityId: ENTITY_ID },
    { current: client },
    ENVIRONMENTS,
  );
  const environments = {} as Record<Environment, StsEnvironment>;
  for (const env of ENVIRONMENTS) {
    environments[env] = { env, endpointReference: ENDPOINTS[env], signing: () => sts[env] };
  }
  const deps: StsDeps = {
    clocks: clocksOf(clock),
    events,
    directory: registry,
    environments,
    options: {
      faultMode: "verbose",
      allowSha1: false,
      clockSkewMs: 5 * 60_000,
      defaultTokenLifetimeMs: 8 * 3_600_000,
      maxTokenLifetimeMs: 8 * 3_600_000,
      ...options,
    },
  };
  const app = express();
  app.use(stsRouter(deps));
  return { clock, events, registry, ca, sts, wsp, client, userId, deps, app, environments };
}

let users = 0;

/** A further systembruger with `credential` as its current certificate, provisioned to `provision`. */
export async function addSystemUser(
  f: StsFixture,
  credential: Credential,
  provision: Environment[] = [...ENVIRONMENTS],
  upload: Environment[] = [...ENVIRONMENTS],
): Promise<string> {
  users++;
  return provisionSystemUser(
    f.registry,
    { name: `Bruger ${users}`, cvr: CVR, entityId: `https://wsc${users}.example` },
    { current: credential },
    upload,
    provision,
  );
}

/**
 * The parameters of a token request as the fixture's client sends it (its certificate, the
 * production STS endpoint reference, the production SMDB, now on the fixture's clock); for
 * `buildSignedRst` and `rstEnvelopeTemplate`, with any field overridden.
 */
export function rstParams(f: StsFixture, overrides: Partial<RstRequestParams> = {}): RstRequestParams {
  return {
    credential: f.client,
    to: ENDPOINTS.production,
    appliesTo: WSP_ID.production,
    nowMs: f.clock.nowMs(),
    ...overrides,
  };
}

/** An unsigned token request (message and context ids fixed), for a test to alter and then sign. */
export function rstTemplate(params: RstRequestParams, messageId: string): string {
  return rstEnvelopeTemplate(params, messageId, "urn:uuid:ctx");
}

/** The parts a client signs in a token request, by wsu:Id. */
export const RST_SIGNED_IDS = ["action", "msgid", "to", "sec-ts", "sec-binsectoken", "body"];

/**
 * Signs a (possibly modified) request template as the client does: the given references (by
 * default all of RST_SIGNED_IDS), the fixture's client key, KeyInfo an STR to the BST.
 */
export function signRst(
  f: StsFixture,
  template: string,
  options: {
    ids?: string[];
    key?: Credential;
    keyInfoXml?: string;
    signatureAlgorithm?: string;
    digestAlgorithm?: string;
  } = {},
): string {
  return signXml(template, {
    privateKey: (options.key ?? f.client).key.privateKey,
    references: (options.ids ?? RST_SIGNED_IDS).map((id) => ({ id })),
    keyInfoXml: options.keyInfoXml ?? strToBstXml("sec-binsectoken"),
    prefix: "",
    ...(options.signatureAlgorithm ? { signatureAlgorithm: options.signatureAlgorithm } : {}),
    ...(options.digestAlgorithm ? { digestAlgorithm: options.digestAlgorithm } : {}),
  });
}

/** Posts a token request to the fixture's STS in `env`, as the client does (SOAP 1.1, the Issue action). */
export function postRst(f: StsFixture, body: string | Buffer, env: Environment = "production") {
  return request(f.app)
    .post(`/${env}/SecurityTokenService.svc`)
    .set("content-type", "text/xml; charset=utf-8")
    .set("soapaction", '"http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"')
    .send(body);
}

/** Posts `body` and checks that a token is issued: HTTP 200 and exactly one `ok` step-1 event. */
export async function expectIssued(f: StsFixture, body: string, env: Environment = "production") {
  const before = f.events.lastSeq;
  const res = await postRst(f, body, env);
  expect(res.status, res.text.slice(0, 2000)).toBe(200);
  const events = f.events.since(before).filter((e) => e.component === "sts");
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ outcome: "ok", reason: "OK", step: 1, env });
  return res;
}

/**
 * Posts `body` and checks the shape of a step-1 rejection: HTTP 500, a SOAP 1.1 fault with the
 * reason and its fault code (the reason's wst code unless `faultCode` says), exactly one `rejected` event; with `cert`, both name that
 * certificate; with `pattern`, the message matches. Returns the fault.
 */
export async function expectStsFault(
  f: StsFixture,
  body: string | Buffer,
  reason: Exclude<StsReason, "OK">,
  options: {
    env?: Environment;
    cert?: Credential;
    pattern?: RegExp;
    faultCode?: string;
    status?: number;
  } = {},
) {
  const env = options.env ?? "production";
  const faultCode = options.faultCode ?? FAULT_CODES[reason];
  const before = f.events.lastSeq;
  const res = await postRst(f, body, env);
  expect(res.status, res.text.slice(0, 1000)).toBe(options.status ?? 500);
  expect(res.headers["content-type"]).toMatch(/^text\/xml/);
  const fault = readSoap11Fault(parseXml(res.text));
  expect(fault, res.text).toBeDefined();
  expect(fault!.reason, fault!.message).toBe(reason);
  expect(fault!.faultcode).toBe(faultCode);
  if (options.cert) expect(fault!.message).toContain(options.cert.certificate.sha256);
  if (options.pattern) expect(fault!.message).toMatch(options.pattern);
  const events = f.events.since(before).filter((e) => e.component === "sts");
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ outcome: "rejected", reason, fault: faultCode, step: 1, env });
  if (options.cert) expect(events[0]!.certSha256).toBe(options.cert.certificate.sha256);
  return fault!;
}
