/**
 * `RemoteBoard`: `BoardControl` over a running harness's admin API, through a `RemoteControl`
 * (its TLS settings and connections). Same interface and answers as `localBoardControl`; a
 * refusal comes back as the same `RefusedError`.
 */
import { Certificate } from "../../pki/index.js";
import type { ClockView } from "../harness-control.js";
import type { RemoteControl } from "../remote-control.js";
import type { BoardView, ClockMoveInput, InspectionView } from "./board.js";
import type { BoardControl, DeployInput, IssueInput } from "./board-control.js";
import type { CallMode, CallView, ClientView, StoreCertificateView } from "./client-station.js";
import type { PlayerView, ScenarioSummary } from "./scenario-player.js";
import type { TimelineView } from "./timeline.js";

export class RemoteBoard implements BoardControl {
  readonly #remote: RemoteControl;

  constructor(remote: RemoteControl) {
    this.#remote = remote;
  }

  client(): Promise<ClientView> {
    return this.#remote.request("GET", "client");
  }
  issueClientCertificate(input: IssueInput = {}): Promise<StoreCertificateView> {
    return this.#remote.request("POST", "client/certificates", { issue: input });
  }
  addClientPkcs12(pkcs12: Uint8Array, password: string, label?: string): Promise<StoreCertificateView> {
    return this.#remote.request("POST", "client/certificates", {
      pkcs12: Buffer.from(pkcs12).toString("base64"),
      password,
      ...(label !== undefined ? { label } : {}),
    });
  }
  async clientCertificateDer(id: string): Promise<Uint8Array> {
    const stored = (await this.client()).certificates.find((c) => c.id === id.toUpperCase());
    if (!stored) {
      // The harness names what it holds.
      await this.#remote.request("GET", `client/certificates/${encodeURIComponent(id)}/certificate.cer`);
    }
    return Certificate.fromPem(stored!.pem).der;
  }
  deployClient(input: DeployInput): Promise<ClientView> {
    return this.#remote.request("PUT", "client/deployment", input);
  }
  rollBackClient(): Promise<ClientView> {
    return this.#remote.request("POST", "client/rollback");
  }
  callClient(): Promise<CallView> {
    return this.#remote.request("POST", "client/calls");
  }
  setCallMode(mode: CallMode, intervalMs?: number): Promise<ClientView> {
    return this.#remote.request("PUT", "client/call-mode", {
      mode,
      ...(intervalMs !== undefined ? { intervalMs } : {}),
    });
  }
  clientTrustsCurrentStsCertificate(environment?: DeployInput["environment"]): Promise<ClientView> {
    return this.#remote.request("POST", "client/trust-sts", environment ? { environment } : {});
  }
  board(): Promise<BoardView> {
    return this.#remote.request("GET", "board");
  }
  timeline(): Promise<TimelineView> {
    return this.#remote.request("GET", "board/timeline");
  }
  moveClock(input: ClockMoveInput): Promise<{ clock: ClockView; calls: CallView[] }> {
    return this.#remote.request("POST", "board/clock", input);
  }
  inspect(seq: number): Promise<InspectionView> {
    return this.#remote.request("GET", `board/inspect/${encodeURIComponent(String(seq))}`);
  }
  async scenarios(): Promise<ScenarioSummary[]> {
    return (await this.#remote.request<{ scenarios: ScenarioSummary[] }>("GET", "board/scenarios")).scenarios;
  }
  scenario(): Promise<PlayerView | null> {
    return this.#remote.request("GET", "board/scenario");
  }
  startScenario(name: string): Promise<PlayerView> {
    return this.#remote.request("POST", "board/scenario", { name });
  }
  nextScenarioStep(): Promise<PlayerView> {
    return this.#remote.request("POST", "board/scenario/next");
  }
  async stopScenario(): Promise<void> {
    await this.#remote.request("DELETE", "board/scenario");
  }
}
