/**
 * `sts.issue`: one token request through `handleTokenRequest` (no HTTP): parse, verify the
 * client's signature, check certificate and registry, build and sign the assertion, encrypt it
 * to the WSP, build and sign the RSTRC. RSA 3072 keys throughout (OCES3 and the STS).
 *
 * The same pre-built request is sent every iteration: step 1 has no replay check (docs/protocol.md),
 * and the virtual clock stands still, so its timestamp stays valid.
 *
 * Ceiling: node:crypto alone doing the same RSA work with the same keys — one verify (the
 * client's signature), one sign (the assertion), one RSA-OAEP encrypt (the key wrap) and one
 * sign (the response).
 */
import { constants, createSign, createVerify, publicEncrypt, randomBytes } from "node:crypto";
import { buildSignedRst } from "../src/client/rst.js";
import type { Credential } from "../src/pki/index.js";
import { handleTokenRequest } from "../src/sts/token-service.js";
import { rstParams, stsFixture } from "../test/sts/fixture.js";
import type { BenchCase, BenchModule } from "./types.js";

const module: BenchModule = {
  async cases(): Promise<BenchCase[]> {
    // The STS the tests use: a real registry with one provisioned systembruger, the SMDB
    // registered, and the harness's default keys (RSA 3072) for client, STS and WSP.
    const f = await stsFixture({}, "2026-06-01T12:00:00Z");
    const { deps, client } = f;
    const sts = f.sts.production;
    const wsp = f.wsp.production;
    const body = Buffer.from(buildSignedRst(rstParams(f)).xml);
    const headers = { "content-type": "text/xml; charset=utf-8" };
    const first = handleTokenRequest(deps, "production", body, headers);
    if (first.status !== 200)
      throw new Error(`sts.issue bench setup: the STS refused the request: ${first.body}`);

    const signedInfo = Buffer.from(`<ds:SignedInfo>${"x".repeat(900)}</ds:SignedInfo>`);
    const signature = createSign("sha256").update(signedInfo).sign(client.key.privateKey);
    const aesKey = randomBytes(32);
    const ceiling = (key: Credential) => () => {
      createVerify("sha256").update(signedInfo).verify(client.certificate.publicKey, signature);
      createSign("sha256").update(signedInfo).sign(key.key.privateKey);
      publicEncrypt(
        { key: wsp.certificate.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
        aesKey,
      );
      createSign("sha256").update(signedInfo).sign(key.key.privateKey);
    };
    return [
      {
        name: "sts.issue",
        keyBits: 3072,
        run() {
          const res = handleTokenRequest(deps, "production", body, headers);
          if (res.status !== 200) throw new Error(`sts.issue: ${res.body.slice(0, 500)}`);
        },
        ceiling: ceiling(sts),
      },
    ];
  },
};

export default module;
