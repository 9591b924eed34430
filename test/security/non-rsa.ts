/** Certificates with keys the binding does not use (EC, Ed25519), made by OpenSSL, for attack tests. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { Certificate } from "../../src/pki/index.js";
import { openssl } from "../helpers/openssl.js";

/** A self-signed certificate with a non-RSA key, made by OpenSSL: `{certificate, privateKeyPem}`. */
export function nonRsaCertificate(kind: "ec" | "ed25519"): {
  certificate: Certificate;
  privateKeyPem: string;
} {
  const dir = mkdtempSync(join(tmpdir(), "smdb-nonrsa-"));
  try {
    const keyArgs =
      kind === "ec" ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] : ["-newkey", "ed25519"];
    const result = openssl([
      "req",
      "-x509",
      ...keyArgs,
      "-nodes",
      "-keyout",
      join(dir, "k.pem"),
      "-out",
      join(dir, "c.pem"),
      "-days",
      "30",
      "-subj",
      `/C=DK/O=Attacker/CN=${kind}`,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const pem = readFileSync(join(dir, "c.pem"), "utf8");
    return {
      certificate: Certificate.fromBase64(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "")),
      privateKeyPem: readFileSync(join(dir, "k.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
