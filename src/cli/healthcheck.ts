#!/usr/bin/env node
/**
 * The container HEALTHCHECK: `GET /health` of the harness in this container, exit 0 when it
 * answers 200 (ready: every file `up` prints exists, the demo systembruger is provisioned, the
 * smdb service has heard from nemlogin), 1 otherwise, printing the answer for `docker inspect`.
 * Standalone (node built-ins only), so that a check every two seconds costs little. Reads the same
 * SMDB_HARNESS_PORT / SMDB_HARNESS_HTTP as `up`. It checks readiness, not the TLS certificate.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

const port = Number(process.env.SMDB_HARNESS_PORT || 8080);
const http = ["1", "true", "yes", "on"].includes((process.env.SMDB_HARNESS_HTTP ?? "").toLowerCase());
const send = http ? httpRequest : httpsRequest;

const req = send(
  { host: "127.0.0.1", port, path: "/health", timeout: 3000, rejectUnauthorized: false },
  (res) => {
    let body = "";
    res.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    res.on("end", () => {
      process.stdout.write(`${res.statusCode} ${body}\n`);
      process.exit(res.statusCode === 200 ? 0 : 1);
    });
  },
);
req.on("timeout", () => req.destroy(new Error("no answer within 3 s")));
req.on("error", (error) => {
  process.stdout.write(`not answering on port ${port}: ${error.message}\n`);
  process.exit(1);
});
req.end();
