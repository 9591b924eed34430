/**
 * RSA keys from node:crypto (native, fast) with an on-disk pool so that a test suite pays key
 * generation once. Pooled keys are handed out in order within one process, so every
 * certificate a process issues gets its own key; callers that must get a key different from
 * one issued by an earlier process (e.g. rotating the STS signing certificate) pass `exclude`.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const generateKeyPairAsync = promisify(generateKeyPair);

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privateKeyPem: string;
  /** SHA-256 of the DER SubjectPublicKeyInfo, upper-case hex: identifies the key. */
  publicKeySha256: string;
  bits: number;
}

export interface KeyOptions {
  /** Take the key from the on-disk pool (default true unless SMDB_HARNESS_KEY_POOL=off). */
  pool?: boolean;
  /** Public-key SHA-256 fingerprints that the key must not have. */
  exclude?: Iterable<string>;
  /**
   * Start at a pool position stored in the pool directory and advance it, so that successive
   * short-lived processes (one `certs issue` after another) get different keys instead of each
   * starting at the first pooled key. Wraps around after the pool limit.
   */
  persistentCursor?: boolean;
}

/** Largest pool per key size; past it keys are generated fresh and not cached. */
const POOL_LIMIT = 256;

export function keyPoolDir(): string {
  if (process.env.SMDB_HARNESS_KEY_CACHE) return process.env.SMDB_HARNESS_KEY_CACHE;
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cacheHome, "smdb-harness", "keys");
}

export function keyPoolEnabledByDefault(): boolean {
  const setting = (process.env.SMDB_HARNESS_KEY_POOL ?? "").toLowerCase();
  return !["off", "0", "false", "no"].includes(setting);
}

const nextPoolIndex = new Map<number, number>();

/**
 * Key pairs by the PEM text they were read from: a client started again and again (a scenario
 * run, a redeploy) reads the same key files, and parsing and exporting a 3072-bit key each time
 * was a few per cent of a scenario run. KeyObjects are immutable, so sharing one is safe; the
 * oldest entry goes past the bound.
 */
const keyPairsByPem = new Map<string, RsaKeyPair>();
const KEY_PAIRS_KEPT = 512;

export function keyPairFromPem(privateKeyPem: string): RsaKeyPair {
  const known = keyPairsByPem.get(privateKeyPem);
  if (known) return known;
  const pair = readKeyPair(privateKeyPem);
  if (keyPairsByPem.size >= KEY_PAIRS_KEPT) keyPairsByPem.delete(keyPairsByPem.keys().next().value!);
  keyPairsByPem.set(privateKeyPem, pair);
  return pair;
}

function readKeyPair(privateKeyPem: string): RsaKeyPair {
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeySha256: publicKeyFingerprint(publicKey),
    bits: privateKey.asymmetricKeyDetails?.modulusLength ?? 0,
  };
}

export function publicKeyFingerprint(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("hex").toUpperCase();
}

export async function generateFreshKeyPair(bits: number): Promise<RsaKeyPair> {
  const { privateKey } = await generateKeyPairAsync("rsa", { modulusLength: bits, publicExponent: 0x10001 });
  return keyPairFromPem(privateKey.export({ type: "pkcs8", format: "pem" }).toString());
}

/** A new RSA key pair: from the pool by default, freshly generated otherwise. */
export async function takeKeyPair(bits: number, options: KeyOptions = {}): Promise<RsaKeyPair> {
  const usePool = options.pool ?? keyPoolEnabledByDefault();
  const exclude = new Set(options.exclude ?? []);
  if (!usePool) {
    for (;;) {
      const pair = await generateFreshKeyPair(bits);
      if (!exclude.has(pair.publicKeySha256)) return pair;
    }
  }
  for (let attempts = 0; ; attempts++) {
    let index: number;
    if (options.persistentCursor && attempts < POOL_LIMIT) {
      index = await advanceCursor(bits);
    } else {
      index = nextPoolIndex.get(bits) ?? 0;
      nextPoolIndex.set(bits, index + 1);
    }
    const pair = index < POOL_LIMIT ? await pooledKeyPair(bits, index) : await generateFreshKeyPair(bits);
    if (!exclude.has(pair.publicKeySha256)) return pair;
  }
}

/** Reads and advances the pool cursor file for `bits` (best effort: a read-only cache starts at 0). */
async function advanceCursor(bits: number): Promise<number> {
  const file = join(keyPoolDir(), `cursor-rsa-${bits}`);
  let index = 0;
  try {
    const stored = Number.parseInt(await readFile(file, "utf8"), 10);
    if (Number.isInteger(stored) && stored >= 0) index = stored % POOL_LIMIT;
  } catch {
    // no cursor yet
  }
  try {
    await mkdir(keyPoolDir(), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, String((index + 1) % POOL_LIMIT));
    await rename(tmp, file);
  } catch {
    // A read-only cache only costs key variety.
  }
  return index;
}

const pooledPromises = new Map<string, Promise<RsaKeyPair>>();

function pooledKeyPair(bits: number, index: number): Promise<RsaKeyPair> {
  const id = `rsa-${bits}-${String(index).padStart(3, "0")}`;
  let promise = pooledPromises.get(id);
  if (!promise) {
    promise = loadOrGenerate(id, bits);
    pooledPromises.set(id, promise);
  }
  return promise;
}

async function loadOrGenerate(id: string, bits: number): Promise<RsaKeyPair> {
  const dir = keyPoolDir();
  const file = join(dir, `${id}.key.pem`);
  try {
    const pair = keyPairFromPem(await readFile(file, "utf8"));
    if (pair.bits === bits) return pair;
  } catch {
    // not cached yet, or unreadable: generate below
  }
  const pair = await generateFreshKeyPair(bits);
  try {
    await mkdir(dir, { recursive: true });
    // Atomic: parallel test workers may generate the same pool slot at once.
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, pair.privateKeyPem, { mode: 0o600 });
    await rename(tmp, file);
  } catch {
    // A read-only cache only costs speed.
  }
  return pair;
}

/** Fills the pool ahead of time (e.g. before a benchmark), reporting progress. */
export async function warmKeyPool(
  bits: number,
  count: number,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  for (let index = 0; index < count; index++) {
    await pooledKeyPair(bits, index);
    onProgress?.(index + 1, count);
  }
}
