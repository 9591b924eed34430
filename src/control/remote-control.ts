/**
 * `RemoteControl`: `HarnessControl` over a running harness's admin API (`/admin/api`), for a
 * harness in another process or a container. Same interface and same answers as `LocalControl`;
 * a refusal comes back as the same `RefusedError` (its kind from the HTTP status, code and
 * sentence from the `{error, detail}` body).
 *
 * HTTP goes through node:http(s) rather than global `fetch`, because fetch cannot be given the
 * harness's TLS CA without an extra dependency.
 */
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { HarnessError, type RefusalKind, RefusedError } from "../core/errors.js";
import type { Environment } from "../core/events.js";
import type { RolloverPolicy, Slot } from "../sts/rollover.js";
import type {
  CertificateFile,
  ClientEndpoints,
  ClockView,
  EnvironmentView,
  EventsPage,
  HarnessControl,
  NewSystemUser,
  RegisteredWsp,
  RevokedView,
  SettingsView,
  StsRotation,
  SystemUserChanges,
  TrustAnchorView,
  UploadResult,
  WspRegistrationInput,
  WspTrustInput,
  WspTrustView,
  WspView,
} from "./harness-control.js";
import type { CertificateView, SystemUserView } from "./views.js";

export interface RemoteControlOptions {
  /** PEM of the CA that issued the harness's TLS certificate (its `tls-ca.pem`). */
  ca?: string | Buffer;
  /** Do not verify the harness's TLS certificate. */
  insecure?: boolean;
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

const KIND_BY_STATUS: Readonly<Record<number, RefusalKind>> = {
  400: "invalid",
  404: "not-found",
  409: "conflict",
  413: "invalid",
  422: "unprocessable",
};

/** The admin API could not be reached, or answered with something that is not its JSON. */
export class RemoteControlError extends HarnessError {
  override readonly name = "RemoteControlError";
  constructor(message: string) {
    super("CONTROL_UNREACHABLE", message);
  }
}

export class RemoteControl implements HarnessControl {
  /** The harness's base URL, e.g. `https://127.0.0.1:8080` (without `/admin/api`). */
  readonly baseUrl: string;
  readonly #admin: URL;
  readonly #agent: HttpAgent | HttpsAgent;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, options: RemoteControlOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "").replace(/\/admin\/api$/, "");
    this.#admin = new URL(`${this.baseUrl}/admin/api/`);
    this.#agent =
      this.#admin.protocol === "https:"
        ? new HttpsAgent({
            keepAlive: true,
            ...(options.ca !== undefined ? { ca: options.ca } : {}),
            rejectUnauthorized: !options.insecure,
          })
        : new HttpAgent({ keepAlive: true });
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Any admin API call, for surfaces beside `HarnessControl` over the same API (the board's
   * `RemoteBoard`): `path` relative to `/admin/api/`, JSON in and out.
   */
  request<T>(method: string, path: string, json?: unknown): Promise<T> {
    return this.#call<T>(method, path, json === undefined ? undefined : { json });
  }

