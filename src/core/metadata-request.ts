/**
 * `GET` on a SOAP endpoint for its metadata, shared by the STS and SMDB: `?wsdl` (any case, as
 * tools write it), `?singleWsdl` (the schemas inlined, as WCF offers it) and `?xsd=N`. Addresses
 * in the documents are built from the request's own scheme and Host header, so a client that
 * reached the harness as `https://harness:8443` is told `https://harness:8443/…`, not the address
 * the harness listens on. X-Forwarded-* headers are not honoured: whoever sends them could point
 * the addresses anywhere, and the services do not compare the host of wsa:To anyway.
 */
import type { Request, Response } from "express";
import { ENVIRONMENTS, type Environment, isEnvironment } from "./events.js";

export type MetadataQuery =
  | { kind: "wsdl"; single: boolean }
  | { kind: "xsd"; name: string }
  | { kind: "none" };

/** What a query string asks for. */
export function metadataQuery(query: Readonly<Record<string, unknown>>): MetadataQuery {
  const keys = Object.keys(query);
  const lower = keys.map((k) => k.toLowerCase());
  if (lower.includes("singlewsdl")) return { kind: "wsdl", single: true };
  if (lower.includes("wsdl")) return { kind: "wsdl", single: false };
  const xsdKey = keys.find((k) => k.toLowerCase() === "xsd");
  if (xsdKey !== undefined) return { kind: "xsd", name: String(query[xsdKey] ?? "") };
  return { kind: "none" };
}

// A host name, an IPv4 address or a bracketed IPv6 address, with an optional port: nothing that
// could break out of an XML attribute or a URL.
const HOST_HEADER =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

/** `scheme://host[:port]` of the request as the client addressed it, or undefined for a bad Host. */
export function requestOrigin(req: Pick<Request, "protocol" | "headers">): string | undefined {
  const host = req.headers.host;
  if (typeof host !== "string" || !HOST_HEADER.test(host)) return undefined;
  return `${req.protocol}://${host}`;
}

export interface MetadataDocuments {
  /** For messages: e.g. "SMDB" or "the STS". */
  service: string;
  /** The endpoint's path for an environment, e.g. `/production/smdb`. */
  path(env: Environment): string;
  wsdl(origin: string, env: Environment, options: { single: boolean }): string;
  /** The schemas the WSDL imports, by their number. */
  schemas: Readonly<Record<string, { document: () => string }>>;
}

function notFound(res: Response, status: number, detail: string): void {
  res.status(status).json({ error: status === 400 ? "bad request" : "not found", detail });
}

/** Answers a GET on an endpoint with its WSDL or a schema; a sentence for anything else. */
export function serveMetadata(req: Request, res: Response, docs: MetadataDocuments): void {
  const env = req.params["env"];
  if (!isEnvironment(env)) {
    notFound(
      res,
      404,
      `there is no environment "${String(env)}"; ${docs.service} is at ${ENVIRONMENTS.map((e) => docs.path(e)).join(" and ")}`,
    );
    return;
  }
  const schemaList = Object.keys(docs.schemas)
    .map((n) => `?xsd=${n}`)
    .join(", ");
  const query = metadataQuery(req.query as Record<string, unknown>);
  if (query.kind === "none") {
    notFound(
      res,
      404,
      `GET ${docs.path(env)} serves ${docs.service}'s WSDL at ?wsdl (schemas inlined: ?singleWsdl) and its schemas at ${schemaList}; SOAP requests are POSTed to ${docs.path(env)}`,
    );
    return;
  }
  // The addresses follow the Host header and the certificates may be rotated: nothing is cached.
  const send = (xml: string) =>
    res.set("cache-control", "no-store").type("text/xml; charset=utf-8").send(xml);
  if (query.kind === "xsd") {
    const schema = Object.hasOwn(docs.schemas, query.name) ? docs.schemas[query.name] : undefined;
    if (schema === undefined) {
      notFound(res, 404, `${docs.service} has no schema "${query.name}"; its WSDL imports ${schemaList}`);
      return;
    }
    send(schema.document());
    return;
  }
  const origin = requestOrigin(req);
  if (origin === undefined) {
    notFound(
      res,
      400,
      `the Host header ${JSON.stringify(req.headers.host ?? null)} is not a host name with an optional port; the WSDL's addresses are built from it`,
    );
    return;
  }
  send(docs.wsdl(origin, env, { single: query.single }));
}
