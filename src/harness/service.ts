/**
 * What `smdb-harness up` runs, as a library: a harness on a state dir, in one of its roles, with
 * everything a client needs written into the state dir, a lock that keeps a second `up` off the
 * same dir, and a `/health` that says ready only once every file it lists exists, the demo
 * systembruger is provisioned and (role smdb) the nemlogin service has been heard from.
 *
 *   const service = await startService({ stateDir, role: "all", … });
 *   service.files;      // every file a client needs, with whether readiness waits for it
 *   await service.close();
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ScenarioLibrary } from "../control/board/scenario-player.js";
import { fileExists } from "../core/atomic-file.js";
import type { Clock } from "../core/clock.js";
import { HarnessError } from "../core/errors.js";
import { ENVIRONMENTS, type Environment, EventLog } from "../core/events.js";
import { Certificate, type RsaKeyPair, takeKeyPair } from "../pki/index.js";
import type { RolloverPolicy } from "../sts/rollover.js";
import { connectBoardToDemoClient } from "./board-demo.js";
import {
  clientConfigFile,
  clientTrustedStsFile,
  clientTrustedWspFile,
  DEMO_CLIENT_BASE,
  DEMO_FILE,
  type DemoInfo,
  ensureDemo,
  writeClientConfigs,
} from "./demo.js";
import {
  FollowedClock,
  FollowedMessageClock,
  NemloginFollower,
  type SmdbRegistration,
} from "./follow-nemlogin.js";
import { type FaultMode, type Harness, startHarness } from "./harness.js";
import type { Role } from "./roles.js";
import { CA_DIR, stsCertificateFile, TLS_CA_FILE, WSP_ENTITY_IDS, wspCertificateFile } from "./state.js";
import { isFileSystemError, StateDirLock, stateDirWriteError } from "./state-lock.js";
import { loadOwnTls } from "./tls.js";

export interface ServiceOptions {
  role: Role;
  /** Absolute path of the state dir. */
  stateDir: string;
  host: string;
  port: number;
  http: boolean;
  /** Harness time (ignored for role smdb, which follows the nemlogin service's clock). */
  clock: Clock;
  messageClock?: Clock;
  policy?: RolloverPolicy;
  faultMode: FaultMode;
  allowSha1: boolean;
  clockSkewMs?: number;
  tlsHostnames: readonly string[];
  tlsCert?: { cert: string; key: string };
  publicUrl?: string;
  /** The scenarios the trainer board can play (the built-in ones, from `up`). */
  scenarios?: ScenarioLibrary;
  /** Role smdb: the nemlogin service, and how long to wait for it at start. */
  nemlogin?: { url: string; caFile?: string; waitMs: number; intervalMs?: number };
}

/** A file `up` lists for clients. */
export interface ServiceFile {
  label: string;
  path: string;
  /** Whether `/health` waits for it (false: written when the peer service registers). */
  required: boolean;
  note?: string;
}

export interface RunningService {
  harness: Harness;
  role: Role;
  stateDir: string;
  files: ServiceFile[];
  /** Roles all and nemlogin: the demo systembruger and its client credential. */
  demo: DemoInfo | undefined;
  /** Role smdb: the nemlogin service it follows. */
  nemlogin: NemloginFollower | undefined;
  /** Set when a lock left by a process that is gone was taken over: why it was stale. */
  tookOverLock: string | undefined;
  warnings: string[];
  close(): Promise<void>;
}

