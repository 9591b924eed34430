/**
 * The package's entry point (src/index.ts, `import … from "smdb-harness"`) does what README.md and
 * docs/harness.md show, as written: this file typechecks with `tsc --noEmit -p .` only if the
 * examples do.
 */
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ClientError,
  HarnessBuilder,
  htmlReport,
  loadClientConfig,
  RealClock,
  runScenario,
  startHarness,
  VirtualClock,
  WscClient,
} from "../../src/index.js";
import { writeCredentialFiles } from "../../src/pki/index.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { provisionSystemUser } from "../helpers/harness.js";
import { useTempDir } from "../helpers/tmp.js";

let dir: string;
useTempDir("smdb-library-", (path) => {
  dir = path;
});

const T0 = "2026-01-01T00:00:00Z";
const DAY = 86_400_000;

describe("library entry point", () => {
  it("README: a builder with a virtual clock gives a harness whose clock advances without a cast", async () => {
    await using harness = await new HarnessBuilder().withVirtualClock(T0).withHttp().start();
    expect(harness.stsUrl("production")).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/production\/SecurityTokenService\.svc$/,
    );
    harness.clock.advance("+30d");
    expect(harness.clock.nowMs()).toBe(Date.parse(T0) + 30 * DAY);
    harness.clock.set("2026-03-01T00:00:00Z");
    expect(harness.clock.now().toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(Array.isArray(harness.events.since(0))).toBe(true);
  });

  it("startHarness({clock: new VirtualClock(…)}) keeps the clock's type", async () => {
    await using h = await startHarness({ clock: new VirtualClock(T0), http: true });
    h.clock.advance("1d");
    expect(h.clock.nowMs()).toBe(Date.parse(T0) + DAY);
  });
});

describe("the published package", () => {
  it("ships every file README.md links to (docs/*.md), so the links work after npm install", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { files: string[] };
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const links = [...readme.matchAll(/\]\(([^)#:]+)\)/g)].map((m) => m[1] ?? "");
    expect(links).toContain("docs/scenarios.md");
    for (const link of links) {
      expect(
        pkg.files.some((entry) => link === entry || link.startsWith(`${entry}/`)),
        `${link} is not in package.json "files"`,
      ).toBe(true);
    }
  });
});

describe("reports from code", () => {
  it("the HTML report's downtime line says the span is the scenario's, not the downtime's", async () => {
    const result = await runScenario(join(REPO_ROOT, "scenarios", "client-switched-before-sts.yaml"));
    expect(result.passed).toBe(true);
    const html = htmlReport([result], 0);
    expect(html).toMatch(
      /Downtime: <strong class="bad">1d1ms<\/strong> over the scenario's 3d, 2026-03-01T00:00:00\.000Z → /,
    );
  });
});

describe("the reference client from code", () => {
  it("WscClient.fromConfig(await loadClientConfig(file)) calls the harness; refusals are ClientErrors", async () => {
    await using h = await new HarnessBuilder().withHttp().start();
    const cert = await h.state.ca.issue({
      profile: "oces3-system",
      cvr: "94567890",
      name: "lib",
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 86_400_000),
    });
    await provisionSystemUser(
      h.registry,
      { name: "lib", cvr: "94567890", entityId: "https://lib.example/wsc" },
      {
        current: cert,
      },
    );
    await writeCredentialFiles(cert, join(dir, "lib"), { password: "test" });
    await writeFile(join(dir, "sts.pem"), h.state.environment("production").stsSigning.certificate.pem);
    const yaml = (env: "integration" | "production") =>
      [
        `environment: ${env}`,
        `stsUrl: ${h.stsUrl(env)}`,
        `stsEndpointReference: ${h.state.environment(env).stsEndpointReference}`,
        "stsCertificate: sts.pem",
        `wspUrl: ${h.wspUrl(env)}`,
        `wspEntityId: ${h.state.environment(env).wspEntityId}`,
        "clientCertificate: { cert: lib.pem, key: lib.key.pem }",
        "",
      ].join("\n");
    await writeFile(join(dir, "client.yaml"), yaml("production"));
    const wsc = await WscClient.fromConfig(await loadClientConfig(join(dir, "client.yaml")), {
      clock: new RealClock(),
    });
    try {
      const ping = await wsc.call("Ping");
      expect(ping.result).toMatchObject({ cvr: "94567890", environment: "production" });
    } finally {
      wsc.close();
    }
    await writeFile(join(dir, "integration.yaml"), yaml("integration"));
    const other = await WscClient.fromConfig(await loadClientConfig(join(dir, "integration.yaml")), {
      clock: new RealClock(),
    });
    try {
      const error = await other.getToken().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ClientError);
      expect(error).toMatchObject({ step: 1, reason: "CERT_NOT_PROVISIONED" });
    } finally {
      other.close();
    }
  });
});
