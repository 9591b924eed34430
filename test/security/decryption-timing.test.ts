/**
 * No decryption timing oracle in step 2 (issue 10): an altered token whose last block decrypts to
 * valid XML Encryption padding (and a garbled plaintext) must cost the WSP the same as one whose
 * padding is invalid. Before the fix, invalid padding was refused at once and valid padding went
 * on to the XML parser — a few hundred microseconds more, which is the CBC padding oracle.
 *
 * What is timed is `decryptAssertionContent`, the work after the RSA-OAEP key unwrap: that unwrap
 * is the same for every variant here (one wrapped key), costs several times the rest and would
 * only add noise. The whole `decryptAssertion` gives both kinds one and the same answer (below).
 *
 * The statistics are built for a noisy shared machine: the two kinds are measured in ≥ 2,000
 * interleaved rounds (alternating which goes first, so drift and order effects hit both alike),
 * and the per-round differences go into a sign test, which needs no assumption about the noise
 * but that it treats both kinds alike: a GC pause or a busy neighbour lands on either side with
 * the same odds. A real difference of even a few percent of the call moves nearly every round
 * the same way (z of 30 and more on the old code); no difference gives |z| > 5 about once in
 * two million runs.
 */
import { constants, createDecipheriv, privateDecrypt, randomBytes, randomInt } from "node:crypto";
import type { Element } from "@xmldom/xmldom";
import { beforeAll, describe, expect, it } from "vitest";
import { DecryptionError, decryptAssertion, decryptAssertionContent } from "../../src/xml/encryption.js";
import { NS } from "../../src/xml/ns.js";
import { childElements, parseXml } from "../../src/xml/parse.js";
import { type Bench, createBench, issueToken } from "../wsp/helpers.js";

const ROUNDS = 2_000;
/**
 * A fresh variant every round: the garbage decides where the parse fails, so a few variants reused
 * would give each kind its own mix of early and late failures, a difference of the sample, not of
 * the code.
 */
const VARIANTS = ROUNDS;
const Z_LIMIT = 5;

let bench: Bench;
beforeAll(async () => {
  bench = await createBench();
});

function cipherValues(encryptedAssertion: Element): { wrappedKey: Element; content: Element } {
  const data = childElements(encryptedAssertion, NS.xenc, "EncryptedData")[0]!;
  const keyInfo = childElements(data, NS.ds, "KeyInfo")[0]!;
  const encryptedKey = childElements(keyInfo, NS.xenc, "EncryptedKey")[0]!;
  const value = (el: Element) =>
    childElements(childElements(el, NS.xenc, "CipherData")[0]!, NS.xenc, "CipherValue")[0]!;
  return { wrappedKey: value(encryptedKey), content: value(data) };
}

/** The content key and ciphertext of a real token, and the token's XML. */
function realToken(): { xml: string; key: Buffer; cipherText: Buffer; cipherValue: string } {
  const xml = issueToken(bench);
  const { wrappedKey, content } = cipherValues(parseXml(xml).documentElement!);
  const key = privateDecrypt(
    {
      key: bench.state.environment("production").wsp.key.privateKey,
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: "sha1",
    },
    Buffer.from(wrappedKey.textContent!, "base64"),
  );
  return {
    xml,
    key,
    cipherText: Buffer.from(content.textContent!, "base64"),
    cipherValue: content.textContent!,
  };
}

/**
 * Variants of a real ciphertext whose second-to-last block is random (so the last two plaintext
 * blocks are garbage, as in the attack) with the last plaintext octet — the padding length —
 * chosen: 1..16 (valid padding) or 0, 17..255 (invalid).
 */
function altered(key: Buffer, cipherText: Buffer, paddingValid: boolean): Buffer[] {
  const last = cipherText.subarray(cipherText.length - 16);
  const ecb = createDecipheriv("aes-256-ecb", key, null).setAutoPadding(false);
  const lastDecrypted = Buffer.concat([ecb.update(last), ecb.final()]);
  const out: Buffer[] = [];
  for (let i = 0; i < VARIANTS; i++) {
    const variant = Buffer.from(cipherText);
    const previous = randomBytes(16);
    const pad = paddingValid
      ? randomInt(1, 17)
      : [0, ...Array.from({ length: 239 }, (_, k) => k + 17)][randomInt(240)]!;
    previous[15] = lastDecrypted[15]! ^ pad;
    previous.copy(variant, variant.length - 32);
    out.push(variant);
  }
  return out;
}

