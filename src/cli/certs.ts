/**
 * `smdb-harness certs ca|issue|inspect`: the test PKI on the command line.
 */
import { join } from "node:path";
import { type Command, Option } from "commander";
import { fileExists } from "../core/atomic-file.js";
import { parseTime, RealClock, TimeFormatError } from "../core/clock.js";
import { fileProblem } from "../core/file-errors.js";
import { createTestCa, loadOrCreateTestCa, loadTestCa, saveTestCa, type TestCa } from "../pki/ca.js";
import type { Certificate } from "../pki/certificate.js";
import { writeCredentialFiles } from "../pki/export.js";
import { certificateDetails, inspectCertificate } from "../pki/inspect.js";
import { type Credential, LEAF_PROFILES, type Profile } from "../pki/issue.js";
import { loadCredentialFile } from "../pki/load.js";
import { action, CliError } from "./common.js";

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

/** Default validity per profile: OCES3 system certificates run 3 years minus one second. */
export const DEFAULT_VALIDITY_MS: Record<(typeof LEAF_PROFILES)[number], number> = {
  "oces3-system": 3 * YEAR_MS - 1000,
  foces2: 3 * YEAR_MS - 1000,
  sts: 3 * YEAR_MS - 1000,
  wsp: 3 * YEAR_MS - 1000,
  tls: YEAR_MS,
};

export const DEFAULT_STATE_DIR = ".smdb-harness";

interface IssueFlags {
  profile: (typeof LEAF_PROFILES)[number];
  cvr?: string;
  name?: string;
  organization?: string;
  uuid?: string;
  fid?: string;
  notBefore?: string;
  notAfter?: string;
  out: string;
  password: string;
  ca?: string;
  stateDir: string;
  freshKey?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const certs = program
    .command("certs")
    .description(
      "test PKI: make a test CA, issue systembruger/STS/WSP/TLS certificates, inspect certificate files",
    )
    .addHelpText(
      "after",
      `
Examples:
  smdb-harness certs ca --out ca/
  smdb-harness certs issue --profile oces3-system --cvr 91234567 --name "Min indberetning" --out certs/system
  smdb-harness certs inspect certs/system.cer --json`,
    );

  certs
    .command("ca")
    .description("create a test root CA and issuing CA and write them to a directory")
    .requiredOption(
      "--out <dir>",
      "directory to write root.cer/.pem/.key.pem and issuing.cer/.pem/.key.pem to",
    )
    .option("--name <name>", "name prefix of the two CAs", "smdb-harness")
    .option("--force", "replace a CA that is already in --out (certificates issued under it stop chaining)")
    .addHelpText(
      "after",
      `
The root and the issuing CA are valid from 10 years ago to 20 years ahead. Issue certificates under
this CA with \`certs issue --ca DIR\`, and make a harness trust it by adding root.pem as a trust anchor
(POST /admin/api/trust-anchors). Without --ca, \`certs issue\` uses the CA of the state dir
(./.smdb-harness/ca), which \`smdb-harness up\` trusts already.

Examples:
  smdb-harness certs ca --out ca/
  smdb-harness certs issue --ca ca/ --profile oces3-system --cvr 91234567 --out certs/system
  openssl verify -CAfile ca/root.pem -untrusted ca/issuing.pem certs/system.pem`,
    )
    .action(
      action(async (flags: { out: string; name: string; force?: boolean }) => {
        if (!flags.force && (await fileExists(join(flags.out, "root.pem")))) {
          throw new CliError(
            `--out ${flags.out}: already holds a test CA (root.pem); choose another directory or add --force to replace it`,
          );
        }
        // Keys of its own, freshly generated: never the shared key pool, which the harness's CA uses.
        const ca = await createTestCa(new RealClock().nowMs(), flags.name, { pool: false });
        try {
          await saveTestCa(ca, flags.out);
        } catch (error) {
          throw new CliError(`--out ${flags.out}: cannot write the CA (${fsReason(error)})`);
        }
        for (const file of [
          "root.cer",
          "root.pem",
          "root.key.pem",
          "issuing.cer",
          "issuing.pem",
          "issuing.key.pem",
        ]) {
          process.stdout.write(`wrote ${join(flags.out, file)}\n`);
        }
        process.stdout.write(
          `root    ${ca.root.certificate.sha256}\nissuing ${ca.issuing.certificate.sha256}\n`,
        );
        return 0;
      }),
    );

