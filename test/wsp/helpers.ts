/**
 * Test bench for the WSP: real harness state (test CA, STS and WSP credentials per environment),
 * tokens built and encrypted by the same src/xml code the STS uses, requests built by the IDWS
 * client code, and real HTTP through express + supertest.
 */
import { randomUUID } from "node:crypto";
import express from "express";
import request from "supertest";
import { beforeAll, beforeEach, expect } from "vitest";
import { clocksOf, VirtualClock } from "../../src/core/clock.js";
import { type Environment, EventLog, type HarnessEvent } from "../../src/core/events.js";
import { HarnessState } from "../../src/harness/state.js";
import type { Credential } from "../../src/pki/index.js";
import { type OperationName, requestAction, requestBodyXml } from "../../src/smdb/operations.js";
import { DEFAULT_PRIVILEGES } from "../../src/smdb/privileges.js";
import {
  FAULT_SUBCODES,
  type StsTrust,
  type WspDeps,
  type WspOptions,
  WspService,
  wspEnvironmentFromState,
  wspRouter,
} from "../../src/wsp/service.js";
import { SmdbStore } from "../../src/wsp/store.js";
import { signXml } from "../../src/xml/dsig.js";
import { encryptAssertion } from "../../src/xml/encryption.js";
import { buildIdwsRequest, type IdwsPart, type IdwsRequestInput } from "../../src/xml/idws.js";
import { ALG } from "../../src/xml/ns.js";
import { childElements, parseXml } from "../../src/xml/parse.js";
import { type AssertionParams, assertionTemplate, buildSignedAssertion } from "../../src/xml/saml.js";
import { readHarnessFaultDetail, readSoap12Fault, SOAP12_NS } from "../../src/xml/soap12.js";
import type { StrForm } from "../../src/xml/str-transform.js";

export { COURSE } from "../helpers/fixtures.js";

export const START = Date.parse("2026-03-01T10:00:00Z");
export const HOUR = 3_600_000;

export interface Bench {
  clock: VirtualClock;
  state: HarnessState;
  events: EventLog;
  store: SmdbStore;
  deps: WspDeps;
  service: WspService;
  app: express.Express;
  trust: Record<Environment, StsTrust>;
  clientA: Credential;
  clientB: Credential;
}

export const CVR_A = "91234567";
export const CVR_B = "98765432";

export async function createBench(
  options: { storeDir?: string; wsp?: Partial<WspOptions> } = {},
): Promise<Bench> {
  const clock = new VirtualClock(START);
  const events = new EventLog(() => clock.nowMs());
  const state = await HarnessState.open({ clock, events });
  const store = await SmdbStore.open(options.storeDir ? { dir: options.storeDir } : {});
  const trust: Record<Environment, StsTrust> = {
    integration: { mode: "current" },
    production: { mode: "current" },
  };
  const deps: WspDeps = {
    clocks: clocksOf(clock),
    events,
    store,
    environments: {
      integration: wspEnvironmentFromState(state, "integration", () => trust.integration),
      production: wspEnvironmentFromState(state, "production", () => trust.production),
    },
    options: options.wsp ?? {},
  };
  const app = express();
  const service = new WspService(deps);
  app.use(wspRouter(service));
  const issue = (cvr: string, name: string) =>
    state.ca.issue({
      profile: "oces3-system",
      cvr,
      name,
      notBefore: new Date(START - 100 * 86_400_000),
      notAfter: new Date(START + 900 * 86_400_000),
    });
  const clientA = await issue(CVR_A, "Fagsystem A");
  const clientB = await issue(CVR_B, "Fagsystem B");
  return { clock, state, events, store, deps, service, app, trust, clientA, clientB };
}

/**
 * One bench for a test file (made in beforeAll), back at START with production trusting the
 * current STS certificate before every test. Call it at the top level of the file.
 */
export function useBench(onCreate: (bench: Bench) => void): void {
  let bench: Bench;
  beforeAll(async () => {
    bench = await createBench();
    onCreate(bench);
  });
  beforeEach(() => {
    bench.clock.set(START);
    bench.trust.production = { mode: "current" };
  });
}

export interface TokenOptions {
  env?: Environment;
  client?: Credential;
  cvr?: string;
  nameId?: string;
  audience?: string;
  /** The assertion's saml2:Issuer (default: the environment's STS endpoint reference). */
  issuer?: string;
  notBeforeMs?: number;
  notOnOrAfterMs?: number;
  privileges?: readonly string[];
  /** Sign with this credential instead of the environment's STS. */
  signing?: Credential;
  /** Encrypt to this environment's WSP (default `env`). */
  encryptFor?: Environment;
  /** Change the assertion's XML before the STS key signs it (a token the STS would not issue, validly signed). */
  beforeSigning?: (xml: string) => string;
  /** Change the signed assertion's XML after signing (to tamper with it). */
  tamper?: (xml: string) => string;
}

