/**
 * The WSP: `wsp.call` is one step-2 request (a Ping, so no store write) handled by
 * `WspService.handle` — parse, decrypt the token (RSA-OAEP unwrap + AES), verify the STS's
 * assertion signature, verify the client's message signature (holder-of-key, STR-Transform,
 * coverage), and sign the response. Requests are built before measuring (the client's work is
 * not the WSP's); each run gets a fresh service (and so replay cache) so a request can be handled again.
 * Ceiling: node:crypto alone doing the same RSA operations with the same RSA 3072 keys — one
 * RSA-OAEP decrypt, two RSA-SHA256 verifies, one RSA-SHA256 signature.
 */
import { constants, createSign, createVerify, privateDecrypt, publicEncrypt, randomBytes } from "node:crypto";
import { clocksOf, VirtualClock } from "../src/core/clock.js";
import { EventLog } from "../src/core/events.js";
import { HarnessState } from "../src/harness/state.js";
import { requestAction, requestBodyXml } from "../src/smdb/operations.js";
import { DEFAULT_PRIVILEGES } from "../src/smdb/privileges.js";
import { type WspDeps, WspService, wspEnvironmentFromState } from "../src/wsp/service.js";
import { SmdbStore } from "../src/wsp/store.js";
import { encryptAssertion } from "../src/xml/encryption.js";
import { buildIdwsRequest } from "../src/xml/idws.js";
import { buildSignedAssertion } from "../src/xml/saml.js";
import type { BenchCase, BenchModule } from "./types.js";

const BITS = 3072;
const POOL = 64;

const wspBench: BenchModule = {
  async cases(): Promise<BenchCase[]> {
    const start = Date.parse("2026-03-01T10:00:00Z");
    const clock = new VirtualClock(start);
    const events = new EventLog(() => clock.nowMs(), 1000);
    const state = await HarnessState.open({ clock });
    const store = await SmdbStore.open();
    const deps: WspDeps = {
      clocks: clocksOf(clock),
      events,
      store,
      environments: {
        integration: wspEnvironmentFromState(state, "integration"),
        production: wspEnvironmentFromState(state, "production"),
      },
    };
    const env = state.environment("production");
    const client = await state.ca.issue({
      profile: "oces3-system",
      cvr: "91234567",
      name: "Bench fagsystem",
      notBefore: new Date(start - 86_400_000),
      notAfter: new Date(start + 1000 * 86_400_000),
    });
    for (const key of [env.wsp.key, env.stsSigning.key, client.key]) {
      if (key.bits !== BITS) throw new Error(`bench keys must be RSA ${BITS}; got ${key.bits}`);
    }
    // One token per request, as distinct as real traffic: each run decrypts and verifies anew.
    const requests: string[] = [];
    for (let i = 0; i < POOL; i++) {
      const { xml: assertion } = buildSignedAssertion({
        issueInstantMs: start,
        issuer: env.stsEndpointReference,
        nameId: "https://bench.example.dk",
        subjectCertificate: client.certificate,
        notBeforeMs: start,
        notOnOrAfterMs: start + 8 * 3_600_000,
        audience: env.wspEntityId,
        cvr: "91234567",
        privileges: DEFAULT_PRIVILEGES,
        signing: env.stsSigning,
      });
      requests.push(
        buildIdwsRequest({
          action: requestAction("Ping"),
          to: "https://localhost/production/smdb",
          createdMs: start,
          encryptedAssertionXml: encryptAssertion(assertion, env.wsp.certificate),
          bodyXml: requestBodyXml("Ping", {}),
          privateKey: client.key.privateKey,
        }).xml,
      );
    }
    let next = 0;
    const first = await new WspService(deps).handle("production", requests[0]!);
    if (first.status !== 200)
      throw new Error(`wsp.call bench request was refused: ${first.body.slice(0, 500)}`);

    // Ceiling material: the same keys, inputs of the same sizes.
    const wrapped = publicEncrypt(
      { key: env.wsp.certificate.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
      randomBytes(32),
    );
    const signedInfo = Buffer.alloc(1200, "s");
    const stsSignature = createSign("sha256").update(signedInfo).sign(env.stsSigning.key.privateKey);
    const clientSignature = createSign("sha256").update(signedInfo).sign(client.key.privateKey);

    return [
      {
        name: "wsp.call",
        keyBits: BITS,
        run: async () => {
          const body = requests[next++ % POOL]!;
          const res = await new WspService(deps).handle("production", body);
          if (res.status !== 200) throw new Error(`wsp.call failed: ${res.body.slice(0, 300)}`);
        },
        ceiling: () => {
          privateDecrypt(
            { key: env.wsp.key.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
            wrapped,
          );
          createVerify("sha256")
            .update(signedInfo)
            .verify(env.stsSigning.certificate.publicKey, stsSignature);
          createVerify("sha256").update(signedInfo).verify(client.certificate.publicKey, clientSignature);
          createSign("sha256").update(signedInfo).sign(env.wsp.key.privateKey);
        },
      },
    ];
  },
};

export default wspBench;
