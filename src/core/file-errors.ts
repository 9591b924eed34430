/**
 * File-system errors as sentences, for every message that names a file: "course.json does not
 * exist", "report.html cannot be written: permission denied" — never a bare errno code such as
 * ENOENT, which says nothing to someone who has not read libc's headers.
 */

const PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: "does not exist",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "it is a directory, not a file",
  ENOTDIR: "a part of the path is a file, not a directory",
  EEXIST: "it already exists",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is used up",
  EMFILE: "too many files are open",
  ENFILE: "too many files are open",
  ENAMETOOLONG: "the name is too long",
  ELOOP: "too many symbolic links (a loop?)",
  EBUSY: "it is in use",
  EIO: "an input/output error (a failing disk?)",
  ENXIO: "no such device",
};

/** The error's errno code, when it has one. */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * What went wrong, in words: the sentence for a known errno code, else the error's first line
 * without Node's "CODE: " prefix and ", open '…'" suffix.
 */
export function fileProblem(error: unknown): string {
  const code = codeOf(error);
  if (code && PROBLEMS[code]) return PROBLEMS[code];
  const message = error instanceof Error ? error.message : String(error);
  return message
    .split("\n")[0]!
    .replace(/^[A-Z][A-Z0-9_]+: /, "")
    .replace(/, \w+ '[^']*'( -> '[^']*')?$/, "")
    .trim();
}

/** True when the error says the file is not there. */
export function isNotFound(error: unknown): boolean {
  return codeOf(error) === "ENOENT";
}

/**
 * One sentence about `path`: "PATH does not exist", or "PATH cannot be read: permission denied"
 * (`verb`: what was tried).
 */
export function fileErrorSentence(
  path: string,
  error: unknown,
  verb: "read" | "written" | "created" = "read",
): string {
  // Writing goes through `mkdir -p`, which meets an existing file where a directory should be.
  if (verb !== "read" && codeOf(error) === "EEXIST")
    return `${path} cannot be ${verb}: ${PROBLEMS["ENOTDIR"]}`;
  if (isNotFound(error)) {
    return verb === "read"
      ? `${path} does not exist`
      : `${path} cannot be ${verb}: a directory on its path does not exist`;
  }
  return `${path} cannot be ${verb}: ${fileProblem(error)}`;
}
