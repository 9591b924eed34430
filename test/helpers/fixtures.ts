import { join } from "node:path";

/**
 * The public OIO IDWS reference material the tests use, in the repository at
 * `test/fixtures/reference/` (its README.md gives each file's public origin). Every test reads it
 * through this helper.
 */
export const REFERENCE_FIXTURES = join(import.meta.dirname, "..", "fixtures", "reference");

/** The path of the reference file `name` (e.g. `dotnet-wsc-rst-issue-request.xml`). */
export function referenceFixture(name: string): string {
  return join(REFERENCE_FIXTURES, name);
}

/**
 * The scenario example of docs/contract.md ("Scenario"), verbatim: a client swapped to its new certificate at +12d,
 * before the STS takes it at the old one's expiry (+30d), so 18 days of CERT_NOT_YET_ACTIVE.
 */
export const DESIGN_EXAMPLE_SCENARIO = `name: client-swapped-before-sts
policy: at-expiry
environment: production
start: 2026-01-01T00:00:00Z
certificates:
  old: { profile: oces3-system, notBefore: -1090d, notAfter: +30d }
  new: { profile: oces3-system, notBefore: -1d, notAfter: +1095d }
setup:
  systemUser: { cert: old, provisioned: [integration, production] }
  client: { cert: old }
steps:
  - { at: +10d, do: nemlogin.upload, with: { slot: next, cert: new } }
  - { at: +10d, do: nemlogin.save }
  - { at: +11d, do: nemlogin.provision, with: { environment: production } }
  - { at: +12d, do: client.deploy, with: { cert: new } }
expect:
  downtime: 18d
  failures: [ { from: +12d, to: +30d, step: 1, reason: CERT_NOT_YET_ACTIVE } ]
`;

/**
 * A YAML "billion laughs": seven levels of anchors, each a list of nine aliases of the one before
 * (9^7 copies of `item` once expanded). Lines 1 to 7; no newline at the end.
 */
export function yamlAliasBomb(item: string): string {
  const levels = [`a: &a [${Array(9).fill(item).join(", ")}]`];
  for (const [name, previous] of [
    ["b", "a"],
    ["c", "b"],
    ["d", "c"],
    ["e", "d"],
    ["f", "e"],
    ["g", "f"],
  ]) {
    levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
  }
  return levels.join("\n");
}

/** A valid SMDB treatment course (forløb), as `IndberetForloeb` takes it and `client call --payload` reads it. */
export const COURSE = {
  forloebId: "F-2026-0001",
  cpr: "0101901234",
  kommunekode: "101",
  behandlingssted: "Rusmiddelcenter København",
  behandlingstype: "social",
  startdato: "2026-02-01",
  stoffer: ["cannabis", "kokain"],
};
