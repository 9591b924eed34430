/**
 * Following README leaves nothing to commit by mistake: every file its commands write into the
 * work tree (test CAs and certificates with private keys, dumps, reports, the state dir) is
 * ignored by the repository's .gitignore. Asked of git itself, with no user or system
 * configuration, so only the repository's own rules count.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";
import { readmeShellBlocks } from "../helpers/readme.js";

/** The files README's shell examples write, relative to where they are run. */
function readmeOutputs(): string[] {
  const script = readmeShellBlocks().join("\n");
  const outputs = new Set<string>([".smdb-harness/tls-ca.pem", ".smdb-harness/client-production.yaml"]);
  for (const [, flag, value] of script.matchAll(/(--out|--dump-dir|--state-dir|cat >) (\S+)/g)) {
    const path = value!.replace(/^['"]|['"]$/g, "");
    if (path.endsWith("/")) outputs.add(`${path}file.xml`);
    else if (flag === "--dump-dir" || flag === "--state-dir") outputs.add(`${path}/file.xml`);
    else if (/\.\w+$/.test(path)) outputs.add(path);
    // `certs issue --out BASE` writes BASE.cer, BASE.pem, BASE.key.pem and BASE.p12.
    else for (const ext of [".cer", ".pem", ".key.pem", ".p12"]) outputs.add(`${path}${ext}`);
  }
  return [...outputs];
}

/** The paths among `paths` that git ignores here. */
function ignored(paths: string[]): string[] {
  try {
    return execFileSync("git", ["check-ignore", "--no-index", "--", ...paths], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
    })
      .split("\n")
      .filter(Boolean);
  } catch (error) {
    // Exit 1: none of them is ignored.
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}

describe(".gitignore", () => {
  it("covers every file README's commands write", () => {
    const outputs = readmeOutputs();
    expect(outputs).toEqual(
      expect.arrayContaining([
        "certs/system.key.pem",
        "ca/file.xml",
        "dump/file.xml",
        "junit.xml",
        "rotation.html",
      ]),
    );
    expect(ignored(outputs).sort()).toEqual(outputs.sort());
  });

  it("ignores nothing of the project itself", () => {
    expect(
      ignored(["src/cli/certs.ts", "docs/smdb.md", "scenarios/saved-not-provisioned.yaml", "README.md"]),
    ).toEqual([]);
  });
});
