/**
 * The test CA: a root and an issuing CA, persisted in a directory and reused. A harness trusts
 * the CA of its state dir; `certs issue` without `--ca` issues under that same CA.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Certificate } from "./certificate.js";
import { type Credential, DEFAULT_KEY_BITS, type IssueOptions, issueCertificate } from "./issue.js";
import { type KeyOptions, keyPairFromPem, takeKeyPair } from "./keys.js";

export interface TestCa {
  root: Credential;
  issuing: Credential;
  /** Issues a leaf certificate under the issuing CA. */
  issue(options: IssueOptions): Promise<Credential>;
}

const YEAR_MS = 365 * 86_400_000;

function wrap(root: Credential, issuing: Credential): TestCa {
  return {
    root,
    issuing,
    issue: (options) => issueCertificate(options, issuing),
  };
}

/** Creates a new root and issuing CA valid from 10 years before `nowMs` to 20 years after. */
export async function createTestCa(
  nowMs: number,
  name = "smdb-harness",
  /**
   * Where the two CA keys come from: the key pool by default (fast, for in-memory harnesses and
   * tests); `{pool: false}` for a CA handed to a user, whose keys must be its own.
   */
  keyOptions: KeyOptions = {},
): Promise<TestCa> {
  const notBefore = new Date(nowMs - 10 * YEAR_MS);
  const notAfter = new Date(nowMs + 20 * YEAR_MS);
  // Both keys at once (node generates keys on its thread pool); only the signing is in order.
  const [rootKey, issuingKey] = await Promise.all([
    takeKeyPair(DEFAULT_KEY_BITS["root-ca"], keyOptions),
    takeKeyPair(DEFAULT_KEY_BITS["issuing-ca"], keyOptions),
  ]);
  const root = await issueCertificate({
    profile: "root-ca",
    name: `${name} Test Root CA`,
    notBefore,
    notAfter,
    key: rootKey,
  });
  const issuing = await issueCertificate(
    { profile: "issuing-ca", name: `${name} Test Issuing CA`, notBefore, notAfter, key: issuingKey },
    root,
  );
  return wrap(root, issuing);
}

async function atomicWrite(file: string, content: string | Buffer, mode?: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, mode === undefined ? {} : { mode });
  await rename(tmp, file);
}

/** Writes `root.cer`, `root.pem`, `root.key.pem`, `issuing.cer`, `issuing.pem`, `issuing.key.pem`. */
export async function saveTestCa(ca: TestCa, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [base, credential] of [
    ["root", ca.root],
    ["issuing", ca.issuing],
  ] as const) {
    await atomicWrite(join(dir, `${base}.cer`), credential.certificate.der);
    await atomicWrite(join(dir, `${base}.pem`), credential.certificate.pem);
    await atomicWrite(join(dir, `${base}.key.pem`), credential.key.privateKeyPem, 0o600);
  }
}

export async function loadTestCa(dir: string): Promise<TestCa> {
  const load = async (base: string): Promise<Credential> => ({
    certificate: Certificate.fromPem(await readFile(join(dir, `${base}.pem`), "utf8")),
    key: keyPairFromPem(await readFile(join(dir, `${base}.key.pem`), "utf8")),
    chain: [],
  });
  const root = await load("root");
  const issuing = await load("issuing");
  issuing.chain = [root.certificate];
  return wrap(root, issuing);
}

/**
 * Loads the CA in `dir`, creating and saving one first if there is none. Creation is atomic: the
 * CA is written to a temporary directory that is then renamed to `dir`, so two processes that
 * start on a fresh state dir at once (e.g. `up` and `certs issue`) end up with one CA, never with
 * the root of one and the issuing CA of the other.
 */
/**
 * The CA saved in `dir`, or a new one saved there. A new one gets freshly generated keys by
 * default: a CA on disk is one a user issues under, and two state dirs must never share a CA key
 * (a certificate issued under one would chain to the other).
 */
export async function loadOrCreateTestCa(
  dir: string,
  nowMs: number,
  keyOptions: KeyOptions = { pool: false },
): Promise<TestCa> {
  try {
    return await loadTestCa(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const ca = await createTestCa(nowMs, undefined, keyOptions);
  await mkdir(dirname(dir), { recursive: true });
  const tmp = `${dir}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await saveTestCa(ca, tmp);
  try {
    await rename(tmp, dir);
    return ca;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
  }
  // Another process created it first: use theirs.
  return loadTestCa(dir);
}
