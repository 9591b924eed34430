import { join } from "node:path";

/**
 * The public OIO IDWS reference material, `shared/fixtures/reference/` beside the repository
 * (as on a developer's machine and in CI). SMDB_HARNESS_REFERENCE_FIXTURES points elsewhere.
 */
export const REFERENCE_FIXTURES =
  process.env.SMDB_HARNESS_REFERENCE_FIXTURES ??
  join(import.meta.dirname, "..", "..", "..", "shared", "fixtures", "reference");

export function referenceFixture(name: string): string {
  return join(REFERENCE_FIXTURES, name);
}
