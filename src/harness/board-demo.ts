/**
 * The trainer board's client starts as the vendor's demo client: `up` hands it the demo
 * systembruger's credential (the one in `client-production.yaml`'s .p12) and deploys it for
 * production, so the board's "Klient" shows what the demo client would do.
 */
import { loadCredentialFile, publicKeyFingerprint } from "../pki/index.js";
import type { DemoInfo } from "./demo.js";
import type { Harness } from "./harness.js";

export async function connectBoardToDemoClient(harness: Harness, demo: DemoInfo): Promise<void> {
  const board = harness.board;
  if (!board || board.client.view().deployment) return;
  // The PEM pair beside the .p12: the same credential, without a password-based decryption at start.
  const certificate = (await loadCredentialFile(demo.pem)).certificates[0]!;
  const key = (await loadCredentialFile(demo.keyPem, { allowKeyOnly: true })).key;
  if (!key || key.publicKeySha256 !== publicKeyFingerprint(certificate.publicKey)) return;
  const stored = board.client.addCredential({ certificate, key, chain: [] }, { label: "demo" });
  await board.client.deploy({ certificate: stored.id, environment: "production" });
}
