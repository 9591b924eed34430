/** Errors of the WSC library: the step (0 = local setup, 1 = STS, 2 = WSP) and a reason code. */

import { HarnessError } from "../core/errors.js";
import type { Step } from "../core/events.js";
import type { ClientSetupReason, StsClientReason, WspClientReason } from "../core/reason-codes.js";

/**
 * Client-side reason codes (src/core/reason-codes.ts: `CLIENT_SETUP_REASONS` at step 0,
 * `STS_CLIENT_REASONS` at step 1, `WSP_CLIENT_REASONS` at step 2) plus the STS's or the WSP's own
 * reason when a verbose fault names one. `STS_FAULT`/`WSP_FAULT`: a fault without a harness
 * reason (e.g. realistic fault mode); `…_UNREACHABLE`: transport; `STS_RESPONSE_MALFORMED`: not a
 * SOAP answer we can read; `CONFIG_INVALID`: the client configuration; `WSP_RESPONSE_UNTRUSTED`:
 * the SMDB's answer is not correctly signed, does not relate to the request, or is signed by a
 * certificate other than the configured `wspCertificate`.
 */
export type ClientReason = ClientSetupReason | StsClientReason | WspClientReason | (string & {});

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
