/**
 * Finding certificate files in directories (recursively, following symbolic links once), as
 * `check-expiry` does and as a client's certificate-store directory needs.
 */
import type { Dirent, Stats } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { fileProblem } from "../core/file-errors.js";

/** File name endings that hold certificates. */
export const CERTIFICATE_EXTENSIONS = [".cer", ".pem", ".crt", ".p12", ".pfx"];

/** A path that could not be read, with an error code and the reason in words. */
export interface UnreadableEntry {
  file: string;
  code: string;
  reason: string;
}

/** Finds the certificate files under the given paths. Paths that do not exist become unreadable entries. */
export async function findCertificateFiles(
  paths: string[],
): Promise<{ files: string[]; unreadable: UnreadableEntry[] }> {
  const files: string[] = [];
  const unreadable: UnreadableEntry[] = [];
  const seenDirs = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      return;
    }
    if (seenDirs.has(real)) return; // symlink loop
    seenDirs.add(real);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      unreadable.push({
        file: dir,
        code: "FILE_UNREADABLE",
        reason: `directory cannot be read: ${fileProblem(error)}`,
      });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = await stat(path);
          isDir = target.isDirectory();
          isFile = target.isFile();
        } catch {
          if (CERTIFICATE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) {
            unreadable.push({ file: path, code: "FILE_NOT_FOUND", reason: "broken symbolic link" });
          }
          continue;
        }
      }
      if (isDir) await walk(path);
      else if (isFile && CERTIFICATE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) files.push(path);
    }
  };
  for (const path of paths) {
    let info: Stats;
    try {
      info = await stat(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      unreadable.push({
        file: path,
        code: code === "ENOENT" ? "FILE_NOT_FOUND" : "FILE_UNREADABLE",
        reason: code === "ENOENT" ? "does not exist" : `cannot be read: ${fileProblem(error)}`,
      });
      continue;
    }
    // A file named explicitly is checked whatever its extension.
    if (info.isDirectory()) await walk(path);
    else files.push(path);
  }
  return { files, unreadable };
}
