/**
 * Reading a SOAP request body, shared by the STS and the SMDB endpoints so that both treat a
 * too-large or too-slow body alike:
 *
 * - a `Content-Length` above the limit is refused before a byte of the body is read (HTTP 413);
 * - a body that grows past the limit while streaming (chunked, or a false Content-Length) is
 *   refused as soon as it does: reading stops there (413);
 * - a body not complete within the body timeout (default 30 s) is refused (408), so a slow
 *   uploader cannot hold a connection for the server's whole request timeout.
 *
 * Each endpoint answers a refusal with its own SOAP fault and the status given here, and then
 * calls `closeAfterResponse`: the connection is closed once the answer is out, so the rest of the
 * body is never read (Node would otherwise read and drop it to keep the connection alive).
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** How long a request body may take to arrive, by default. */
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;

export interface BodyLimits {
  /** Largest body in bytes. */
  maxBytes: number;
  /** Longest time for the whole body to arrive, from the first call (default 30 s). */
  timeoutMs?: number;
}

export type BodyRefusal =
  /** Larger than the limit: declared (`Content-Length`, nothing read) or seen while reading. */
  | { kind: "too-large"; status: 413; limit: number; declared?: number; received: number }
  /** Not complete within the body timeout. */
  | { kind: "timeout"; status: 408; timeoutMs: number; received: number };

export type RequestBody = { ok: true; body: Buffer } | ({ ok: false } & BodyRefusal);

/** A sentence saying why the body was refused, for the fault and the event. */
export function bodyRefusalMessage(refusal: BodyRefusal): string {
  if (refusal.kind === "timeout") {
    return `the request body did not arrive within ${refusal.timeoutMs / 1000} s (${refusal.received} bytes received); the connection is closed`;
  }
  if (refusal.declared !== undefined) {
    return `the request declares Content-Length ${refusal.declared}; the limit is ${refusal.limit} bytes (refused before reading the body)`;
  }
  return `the request is larger than the limit of ${refusal.limit} bytes (reading stopped after ${refusal.received} bytes)`;
}

/** The body's declared length, when `Content-Length` is a plain non-negative integer. */
function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers["content-length"];
  if (typeof header !== "string" || !/^\d+$/.test(header.trim())) return undefined;
  const value = Number(header.trim());
  return Number.isSafeInteger(value) ? value : Number.MAX_SAFE_INTEGER;
}

/**
 * Reads `req`'s body within `limits`. Resolves with the body, or with a refusal after which the
 * caller answers (with the refusal's status) and calls `closeAfterResponse`. Rejects only when the
 * connection fails or closes before the body is complete.
 */
export function readRequestBody(req: IncomingMessage, limits: BodyLimits): Promise<RequestBody> {
  const { maxBytes } = limits;
  const timeoutMs = limits.timeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  // A body an upstream parser already read.
  const already = (req as IncomingMessage & { body?: unknown }).body;
  if (Buffer.isBuffer(already) || (typeof already === "string" && already.length > 0)) {
    const body = Buffer.isBuffer(already) ? already : Buffer.from(already, "utf8");
    return Promise.resolve(
      body.length > maxBytes
        ? { ok: false, kind: "too-large", status: 413, limit: maxBytes, received: body.length }
        : { ok: true, body },
    );
  }
  const declared = declaredLength(req);
  if (declared !== undefined && declared > maxBytes) {
    return Promise.resolve({
      ok: false,
      kind: "too-large",
      status: 413,
      limit: maxBytes,
      declared,
      received: 0,
    });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: RequestBody | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
      if (!(result instanceof Error) && !result.ok) {
        // Stop reading: nothing more of this body is wanted.
        chunks.length = 0;
        req.pause();
      }
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        settle({ ok: false, kind: "too-large", status: 413, limit: maxBytes, received: size });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle({ ok: true, body: Buffer.concat(chunks, size) });
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(new Error("the connection closed before the request body was complete"));
    const timer = setTimeout(
      () => settle({ ok: false, kind: "timeout", status: 408, timeoutMs, received: size }),
      timeoutMs,
    );
    timer.unref?.();
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/**
 * After a refused body: answer with `Connection: close`, and close the connection once the
 * answer is written, without reading the rest of the body. The socket is half-closed first (so
 * the client reads the answer rather than a reset) and destroyed shortly after.
 */
export function closeAfterResponse(req: IncomingMessage, res: ServerResponse, graceMs = 1_000): void {
  if (!res.headersSent) res.setHeader("Connection", "close");
  const socket = req.socket;
  res.once("finish", () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), graceMs);
    timer.unref?.();
    socket.once("close", () => clearTimeout(timer));
  });
}