  /** One admin API call; JSON in and out, a raw certificate file when `file` is given. */
  async #call<T>(
    method: string,
    path: string,
    body?: { json?: unknown; file?: CertificateFile },
  ): Promise<T> {
    const url = new URL(path, this.#admin);
    let payload: Buffer | undefined;
    const headers: Record<string, string> = { accept: "application/json" };
    if (body?.file !== undefined) {
      payload = typeof body.file === "string" ? Buffer.from(body.file, "utf8") : Buffer.from(body.file);
      headers["content-type"] = "application/octet-stream";
    } else if (body?.json !== undefined) {
      payload = Buffer.from(JSON.stringify(body.json), "utf8");
      headers["content-type"] = "application/json";
    }
    if (payload) headers["content-length"] = String(payload.length);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = send(url, { method, agent: this.#agent, headers, timeout: this.#timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      req.on("error", (error) => {
        const code = (error as NodeJS.ErrnoException).code;
        reject(
          new RemoteControlError(
            `${method} ${url.href} failed: ${error.message}${code === "ECONNREFUSED" ? " (is the harness running there?)" : ""}${code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) ? " (its TLS certificate is not trusted: pass the harness's tls-ca.pem as `ca`)" : ""}`,
          ),
        );
      });
      req.end(payload);
    });
    if (status === 204) return undefined as T;
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw new RemoteControlError(
        `${method} ${url.href} answered ${status} with something that is not JSON: ${text.slice(0, 200)}`,
      );
    }
    if (status >= 200 && status < 300) return parsed as T;
    const error = parsed as { error?: unknown; detail?: unknown } | undefined;
    const kind = KIND_BY_STATUS[status];
    if (kind && typeof error?.error === "string") {
      throw new RefusedError(
        kind,
        error.error,
        typeof error.detail === "string" ? error.detail : error.error,
      );
    }
    throw new RemoteControlError(`${method} ${url.href} answered ${status}: ${text.slice(0, 500)}`);
  }

  // --- environments ----------------------------------------------------------------------------

  environment(env: Environment): Promise<EnvironmentView> {
    return this.#call("GET", `environments/${encodeURIComponent(env)}`);
  }
  clientEndpoints(env: Environment): Promise<ClientEndpoints> {
    return this.#call("GET", `environments/${encodeURIComponent(env)}/client-endpoints`);
  }

  // --- systembrugere ---------------------------------------------------------------------------

  async systemUsers(): Promise<SystemUserView[]> {
    return (await this.#call<{ systemUsers: SystemUserView[] }>("GET", "system-users")).systemUsers;
  }
  systemUser(id: string): Promise<SystemUserView> {
    return this.#call("GET", `system-users/${encodeURIComponent(id)}`);
  }
  createSystemUser(input: NewSystemUser): Promise<SystemUserView> {
    return this.#call("POST", "system-users", { json: input });
  }
  updateSystemUser(id: string, changes: SystemUserChanges): Promise<SystemUserView> {
    return this.#call("PATCH", `system-users/${encodeURIComponent(id)}`, { json: changes });
  }
  async deleteSystemUser(id: string): Promise<void> {
    await this.#call("DELETE", `system-users/${encodeURIComponent(id)}`);
  }
  uploadCertificate(id: string, env: Environment, slot: Slot, file: CertificateFile): Promise<UploadResult> {
    return this.#call("PUT", `system-users/${encodeURIComponent(id)}/certificates/${env}/${slot}`, { file });
  }
  removeCertificate(id: string, env: Environment, slot: Slot): Promise<SystemUserView> {
    return this.#call("DELETE", `system-users/${encodeURIComponent(id)}/certificates/${env}/${slot}`);
  }
  save(id: string): Promise<SystemUserView> {
    return this.#call("POST", `system-users/${encodeURIComponent(id)}/save`);
  }
  provision(id: string, env: Environment, options: { at?: string } = {}): Promise<SystemUserView> {
    return this.#call("POST", `system-users/${encodeURIComponent(id)}/provision/${env}`, { json: options });
  }

  // --- certificates and trust ------------------------------------------------------------------

  revokeCertificate(file: CertificateFile): Promise<RevokedView> {
    return this.#call("POST", "certificates/revoke", { file });
  }
  async revokedCertificates(): Promise<RevokedView[]> {
    return (await this.#call<{ revoked: RevokedView[] }>("GET", "certificates/revoked")).revoked;
  }
  async trustAnchors(): Promise<TrustAnchorView[]> {
    return (await this.#call<{ trustAnchors: TrustAnchorView[] }>("GET", "trust-anchors")).trustAnchors;
  }
  addTrustAnchors(file: CertificateFile): Promise<{ added: CertificateView[]; alreadyTrusted: string[] }> {
    return this.#call("POST", "trust-anchors", { file });
  }

  // --- the services ------------------------------------------------------------------------------

  async wsps(env: Environment): Promise<WspView[]> {
    return (await this.#call<{ wsps: WspView[] }>("GET", `environments/${env}/wsps`)).wsps;
  }
  registerWsp(env: Environment, input: WspRegistrationInput): Promise<RegisteredWsp> {
    return this.#call("POST", `environments/${env}/wsps`, { json: input });
  }
  wspTrust(env: Environment): Promise<WspTrustView> {
    return this.#call("GET", `environments/${env}/wsp-trust`);
  }
  setWspTrust(env: Environment, trust: WspTrustInput): Promise<WspTrustView> {
    return this.#call("PUT", `environments/${env}/wsp-trust`, { json: trust });
  }
  rotateStsSigningCertificate(env: Environment): Promise<StsRotation> {
    return this.#call("POST", `sts/${env}/rotate-signing-certificate`);
  }

  // --- settings, clock, events ---------------------------------------------------------------------

  settings(): Promise<SettingsView> {
    return this.#call("GET", "settings");
  }
  setPolicy(policy: RolloverPolicy): Promise<SettingsView> {
    return this.#call("PUT", "settings", { json: { policy } });
  }
  clock(): Promise<ClockView> {
    return this.#call("GET", "clock");
  }
  setClock(to: string | Date | number): Promise<ClockView> {
    const ms = to instanceof Date ? to.getTime() : to;
    const set = typeof ms === "number" ? (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms)) : ms;
    return this.#call("POST", "clock", { json: { set } });
  }
  advanceClock(by: string | number): Promise<ClockView> {
    return this.#call("POST", "clock", { json: { advance: by } });
  }
  events(since = 0): Promise<EventsPage> {
    return this.#call("GET", `events?since=${encodeURIComponent(String(since))}`);
  }
}
