/**
 * Keys that are one's own (issue 10): every key the CLI writes for a user is freshly generated,
 * never taken from the shared key pool that the harness uses for its own keys. Two `certs ca`
 * runs, the CA a state dir gets, and a harness's CA never share a public key; and a certificate
 * issued under a user's own CA is refused by the STS with CERT_UNTRUSTED_ISSUER until that CA is
 * added as a trust anchor. (Before: `certs ca` took the pool's first keys, so "your own" CA had
 * the harness CA's key pair and its certificates were accepted.)
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSignedRst } from "../../src/client/rst.js";
import { RealClock } from "../../src/core/clock.js";
import { type Harness, HarnessBuilder } from "../../src/harness/harness.js";
import { keyPairFromPem } from "../../src/pki/keys.js";
import { loadCredentialFile } from "../../src/pki/load.js";
import { runCli } from "../helpers/cli.js";
import { provisionSystemUser, TEST_CVR } from "../helpers/harness.js";
import { useTempDir } from "../helpers/tmp.js";

let work: string;
useTempDir("smdb-own-keys-", (dir) => {
  work = dir;
});

let harness: Harness;
beforeAll(async () => {
  harness = await new HarnessBuilder().withHttp().start();
});
afterAll(async () => {
  await harness?.close();
});

async function cli(args: string[]): Promise<string> {
  const result = await runCli(args, { cwd: work, timeoutMs: 180_000 });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** Public-key fingerprints of a CA directory's root and issuing keys. */
async function caKeys(dir: string): Promise<string[]> {
  return Promise.all(
    ["root", "issuing"].map(
      async (base) => keyPairFromPem(await readFile(join(dir, `${base}.key.pem`), "utf8")).publicKeySha256,
    ),
  );
}

describe("keys the CLI hands to a user", () => {
  it("two `certs ca` runs, a state dir's CA and the harness's CA share no public key; issued keys are new too", async () => {
    await cli(["certs", "ca", "--out", "ca-one"]);
    await cli(["certs", "ca", "--out", "ca-two"]);
    const issued = JSON.parse(
      await cli([
        "certs",
        "issue",
        "--state-dir",
        "state",
        "--profile",
        "oces3-system",
        "--cvr",
        TEST_CVR,
        "--out",
        "leaf",
        "--json",
      ]),
    );
    expect(issued.files).toBeDefined();
    const leaf = keyPairFromPem(await readFile(join(work, "leaf.key.pem"), "utf8")).publicKeySha256;
    const all = [
      ...(await caKeys(join(work, "ca-one"))),
      ...(await caKeys(join(work, "ca-two"))),
      ...(await caKeys(join(work, "state", "ca"))),
      harness.state.ca.root.key.publicKeySha256,
      harness.state.ca.issuing.key.publicKeySha256,
      leaf,
    ];
    expect(new Set(all).size, all.join("\n")).toBe(all.length);
  }, 240_000);

  it("a certificate issued under one's own CA: CERT_UNTRUSTED_ISSUER until the CA is a trust anchor", async () => {
    await cli(["certs", "ca", "--out", "own-ca"]);
    await cli([
      "certs",
      "issue",
      "--ca",
      "own-ca",
      "--profile",
      "oces3-system",
      "--cvr",
      TEST_CVR,
      "--name",
      "Own CA system",
      "--out",
      "own",
      "--password",
      "pw",
    ]);
    const loaded = await loadCredentialFile(join(work, "own.p12"), { password: "pw" });
    const credential = { certificate: loaded.certificates[0]!, key: loaded.key!, chain: [] };
    await provisionSystemUser(
      harness.registry,
      { name: "Own CA user", cvr: TEST_CVR, entityId: "https://own-ca.example/wsc" },
      { current: credential },
    );
    const requestToken = async () => {
      const rst = buildSignedRst({
        credential,
        to: harness.state.environment("production").stsEndpointReference,
        appliesTo: harness.state.environment("production").wspEntityId,
        nowMs: new RealClock().nowMs(),
      });
      const before = harness.events.lastSeq;
      const res = await fetch(harness.stsUrl("production"), {
        method: "POST",
        headers: { "content-type": "text/xml; charset=utf-8" },
        body: rst.xml,
      });
      await res.text();
      return { status: res.status, event: harness.events.since(before).find((e) => e.component === "sts") };
    };
    const refused = await requestToken();
    expect(refused.status).toBe(500);
    expect(refused.event).toMatchObject({ outcome: "rejected", reason: "CERT_UNTRUSTED_ISSUER" });

    // The STS checks the certificate's issuer: the issuing CA is the anchor to add.
    const issuing = await readFile(join(work, "own-ca", "issuing.pem"), "utf8");
    const added = await fetch(`${harness.url}/admin/api/trust-anchors`, { method: "POST", body: issuing });
    expect(added.status, await added.text()).toBeLessThan(300);
    const accepted = await requestToken();
    expect(accepted.event, JSON.stringify(accepted.event)).toMatchObject({ outcome: "ok", reason: "OK" });
    expect(accepted.status).toBe(200);
  }, 240_000);
});
