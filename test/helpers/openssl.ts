/** Runs Debian's `openssl` (the tests check that OpenSSL 3 reads what the harness writes). */
import { spawnSync } from "node:child_process";

export const OPENSSL = "/usr/bin/openssl";

export interface OpensslResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function openssl(
  args: string[],
  options: { input?: string | Buffer; cwd?: string } = {},
): OpensslResult {
  const result = spawnSync(OPENSSL, args, {
    input: options.input,
    cwd: options.cwd,
    encoding: "utf8",
    env: { ...process.env, OPENSSL_CONF: "/etc/ssl/openssl.cnf" },
  });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
