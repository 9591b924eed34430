/**
 * The client's check of STS answers (`verifyStsResponse`) on real answers of the real token
 * endpoint: a good one, one tampered after signing, one signed by another STS key, faults in
 * both fault modes.
 */
import { describe, expect, it } from "vitest";
import { ClientError } from "../../src/client/errors.js";
import { buildSignedRst } from "../../src/client/rst.js";
import { verifyStsResponse } from "../../src/client/wsc-client.js";
import { handleTokenRequest } from "../../src/sts/token-service.js";
import { ENDPOINTS, rstParams, stsFixture } from "./fixture.js";

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).step).toBe(1);
    return (error as ClientError).reason;
  }
  return "OK";
}

describe("verifyStsResponse", () => {
  it("accepts the STS's answer and refuses a tampered one or one signed by another key", async () => {
    const f = await stsFixture();
    const rst = buildSignedRst(rstParams(f));
    const res = handleTokenRequest(f.deps, "production", Buffer.from(rst.xml));
    expect(res.status).toBe(200);
    const trusted = [f.sts.production.certificate];
    const ok = verifyStsResponse(res.body, trusted, { relatesTo: rst.messageId });
    expect(ok.stsCertificate.sha256).toBe(f.sts.production.certificate.sha256);
    expect(res.body).toContain(ok.encryptedAssertionXml);
    const tampered = res.body.replace(
      /(<xenc:CipherValue>)([A-Za-z0-9+/])/,
      (_m, tag: string, c: string) => `${tag}${c === "A" ? "B" : "A"}`,
    );
    expect(reasonOf(() => verifyStsResponse(tampered, trusted, { relatesTo: rst.messageId }))).toBe(
      "STS_RESPONSE_UNTRUSTED",
    );
    expect(
      reasonOf(() =>
        verifyStsResponse(res.body, [f.sts.integration.certificate], { relatesTo: rst.messageId }),
      ),
    ).toBe("STS_RESPONSE_UNTRUSTED");
    expect(reasonOf(() => verifyStsResponse(res.body, trusted, { relatesTo: "uuid:other" }))).toBe(
      "STS_RESPONSE_MALFORMED",
    );
    expect(
      reasonOf(() =>
        verifyStsResponse("<html>502 Bad Gateway</html>", trusted, { relatesTo: rst.messageId }),
      ),
    ).toBe("STS_RESPONSE_MALFORMED");
  });

  it("turns faults into the STS's reason (verbose) or STS_FAULT (realistic)", async () => {
    for (const [mode, expected] of [
      ["verbose", "WRONG_ENDPOINT"],
      ["realistic", "STS_FAULT"],
    ] as const) {
      const f = await stsFixture({ faultMode: mode });
      const rst = buildSignedRst(rstParams(f, { to: ENDPOINTS.integration }));
      const res = handleTokenRequest(f.deps, "production", Buffer.from(rst.xml));
      expect(res.status).toBe(500);
      expect(
        reasonOf(() =>
          verifyStsResponse(res.body, [f.sts.production.certificate], { relatesTo: rst.messageId }),
        ),
      ).toBe(expected);
    }
  });
});
