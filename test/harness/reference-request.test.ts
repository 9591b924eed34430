/**
 * The real request of the .NET reference client (test/fixtures/reference), set up purely through
 * the admin API as docs/protocol.md and issue 3 describe: the clock at the request's time, the TRUST2408 CAs as
 * extra trust anchors, its BST certificate registered and provisioned, its AppliesTo registered
 * as a WSP. The STS issues a token for the request byte for byte unchanged.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Harness } from "../../src/harness/harness.js";
import { Certificate } from "../../src/pki/index.js";
import { referenceFixture } from "../helpers/fixtures.js";
import { testHarness } from "../helpers/harness.js";

let h: Harness;

beforeAll(async () => {
  h = await testHarness("2015-11-04T11:55:00Z").start();
});

afterAll(async () => {
  await h?.close();
});

async function admin(method: string, path: string, body?: string | Uint8Array, type = "application/json") {
  const res = await fetch(`${h.adminUrl}${path}`, {
    method,
    ...(body !== undefined ? { body, headers: { "content-type": type } } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

it("issues a token for the .NET reference client's request, unchanged", async () => {
  const request = await readFile(referenceFixture("dotnet-wsc-rst-issue-request.xml"));
  const bst = /<wsse:BinarySecurityToken[^>]*>([^<]+)<\/wsse:BinarySecurityToken>/.exec(
    request.toString("utf8"),
  )![1]!;
  const certificate = Certificate.fromBase64(bst);

  for (const file of ["trust2408-systemtest-xix-ca.pem", "trust2408-systemtest-vii-primary-ca.pem"]) {
    const added = await admin(
      "POST",
      "/trust-anchors",
      await readFile(referenceFixture(file), "utf8"),
      "text/plain",
    );
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  }
  const user = await admin(
    "POST",
    "/system-users",
    JSON.stringify({
      name: "Java ref. TEST",
      cvr: "34051178",
      entityId: "https://wsc.itcrew.dk",
      id: "reference",
    }),
  );
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  const put = await admin(
    "PUT",
    "/system-users/reference/certificates/production/current",
    new Uint8Array(certificate.der),
    "application/pkix-cert",
  );
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  expect((await admin("POST", "/system-users/reference/save")).status).toBe(200);
  expect((await admin("POST", "/system-users/reference/provision/production")).status).toBe(200);
  const wsp = await admin(
    "POST",
    "/environments/production/wsps",
    JSON.stringify({ entityId: "https://wsp.itcrew.dk" }),
  );
  expect(wsp.status).toBe(201);

  const res = await fetch(h.stsUrl("production"), {
    method: "POST",
    headers: {
      "content-type": "text/xml; charset=utf-8",
      soapaction: '"http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"',
    },
    body: new Uint8Array(request),
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(text).toContain("EncryptedAssertion");
  const event = h.events.since(0).findLast((e) => e.component === "sts");
  expect(event).toMatchObject({
    outcome: "ok",
    reason: "OK",
    systemUser: "reference",
    certSha256: certificate.sha256,
    messageId: "uuid:6b794c3a-49f0-4b6b-bece-ef52573089b9",
  });

  // The same request to integration, where nothing is provisioned, names the reason.
  const integration = await fetch(h.stsUrl("integration"), {
    method: "POST",
    headers: { "content-type": "text/xml; charset=utf-8" },
    body: new Uint8Array(request),
  });
  expect(integration.status).toBe(500);
  expect(h.events.since(0).findLast((e) => e.component === "sts")?.outcome).toBe("rejected");
});
