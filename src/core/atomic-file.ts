/**
 * Durable, atomic file writes: write a temporary file in the same directory, fsync it, rename
 * it over the target, fsync the directory. A crash at any point leaves either the old or the
 * new content, never a torn file.
 */
import { randomBytes } from "node:crypto";
import { access, mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";

/** The temporary name of a write to `file`: `<file>.<pid>.<8 hex>.tmp`. */
function tempName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
}

/** What a temporary file of an atomic write is called (see `tempName`); group 1 is the pid. */
const TEMP_FILE = /\.(\d+)\.[0-9a-f]{8}\.tmp$/;

export async function writeFileAtomic(file: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = tempName(file);
  const handle = await open(tmp, "w", mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const dirHandle = await open(dir, "r");
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  } catch {
    // Some filesystems do not allow fsync on a directory; the rename is still atomic.
  }
}

/**
 * Writes several files atomically as one group: every temporary file is written and fsynced
 * (concurrently, so the filesystem can commit them together), then every rename is done, then
 * each directory is fsynced once. When it resolves, every file is durable; a crash before that
 * leaves each file either old or new. On failure it rejects (and removes its temporary files).
 */
export async function writeFilesAtomic(
  files: ReadonlyArray<{ file: string; content: string | Buffer }>,
  mode = 0o644,
): Promise<void> {
  const dirs = [...new Set(files.map(({ file }) => dirname(file)))];
  await Promise.all(dirs.map((dir) => mkdir(dir, { recursive: true })));
  const temps = files.map(({ file }) => tempName(file));
  try {
    await Promise.all(
      files.map(async ({ content }, i) => {
        const handle = await open(temps[i]!, "w", mode);
        try {
          await handle.writeFile(content);
          await handle.sync();
        } finally {
          await handle.close();
        }
      }),
    );
    for (let i = 0; i < files.length; i++) await rename(temps[i]!, files[i]!.file);
  } catch (error) {
    await Promise.all(temps.map((tmp) => rm(tmp, { force: true })));
    throw error;
  }
  await Promise.all(dirs.map(syncDirectory));
}

/**
 * Removes the temporary files that interrupted atomic writes left in `dir` and its
 * subdirectories (their rename never happened, so they hold nothing acknowledged), except those
 * of a process that is still running. Returns the paths removed.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return removed;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      removed.push(...(await removeStaleTempFiles(path)));
      continue;
    }
    const match = TEMP_FILE.exec(entry.name);
    if (!entry.isFile() || !match || isRunning(Number(match[1]))) continue;
    await rm(path, { force: true });
    removed.push(path);
  }
  return removed;
}

/** Whether a process with this pid runs (another harness writing right now); never this one's own leftovers. */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads JSON, or returns `undefined` when the file does not exist. */
export async function readJsonIfExists<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/** True when `path` exists (file or directory) and can be accessed. */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
