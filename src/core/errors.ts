/**
 * Errors as typed values with a reason code. The code is the stable contract (docs/contract.md);
 * the message is a sentence for a person that says what was wrong and what was expected.
 */
export class HarnessError extends Error {
  override readonly name: string = "HarnessError";
  constructor(
    public readonly reason: string,
    message: string,
    public readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Raised for files the user gave us that cannot be used; the message names the file. */
export class InputFileError extends HarnessError {
  override readonly name: string = "InputFileError";
  constructor(
    public readonly file: string,
    message: string,
    reason = "BAD_FILE",
  ) {
    super(reason, `${file}: ${message}`, { file });
  }
}

/** Longest message a fault or an event carries: hostile input can make a message quote megabytes. */
export const MAX_FAULT_MESSAGE_CHARS = 2000;

/** `message` cut to `MAX_FAULT_MESSAGE_CHARS` (with a note how much was left out). */
export function clipMessage(message: string): string {
  if (message.length <= MAX_FAULT_MESSAGE_CHARS) return message;
  return `${message.slice(0, MAX_FAULT_MESSAGE_CHARS)}… (${message.length - MAX_FAULT_MESSAGE_CHARS} more characters left out)`;
}

/**
 * Why a command was refused, in words the HTTP layer maps to a status (400, 404, 409, 422):
 * the input is malformed; the thing named does not exist; the current state does not allow it;
 * the input is well-formed but cannot be accepted (e.g. a certificate that has expired).
 */
export type RefusalKind = "invalid" | "not-found" | "conflict" | "unprocessable";

/**
 * A command refused with a stable code and a sentence: what the registry and the control surface
 * throw for bad input or an impossible change. Domain code never names an HTTP status.
 */
export class RefusedError extends HarnessError {
  override readonly name: string = "RefusedError";
  constructor(
    public readonly kind: RefusalKind,
    reason: string,
    message: string,
    detail: Record<string, unknown> = {},
  ) {
    super(reason, message, detail);
  }
}
