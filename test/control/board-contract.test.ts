/**
 * One behaviour for the board's control surface, in-process (`localBoardControl`) and over HTTPS
 * (`RemoteBoard` through `RemoteControl` with the harness's TLS CA): the same suite runs against
 * both, each on a fresh harness — a .p12 into the client's store, deploy, calls through the real
 * STS and SMDB, a certificate issued for the systembruger, the early deployment refused with the
 * inspector's failing element, "spring til udløb", the exact downtime, rollback, call modes,
 * a scenario played, and refusals with the same codes.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BoardControl, localBoardControl } from "../../src/control/board/board-control.js";
import { RemoteBoard } from "../../src/control/board/remote-board.js";
import type { HarnessControl } from "../../src/control/harness-control.js";
import { RemoteControl } from "../../src/control/remote-control.js";
import type { VirtualClock } from "../../src/core/clock.js";
import { RefusedError } from "../../src/core/errors.js";
import { type Harness, HarnessBuilder } from "../../src/harness/harness.js";
import { type Credential, toPkcs12 } from "../../src/pki/index.js";
import { scenarioLibrary } from "../../src/scenario/board-library.js";
import { DAY, rotationPair, T0 } from "../helpers/harness.js";

const SCENARIOS = fileURLToPath(new URL("../../scenarios/", import.meta.url));

async function refusal(promise: Promise<unknown>): Promise<RefusedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RefusedError);
  return error as RefusedError;
}

for (const kind of ["local", "remote"] as const) {
  describe(`the board's control surface (${kind})`, () => {
    let h: Harness<VirtualClock>;
    let board: BoardControl;
    let control: HarnessControl;
    let remote: RemoteControl | undefined;
    let old: Credential;
    let userId: string;

    beforeAll(async () => {
      h = await new HarnessBuilder()
        .withVirtualClock(T0)
        .withOptions({ scenarios: scenarioLibrary(SCENARIOS) })
        .start();
      if (kind === "local") {
        board = localBoardControl(h.board!);
        control = h.control;
      } else {
        remote = new RemoteControl(h.url, { ca: h.tlsCaPem });
        board = new RemoteBoard(remote);
        control = remote;
      }
      ({ old } = await rotationPair(h.state.ca, T0));
      userId = (
        await control.createSystemUser({
          name: "Testby",
          cvr: "91234567",
          entityId: "https://testby.example/wsc",
        })
      ).id;
      for (const env of ["integration", "production"] as const) {
        await control.uploadCertificate(userId, env, "current", old.certificate.der);
      }
      await control.save(userId);
      for (const env of ["integration", "production"] as const) await control.provision(userId, env);
    });

    afterAll(async () => {
      remote?.close();
      await h?.close();
    });

    it("runs the client through a rotation done the wrong way round", async () => {
      expect((await board.client()).deployment).toBeNull();
      expect((await refusal(board.callClient())).reason).toBe("NO_CLIENT_DEPLOYED");
      const stored = await board.addClientPkcs12(toPkcs12(old, "hemmelig"), "hemmelig", "gammelt");
      expect(stored).toMatchObject({ id: old.certificate.sha256, source: "uploaded", label: "gammelt" });
      expect(JSON.stringify(stored)).not.toMatch(/PRIVATE KEY/);
      const deployed = await board.deployClient({ certificate: stored.id, environment: "production" });
      expect(deployed.deployment?.certificate?.sha256).toBe(old.certificate.sha256);
      expect(deployed.systemUserId).toBe(userId);
      expect(await board.callClient()).toMatchObject({ ok: true, reason: "OK", step: 2 });

      const issued = await board.issueClientCertificate({ systemUserId: userId, label: "nyt" });
      expect(issued).toMatchObject({ source: "issued", label: "nyt" });
      expect(issued.subject).toContain("NTRDK-91234567");
      const der = await board.clientCertificateDer(issued.id);
      await control.uploadCertificate(userId, "production", "next", der);
      await control.save(userId);
      await control.provision(userId, "production");

      await board.moveClock({ advance: "1d" });
      const deployAt = T0 + DAY;
      await board.deployClient({ certificate: issued.id });
      const refused = await board.callClient();
      expect(refused).toMatchObject({ ok: false, step: 1, reason: "CERT_NOT_YET_ACTIVE", atMs: deployAt });
      const inspection = await board.inspect(refused.eventSeq);
      expect(inspection.failingElement).toBe("wsse:BinarySecurityToken");
      expect(inspection.messages.map((m) => m.direction)).toEqual(["request", "response"]);

      const view = await board.board();
      expect(Date.parse(view.expiry!.at)).toBe(old.certificate.notAfter.getTime() + 1);
      const moved = await board.moveClock({ jump: "expiry" });
      expect(moved.clock.nowMs).toBe(old.certificate.notAfter.getTime() + 1);
      expect(moved.calls.at(-1)).toMatchObject({ ok: true });
      expect((await board.timeline()).downtimeMs).toBe(old.certificate.notAfter.getTime() + 1 - deployAt);

      const back = await board.rollBackClient();
      expect(back.deployment?.certificate?.sha256).toBe(old.certificate.sha256);
      expect(await board.callClient()).toMatchObject({ ok: false, step: 1, reason: "CERT_EXPIRED" });
      expect((await refusal(board.rollBackClient())).reason).toBe("NOTHING_TO_ROLL_BACK");
    });

    it("sets when calls run, and refuses what it cannot do with the same codes", async () => {
      expect((await board.setCallMode("manual")).calls.mode).toBe("manual");
      expect((await board.setCallMode("interval", 5000)).calls).toMatchObject({
        mode: "interval",
        intervalMs: 5000,
      });
      await board.setCallMode("on-change");
      expect((await refusal(board.setCallMode("sometimes" as never))).reason).toBe("BAD_REQUEST");
      expect((await refusal(board.deployClient({ certificate: "00" }))).reason).toBe(
        "CLIENT_CERTIFICATE_NOT_FOUND",
      );
      expect((await refusal(board.moveClock({ advance: "soon" }))).reason).toBe("BAD_TIME");
      expect((await refusal(board.inspect(999_999))).reason).toBe("EVENT_NOT_FOUND");
      expect((await refusal(board.issueClientCertificate({ cvr: "12" }))).reason).toBe("BAD_REQUEST");
    });

    it("plays a scenario", async () => {
      expect((await board.scenarios()).map((s) => s.name)).toContain("client-environments-crossed");
      const started = await board.startScenario("client-environments-crossed");
      expect(started.next).toBe(0);
      const ended = await board.nextScenarioStep();
      expect(ended.finished).toBe(true);
      expect((await board.timeline()).downtimeMs).toBe(DAY);
      await board.stopScenario();
      expect(await board.scenario()).toBeNull();
      expect((await refusal(board.nextScenarioStep())).reason).toBe("NO_SCENARIO");
    });
  });
}