/** A token as the STS issues it: signed assertion, encrypted to the WSP. */
export function issueToken(bench: Bench, options: TokenOptions = {}): string {
  const env = options.env ?? "production";
  const id = bench.state.environment(env);
  const now = bench.clock.nowMs();
  const client = options.client ?? bench.clientA;
  const params: AssertionParams = {
    issueInstantMs: now,
    issuer: options.issuer ?? id.stsEndpointReference,
    nameId: options.nameId ?? "https://fagsystem-a.example.dk",
    subjectCertificate: client.certificate,
    notBeforeMs: options.notBeforeMs ?? now,
    notOnOrAfterMs: options.notOnOrAfterMs ?? now + 8 * HOUR,
    audience: options.audience ?? id.wspEntityId,
    cvr: options.cvr ?? (client === bench.clientB ? CVR_B : CVR_A),
    privileges: options.privileges ?? DEFAULT_PRIVILEGES,
    signing: options.signing ?? id.stsSigning,
  };
  let xml: string;
  if (options.beforeSigning) {
    // As buildSignedAssertion signs, over the edited template.
    const assertionId = `_${randomUUID()}`;
    xml = signXml(options.beforeSigning(assertionTemplate(params, assertionId)), {
      privateKey: params.signing.key.privateKey,
      references: [{ id: assertionId, enveloped: true }],
      signatureAlgorithm: ALG.rsaSha256,
      digestAlgorithm: ALG.sha256,
      keyInfoXml: `<ds:X509Data><ds:X509Certificate>${params.signing.certificate.base64}</ds:X509Certificate></ds:X509Data>`,
    });
  } else {
    xml = buildSignedAssertion(params).xml;
  }
  if (options.tamper) xml = options.tamper(xml);
  return encryptAssertion(xml, bench.state.environment(options.encryptFor ?? env).wsp.certificate);
}

export interface CallOptions extends Partial<Omit<IdwsRequestInput, "bodyXml" | "encryptedAssertionXml">> {
  token?: string;
  client?: Credential;
  payload?: unknown;
  validate?: boolean;
  sign?: readonly IdwsPart[];
  strForm?: StrForm;
  bodyXml?: string;
}

/** A signed step-2 request for `operation`. */
export function buildRequest(
  bench: Bench,
  operation: OperationName,
  options: CallOptions = {},
): { xml: string; messageId: string } {
  const client = options.client ?? bench.clientA;
  const input: IdwsRequestInput = {
    action: options.action ?? requestAction(operation),
    to: options.to ?? "https://localhost/production/smdb",
    createdMs: options.createdMs ?? bench.clock.nowMs(),
    encryptedAssertionXml: options.token ?? issueToken(bench, { client }),
    bodyXml:
      options.bodyXml ??
      requestBodyXml(operation, options.payload ?? {}, { validate: options.validate ?? true }),
    privateKey: options.privateKey ?? client.key.privateKey,
  };
  if (options.messageId) input.messageId = options.messageId;
  if (options.sign) input.sign = options.sign;
  if (options.strForm) input.strForm = options.strForm;
  if (options.signatureAlgorithm) input.signatureAlgorithm = options.signatureAlgorithm;
  if (options.digestAlgorithm) input.digestAlgorithm = options.digestAlgorithm;
  return buildIdwsRequest(input);
}

export interface PostResult {
  status: number;
  contentType: string;
  body: string;
  fault?: {
    code: string;
    subcode?: string;
    reason: string;
    harness?: { reason: string; message: string; fields: Array<{ field: string; message: string }> };
  };
}

export async function post(
  bench: Bench,
  body: string | Buffer,
  env: Environment = "production",
): Promise<PostResult> {
  const res = await request(bench.app)
    .post(`/${env}/smdb`)
    .set("Content-Type", "application/soap+xml; charset=utf-8")
    .send(body);
  const text = res.text;
  const out: PostResult = { status: res.status, contentType: res.headers["content-type"] ?? "", body: text };
  const doc = parseXml(text, { maxBytes: 16 * 1024 * 1024 });
  const envelope = doc.documentElement!;
  const bodyEl = childElements(envelope, SOAP12_NS, "Body")[0];
  const first = bodyEl && childElements(bodyEl, SOAP12_NS, "Fault")[0];
  if (first) {
    const parsed = readSoap12Fault(first);
    const harness = readHarnessFaultDetail(parsed.detail);
    out.fault = {
      code: parsed.code,
      reason: parsed.reason,
      ...(parsed.subcode ? { subcode: parsed.subcode } : {}),
      ...(harness ? { harness } : {}),
    };
  }
  return out;
}

/** The events appended while running `fn`. */
export async function eventsDuring<T>(
  bench: Bench,
  fn: () => Promise<T>,
): Promise<{ result: T; events: HarnessEvent[] }> {
  const before = bench.events.lastSeq;
  const result = await fn();
  return { result, events: bench.events.since(before) };
}

/**
 * Posts `body` and checks the common shape of a step-2 rejection: HTTP 400, a SOAP 1.2 `env:Sender`
 * fault with the reason (and its subcode, where it has one), exactly one rejected event and no
 * record written.
 */
export async function expectRejection(
  bench: Bench,
  body: string | Buffer,
  reason: string,
  env: Environment = "production",
  status = 400,
): Promise<{ fault: NonNullable<PostResult["fault"]>; event: HarnessEvent }> {
  const storedBefore = bench.store.count();
  const { result: res, events } = await eventsDuring(bench, () => post(bench, body, env));
  expect(res.status, res.body.slice(0, 600)).toBe(status);
  expect(res.contentType).toContain("application/soap+xml");
  expect(res.fault?.code).toBe("env:Sender");
  expect(res.fault?.harness?.reason, res.fault?.reason).toBe(reason);
  const subcode = FAULT_SUBCODES[reason];
  if (subcode) expect(res.fault?.subcode).toBe(subcode);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ env, step: 2, component: "wsp", outcome: "rejected", reason });
  expect(bench.store.count()).toBe(storedBefore);
  return { fault: res.fault!, event: events[0]! };
}
