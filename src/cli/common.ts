/**
 * Shared CLI plumbing: a user error is one line on stderr and an exit code, never a stack trace.
 */
import { HarnessError } from "../core/errors.js";

/** An error the user can fix; `exitCode` follows docs/contract.md (2 = bad input or unreadable). */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    public readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** Wraps a command action so that errors print as one line and set the exit code. */
export function action<Args extends unknown[]>(
  run: (...args: Args) => Promise<number | undefined> | number | undefined,
): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    try {
      const code = await run(...args);
      if (typeof code === "number") process.exitCode = code;
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}

export function reportError(error: unknown): number {
  if (error instanceof CliError) {
    process.stderr.write(`smdb-harness: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof HarnessError) {
    process.stderr.write(`smdb-harness: ${error.reason}: ${error.message}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`smdb-harness: ${message}\n`);
  if (process.env.SMDB_HARNESS_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 2;
}
