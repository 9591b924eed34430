/**
 * Test PKI: issuing certificates. `pki.issue50.warm` issues 50 OCES3 system certificates with keys
 * from the on-disk pool (what a test suite pays after the first run); `pki.issue50.cold` issues 50
 * with freshly generated RSA 3072 keys (a first run, or SMDB_HARNESS_KEY_POOL=off).
 * Ceilings: node:crypto alone doing the same RSA work — for warm, 50 RSA-SHA256 signatures over
 * TBSCertificates of the same size with the same CA key; for cold, 50 key generations plus those
 * signatures.
 */
import { generateKeyPair, sign } from "node:crypto";
import { promisify } from "node:util";
import forge from "node-forge";
import { createTestCa } from "../src/pki/ca.js";
import type { IssueOptions } from "../src/pki/issue.js";
import { type RsaKeyPair, takeKeyPair, warmKeyPool } from "../src/pki/keys.js";
import type { BenchCase, BenchModule } from "./types.js";

const generateKeyPairAsync = promisify(generateKeyPair);
const COUNT = 50;
const BITS = 3072;
const YEAR_MS = 365 * 86_400_000;

function tbsOf(der: Buffer): Buffer {
  const certificate = forge.asn1.fromDer(der.toString("binary"));
  return Buffer.from(forge.asn1.toDer((certificate.value as forge.asn1.Asn1[])[0]!).getBytes(), "binary");
}

const pkiBench: BenchModule = {
  async cases(): Promise<BenchCase[]> {
    const now = Date.now();
    const ca = await createTestCa(now, "bench");
    // Fill the pool once (free when cached), then hold 50 pooled keys for the warm case.
    await warmKeyPool(BITS, COUNT + 2, (done, total) => {
      if (done === 1 || done === total)
        process.stderr.write(`key pool: ${done}/${total} RSA ${BITS} keys ready\n`);
    });
    const pooled: RsaKeyPair[] = [];
    for (let i = 0; i < COUNT; i++) {
      pooled.push(
        await takeKeyPair(BITS, { exclude: [ca.root.key.publicKeySha256, ca.issuing.key.publicKeySha256] }),
      );
    }
    const options = (i: number): IssueOptions => ({
      profile: "oces3-system",
      cvr: "91234567",
      name: `Bench system ${i}`,
      notBefore: new Date(now),
      notAfter: new Date(now + 3 * YEAR_MS - 1000),
    });
    const sample = await ca.issue({ ...options(0), key: pooled[0]! });
    const tbs = tbsOf(sample.certificate.der);
    const caKey = ca.issuing.key.privateKey;

    return [
      {
        name: "pki.issue.warm",
        keyBits: BITS,
        run: async () => {
          await ca.issue({ ...options(1), key: pooled[1]! });
        },
        ceiling: () => {
          sign("sha256", tbs, caKey);
        },
      },
      {
        name: "pki.issue50.warm",
        keyBits: BITS,
        run: async () => {
          for (let i = 0; i < COUNT; i++) await ca.issue({ ...options(i), key: pooled[i]! });
        },
        ceiling: () => {
          for (let i = 0; i < COUNT; i++) sign("sha256", tbs, caKey);
        },
      },
      {
        name: "pki.issue50.cold",
        keyBits: BITS,
        // One operation is 50 RSA 3072 key generations (tens of seconds): measure it once.
        measure: { warmupMs: 0, seconds: 0, minIterations: 1, maxIterations: 1 },
        run: async () => {
          for (let i = 0; i < COUNT; i++) await ca.issue({ ...options(i), keyOptions: { pool: false } });
        },
        ceiling: async () => {
          for (let i = 0; i < COUNT; i++) {
            await generateKeyPairAsync("rsa", { modulusLength: BITS, publicExponent: 0x10001 });
            sign("sha256", tbs, caKey);
          }
        },
      },
    ];
  },
};

export default pkiBench;
