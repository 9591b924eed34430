/**
 * HTTP(S) POST for the client: a custom CA (the harness's TLS CA) or `insecure`, keep-alive
 * agents, a timeout. Returns the body as bytes, exactly as received.
 */
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { StsClientReason, WspClientReason } from "../core/reason-codes.js";
import { ClientError } from "./errors.js";

export interface HttpOptions {
  /** PEM text of the CA certificate(s) to trust for TLS (instead of the system store). */
  ca?: string | Buffer;
  /** Do not verify the server's TLS certificate. */
  insecure?: boolean;
  /** Default 30 s. */
  timeoutMs?: number;
  /**
   * Keep connections open between requests (default true). A client that calls only now and
   * then (the trainer board's) turns it off: a kept connection the server closes after its idle
   * timeout can fail the next request with a reset.
   */
  keepAlive?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A transport: what the client uses to send a request (HTTP by default; in-process for scenarios). */
export type Transport = (
  url: string,
  body: string,
  headers: Record<string, string>,
) => Promise<{
  status: number;
  body: Buffer | string;
  headers?: Record<string, string | string[] | undefined>;
}>;

/** Largest response accepted (16 MiB). */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export class HttpClient {
  readonly #https: HttpsAgent;
  readonly #http: HttpAgent;
  readonly #timeoutMs: number;

  constructor(options: HttpOptions = {}) {
    const keepAlive = options.keepAlive ?? true;
    this.#https = new HttpsAgent({
      keepAlive,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      rejectUnauthorized: !options.insecure,
    });
    this.#http = new HttpAgent({ keepAlive });
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** POSTs `body`; rejects with ClientError(step, "…_UNREACHABLE") on transport failure. */
  post(
    url: string,
    body: string | Buffer,
    headers: Record<string, string>,
    step: 1 | 2 = 1,
  ): Promise<HttpResponse> {
    const target = new URL(url);
    const isHttps = target.protocol === "https:";
    const send = isHttps ? httpsRequest : httpRequest;
    const unreachable: StsClientReason | WspClientReason = step === 1 ? "STS_UNREACHABLE" : "WSP_UNREACHABLE";
    return new Promise((resolve, reject) => {
      const req = send(
        target,
        {
          method: "POST",
          agent: isHttps ? this.#https : this.#http,
          headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
          timeout: this.#timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              res.destroy(new Error(`the response is larger than ${MAX_RESPONSE_BYTES} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on("error", (error) =>
            reject(
              new ClientError(step, unreachable, `reading the response from ${url} failed: ${error.message}`),
            ),
          );
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      req.on("error", (error) => {
        const code = (error as NodeJS.ErrnoException).code;
        const hint =
          code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)
            ? " (the server's TLS certificate is not trusted: set tls.ca to the harness's TLS CA file, or tls.insecure)"
            : code === "ECONNREFUSED"
              ? ` (nothing listens on ${target.host}: is \`smdb-harness up\` running, and on that port? \`up\` rewrites the client configurations with its URL on every start)`
              : "";
        reject(
          new ClientError(
            step,
            unreachable,
            `POST ${url} failed: ${code ?? ""} ${error.message}${hint}`.replace(/\s+/g, " "),
          ),
        );
      });
      req.end(body);
    });
  }

  /** A Transport over this client. */
  transport(step: 1 | 2 = 1): Transport {
    return (url, body, headers) => this.post(url, body, headers, step);
  }

  close(): void {
    this.#https.destroy();
    this.#http.destroy();
  }
}
