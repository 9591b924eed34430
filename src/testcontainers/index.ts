/**
 * `smdb-harness/testcontainers`: the harness as a testcontainers-node module, in the style of the
 * official modules (a fluent container, a started handle with getters, `await using`):
 *
 *   import { SmdbHarnessContainer } from "smdb-harness/testcontainers";
 *   await using harness = await new SmdbHarnessContainer()
 *     .withVirtualClock("2026-01-01T00:00:00Z")
 *     .withSystemUser({ name: "Min kommune", cvr: "91234567", entityId: "https://kommune.example/wsc" })
 *     .start();
 *   harness.stsUrl("production"); harness.wspUrl("production");
 *   await harness.control.advanceClock("30d");              // the same HarnessControl as in-process
 *   const files = await harness.writeClientFiles(dir, "production");   // .p12, CA, client YAML
 *
 * Needs `testcontainers` (^11) installed beside smdb-harness, and the image (default
 * `smdb-harness:local`, built by `docker build -t smdb-harness:local .` or `docker compose build`;
 * `SMDB_HARNESS_IMAGE` or the constructor's argument names another). docs/containers.md has the
 * same for .NET and Java.
 */
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AbstractStartedContainer, GenericContainer, type StartedTestContainer, Wait } from "testcontainers";
import YAML from "yaml";
import type { ClientEndpoints } from "../control/harness-control.js";
import { RemoteControl } from "../control/remote-control.js";
import { ENVIRONMENTS, type Environment } from "../core/events.js";
import type { FaultMode } from "../harness/harness.js";
import { type Credential, createTestCa, toPkcs12 } from "../pki/index.js";
import type { RolloverPolicy } from "../sts/rollover.js";

/** The port the harness listens on inside the container. */
export const SMDB_HARNESS_PORT = 8443;
/** Where the harness keeps its state inside the container. */
export const SMDB_HARNESS_STATE_DIR = "/var/lib/smdb-harness";
/** The image used when none is given: `SMDB_HARNESS_IMAGE`, else `smdb-harness:local`. */
export const DEFAULT_SMDB_HARNESS_IMAGE = "smdb-harness:local";

/** A systembruger made at start, with a certificate issued for it under a CA of this process. */
export interface SystemUserSpec {
  name: string;
  /** 8 digits; fictitious test numbers start with 9. */
  cvr: string;
  entityId: string;
  privileges?: string[];
  id?: string;
  /** Where its certificate is provisioned (default both). */
  environments?: Environment[];
}

/** A systembruger a started container knows, with the credential a client signs with. */
export interface ContainerSystemUser {
  id: string;
  credential: Credential;
}

/** What `writeClientFiles` wrote. */
export interface ClientFiles {
  /** The client configuration (YAML) for `smdb-harness client` or `loadClientConfig`. */
  config: string;
  p12: string;
  password: string;
  stsCertificate: string;
  wspCertificate: string;
  /** Absent over plain HTTP. */
  tlsCa?: string;
}

export class SmdbHarnessContainer extends GenericContainer {
  readonly #systemUsers: SystemUserSpec[] = [];
  #http = false;
  readonly #tlsHostnames: string[] = [];

  constructor(image: string = process.env.SMDB_HARNESS_IMAGE || DEFAULT_SMDB_HARNESS_IMAGE) {
    super(image);
    this.withExposedPorts(SMDB_HARNESS_PORT).withStartupTimeout(180_000);
  }

  /** The STS's rollover policy: at-expiry (default), overlap or immediate. */
  withPolicy(policy: RolloverPolicy): this {
    return this.withEnvironment({ SMDB_HARNESS_POLICY: policy });
  }

  /**
   * Runs on a virtual clock starting at `start` (moved through `control`). Message timestamps are
   * then checked on the machine's clock unless `withMessageClock("harness")`.
   */
  withVirtualClock(start: string | Date): this {
    return this.withEnvironment({
      SMDB_HARNESS_VIRTUAL_CLOCK: typeof start === "string" ? start : start.toISOString(),
    });
  }