function timeOne(key: Buffer, cipherText: Buffer): number {
  const start = process.hrtime.bigint();
  try {
    decryptAssertionContent(key, cipherText);
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
  }
  return Number(process.hrtime.bigint() - start);
}

function answerTo(xml: string): string {
  try {
    decryptAssertion(
      parseXml(xml).documentElement!,
      bench.state.environment("production").wsp.key.privateKey,
    );
    return "(accepted)";
  } catch (error) {
    return error instanceof DecryptionError ? error.message : `unexpected: ${String(error)}`;
  }
}

/** Sign test on paired differences: z of the count of rounds where `a` was slower. */
function signTestZ(differences: readonly number[]): { z: number; slower: number; faster: number } {
  const slower = differences.filter((d) => d > 0).length;
  const faster = differences.filter((d) => d < 0).length;
  const n = slower + faster;
  return { z: n === 0 ? 0 : (slower - n / 2) / Math.sqrt(n / 4), slower, faster };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe("step-2 token decryption", () => {
  it("sign test: z is near 0 for equal samples and large for a shift of a few percent in heavy noise", () => {
    // The statistic itself, on made-up samples with the same seedless noise both sides.
    const noise = () => (Math.random() - 0.5) * 400 + (Math.random() < 0.02 ? 5_000 : 0);
    const equal = Array.from({ length: ROUNDS }, () => 2_000 + noise() - (2_000 + noise()));
    expect(Math.abs(signTestZ(equal).z)).toBeLessThan(Z_LIMIT);
    const shifted = Array.from({ length: ROUNDS }, () => 2_100 + noise() - (2_000 + noise()));
    expect(signTestZ(shifted).z).toBeGreaterThan(Z_LIMIT);
  });

  it("gives one and the same answer whether the altered token's padding is valid or not", () => {
    const token = realToken();
    const answers = new Set<string>();
    for (const paddingValid of [true, false]) {
      for (const variant of altered(token.key, token.cipherText, paddingValid).slice(0, 8)) {
        answers.add(answerTo(token.xml.replace(token.cipherValue, variant.toString("base64"))));
      }
    }
    expect([...answers]).toHaveLength(1);
    expect([...answers][0]).toMatch(/cannot be decrypted/);
  });

  it(`costs the same whether the altered token's padding is valid or not (${ROUNDS} interleaved rounds)`, () => {
    const { key, cipherText } = realToken();
    const valid = altered(key, cipherText, true);
    const invalid = altered(key, cipherText, false);
    for (let i = 0; i < 200; i++) {
      timeOne(key, valid[i % VARIANTS]!);
      timeOne(key, invalid[i % VARIANTS]!);
    }
    const differences: number[] = [];
    const validNs: number[] = [];
    const invalidNs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const a = valid[round % VARIANTS]!;
      const b = invalid[round % VARIANTS]!;
      let ta: number;
      let tb: number;
      if (round % 2 === 0) {
        ta = timeOne(key, a);
        tb = timeOne(key, b);
      } else {
        tb = timeOne(key, b);
        ta = timeOne(key, a);
      }
      validNs.push(ta);
      invalidNs.push(tb);
      differences.push(ta - tb);
    }
    const { z, slower, faster } = signTestZ(differences);
    const summary = `valid padding slower in ${slower} rounds, faster in ${faster}: z = ${z.toFixed(2)}; median ${(median(validNs) / 1000).toFixed(1)} µs (valid) vs ${(median(invalidNs) / 1000).toFixed(1)} µs (invalid), median difference ${(median(differences) / 1000).toFixed(1)} µs`;
    process.stderr.write(`decryption timing: ${summary}\n`);
    expect(Math.abs(z), summary).toBeLessThan(Z_LIMIT);
  }, 180_000);
});