/** The files a client needs from a service of `role` (what `up` prints and `/health` waits for). */
export function serviceFiles(role: Role, stateDir: string, https: boolean): ServiceFile[] {
  const at = (name: string) => join(stateDir, name);
  const files: ServiceFile[] = [];
  if (https) {
    files.push({
      label: "TLS CA",
      path: at(TLS_CA_FILE),
      required: true,
      ...(role === "nemlogin" ? { note: "this service's and, once it registered, the smdb service's" } : {}),
    });
  }
  for (const env of ENVIRONMENTS) {
    files.push({
      label: `STS cert  ${env}`,
      path: at(stsCertificateFile(env)),
      required: true,
      ...(role === "smdb" ? { note: "learned from the nemlogin service" } : {}),
    });
  }
  for (const env of ENVIRONMENTS) {
    files.push({
      label: `SMDB cert ${env}`,
      path: at(wspCertificateFile(env)),
      required: role !== "nemlogin",
      ...(role === "nemlogin" ? { note: "as the smdb service registers it" } : {}),
    });
  }
  if (role === "smdb") return files;
  for (const env of ENVIRONMENTS) {
    files.push({
      label: "client trusts",
      path: at(clientTrustedStsFile(env)),
      required: true,
      note: `its copy of the ${env} STS certificate; after an STS rotation copy sts-${env}.pem over it`,
    });
  }
  for (const env of ENVIRONMENTS) {
    files.push({
      label: "client trusts",
      path: at(clientTrustedWspFile(env)),
      required: role !== "nemlogin",
      note: `its copy of the ${env} SMDB certificate, wsp-${env}.pem`,
    });
  }
  files.push({
    label: "test CA",
    path: at(CA_DIR),
    required: true,
    note: "certs issue without --ca uses it",
  });
  files.push({ label: "client cert", path: at(`${DEMO_CLIENT_BASE}.p12`), required: true });
  for (const env of ENVIRONMENTS) {
    files.push({ label: "client config", path: at(clientConfigFile(env)), required: true });
  }
  return files;
}

/** The base URL clients use when none is given: the first TLS host name when listening on every interface. */
export function defaultPublicUrl(
  host: string,
  port: number,
  http: boolean,
  tlsHostnames: readonly string[],
): string | undefined {
  const wildcard = host === "0.0.0.0" || host === "::" || host === "";
  const name = tlsHostnames[0];
  if (!wildcard || name === undefined || port === 0) return undefined;
  return `${http ? "http" : "https"}://${name.includes(":") ? `[${name}]` : name}:${port}`;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { role, stateDir } = options;
  const lock = await StateDirLock.acquire(stateDir);
  let harness: Harness | undefined;
  let follower: NemloginFollower | undefined;
  try {
    const ownTls = options.tlsCert ? await loadOwnTls(options.tlsCert.cert, options.tlsCert.key) : undefined;
    let clock = options.clock;
    let messageClock = options.messageClock;
    const events = new EventLog(() => clock.nowMs());
    if (role === "smdb") {
      if (!options.nemlogin) {
        throw new HarnessError(
          "NEMLOGIN_URL_MISSING",
          "role smdb learns the STS from the nemlogin service: give its URL with --nemlogin-url (SMDB_HARNESS_NEMLOGIN_URL)",
        );
      }
      const followed = new FollowedClock();
      follower = new NemloginFollower({
        url: options.nemlogin.url,
        ...(options.nemlogin.caFile ? { caFile: options.nemlogin.caFile } : {}),
        ...(options.nemlogin.intervalMs ? { intervalMs: options.nemlogin.intervalMs } : {}),
        events,
        clock: followed,
        messageClock: new FollowedMessageClock(followed),
        stateDir,
      });
      clock = follower.clock;
      messageClock = follower.messageClock;
    }
    const files = serviceFiles(role, stateDir, !options.http);
    const progress: { demo?: DemoInfo } = {};
    const readiness = async (): Promise<string[]> => {
      const missing: string[] = [];
      for (const file of files) if (file.required && !(await fileExists(file.path))) missing.push(file.path);
      if (role !== "smdb") {
        if (!progress.demo || !(await demoProvisioned(harness!, progress.demo))) {
          missing.push("the demo systembruger, provisioned to integration and production");
        }
      }
      if (follower && !follower.ready) {
        const status = follower.status();
        missing.push(
          `the STS certificates from the nemlogin service at ${status.url}, and SMDB's registration there${status.problem ? ` (${status.problem})` : ""}`,
        );
      }
      return missing;
    };
    // On a first start the demo systembruger's key is made alongside the harness's own keys
    // (HarnessState.open), not after them: key generation dominates a first start.
    let demoKeyAhead: Promise<RsaKeyPair> | undefined;
    if (role !== "smdb" && !(await fileExists(join(stateDir, DEMO_FILE)))) {
      demoKeyAhead = takeKeyPair(3072);
      demoKeyAhead.catch(() => {});
    }
    try {
      harness = await startHarness({
        role,
        stateDir,
        host: options.host,
        port: options.port,
        http: options.http,
        clock,
        ...(messageClock ? { messageClock } : {}),
        events,
        faultMode: options.faultMode,
        allowSha1: options.allowSha1,
        ...(options.policy ? { policy: options.policy } : {}),
        ...(options.clockSkewMs !== undefined ? { clockSkewMs: options.clockSkewMs } : {}),
        tlsHostnames: options.tlsHostnames,
        ...(ownTls ? { ownTls } : {}),
        ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
        ...(follower ? { nemlogin: follower } : {}),
        ...(options.scenarios ? { scenarios: options.scenarios } : {}),
        readiness,
      });
    } catch (error) {
      throw isFileSystemError(error) ? stateDirWriteError(stateDir, error) : error;
    }
    const running = harness;
    const warnings: string[] = [];
    if (follower) {
      const self = follower;
      self.registerAs(
        () =>
          Object.fromEntries(
            ENVIRONMENTS.map((env) => [
              env,
              {
                entityId: WSP_ENTITY_IDS[env],
                certificate: running.state.environment(env).wsp.certificate,
                url: running.wspUrl(env),
                tlsCaPem: options.http ? null : running.tlsCaPem,
              },
            ]),
          ) as Record<Environment, SmdbRegistration>,
      );
      await self.waitUntilReady(options.nemlogin!.waitMs);
      self.start();
    } else {
      try {
        const demo = await ensureDemo(running, stateDir, demoKeyAhead);
        await writeClientConfigs(running, stateDir, demo);
        // The board's client starts as the demo client.
        await connectBoardToDemoClient(running, demo);
        progress.demo = demo;
        running.smdbService?.onChange(() =>
          writeClientConfigs(running, stateDir, demo).then(() => undefined),
        );
        const warning = await demoCertificateWarning(running, demo, stateDir);
        if (warning) warnings.push(warning);
      } catch (error) {
        throw isFileSystemError(error) ? stateDirWriteError(stateDir, error) : error;
      }
    }
    let closing: Promise<void> | undefined;
    return {
      harness: running,
      role,
      stateDir,
      files,
      demo: progress.demo,
      nemlogin: follower,
      tookOverLock: lock.tookOver,
      warnings,
      close() {
        closing ??= (async () => {
          await follower?.stop();
          await running.close();
          await lock.release();
        })();
        return closing;
      },
    };
  } catch (error) {
    await follower?.stop();
    await harness?.close();
    await lock.release();
    throw error;
  }
}

