/**
 * A temporary directory for a test file (made in beforeAll, removed in afterAll) or, with
 * `{ each: true }`, for every test (beforeEach/afterEach). Call it at the top level of the file.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

export function useTempDir(
  prefix: string,
  onCreate: (path: string) => void,
  options: { each?: boolean } = {},
): void {
  let dir: string | undefined;
  const [before, after] = options.each ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    onCreate(dir);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
}