  certs
    .command("issue")
    .description("issue a certificate and write BASE.cer (DER), BASE.pem, BASE.key.pem and BASE.p12")
    .addOption(
      new Option("--profile <profile>", "certificate profile")
        .choices([...LEAF_PROFILES])
        .makeOptionMandatory(),
    )
    .option(
      "--cvr <cvr>",
      "CVR number of the organisation (8 digits; fictitious test numbers start with 9; default 99999999)",
    )
    .option(
      "--name <name>",
      "common name: the system's name (oces3-system), the function (foces2), a host (tls)",
    )
    .option("--organization <org>", "organisation name (O=)")
    .option(
      "--uuid <uuid>",
      "oces3-system: the UUID in serialNumber=UI:DK-O:G:<uuid> (default: random); reuse it for a renewal with the same subject",
    )
    .option("--fid <digits>", "foces2: the FID number in serialNumber=CVR:<cvr>-FID:<fid> (default: random)")
    .option(
      "--not-before <time>",
      "start of validity: relative to now (-1d, -3y, +10d) or ISO 8601 (default: now)",
    )
    .option(
      "--not-after <time>",
      "end of validity: relative to now (+3y, +30s, -1h) or ISO 8601 (default: --not-before + 3 years − 1 s; tls 1 year)",
    )
    .requiredOption("--out <base>", "DIR/BASE of the files to write, e.g. certs/system")
    .option("--password <password>", "password of BASE.p12", "")
    .option("--ca <dir>", "issue under the test CA in this directory (made with `certs ca`)")
    .option(
      "--state-dir <dir>",
      "without --ca: issue under <state-dir>/ca, the CA the harness trusts",
      DEFAULT_STATE_DIR,
    )
    .option("--fresh-key", "accepted for compatibility: every key `certs issue` writes is freshly generated")
    .option("--json", "print the written files and the inspection as JSON")
    .addHelpText(
      "after",
      `
Profiles:
  oces3-system  OCES3 system certificate as MitID Erhverv issues it: C=DK, organizationIdentifier=NTRDK-<cvr>,
                O=<org>, serialNumber=UI:DK-O:G:<uuid>, CN=<name>; RSA 3072; 3 years − 1 s
  foces2        legacy FOCES funktionscertifikat: serialNumber=CVR:<cvr>-FID:<fid> + CN=<name>
                (funktionscertifikat), O=<org> // CVR:<cvr>, C=DK; RSA 2048
  sts           token-signing certificate of an STS (digitalSignature + nonRepudiation); RSA 3072
  wsp           certificate of a service (WSP): signing and encryption; RSA 3072
  tls           HTTPS server certificate with SAN localhost, 127.0.0.1, ::1; RSA 2048; 1 year

Times: relative to now with units s, m, h, d, y (y = 365 d), e.g. -3y, +10d, -1h, +30s, +1d12h;
or absolute ISO 8601 (2026-01-01T00:00:00Z). --not-after defaults to --not-before plus the profile's
validity, so \`--not-before -3y\` gives a certificate that expired a second ago. "Now" is this
machine's clock, not a harness's --virtual-clock: for a harness started with
\`up --virtual-clock 2026-01-01T00:00:00Z\`, give ISO times around that date
(--not-before 2025-12-31T00:00:00Z), or the certificate is CERT_NOT_YET_VALID (or expired) there.

Upload BASE.cer (the public part only) to NemLog-in; deploy BASE.p12 (or BASE.pem + BASE.key.pem) in the
client. The .p12 uses AES-256-CBC/SHA-256 (readable by OpenSSL 3 and Windows/.NET); without --password
its password is empty.

Examples:
  # a systembruger certificate valid for the usual 3 years, under the harness's CA
  smdb-harness certs issue --profile oces3-system --cvr 91234567 --name "Min indberetning" \\
      --out certs/system --password test
  # the renewal: same system and the same subject (reuse the UUID), valid from tomorrow
  smdb-harness certs issue --profile oces3-system --cvr 91234567 --name "Min indberetning" \\
      --uuid 0f4a5b6c-1d2e-4f30-8a9b-0c1d2e3f4a5b --not-before +1d --out certs/system-2029
  # one that expires in 30 seconds, and one that expired yesterday
  smdb-harness certs issue --profile oces3-system --cvr 91234567 --not-before -1h --not-after +30s --out certs/short
  smdb-harness certs issue --profile oces3-system --cvr 91234567 --not-before -3y --not-after -1d --out certs/expired
  # a legacy FOCES certificate under your own CA
  smdb-harness certs issue --profile foces2 --cvr 91234567 --name "SMDB" --ca ca/ --out certs/foces`,
    )
    .action(action(async (flags: IssueFlags) => issue(flags)));

