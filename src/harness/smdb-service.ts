/**
 * What the nemlogin service of a split harness (`up --role nemlogin`) knows of the smdb service:
 * only what that service told it when it registered as the WSP of an environment (its
 * certificate, URL and TLS CA). The STS encrypts tokens to that certificate (the registry holds the
 * registration); this keeps the endpoint facts, so that the admin API and the client files can
 * describe SMDB to clients:
 *
 *   <state-dir>/smdb-service.json   the registrations (URL, certificate, TLS CA) per environment
 *   <state-dir>/wsp-{env}.pem       the SMDB certificate of each environment, as registered
 *   <state-dir>/tls-ca.pem          the TLS CA of this service and of the smdb service, in one file
 */
import { join } from "node:path";
import type { WspRegistration } from "../control/local-control.js";
import { readJsonIfExists, writeFileAtomic } from "../core/atomic-file.js";
import { ENVIRONMENTS, type Environment } from "../core/events.js";
import { Certificate } from "../pki/index.js";
import { TLS_CA_FILE, WSP_ENTITY_IDS, wspCertificateFile } from "./state.js";

export const SMDB_SERVICE_FILE = "smdb-service.json";

export interface SmdbEndpoint {
  url: string;
  certificate: Certificate;
  tlsCaPem: string | null;
}

interface Stored {
  environments: Partial<
    Record<Environment, { url: string; certificatePem: string; tlsCaPem: string | null }>
  >;
}

export class SmdbService {
  readonly #stateDir: string | undefined;
  readonly #ownTlsCaPem: string | null;
  readonly #endpoints: Partial<Record<Environment, SmdbEndpoint>>;
  readonly #listeners = new Set<() => Promise<void> | void>();

  private constructor(
    stateDir: string | undefined,
    ownTlsCaPem: string | null,
    endpoints: Partial<Record<Environment, SmdbEndpoint>>,
  ) {
    this.#stateDir = stateDir;
    this.#ownTlsCaPem = ownTlsCaPem;
    this.#endpoints = endpoints;
  }

  /** Loads what was learned before (with a state dir) and writes the TLS CA bundle. */
  static async open(stateDir: string | undefined, ownTlsCaPem: string | null): Promise<SmdbService> {
    const stored = stateDir ? await readJsonIfExists<Stored>(join(stateDir, SMDB_SERVICE_FILE)) : undefined;
    const endpoints: Partial<Record<Environment, SmdbEndpoint>> = {};
    for (const env of ENVIRONMENTS) {
      const e = stored?.environments?.[env];
      if (e)
        endpoints[env] = {
          url: e.url,
          certificate: Certificate.fromPem(e.certificatePem),
          tlsCaPem: e.tlsCaPem,
        };
    }
    const service = new SmdbService(stateDir, ownTlsCaPem, endpoints);
    await service.#writeFiles();
    return service;
  }

  endpoint(env: Environment): SmdbEndpoint | undefined {
    return this.#endpoints[env];
  }

  /** Whether the smdb service has registered for every environment. */
  get complete(): boolean {
    return ENVIRONMENTS.every((env) => this.#endpoints[env]);
  }

  /** This service's TLS CA and the smdb service's, each certificate once (null over plain HTTP). */
  get tlsCaPem(): string | null {
    const pems = [this.#ownTlsCaPem, ...ENVIRONMENTS.map((env) => this.#endpoints[env]?.tlsCaPem ?? null)];
    const seen = new Set<string>();
    let bundle = "";
    for (const pem of pems) {
      for (const block of pem?.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []) {
        const normal = block.replace(/\s+/g, "");
        if (seen.has(normal)) continue;
        seen.add(normal);
        bundle += `${block}\n`;
      }
    }
    return bundle === "" ? null : bundle;
  }

  /** Called (and awaited) after each change, e.g. to rewrite the client configurations. */
  onChange(listener: () => Promise<void> | void): void {
    this.#listeners.add(listener);
  }

  /**
   * Takes a WSP registration: one for SMDB's entity ID that names its URL is the smdb service
   * describing itself. Others are ordinary WSPs the STS serves, nothing to remember here.
   */
  async record(registration: WspRegistration): Promise<void> {
    const { env, entityId, certificate, url } = registration;
    if (entityId !== WSP_ENTITY_IDS[env] || url === undefined) return;
    const known = this.#endpoints[env];
    const tlsCaPem = registration.tlsCaPem ?? null;
    if (known && known.url === url && known.certificate.equals(certificate) && known.tlsCaPem === tlsCaPem)
      return;
    this.#endpoints[env] = { url, certificate, tlsCaPem };
    await this.#save();
    await this.#writeFiles();
    for (const listener of this.#listeners) await listener();
  }

  async #save(): Promise<void> {
    if (!this.#stateDir) return;
    const stored: Stored = { environments: {} };
    for (const env of ENVIRONMENTS) {
      const e = this.#endpoints[env];
      if (e)
        stored.environments[env] = { url: e.url, certificatePem: e.certificate.pem, tlsCaPem: e.tlsCaPem };
    }
    await writeFileAtomic(join(this.#stateDir, SMDB_SERVICE_FILE), `${JSON.stringify(stored, null, 2)}\n`);
  }

  async #writeFiles(): Promise<void> {
    if (!this.#stateDir) return;
    const bundle = this.tlsCaPem;
    if (bundle) await writeFileAtomic(join(this.#stateDir, TLS_CA_FILE), bundle);
    for (const env of ENVIRONMENTS) {
      const e = this.#endpoints[env];
      if (e) await writeFileAtomic(join(this.#stateDir, wspCertificateFile(env)), e.certificate.pem);
    }
  }
}
