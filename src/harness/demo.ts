/**
 * What `smdb-harness up` leaves in its state dir for a client, made through the control surface
 * like an administrator would: a demo systembruger (fictitious CVR) whose OCES3 system certificate
 * is provisioned to both environments (once per state dir), and on every start a ready client
 * configuration per environment (`client-integration.yaml`, `client-production.yaml`) with the
 * client's own copies of the STS and SMDB certificates (docs/client-config.md).
 */
import { randomBytes } from "node:crypto";
import { join, relative } from "node:path";
import YAML from "yaml";
import { fileExists, readJsonIfExists, writeFileAtomic } from "../core/atomic-file.js";
import { ENVIRONMENTS, type Environment } from "../core/events.js";
import { writeCredentialFiles } from "../pki/export.js";
import type { RsaKeyPair } from "../pki/index.js";
import type { Harness } from "./harness.js";

export const DEMO_FILE = "demo.json";
export const DEMO_CLIENT_BASE = join("client", "demo-client");
export const clientConfigFile = (env: Environment) => `client-${env}.yaml`;
export const clientTrustedStsFile = (env: Environment) => join("client", `trusted-sts-${env}.pem`);
export const clientTrustedWspFile = (env: Environment) => join("client", `trusted-wsp-${env}.pem`);

export const DEMO = {
  id: "demo",
  name: "Demo Kommune SMDB-indberetning",
  cvr: "90112233",
  entityId: "https://demo-kommune.example/smdb-klient",
};

const YEAR_MS = 365 * 86_400_000;

export interface DemoInfo {
  systemUserId: string;
  password: string;
  p12: string;
  cer: string;
  pem: string;
  keyPem: string;
}

/** Creates the demo systembruger and its client credential once per state dir. */
export async function ensureDemo(
  harness: Harness,
  stateDir: string,
  /** The key for a new demo credential, when it is being made already (a first start). */
  keyAhead?: Promise<RsaKeyPair>,
): Promise<DemoInfo> {
  const file = join(stateDir, DEMO_FILE);
  const existing = await readJsonIfExists<DemoInfo>(file);
  if (existing && (await fileExists(existing.p12))) return existing;
  const now = harness.clock.nowMs();
  const key = keyAhead ? await keyAhead : undefined;
  const credential = await harness.state.ca.issue({
    profile: "oces3-system",
    ...(key ? { key } : {}),
    cvr: DEMO.cvr,
    name: DEMO.name,
    organization: "Demo Kommune",
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 3 * YEAR_MS - 1000),
  });
  const password = randomBytes(8).toString("hex");
  const files = await writeCredentialFiles(credential, join(stateDir, DEMO_CLIENT_BASE), { password });
  const control = harness.control;
  const users = await control.systemUsers();
  let id = DEMO.id;
  if (users.some((u) => u.id === id)) id = `${DEMO.id}-${randomBytes(2).toString("hex")}`;
  const entityTaken = users.some((u) => u.entityId === DEMO.entityId);
  await control.createSystemUser({
    id,
    name: DEMO.name,
    cvr: DEMO.cvr,
    entityId: entityTaken ? `${DEMO.entityId}/${id}` : DEMO.entityId,
  });
  for (const env of ENVIRONMENTS)
    await control.uploadCertificate(id, env, "current", credential.certificate.der);
  await control.save(id);
  for (const env of ENVIRONMENTS) await control.provision(id, env);
  const demo: DemoInfo = {
    systemUserId: id,
    password,
    p12: files.p12,
    cer: files.cer,
    pem: files.pem,
    keyPem: files.keyPem,
  };
  await writeFileAtomic(file, `${JSON.stringify(demo, null, 2)}\n`, 0o600);
  return demo;
}

/** Writes `client-<env>.yaml` for each environment (on every start: the URL may change). */
export async function writeClientConfigs(
  harness: Harness,
  stateDir: string,
  demo: DemoInfo,
): Promise<Record<Environment, string>> {
  const files = harness.state.files()!;
  const out = {} as Record<Environment, string>;
  // Paths relative to the configuration file (which lives in the state dir), so that the state
  // dir can be moved or mounted elsewhere (e.g. into a container) and still work.
  const rel = (path: string) => relative(stateDir, path) || ".";
  for (const env of ENVIRONMENTS) {
    const endpoints = await harness.control.clientEndpoints(env);
    // The client's own copy of the STS certificate, made once: after a rotation of the STS
    // signing certificate the client fails (STS_RESPONSE_UNTRUSTED) until someone copies the new
    // sts-<env>.pem over it — the step a real vendor has to take.
    const trusted = join(stateDir, clientTrustedStsFile(env));
    if (!(await fileExists(trusted))) await writeFileAtomic(trusted, endpoints.stsCertificatePem);
    // Likewise the client's own copy of the SMDB certificate it expects responses to be signed
    // by: made once, so that a changed SMDB certificate fails the client (WSP_RESPONSE_UNTRUSTED)
    // until the new wsp-<env>.pem is installed, instead of being trusted silently.
    // The nemlogin service of a split pair knows SMDB's certificate only once SMDB registered.
    const smdbKnown = harness.role !== "nemlogin" || harness.smdbService?.endpoint(env) !== undefined;
    const trustedWsp = join(stateDir, clientTrustedWspFile(env));
    if (smdbKnown && !(await fileExists(trustedWsp)))
      await writeFileAtomic(trustedWsp, endpoints.wspCertificatePem);
    const config = {
      environment: env,
      stsUrl: endpoints.stsUrl,
      stsEndpointReference: endpoints.stsEndpointReference,
      stsCertificate: [rel(trusted)],
      wspUrl: endpoints.wspUrl,
      wspEntityId: endpoints.wspEntityId,
      ...(smdbKnown ? { wspCertificate: [rel(trustedWsp)] } : {}),
      clientCertificate: { file: rel(demo.p12), password: demo.password },
      ...(harness.protocol === "https" ? { tls: { ca: rel(files.tlsCa) } } : {}),
    };
    const path = join(stateDir, clientConfigFile(env));
    await writeFileAtomic(
      path,
      `# smdb-harness client configuration for ${env}, written by \`smdb-harness up\` (rewritten on every start).\n` +
        `# Relative paths are relative to this file. Use it with: smdb-harness client token --config ${path}\n${YAML.stringify(config)}`,
      0o600,
    );
    out[env] = path;
  }
  return out;
}