  certs
    .command("inspect")
    .description("show subject, issuer, validity, thumbprints, CVR and profile of a certificate file")
    .argument("<file>", "a .cer (DER, PEM or bare base64), .pem, .crt, .p12 or .pfx file")
    .option("--password <password>", "password of a .p12/.pfx or an encrypted private key")
    .option(
      "--json",
      "print {subject, issuer, serialNumber, notBefore, notAfter, sha1, sha256, cvr, profile}",
    )
    .addHelpText(
      "after",
      `
Thumbprints are upper-case hex without separators (as Windows shows them; use them for
FindByThumbprint). Subject and issuer are RFC 2253 strings (last RDN first).

Examples:
  smdb-harness certs inspect certs/system.cer
  smdb-harness certs inspect certs/system.p12 --password test --json
  smdb-harness certs inspect certs/system.cer --json | jq -r .sha1`,
    )
    .action(
      action(async (file: string, flags: { password?: string; json?: boolean }) => {
        const loaded = await loadCredentialFile(
          file,
          flags.password === undefined ? {} : { password: flags.password },
        );
        const [first, ...rest] = loaded.certificates;
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(inspectCertificate(first!), null, 2)}\n`);
          return 0;
        }
        const formatNames = { der: "DER", pem: "PEM", base64: "base64 (no PEM armour)", pkcs12: "PKCS#12" };
        process.stdout.write(
          `File:        ${file} (${formatNames[loaded.format]}${loaded.key ? ", with private key" : ""})\n`,
        );
        process.stdout.write(describe(first!, new RealClock().nowMs()));
        for (const [index, cert] of rest.entries()) {
          process.stdout.write(`\nAlso in the file (${index + 2} of ${loaded.certificates.length}):\n`);
          process.stdout.write(describe(cert, new RealClock().nowMs()));
        }
        return 0;
      }),
    );
}

async function issue(flags: IssueFlags): Promise<number> {
  const clock = new RealClock();
  const now = clock.nowMs();
  const profile = flags.profile;
  const cvr = flags.cvr ?? "99999999";
  if (!/^\d{8}$/.test(cvr)) {
    throw new CliError(
      `--cvr "${flags.cvr}": a CVR number has 8 digits (fictitious test numbers start with 9)`,
    );
  }
  if (flags.uuid !== undefined) {
    if (profile !== "oces3-system")
      throw new CliError(`--uuid applies to --profile oces3-system only, not ${profile}`);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(flags.uuid)) {
      throw new CliError(`--uuid "${flags.uuid}": expected a UUID like 0f4a5b6c-1d2e-4f30-8a9b-0c1d2e3f4a5b`);
    }
  }
  if (flags.fid !== undefined) {
    if (profile !== "foces2") throw new CliError(`--fid applies to --profile foces2 only, not ${profile}`);
    if (!/^\d{1,20}$/.test(flags.fid))
      throw new CliError(`--fid "${flags.fid}": expected digits, e.g. 56940413`);
  }
  const notBefore = flags.notBefore === undefined ? now : timeFlag("--not-before", flags.notBefore, now);
  const notAfter =
    flags.notAfter === undefined
      ? notBefore + DEFAULT_VALIDITY_MS[profile]
      : timeFlag("--not-after", flags.notAfter, now);
  if (notAfter <= notBefore) {
    throw new CliError(
      `--not-after ${new Date(notAfter).toISOString()} is not after --not-before ${new Date(notBefore).toISOString()}`,
    );
  }
  if (Math.floor(notAfter / 1000) <= Math.floor(notBefore / 1000)) {
    throw new CliError(
      "--not-after must be at least one second after --not-before (X.509 times have seconds)",
    );
  }
  const ca = await caFor(flags, now);
  const options = {
    profile: profile as Profile,
    cvr,
    notBefore: new Date(notBefore),
    notAfter: new Date(notAfter),
    ...(flags.name === undefined ? {} : { name: flags.name }),
    ...(flags.organization === undefined ? {} : { organization: flags.organization }),
    ...(flags.uuid === undefined ? {} : { uuid: flags.uuid.toLowerCase() }),
    ...(flags.fid === undefined ? {} : { fid: flags.fid }),
    // A key of its own, freshly generated: never the shared key pool (which the harness uses for
    // its own keys), so no one else's certificate or CA has it.
    keyOptions: { pool: false },
  };
  const credential: Credential = await ca.issue(options);
  let files: Awaited<ReturnType<typeof writeCredentialFiles>>;
  try {
    files = await writeCredentialFiles(credential, flags.out, { password: flags.password });
  } catch (error) {
    throw new CliError(`--out ${flags.out}: cannot write the files (${fsReason(error)})`);
  }
  const inspection = inspectCertificate(credential.certificate);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ files, ...inspection }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(
    `wrote ${files.cer}      DER — upload this one to NemLog-in (the public part only)\n` +
      `wrote ${files.pem}      PEM certificate\n` +
      `wrote ${files.keyPem}  PEM private key (PKCS#8, unencrypted)\n` +
      `wrote ${files.p12}      PKCS#12 with key and chain (${flags.password === "" ? "empty password" : "password as given"})\n\n`,
  );
  process.stdout.write(describe(credential.certificate, now));
  return 0;
}

async function caFor(flags: IssueFlags, now: number): Promise<TestCa> {
  if (flags.ca !== undefined) {
    try {
      return await loadTestCa(flags.ca);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === "ENOENT"
          ? "no test CA there (expected issuing.pem and issuing.key.pem; make one with `smdb-harness certs ca --out DIR`)"
          : `cannot load the test CA (${(error as Error).message.split("\n")[0]})`;
      throw new CliError(`--ca ${flags.ca}: ${reason}`);
    }
  }
  const dir = join(flags.stateDir, "ca");
  try {
    return await loadOrCreateTestCa(dir, now);
  } catch (error) {
    throw new CliError(
      `--state-dir ${flags.stateDir}: cannot load or create the CA in ${dir} (${fsReason(error)})`,
    );
  }
}

function timeFlag(flag: string, text: string, now: number): number {
  try {
    return parseTime(text, now);
  } catch (error) {
    if (error instanceof TimeFormatError) throw new CliError(`${flag}: ${error.message}`);
    throw error;
  }
}

/** Human-readable summary used by `certs issue` and `certs inspect`. */
export function describe(cert: Certificate, now: number): string {
  const info = inspectCertificate(cert);
  const details = certificateDetails(cert);
  const daysLeft = Math.trunc((cert.notAfter.getTime() - now) / DAY_MS) || 0;
  const state =
    cert.notAfter.getTime() < now
      ? `EXPIRED ${-daysLeft} day(s) ago`
      : cert.notBefore.getTime() > now
        ? `not valid yet (starts in ${Math.ceil((cert.notBefore.getTime() - now) / DAY_MS)} day(s))`
        : `valid, ${daysLeft} day(s) left`;
  const lines = [
    ["Subject", info.subject],
    ["Issuer", info.issuer],
    ["Serial", info.serialNumber],
    ["Not before", info.notBefore],
    ["Not after", `${info.notAfter}  (${state})`],
    ["SHA-1", info.sha1],
    ["SHA-256", info.sha256],
    ["CVR", info.cvr ?? "-"],
    ["Profile", info.profile],
    ["Key", `${details.keyAlgorithm.toUpperCase()} ${details.keyBits ?? "?"}`],
    ["Key usage", details.keyUsage.join(", ") || "-"],
  ];
  if (details.extendedKeyUsage.length > 0)
    lines.push(["Ext. key usage", details.extendedKeyUsage.join(", ")]);
  if (details.subjectAltNames.length > 0) lines.push(["Alt. names", details.subjectAltNames.join(", ")]);
  return `${lines.map(([label, value]) => `${`${label}:`.padEnd(13)}${value}`).join("\n")}\n`;
}

/** A file-system error in words, for one-line messages. */
function fsReason(error: unknown): string {
  // mkdir -p meets an existing file where a directory should be.
  if ((error as NodeJS.ErrnoException).code === "EEXIST")
    return "a part of the path is a file, not a directory";
  return fileProblem(error);
}
