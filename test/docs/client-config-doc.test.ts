/**
 * docs/client-config.md documents the client configuration completely and only what exists:
 * every field the parser accepts (src/client/config.ts CLIENT_CONFIG_FIELDS, which the parser
 * uses) has a row, every row names an accepted field, and the examples parse.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLIENT_CONFIG_FIELDS, parseClientConfig } from "../../src/client/config.js";
import { ClientError } from "../../src/client/errors.js";
import { REPO_ROOT } from "../helpers/cli.js";

const doc = readFileSync(join(REPO_ROOT, "docs", "client-config.md"), "utf8");

/** The first cells of the field tables: `name` or `parent.name`. */
const documented = [...doc.matchAll(/^\| `([A-Za-z.]+)` \|/gm)].map((m) => m[1]!);

/** Every field the parser accepts, as the tables name it. */
function accepted(): string[] {
  const { top, certificateFile, certificatePem, certificateStore, tls } = CLIENT_CONFIG_FIELDS;
  const certificateFields = [...new Set([...certificateFile, ...certificatePem, ...certificateStore])];
  return [...top, ...certificateFields.map((f) => `clientCertificate.${f}`), ...tls.map((f) => `tls.${f}`)];
}

const MINIMAL = [
  "environment: production",
  "stsUrl: http://h/production/SecurityTokenService.svc",
  "stsEndpointReference: https://signature.sts.nemlog-in.dk/",
  "stsCertificate: sts.pem",
  "wspUrl: http://h/production/smdb",
  "wspEntityId: https://smdb.dst.dk/production",
];

function refusal(yaml: string): string {
  try {
    parseClientConfig(yaml, "/x/c.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(ClientError);
    return (error as Error).message;
  }
  return "(accepted)";
}

describe("docs/client-config.md", () => {
  it("has a row for every field the parser accepts, and no other", () => {
    expect([...documented].sort()).toEqual(accepted().sort());
  });

  it("the field lists are the parser's: it names exactly them when refusing an unknown field", () => {
    expect(
      refusal([...MINIMAL, "clientCertificate: { file: a.p12 }", "wspCertficate: w.pem"].join("\n")),
    ).toBe(`/x/c.yaml: wspCertficate: unknown field; expected one of ${CLIENT_CONFIG_FIELDS.top.join(", ")}`);
    for (const [form, fields] of [
      ["file: a.p12", CLIENT_CONFIG_FIELDS.certificateFile],
      ["cert: a.pem, key: a.key.pem", CLIENT_CONFIG_FIELDS.certificatePem],
      ["store: s, findType: FindByThumbprint, findValue: AB", CLIENT_CONFIG_FIELDS.certificateStore],
    ] as const) {
      expect(refusal([...MINIMAL, `clientCertificate: { ${form}, colour: red }`].join("\n"))).toBe(
        `/x/c.yaml: clientCertificate.colour: unknown field; expected ${fields.join(", ")}`,
      );
      // Every documented field of the form is accepted.
      expect(refusal([...MINIMAL, `clientCertificate: { ${form}, password: "x" }`].join("\n"))).toBe(
        "(accepted)",
      );
    }
    expect(refusal([...MINIMAL, "clientCertificate: { file: a.p12 }", "tls: { cafile: x }"].join("\n"))).toBe(
      `/x/c.yaml: tls.cafile: unknown field; expected ${CLIENT_CONFIG_FIELDS.tls.join(" or ")}`,
    );
  });

  it("its examples are valid configurations", () => {
    const examples = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const example of examples) {
      const config = parseClientConfig(example, "/work/client.yaml");
      expect(config.clientCertificate.kind).toMatch(/^(file|pem|store)$/);
    }
    const rotation = parseClientConfig(examples[1]!, "/work/client.yaml");
    expect(rotation).toMatchObject({
      stsCertificate: ["/work/sts-old.pem", "/work/sts-new.pem"],
      clientCertificate: { kind: "store", findType: "FindBySubjectName", findValue: "SMDB indberetning" },
      fallbackCertificate: { kind: "pem", cert: "/work/new/system.pem" },
      tokenLifetimeMs: 3_600_000,
    });
  });
});
