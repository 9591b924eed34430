/**
 * The board's server side over its admin API, against a real harness (virtual clock, HTTP): the
 * board's client (the reference WSC, real token requests and SMDB calls over HTTP) with the old
 * certificate, the renewed one provisioned to production as next, the client deployed early and
 * refused by the STS (CERT_NOT_YET_ACTIVE, recorded as a client event whose messages the inspector
 * shows with the BinarySecurityToken marked), a jump to the old certificate's expiry that makes the
 * call succeed again, and the timeline's downtime equal to the time between the early deploy and
 * the expiry, to the millisecond. Also: the event stream, rollback, refusals in one sentence, and
 * that no view carries a private key.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/control/openapi.js";
import type { VirtualClock } from "../../src/core/clock.js";
import type { HarnessEvent } from "../../src/core/events.js";
import type { Harness } from "../../src/harness/harness.js";
import type { Credential } from "../../src/pki/index.js";
import { DAY, harnessWithSystemUser, T0 } from "../helpers/harness.js";

let h: Harness<VirtualClock>;
let old: Credential;
let userId: string;

beforeAll(async () => {
  const setup = await harnessWithSystemUser({ environments: ["integration", "production"] });
  h = setup.harness as Harness<VirtualClock>;
  ({ old, userId } = setup);
  // Only current provisioned: the renewed certificate comes in during the test.
  await h.control.removeCertificate(userId, "production", "next");
  await h.control.removeCertificate(userId, "integration", "next");
  await h.control.save(userId);
  await h.control.provision(userId, "production");
  await h.control.provision(userId, "integration");
});

afterAll(async () => {
  await h?.close();
});

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${h.adminUrl}${path}`, {
    method,
    ...(body !== undefined
      ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }
      : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

interface Call {
  id: number;
  ok: boolean;
  step: number;
  reason: string;
  eventSeq: number;
  atMs: number;
  certSha256: string | null;
}

describe("the board's client and timeline over the admin API", () => {
  it("has no client until a certificate is deployed, and says so", async () => {
    const call = await api<{ error: string; detail: string }>("POST", "/client/calls");
    expect(call.status).toBe(409);
    expect(call.body.error).toBe("NO_CLIENT_DEPLOYED");
    const deploy = await api<{ error: string }>("PUT", "/client/deployment", { certificate: "AB12" });
    expect(deploy.status).toBe(404);
    expect(deploy.body.error).toBe("CLIENT_CERTIFICATE_NOT_FOUND");
  });

  it("runs the rotation the wrong way round and measures the downtime exactly", async () => {
    h.board!.client.addCredential(old, { label: "gammel" });
    const deployed = await api<{ deployment: { certificate: { sha256: string } }; systemUserId: string }>(
      "PUT",
      "/client/deployment",
      { certificate: old.certificate.sha256, environment: "production" },
    );
    expect(deployed.status).toBe(200);
    expect(deployed.body.deployment.certificate.sha256).toBe(old.certificate.sha256);
    expect(deployed.body.systemUserId).toBe(userId);

    const first = await api<Call>("POST", "/client/calls");
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ ok: true, step: 2, reason: "OK", certSha256: old.certificate.sha256 });
    // The STS and SMDB decided on real requests: their events are there.
    const decisions = h.events.since(0).filter((e) => e.component === "sts" || e.component === "wsp");
    expect(decisions.map((e) => `${e.component}:${e.reason}`)).toEqual(["sts:OK", "wsp:OK"]);

    // The vendor gets the renewed certificate (issued under the harness's CA) …
    const issued = await api<{ id: string; source: string; pem: string }>("POST", "/client/certificates", {
      issue: { systemUserId: userId, label: "fornyet" },
    });
    expect(issued.status).toBe(201);
    expect(issued.body.source).toBe("issued");
    const cer = await fetch(`${h.adminUrl}/client/certificates/${issued.body.id}/certificate.cer`);
    expect(cer.headers.get("content-type")).toBe("application/pkix-cert");
    const der = Buffer.from(await cer.arrayBuffer());
    // … the administrator uploads its .cer, saves and provisions to production only …
    await h.control.uploadCertificate(userId, "production", "next", der);
    await h.control.save(userId);
    await h.control.provision(userId, "production");
    // … and the vendor deploys it at once.
    const deployAt = h.clock.nowMs() + DAY;
    await api("POST", "/board/clock", { advance: "1d" });
    await api("PUT", "/client/deployment", { certificate: issued.body.id, fallback: null });
    const refused = await api<Call>("POST", "/client/calls");
    expect(refused.body).toMatchObject({ ok: false, step: 1, reason: "CERT_NOT_YET_ACTIVE" });
    expect(refused.body.atMs).toBe(deployAt);

    const inspection = await api<{
      event: HarnessEvent;
      failingElement: string;
      messages: Array<{
        name: string;
        direction: string;
        lines: string[];
        highlight: { from: number; to: number } | null;
        fault: { from: number; to: number } | null;
      }>;
    }>("GET", `/board/inspect/${refused.body.eventSeq}`);
    expect(inspection.status).toBe(200);
    expect(inspection.body.event).toMatchObject({
      component: "client",
      reason: "CERT_NOT_YET_ACTIVE",
      step: 1,
    });
    expect(inspection.body.failingElement).toBe("wsse:BinarySecurityToken");
    const request = inspection.body.messages.find((m) => m.direction === "request")!;
    const response = inspection.body.messages.find((m) => m.direction === "response")!;
    expect(request.highlight).not.toBeNull();
    const marked = request.lines.slice(request.highlight!.from, request.highlight!.to + 1).join("\n");
    expect(marked).toContain("BinarySecurityToken");
    // The certificate the client sent is inside the marked element.
    expect(marked).toContain(der.toString("base64").slice(0, 40));
    expect(response.fault).not.toBeNull();
    expect(response.lines.join("\n")).toContain("CERT_NOT_YET_ACTIVE");
    // The STS's own decision event finds the same messages by its MessageID.
    const stsEvent = h.events
      .since(refused.body.eventSeq - 5)
      .find((e) => e.component === "sts" && e.reason === "CERT_NOT_YET_ACTIVE")!;
    const byDecision = await api<{ messages: unknown[]; failingElement: string }>(
      "GET",
      `/board/inspect/${stsEvent.seq}`,
    );
    expect(byDecision.body.messages).toHaveLength(2);
    expect(byDecision.body.failingElement).toBe("wsse:BinarySecurityToken");

    // "Spring til udløb": the old certificate's expiry, when the STS switches to next.
    const board = await api<{ expiry: { at: string; certificate: { sha256: string } } }>("GET", "/board");
    expect(board.body.expiry.certificate.sha256).toBe(old.certificate.sha256);
    expect(Date.parse(board.body.expiry.at)).toBe(old.certificate.notAfter.getTime() + 1);
    const jumped = await api<{ calls: Call[] }>("POST", "/board/clock", { jump: "expiry" });
    expect(jumped.status).toBe(200);
    expect(h.clock.nowMs()).toBe(old.certificate.notAfter.getTime() + 1);
    expect(jumped.body.calls.at(-1)).toMatchObject({ ok: true, reason: "OK" });

    const timeline = await api<{
      downtimeMs: number;
      lanes: Array<{ id: string; segments: Array<{ tone: string; data: Record<string, unknown> }> }>;
    }>("GET", "/board/timeline");
    expect(timeline.body.downtimeMs).toBe(old.certificate.notAfter.getTime() + 1 - deployAt);
    const verdict = timeline.body.lanes.find((l) => l.id === "verdict")!;
    expect(verdict.segments.filter((s) => s.tone !== "none").map((s) => s.data.reason)).toEqual([
      "OK",
      "CERT_NOT_YET_ACTIVE",
      "OK",
    ]);
    const provisioned = timeline.body.lanes.find((l) => l.id === "production.provisioned")!;
    expect(provisioned.segments.at(-1)!.data.next).toMatchObject({
      sha256: issued.body.id,
      label: "fornyet",
    });
    const integration = timeline.body.lanes.find((l) => l.id === "integration.provisioned")!;
    expect(integration.segments.at(-1)!.data.next).toBeNull();
  });

  it("rolls back to the deployment before, and refuses when there is none left", async () => {
    const back = await api<{ deployment: { certificate: { sha256: string } }; canRollBack: boolean }>(
      "POST",
      "/client/rollback",
    );
    expect(back.body.deployment.certificate.sha256).toBe(old.certificate.sha256);
    const again = await api<{ error: string }>("POST", "/client/rollback");
    expect(again.status).toBe(409);
    expect(again.body.error).toBe("NOTHING_TO_ROLL_BACK");
    // The old certificate has expired by now: the STS says so.
    const call = await api<Call>("POST", "/client/calls");
    expect(call.body).toMatchObject({ ok: false, step: 1, reason: "CERT_EXPIRED" });
  });

  it("streams events as server-sent events, from a sequence number on", async () => {
    const controller = new AbortController();
    const since = h.events.lastSeq;
    const response = await fetch(`${h.adminUrl}/events/stream?since=${since}`, { signal: controller.signal });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(h.board!.watchers).toBe(1);
    const reader = response.body!.getReader();
    await h.control.setPolicy("overlap");
    let text = "";
    while (!text.includes("POLICY_CHANGED")) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    const frame = text.split("\n\n").find((f) => f.includes("POLICY_CHANGED"))!;
    expect(frame).toMatch(new RegExp(`^id: ${since + 1}\nevent: harness-event\ndata: \\{`));
    controller.abort();
    await reader.cancel().catch(() => undefined);
    await h.control.setPolicy("at-expiry");
  });

  it("refuses bad clock moves in one sentence, and never shows a private key", async () => {
    const two = await api<{ error: string }>("POST", "/board/clock", { advance: "1d", back: "1d" });
    expect(two.status).toBe(400);
    const bad = await api<{ error: string; detail: string }>("POST", "/board/clock", { advance: "ten days" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("BAD_TIME");
    const far = await api<{ error: string }>("POST", "/board/clock", { set: "9999-12-31T23:59:59Z" });
    expect(far.status).toBe(200);
    await api("POST", "/board/clock", { set: new Date(T0).toISOString() });
    for (const path of ["/client", "/board", "/board/timeline"]) {
      const text = await (await fetch(`${h.adminUrl}${path}`)).text();
      expect(text, path).not.toMatch(/PRIVATE KEY/);
    }
    const stored = h.board!.exchanges;
    for (let id = 1; id <= 20; id++) {
      for (const m of stored.call(id)?.messages ?? []) expect(m.xml).not.toMatch(/PRIVATE KEY/);
    }
  });
});

describe("the board's endpoints in the OpenAPI document", () => {
  it("documents every route the board mounts, with its method", () => {
    const source = readFileSync(new URL("../../src/control/board/board-api.ts", import.meta.url), "utf8");
    const routes = [...source.matchAll(/router\.(get|post|put|delete)\("([^"]+)"/g)].map(
      (m) => [m[1]!, m[2]!.replace(/:(\w+)/g, "{$1}")] as const,
    );
    expect(routes.length).toBeGreaterThan(15);
    const paths = openApiDocument.paths as Record<string, Record<string, unknown>>;
    const missing = routes.filter(([method, path]) => !paths[path]?.[method]).map(([m, p]) => `${m} ${p}`);
    expect(missing).toEqual([]);
  });
});
