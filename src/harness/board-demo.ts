/**
 * The trainer board's client starts as the vendor's demo client: `up` hands it the demo
 * systembruger's credential (the same .p12 as `client-production.yaml` uses) and deploys it for
 * production, so the board's "Klient" shows what the demo client would do.
 */
import { loadCredentialFile } from "../pki/index.js";
import type { DemoInfo } from "./demo.js";
import type { Harness } from "./harness.js";

export async function connectBoardToDemoClient(harness: Harness, demo: DemoInfo): Promise<void> {
  const board = harness.board;
  if (!board || board.client.view().deployment) return;
  const loaded = await loadCredentialFile(demo.p12, { password: demo.password });
  if (!loaded.key) return;
  const [certificate, ...chain] = loaded.certificates;
  const stored = board.client.addCredential(
    { certificate: certificate!, key: loaded.key, chain },
    { label: "demo" },
  );
  await board.client.deploy({ certificate: stored.id, environment: "production" });
}
