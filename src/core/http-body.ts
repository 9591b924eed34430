/**
 * Reading a SOAP request body, shared by the STS and the SMDB endpoints so that both treat a
 * too-large body alike: up to `limit` bytes it is kept; past it nothing more is kept but the rest
 * is read and dropped, so the endpoint can still answer with its own SOAP fault; past the hard cap
 * (64 MiB, or a declared Content-Length above it) reading stops and the connection is cut, so a
 * huge or endless upload cannot keep the server busy. (How long a slow upload may take is bounded
 * by the HTTP server's `requestTimeout`.)
 */
import type { IncomingMessage } from "node:http";

/** Past this many bytes a body is not read any further: the connection is cut. */
export const BODY_HARD_CAP_BYTES = 64 * 1024 * 1024;

export type RequestBody =
  | { tooLarge: false; body: Buffer }
  /**
   * Larger than the limit. `size`: bytes received (at least); `cut`: the hard cap was passed and
   * the connection destroyed, so no answer can be sent (the endpoint still records its decision).
   */
  | { tooLarge: true; size: number; cut: boolean };

/**
 * Reads `req`'s body, keeping at most `limit` bytes (see the module comment). Rejects only when
 * the connection fails or closes before the body is complete.
 */
export function readRequestBody(
  req: IncomingMessage,
  limit: number,
  hardCapBytes: number = BODY_HARD_CAP_BYTES,
): Promise<RequestBody> {
  const cap = Math.max(hardCapBytes, limit);
  // A body an upstream parser already read.
  const already = (req as IncomingMessage & { body?: unknown }).body;
  if (Buffer.isBuffer(already) || (typeof already === "string" && already.length > 0)) {
    const body = Buffer.isBuffer(already) ? already : Buffer.from(already, "utf8");
    return Promise.resolve(
      body.length > limit ? { tooLarge: true, size: body.length, cut: false } : { tooLarge: false, body },
    );
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isSafeInteger(declared) && declared > cap) {
    req.destroy();
    return Promise.resolve({ tooLarge: true, size: declared, cut: true });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: RequestBody | Error) => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      if (size > cap) {
        settle({ tooLarge: true, size, cut: true });
        req.destroy();
      }
    };
    req.on("data", onData);
    req.on("end", () =>
      settle(
        size > limit
          ? { tooLarge: true, size, cut: false }
          : { tooLarge: false, body: Buffer.concat(chunks) },
      ),
    );
    req.on("error", (error) => settle(error));
    req.on("close", () => settle(new Error("the connection closed before the request body was complete")));
  });
}