  /** What message Timestamps are checked against: `harness` time (scenarios) or the `real` clock. */
  withMessageClock(clock: "harness" | "real"): this {
    return this.withEnvironment({ SMDB_HARNESS_MESSAGE_CLOCK: clock });
  }

  /** SOAP faults: `verbose` (reason code and sentence, default) or `realistic`. */
  withFaultMode(mode: FaultMode): this {
    return this.withEnvironment({ SMDB_HARNESS_FAULT_MODE: mode });
  }

  /** More names for the TLS certificate, e.g. the container's network alias. */
  withTlsHostnames(...names: string[]): this {
    this.#tlsHostnames.push(...names);
    return this.withEnvironment({ SMDB_HARNESS_TLS_HOSTNAMES: this.#tlsHostnames.join(",") });
  }

  /** Plain HTTP instead of HTTPS. */
  withHttp(): this {
    this.#http = true;
    return this.withEnvironment({ SMDB_HARNESS_HTTP: "true" });
  }

  /**
   * A systembruger to make at start, as an administrator does: its OCES3 certificate is issued
   * under a CA made in this process (added to the STS's trust anchors), uploaded as current,
   * saved and provisioned. `writeClientFiles` then uses it (the first one) instead of the demo one.
   */
  withSystemUser(spec: SystemUserSpec): this {
    this.#systemUsers.push(spec);
    return this;
  }

  override async start(): Promise<StartedSmdbHarnessContainer> {
    const wait = Wait.forHttp("/health", SMDB_HARNESS_PORT).forStatusCode(200);
    this.withWaitStrategy(this.#http ? wait : wait.usingTls().allowInsecure());
    const started = await super.start();
    try {
      const tlsCaPem = this.#http
        ? null
        : await readContainerFile(started, `${SMDB_HARNESS_STATE_DIR}/tls-ca.pem`);
      const url = `${this.#http ? "http" : "https"}://${started.getHost()}:${started.getMappedPort(SMDB_HARNESS_PORT)}`;
      const control = new RemoteControl(url, tlsCaPem ? { ca: tlsCaPem } : {});
      const users: ContainerSystemUser[] = [];
      if (this.#systemUsers.length > 0) {
        const nowMs = (await control.clock()).nowMs;
        const ca = await createTestCa(nowMs, "smdb-harness testcontainers");
        await control.addTrustAnchors(ca.root.certificate.pem + ca.issuing.certificate.pem);
        for (const spec of this.#systemUsers) {
          const credential = await ca.issue({
            profile: "oces3-system",
            cvr: spec.cvr,
            name: spec.name,
            notBefore: new Date(nowMs - 86_400_000),
            notAfter: new Date(nowMs + 3 * 365 * 86_400_000 - 1000),
          });
          const user = await control.createSystemUser({
            name: spec.name,
            cvr: spec.cvr,
            entityId: spec.entityId,
            ...(spec.privileges ? { privileges: spec.privileges } : {}),
            ...(spec.id ? { id: spec.id } : {}),
          });
          const environments = spec.environments ?? ENVIRONMENTS;
          for (const env of environments)
            await control.uploadCertificate(user.id, env, "current", credential.certificate.der);
          await control.save(user.id);
          for (const env of environments) await control.provision(user.id, env);
          users.push({ id: user.id, credential });
        }
      }
      return new StartedSmdbHarnessContainer(started, url, control, tlsCaPem, users);
    } catch (error) {
      await started.stop();
      throw error;
    }
  }
}

export class StartedSmdbHarnessContainer extends AbstractStartedContainer {
  /** The harness's base URL as reached from this process (mapped port). */
  readonly url: string;
  /** Drives the harness: the same `HarnessControl` interface as `harness.control` in-process. */
  readonly control: RemoteControl;
  /** The CA of the harness's TLS certificate (PEM); null over plain HTTP. */
  readonly tlsCaPem: string | null;
  /** The systembrugere made at start (`withSystemUser`), with their credentials. */
  readonly systemUsers: readonly ContainerSystemUser[];

  constructor(
    started: StartedTestContainer,
    url: string,
    control: RemoteControl,
    tlsCaPem: string | null,
    systemUsers: ContainerSystemUser[],
  ) {
    super(started);
    this.url = url;
    this.control = control;
    this.tlsCaPem = tlsCaPem;
    this.systemUsers = systemUsers;
  }

  stsUrl(env: Environment): string {
    return `${this.url}/${env}/SecurityTokenService.svc`;
  }

  wspUrl(env: Environment): string {
    return `${this.url}/${env}/smdb`;
  }

  get adminUrl(): string {
    return `${this.url}/admin/api`;
  }

  /**
   * Writes what a client outside the container needs for `env` into `dir`: `client.p12` (of the
   * systembruger `options.systemUser` — an id from `withSystemUser`, or `"demo"` for the demo
   * systembruger, copied out of the container; default the first `withSystemUser`, else the demo),
   * `tls-ca.pem`, `sts-{env}.pem`, `wsp-{env}.pem` and `client-{env}.yaml` pointing at them.
   */
  async writeClientFiles(
    dir: string,
    env: Environment,
    options: { systemUser?: string } = {},
  ): Promise<ClientFiles> {
    const endpoints: ClientEndpoints = await this.control.clientEndpoints(env);
    const { p12, password } = await this.#clientCredential(options.systemUser);
    const files: ClientFiles = {
      config: join(dir, `client-${env}.yaml`),
      p12: join(dir, "client.p12"),
      password,
      stsCertificate: join(dir, `sts-${env}.pem`),
      wspCertificate: join(dir, `wsp-${env}.pem`),
      ...(endpoints.tlsCaPem ? { tlsCa: join(dir, "tls-ca.pem") } : {}),
    };
    await writeFile(files.p12, p12, { mode: 0o600 });
    await writeFile(files.stsCertificate, endpoints.stsCertificatePem);
    await writeFile(files.wspCertificate, endpoints.wspCertificatePem);
    if (files.tlsCa) await writeFile(files.tlsCa, endpoints.tlsCaPem!);
    const config = {
      environment: env,
      stsUrl: endpoints.stsUrl,
      stsEndpointReference: endpoints.stsEndpointReference,
      stsCertificate: [`sts-${env}.pem`],
      wspUrl: endpoints.wspUrl,
      wspEntityId: endpoints.wspEntityId,
      wspCertificate: [`wsp-${env}.pem`],
      clientCertificate: { file: "client.p12", password },
      ...(files.tlsCa ? { tls: { ca: "tls-ca.pem" } } : {}),
    };
    await writeFile(
      files.config,
      `# smdb-harness client configuration for ${env}, written by StartedSmdbHarnessContainer.writeClientFiles\n${YAML.stringify(config)}`,
      { mode: 0o600 },
    );
    return files;
  }

  async #clientCredential(systemUser: string | undefined): Promise<{ p12: Buffer; password: string }> {
    const own =
      systemUser === undefined ? this.systemUsers[0] : this.systemUsers.find((u) => u.id === systemUser);
    if (systemUser !== undefined && systemUser !== "demo" && !own) {
      throw new Error(
        `no systembruger "${systemUser}" was made by withSystemUser (made: ${this.systemUsers.map((u) => u.id).join(", ") || "none"}); use one of those, or "demo"`,
      );
    }
    if (own) {
      const password = randomBytes(8).toString("hex");
      return { p12: toPkcs12(own.credential, password), password };
    }
    const demo = JSON.parse(await readContainerFile(this, `${SMDB_HARNESS_STATE_DIR}/demo.json`)) as {
      p12: string;
      password: string;
    };
    const base64 = await readContainerFile(this, demo.p12, { base64: true });
    return { p12: Buffer.from(base64, "base64"), password: demo.password };
  }

  protected override async containerStopping(): Promise<void> {
    this.control.close();
  }
}

/** A file of the container, as text (or as base64 of its bytes). */
async function readContainerFile(
  container: Pick<StartedTestContainer, "exec">,
  path: string,
  options: { base64?: boolean } = {},
): Promise<string> {
  const result = await container.exec(options.base64 ? ["base64", "-w0", path] : ["cat", path]);
  if (result.exitCode !== 0) {
    throw new Error(
      `cannot read ${path} in the container (exit ${result.exitCode}): ${result.stderr || result.output}`,
    );
  }
  return result.stdout;
}
