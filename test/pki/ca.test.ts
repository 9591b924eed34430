import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadOrCreateTestCa, loadTestCa } from "../../src/pki/ca.js";

describe("the state dir's test CA", () => {
  it("is created once, atomically, even when several callers race on a fresh state dir", async () => {
    const dir = join(await mkdtemp(join(tmpdir(), "smdb-ca-")), "state", "ca");
    const now = Date.now();
    const cas = await Promise.all([1, 2, 3].map(() => loadOrCreateTestCa(dir, now)));
    const roots = new Set(cas.map((ca) => ca.root.certificate.sha256));
    expect(roots.size).toBe(1);
    const onDisk = await loadTestCa(dir);
    expect(onDisk.root.certificate.sha256).toBe(cas[0]!.root.certificate.sha256);
    expect(onDisk.issuing.certificate.isIssuedBy(onDisk.root.certificate)).toBe(true);
    expect((await readdir(join(dir, ".."))).sort()).toEqual(["ca"]); // no temp dirs left behind
    // and it is reused afterwards
    expect((await loadOrCreateTestCa(dir, now + 1000)).issuing.certificate.sha256).toBe(
      onDisk.issuing.certificate.sha256,
    );
  });
});
