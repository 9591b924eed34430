import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Certificate } from "../../src/pki/certificate.js";
import { certificateDetails, cvrOf, detectProfile, inspectCertificate } from "../../src/pki/inspect.js";
import { loadCredentialFile } from "../../src/pki/load.js";
import { REFERENCE_FIXTURES as REF } from "../helpers/fixtures.js";

describe("inspect the real reference certificates", () => {
  it("NemLog-in IdP test certificate (OCES3, DER): CVR 34051178, oces3-system", async () => {
    const { certificates, format } = await loadCredentialFile(join(REF, "nemlogin-idp-test-oces3.cer"));
    expect(format).toBe("der");
    const info = inspectCertificate(certificates[0]!);
    expect(info).toEqual({
      subject:
        "C=DK, organizationIdentifier=NTRDK-34051178, O=Digitaliseringsstyrelsen, serialNumber=UI:DK-O:G:a040fe26-ce78-4328-ac0e-29eeb12f46df, CN=NemLog-in IdP - Test",
      issuer: "C=DK, O=Den Danske Stat, OU=Test - cti, CN=Den Danske Stat OCES udstedende-CA 1",
      serialNumber: "080A5759356914060D707D2314A13E8778DCE6AF",
      notBefore: "2023-03-13T12:50:49.000Z",
      notAfter: "2026-03-12T12:50:48.000Z",
      sha1: "357FAAAB559E427FCF66BF81627378A86A1106C3",
      sha256: "41012700C66E6CE46A8836C658ECB8638AAE5C72009BD6300F0C7180575A3763",
      cvr: "34051178",
      profile: "oces3-system",
    });
    expect(certificateDetails(certificates[0]!).keyBits).toBe(3072);
  });

  it("NemLog-in ADFS test certificate (FOCES, bare base64): CVR 34051178, foces2", async () => {
    const { certificates, format } = await loadCredentialFile(
      join(REF, "nemlogin-adfs-test-foces-bare-base64.cer"),
    );
    expect(format).toBe("base64");
    const info = inspectCertificate(certificates[0]!);
    expect(info.subject).toBe(
      "serialNumber=CVR:34051178-FID:56940413 + CN=NemLog-in ADFS Test (funktionscertifikat), O=Digitaliseringsstyrelsen // CVR:34051178, C=DK",
    );
    expect(info.issuer).toBe("CN=TRUST2408 Systemtest XXXIV CA, O=TRUST2408, C=DK");
    expect(info.cvr).toBe("34051178");
    expect(info.profile).toBe("foces2");
    expect(info.sha1).toBe("FCB5EDC9FB09CF39716C09C35FDC883BD48ADD8D");
    expect(info.notAfter).toBe("2023-02-25T21:17:21.000Z");
  });

  it("the TRUST2408 CA certificates are CAs without a CVR", async () => {
    for (const file of ["trust2408-systemtest-xix-ca.pem", "trust2408-systemtest-vii-primary-ca.pem"]) {
      const cert = Certificate.fromPem(await readFile(join(REF, file), "utf8"));
      expect(detectProfile(cert)).toBe("ca");
      expect(cvrOf(cert)).toBeNull();
    }
  });

  it("the BST certificate of the real .NET request: FOCES with its CVR", async () => {
    const xml = await readFile(join(REF, "dotnet-wsc-rst-issue-request.xml"), "utf8");
    const base64 = /<[^>]*BinarySecurityToken[^>]*>([^<]+)</.exec(xml)![1]!;
    const cert = Certificate.fromBase64(base64);
    const info = inspectCertificate(cert);
    expect(info.cvr).toMatch(/^\d{8}$/);
    expect(info.profile).toBe("foces2");
    expect(info.subject).toMatch(/serialNumber=CVR:\d{8}-FID:\d+ \+ CN=/);
  });
});
