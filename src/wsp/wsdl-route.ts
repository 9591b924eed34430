/**
 * `GET /{env}/smdb?wsdl` (also `?singleWsdl`) and `?xsd=N`: SMDB's WSDL (src/smdb/wsdl.ts) with
 * the addresses the client used (src/core/metadata-request.ts).
 */
import express, { type Router } from "express";
import type { Environment } from "../core/events.js";
import { serveMetadata } from "../core/metadata-request.js";
import type { Certificate } from "../pki/index.js";
import { SMDB_SCHEMAS, smdbWsdl } from "../smdb/wsdl.js";
import { stsEndpointPath } from "../sts/wsdl.js";
import { wspEndpointPath } from "./service.js";

export interface SmdbWsdlDeps {
  /** SMDB's certificate in an environment (read on every request). */
  certificate?(env: Environment): Certificate;
}

export function smdbWsdlRouter(deps: SmdbWsdlDeps = {}): Router {
  const router = express.Router();
  router.get("/:env/smdb", (req, res) =>
    serveMetadata(req, res, {
      service: "SMDB",
      path: wspEndpointPath,
      schemas: SMDB_SCHEMAS,
      wsdl: (origin, env, { single }) => {
        const certificate = deps.certificate?.(env);
        return smdbWsdl({
          endpointUrl: `${origin}${wspEndpointPath(env)}`,
          stsUrl: `${origin}${stsEndpointPath(env)}`,
          environment: env,
          inlineSchemas: single,
          ...(certificate ? { certificate } : {}),
        });
      },
    }),
  );
  return router;
}
