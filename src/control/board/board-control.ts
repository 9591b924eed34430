/**
 * `BoardControl`: the trainer board's control surface beside `HarnessControl` — the board's
 * client, its timeline and clock moves, the inspector and the scenario player. Two
 * implementations, one behaviour (a contract suite runs against both): `localBoardControl` on a
 * harness's own `LocalBoard`, which the admin API maps to HTTP (board-api.ts), and `RemoteBoard`
 * (remote-board.ts) over that HTTP, for a harness in another process or container. The page uses
 * the same HTTP, so a board served by a remote harness works the same.
 */
import { RefusedError } from "../../core/errors.js";
import type { ClockView } from "../harness-control.js";
import type { BoardView, ClockMoveInput, InspectionView, LocalBoard } from "./board.js";
import type {
  CallMode,
  CallView,
  ClientView,
  DeploymentInput,
  StoreCertificateView,
} from "./client-station.js";
import type { PlayerView, ScenarioSummary } from "./scenario-player.js";
import type { TimelineView } from "./timeline.js";

export interface IssueInput {
  systemUserId?: string;
  cvr?: string;
  name?: string;
  label?: string;
  /** ISO 8601. */
  notBefore?: string;
  notAfter?: string;
}

/** What a deployment names from the outside: stored certificates by id (SHA-256). */
export type DeployInput = Pick<
  DeploymentInput,
  "certificate" | "fallback" | "environment" | "stsEnvironment" | "wspEnvironment" | "skewMs" | "operation"
>;

export interface BoardControl {
  // --- the board's client ----------------------------------------------------------------------
  client(): Promise<ClientView>;
  /** Issues a certificate under the harness's CA into the client's store. */
  issueClientCertificate(input?: IssueInput): Promise<StoreCertificateView>;
  /** A .p12/.pfx (with its key) into the client's store. */
  addClientPkcs12(pkcs12: Uint8Array, password: string, label?: string): Promise<StoreCertificateView>;
  /** The public certificate (DER) of a stored one. */
  clientCertificateDer(id: string): Promise<Uint8Array>;
  deployClient(input: DeployInput): Promise<ClientView>;
  rollBackClient(): Promise<ClientView>;
  callClient(): Promise<CallView>;
  setCallMode(mode: CallMode, intervalMs?: number): Promise<ClientView>;
  clientTrustsCurrentStsCertificate(environment?: DeployInput["environment"]): Promise<ClientView>;

  // --- timeline, clock, inspector ----------------------------------------------------------------
  board(): Promise<BoardView>;
  timeline(): Promise<TimelineView>;
  moveClock(input: ClockMoveInput): Promise<{ clock: ClockView; calls: CallView[] }>;
  inspect(seq: number): Promise<InspectionView>;

  // --- the scenario player -------------------------------------------------------------------------
  scenarios(): Promise<ScenarioSummary[]>;
  scenario(): Promise<PlayerView | null>;
  startScenario(name: string): Promise<PlayerView>;
  nextScenarioStep(): Promise<PlayerView>;
  stopScenario(): Promise<void>;
}

/** `BoardControl` on a harness's own board, in-process. */
export function localBoardControl(board: LocalBoard): BoardControl {
  const player = () => {
    if (!board.player) throw noScenarios();
    return board.player;
  };
  return {
    async client() {
      await board.client.systemUserId();
      return board.client.view();
    },
    issueClientCertificate(input = {}) {
      const time = (v: string | undefined, field: string) => {
        if (v === undefined) return undefined;
        const ms = Date.parse(v);
        if (Number.isNaN(ms))
          throw new RefusedError("invalid", "BAD_TIME", `${field} must be an ISO 8601 time`);
        return ms;
      };
      const notBefore = time(input.notBefore, "notBefore");
      const notAfter = time(input.notAfter, "notAfter");
      return board.client.issue({
        ...(input.systemUserId !== undefined ? { systemUserId: input.systemUserId } : {}),
        ...(input.cvr !== undefined ? { cvr: input.cvr } : {}),
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.label !== undefined ? { label: input.label } : {}),
        ...(notBefore !== undefined ? { notBefore } : {}),
        ...(notAfter !== undefined ? { notAfter } : {}),
      });
    },
    async addClientPkcs12(pkcs12, password, label) {
      return board.client.importPkcs12(Buffer.from(pkcs12), password, label);
    },
    async clientCertificateDer(id) {
      return board.client.certificate(id).der;
    },
    deployClient(input) {
      return board.client.deploy(input);
    },
    rollBackClient() {
      return board.client.rollback();
    },
    async callClient() {
      const call = await board.client.call();
      if (!call) {
        throw new RefusedError(
          "conflict",
          "NO_CLIENT_DEPLOYED",
          "the board's client has no certificate deployed yet",
        );
      }
      return call;
    },
    async setCallMode(mode, intervalMs) {
      board.client.setCallMode(mode, intervalMs);
      return board.client.view();
    },
    clientTrustsCurrentStsCertificate(environment) {
      return board.client.trustCurrentStsCertificate(environment);
    },
    board() {
      return board.view();
    },
    async timeline() {
      return board.timelineView();
    },
    moveClock(input) {
      return board.moveClock(input);
    },
    async inspect(seq) {
      return board.inspect(seq);
    },
    async scenarios() {
      return board.player ? board.player.list() : [];
    },
    async scenario() {
      return board.player?.view() ?? null;
    },
    startScenario(name) {
      return player().start(name);
    },
    nextScenarioStep() {
      return player().next();
    },
    async stopScenario() {
      player().stop();
    },
  };
}

function noScenarios(): RefusedError {
  return new RefusedError(
    "not-found",
    "NO_SCENARIOS",
    "this harness has no scenarios to play (`smdb-harness up` offers the built-in ones)",
  );
}
