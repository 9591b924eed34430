/**
 * Reading an admin API request's JSON body: an object (or nothing), with only the fields a route
 * takes. Shared by the admin API and the board's routes; bad input is a `RefusedError` (400).
 */
import type { Request } from "express";
import { RefusedError } from "../core/errors.js";

export function badRequest(message: string): RefusedError {
  return new RefusedError("invalid", "BAD_REQUEST", message);
}

/** The JSON body as an object; none is `{}`. */
export function objectBody(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body) || Buffer.isBuffer(body)) {
    throw badRequest("the body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

/** Refuses fields the route does not take, naming them and the ones it does. */
export function allowOnly(body: Record<string, unknown>, allowed: string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw badRequest(
      `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")}; allowed: ${allowed.join(", ")}`,
    );
  }
}
