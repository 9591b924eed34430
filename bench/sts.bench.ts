/**
 * `sts.issue`: one token request through `handleTokenRequest` (no HTTP): parse, verify the
 * client's signature, check certificate and registry, build and sign the assertion, encrypt it
 * to the WSP, build and sign the RSTRC. RSA 3072 keys throughout (OCES3 and the STS).
 *
 * The same pre-built request is sent every iteration: step 1 has no replay check (DESIGN.md §2),
 * and the virtual clock stands still, so its timestamp stays valid.
 *
 * Ceiling: node:crypto alone doing the same RSA work with the same keys — one verify (the
 * client's signature), one sign (the assertion), one RSA-OAEP encrypt (the key wrap) and one
 * sign (the response).
 */
import { constants, createSign, createVerify, publicEncrypt, randomBytes } from "node:crypto";
import { buildSignedRst } from "../src/client/rst.js";
import { VirtualClock } from "../src/harness/clock.js";
import { ENVIRONMENTS, type Environment, EventLog } from "../src/harness/events.js";
import { type Credential, createTestCa } from "../src/pki/index.js";
import { Registry } from "../src/sts/registry.js";
import { handleTokenRequest, type StsDeps } from "../src/sts/token-service.js";
import type { StsEnvironment } from "../src/sts/types.js";
import type { BenchCase, BenchModule } from "./types.js";

const DAY = 86_400_000;
const ENDPOINT = "https://signature.sts.nemlog-in.dk/";
const WSP = "https://smdb.dst.dk/production";

const module: BenchModule = {
  async cases(): Promise<BenchCase[]> {
    const clock = new VirtualClock("2026-06-01T12:00:00Z");
    const now = clock.nowMs();
    const events = new EventLog(() => clock.nowMs(), 1000);
    const ca = await createTestCa(now, "bench");
    const validity = { notBefore: new Date(now - DAY), notAfter: new Date(now + 365 * DAY) };
    const client = await ca.issue({ profile: "oces3-system", cvr: "91234567", ...validity });
    const sts = await ca.issue({ profile: "sts", ...validity });
    const wsp = await ca.issue({ profile: "wsp", ...validity });
    const registry = await Registry.open({
      clock,
      events,
      builtInTrustAnchors: [ca.root.certificate, ca.issuing.certificate],
    });
    await registry.registerWsp("production", WSP, wsp.certificate);
    const user = await registry.createSystemUser({
      name: "Bench",
      cvr: "91234567",
      entityId: "https://bench.example",
    });
    await registry.uploadCertificate(user.identity.id, "production", "current", client.certificate.der);
    await registry.save(user.identity.id);
    await registry.provision(user.identity.id, "production");
    const environments = {} as Record<Environment, StsEnvironment>;
    for (const env of ENVIRONMENTS)
      environments[env] = { env, endpointReference: ENDPOINT, signing: () => sts };
    const deps: StsDeps = {
      clock,
      events,
      directory: registry,
      environments,
      options: {
        faultMode: "verbose",
        allowSha1: false,
        clockSkewMs: 5 * 60_000,
        defaultTokenLifetimeMs: 8 * 3_600_000,
        maxTokenLifetimeMs: 8 * 3_600_000,
      },
    };
    const body = Buffer.from(
      buildSignedRst({ credential: client, to: ENDPOINT, appliesTo: WSP, nowMs: now }).xml,
    );
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
