/**
 * `GET /{env}/SecurityTokenService.svc?wsdl` (also `?singleWsdl`) and `?xsd=N`: the STS's WSDL
 * (wsdl.ts) with the address the client used (src/core/metadata-request.ts).
 */
import express, { type Router } from "express";
import type { Environment } from "../core/events.js";
import { serveMetadata } from "../core/metadata-request.js";
import type { Certificate } from "../pki/index.js";
import { STS_SCHEMAS, stsEndpointPath, stsWsdl } from "./wsdl.js";

export interface StsWsdlDeps {
  /** The wsa:To the environment's STS expects. */
  endpointReference(env: Environment): string;
  /** The certificate the STS signs with now (read on every request: it may be rotated). */
  signingCertificate?(env: Environment): Certificate;
}

export function stsWsdlRouter(deps: StsWsdlDeps): Router {
  const router = express.Router();
  router.get("/:env/SecurityTokenService.svc", (req, res) =>
    serveMetadata(req, res, {
      service: "the STS",
      path: stsEndpointPath,
      schemas: STS_SCHEMAS,
      wsdl: (origin, env, { single }) => {
        const certificate = deps.signingCertificate?.(env);
        return stsWsdl({
          endpointUrl: `${origin}${stsEndpointPath(env)}`,
          endpointReference: deps.endpointReference(env),
          environment: env,
          inlineSchemas: single,
          ...(certificate ? { certificate } : {}),
        });
      },
    }),
  );
  return router;
}