async function demoProvisioned(harness: Harness, demo: DemoInfo): Promise<boolean> {
  try {
    const user = await harness.control.systemUser(demo.systemUserId);
    return ENVIRONMENTS.every((env) => user.provisioned[env]?.current);
  } catch {
    return false;
  }
}

/**
 * The demo certificate was made for the harness time of the first start; a later start on another
 * (virtual) time makes every demo call fail with CERT_EXPIRED / CERT_NOT_YET_VALID. Say so.
 */
async function demoCertificateWarning(
  harness: Harness,
  demo: DemoInfo,
  stateDir: string,
): Promise<string | undefined> {
  let cert: Certificate;
  try {
    cert = Certificate.fromPem(await readFile(demo.pem, "utf8"));
  } catch {
    return undefined;
  }
  const now = harness.clock.nowMs();
  if (cert.isValidAt(now)) return undefined;
  const why =
    now < cert.notBefore.getTime()
      ? `is not valid before ${cert.notBefore.toISOString()}`
      : `expired at ${cert.notAfter.toISOString()}`;
  return (
    `warning: the demo client certificate (${demo.pem}) ${why}, but harness time is ${new Date(now).toISOString()}: ` +
    `client calls with the demo configuration fail in step 1. It was made on the first start in ${stateDir}; ` +
    "start on a time within its validity, or with a new --state-dir for a fresh demo certificate."
  );
}
