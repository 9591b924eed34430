/** Errors of the WSC library: the step (0 = local setup, 1 = STS, 2 = WSP) and a reason code. */

import { HarnessError } from "../errors.js";
import type { Step } from "../harness/events.js";

/**
 * Client-side reason codes (DESIGN.md §4) plus the STS's own reason when a verbose fault names
 * one. Added here: `STS_FAULT` (a fault without a harness reason, e.g. realistic fault mode),
 * `STS_UNREACHABLE` (transport), `STS_RESPONSE_MALFORMED` (not a SOAP answer we can read),
 * `CONFIG_INVALID` (the client configuration); step 2: `WSP_RESPONSE_UNTRUSTED` (the SMDB's answer
 * is not correctly signed, does not relate to the request, or is signed by a certificate other
 * than the configured `wspCertificate`), `WSP_RESPONSE_MALFORMED`, `WSP_FAULT`.
 */
export type ClientReason =
  | "CLIENT_CERT_NOT_FOUND"
  | "CLIENT_CERT_UNREADABLE"
  | "CONFIG_INVALID"
  | "STS_RESPONSE_UNTRUSTED"
  | "STS_RESPONSE_MALFORMED"
  | "STS_UNREACHABLE"
  | "STS_FAULT"
  | "WSP_RESPONSE_UNTRUSTED"
  | "WSP_RESPONSE_MALFORMED"
  | "WSP_FAULT"
  | (string & {});

export class ClientError extends HarnessError {
  override readonly name = "ClientError";
  constructor(
    public readonly step: Step,
    reason: ClientReason,
    message: string,
    detail: Record<string, unknown> = {},
  ) {
    super(reason, message, detail);
  }
}
