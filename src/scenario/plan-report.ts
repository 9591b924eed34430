/**
 * A rotation plan for people: text in Danish (default) or English, JSON, and a calendar (ICS) with
 * an entry per step and reminders well before each deadline. Pure functions of the plan.
 */
import { createHash } from "node:crypto";
import { formatDuration } from "../core/clock.js";
import type { Party, PlanStepId } from "./plan.js";
import type { PlannedStep, RotationPlan } from "./plan-verify.js";

export type Language = "da" | "en";
export const LANGUAGES: readonly Language[] = ["da", "en"];

interface Words {
  title: string;
  policy: string;
  environments: Record<string, string>;
  oldExpires: string;
  newValid: string;
  dayOnly: string;
  party: Record<Party, string>;
  step: Record<PlanStepId, string>;
  done: string;
  recommended: string;
  earliest: string;
  latest: string;
  activation: string;
  late: string;
  early: string;
  noDowntime: string;
  downtime: (duration: string, reason: string | null) => string;
  check: (at: string, expected: string) => string;
  checkOk: string;
  checkNotYetActive: string;
  checkOther: string;
  noCheck: string;
  fallback: string;
  noFallback: string;
  tip: string;
  immediate: string;
  verified: (runs: number, calls: number) => string;
  notVerified: string;
  strict: string;
}

const DA: Words = {
  title: "Rotationsplan for systembrugerens certifikat",
  policy: "Politik",
  environments: { integration: "integrationstest", production: "produktion" },
  oldExpires: "Gammelt certifikat udløber (sidste gyldige øjeblik)",
  newValid: "Nyt certifikat gyldigt",
  dayOnly:
    "Kun datoen for det gamle certifikats udløb er givet: planen regner med kl. 00:00:00 UTC. Angiv .cer-filen (--old) for det nøjagtige tidspunkt.",
  party: {
    "nemid-admin": "NemID-administrator",
    "nemlogin-admin": "NemLog-in-administrator",
    vendor: "Leverandørens udviklere",
  },
  step: {
    order: "Bestil nyt systemcertifikat (OCES3) i MitID Erhverv",
    upload: "Upload den offentlige del (.cer) som næste certifikat, og tryk «Gem tekniske oplysninger»",
    provisionIntegration: "«Provisioner til integrationstest»",
    testIntegration: "Test på integrationsmiljøet med det nye certifikat",
    provisionProduction: "«Provisioner til produktion»",
    deploy: "Udrul det nye certifikat i klienten (WSC)",
  },
  done: "udført: det nye certifikat findes",
  recommended: "Anbefalet",
  earliest: "tidligst",
  latest: "senest",
  activation: "aktivering (planlagt)",
  late: "Hvis en dag for sent",
  early: "Hvis en dag for tidligt",
  noDowntime: "ingen nedetid",
  downtime: (d, r) => `${d} nedetid${r ? ` (${r})` : ""}`,
  check: (at, expected) =>
    `Kontrol på integrationsmiljøet ${at}: bed integrationsmiljøets STS om et token med det nye certifikat. Forventet svar: ${expected}.`,
  checkOk: "OK (tokenet udstedes)",
  checkNotYetActive:
    "trin 1 CERT_NOT_YET_ACTIVE — certifikatet er registreret og bliver aktivt, når det gamle udløber",
  checkOther:
    "Et andet svar (CERT_NOT_REGISTERED, CERT_NOT_PROVISIONED) betyder, at upload, «Gem» eller provisionering mangler: ret det, før produktion provisioneres.",
  noCheck: "Ingen kontrol på integrationsmiljøet: planen omfatter kun ét miljø.",
  fallback: "Klienten beholder det gamle certifikat som reserve (fallbackCertificate).",
  noFallback: "Klienten har kun ét certifikat ad gangen (intet reservecertifikat).",
  tip: "Tip: med det gamle certifikat som reserve (--fallback) kan klienten skifte når som helst før udløbet i stedet for på ét bestemt øjeblik.",
  immediate:
    "Under immediate erstatter det nye certifikat det gamle ved den planlagte aktivering: provisioner med aktivering på det øjeblik, klienten skifter (uden reserve skal de to falde sammen; flyttes det ene, flyttes det andet).",
  verified: (runs, calls) =>
    `Alle tidspunkter ovenfor er efterprøvet ved at køre de tilsvarende scenarier gennem den rigtige motor (rigtig STS, rigtig SMDB, rigtig klient, rigtige signaturer): ${runs} kørsler, ${calls} rigtige kald.`,
  notVerified: "IKKE EFTERPRØVET — motoren fandt:",
  strict:
    "Efterprøvet for en klient, der beder om et nyt token til hvert kald; et token i klientens cache kan bære den lidt længere, men planen regner ikke med det.",
};

const EN: Words = {
  title: "Rotation plan for the systembruger's certificate",
  policy: "Policy",
  environments: { integration: "integration test", production: "production" },
  oldExpires: "Old certificate expires (its last valid moment)",
  newValid: "New certificate valid",
  dayOnly:
    "Only the day of the old certificate's expiry was given: the plan assumes 00:00:00 UTC. Give the .cer file (--old) for the exact moment.",
  party: {
    "nemid-admin": "NemID administrator",
    "nemlogin-admin": "NemLog-in administrator",
    vendor: "Vendor's developers",
  },
  step: {
    order: "Order the new system certificate (OCES3) in MitID Erhverv",
    upload:
      'Upload the public part (.cer) as the next certificate and press "Gem tekniske oplysninger" (save)',
    provisionIntegration: '"Provisioner til integrationstest" (provision to integration)',
    testIntegration: "Test on the integration environment with the new certificate",
    provisionProduction: '"Provisioner til produktion" (provision to production)',
    deploy: "Deploy the new certificate in the client (WSC)",
  },
  done: "done: the new certificate exists",
  recommended: "Recommended",
  earliest: "earliest",
  latest: "latest",
  activation: "activation (scheduled)",
  late: "If a day late",
  early: "If a day early",
  noDowntime: "no downtime",
  downtime: (d, r) => `${d} downtime${r ? ` (${r})` : ""}`,
  check: (at, expected) =>
    `Check on integration ${at}: ask the integration STS for a token with the new certificate. Expected answer: ${expected}.`,
  checkOk: "OK (the token is issued)",
  checkNotYetActive:
    "step 1 CERT_NOT_YET_ACTIVE — the certificate is registered and becomes active when the old one expires",
  checkOther:
    "Another answer (CERT_NOT_REGISTERED, CERT_NOT_PROVISIONED) means that the upload, the save or the provisioning is missing: fix it before provisioning production.",
  noCheck: "No check on integration: the plan covers one environment only.",
  fallback: "The client keeps the old certificate as fallback (fallbackCertificate).",
  noFallback: "The client has one certificate at a time (no fallback).",
  tip: "Tip: with the old certificate as fallback (--fallback) the client can switch any time before the expiry instead of at one exact moment.",
  immediate:
    "Under immediate the new certificate replaces the old one at the scheduled activation: provision with the activation at the moment the client switches (without fallback the two must coincide; moving one moves the other).",
  verified: (runs, calls) =>
    `Every moment above was verified by running the corresponding scenario through the real engine (real STS, real SMDB, real client, real signatures): ${runs} runs, ${calls} real calls.`,
  notVerified: "NOT VERIFIED — the engine found:",
  strict:
    "Verified for a client that asks for a new token for every call; a token in the client's cache may carry it a little longer, but the plan does not count on that.",
};

const WORDS: Record<Language, Words> = { da: DA, en: EN };

/** `2027-03-15 09:00 UTC`, with seconds and milliseconds only when they are not zero. */
export function formatMoment(ms: number): string {
  const text = new Date(ms).toISOString();
  const date = text.slice(0, 10);
  const ss = text.slice(17, 19);
  const mmm = text.slice(20, 23);
  const time = mmm !== "000" ? text.slice(11, 23) : ss !== "00" ? text.slice(11, 19) : text.slice(11, 16);
  return `${date} ${time} UTC`;
}

function consequence(words: Words, c: PlannedStep["late"]): string {
  if (!c) return "";
  return c.downtimeMs === 0 ? words.noDowntime : words.downtime(formatDuration(c.downtimeMs), c.reason);
}

/** The plan as text for the three parties. */
export function planText(plan: RotationPlan, language: Language = "da"): string {
  const w = WORDS[language];
  const input = plan.input;
  const out: string[] = [
    `${w.title}`,
    `${w.policy}: ${input.policy} · ${input.environments.map((e) => w.environments[e]).join(", ")} · ${input.fallback ? w.fallback : w.noFallback}`,
    `${w.oldExpires}: ${formatMoment(input.oldNotAfterMs)}`,
    `${w.newValid}: ${formatMoment(input.newNotBeforeMs)} – ${formatMoment(input.newNotAfterMs)}`,
  ];
  if (!input.oldExact) out.push(w.dayOnly);
  out.push("");
  plan.steps.forEach((step, index) => {
    out.push(`${index + 1}. ${w.party[step.party]}: ${w.step[step.id]}`);
    const times = `${w.recommended} ${formatMoment(step.recommendedMs)} · ${w.earliest} ${formatMoment(step.earliestMs)} · ${w.latest} ${formatMoment(step.latestMs)}`;
    out.push(`   ${times}`);
    if (step.activationMs !== undefined) out.push(`   ${w.activation}: ${formatMoment(step.activationMs)}`);
    if (step.late) out.push(`   ${w.late} (${formatMoment(step.late.atMs)}): ${consequence(w, step.late)}`);
    if (step.early)
      out.push(`   ${w.early} (${formatMoment(step.early.atMs)}): ${consequence(w, step.early)}`);
    if (step.id === "testIntegration" && plan.integrationCheck) {
      const check = plan.integrationCheck;
      const expected = check.expected.ok ? w.checkOk : w.checkNotYetActive;
      out.push(`   ${w.check(formatMoment(check.atMs), expected)}`);
      out.push(`   ${w.checkOther}`);
    }
  });
  if (input.newExists) out.push("", `(${w.step.order}: ${w.done})`);
  if (!plan.integrationCheck) out.push("", w.noCheck);
  if (input.policy === "at-expiry" && !input.fallback) out.push("", w.tip);
  if (input.policy === "immediate") out.push("", w.immediate);
  out.push("");
  if (plan.verification.verified) {
    out.push(w.verified(plan.verification.runs, plan.verification.evaluations));
  } else {
    out.push(w.notVerified, ...plan.verification.problems.map((p) => `  - ${p}`));
  }
  out.push(w.strict);
  return `${out.join("\n")}\n`;
}

/** The plan as JSON: the input, each step with its moments (ISO) and consequences, the check, the verification. */
export function planJson(plan: RotationPlan, language: Language = "en"): Record<string, unknown> {
  const w = WORDS[language];
  const iso = (ms: number) => new Date(ms).toISOString();
  const input = plan.input;
  return {
    policy: input.policy,
    environments: input.environments,
    fallback: input.fallback,
    oldCertificate: { notAfter: iso(input.oldNotAfterMs), exact: input.oldExact, cvr: input.oldCvr ?? null },
    newCertificate: {
      notBefore: iso(input.newNotBeforeMs),
      notAfter: iso(input.newNotAfterMs),
      exists: input.newExists,
      cvr: input.newCvr ?? null,
    },
    steps: plan.steps.map((step) => ({
      id: step.id,
      party: step.party,
      partyName: w.party[step.party],
      title: w.step[step.id],
      recommended: iso(step.recommendedMs),
      earliest: iso(step.earliestMs),
      latest: iso(step.latestMs),
      ...(step.activationMs !== undefined ? { activation: iso(step.activationMs) } : {}),
      ...(step.late
        ? { late: { at: iso(step.late.atMs), downtimeMs: step.late.downtimeMs, reason: step.late.reason } }
        : {}),
      ...(step.early
        ? {
            early: { at: iso(step.early.atMs), downtimeMs: step.early.downtimeMs, reason: step.early.reason },
          }
        : {}),
      verified: step.verified,
    })),
    integrationCheck: plan.integrationCheck
      ? {
          at: iso(plan.integrationCheck.atMs),
          expected: plan.integrationCheck.expected.ok
            ? "OK"
            : `step 1 ${plan.integrationCheck.expected.reason}`,
          actual: plan.integrationCheck.actual,
          verified: plan.integrationCheck.verified,
        }
      : null,
    verification: { ...plan.verification, note: w.strict },
  };
}

/** `20270315T090000Z`. */
function icsTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;
}

/** Folds a content line at 75 octets (RFC 5545 §3.1) and escapes text values. */
function icsText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\n/g, "\\n");
}

function fold(line: string): string {
  const bytes = Buffer.from(line, "utf8");
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = "";
  for (const char of line) {
    if (Buffer.byteLength(current + char, "utf8") > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = char;
    } else current += char;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

function alarm(trigger: string, text: string): string[] {
  return [
    "BEGIN:VALARM",
    "ACTION:DISPLAY",
    `TRIGGER:${trigger}`,
    `DESCRIPTION:${icsText(text)}`,
    "END:VALARM",
  ];
}

/**
 * A calendar (RFC 5545): per step an entry at its recommended moment (reminders a week and a day
 * before) and one at its deadline (reminders two weeks, three days and a day before), so that
 * nobody learns of a deadline when it has passed.
 */
export function planIcs(plan: RotationPlan, language: Language = "da", stampMs = plan.input.todayMs): string {
  const w = WORDS[language];
  const id = createHash("sha256")
    .update(JSON.stringify([plan.input, plan.steps.map((s) => [s.id, s.recommendedMs, s.latestMs])]))
    .digest("hex")
    .slice(0, 16);
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//smdb-harness//rotation plan//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
  ];
  const event = (uid: string, atMs: number, summary: string, description: string, alarms: string[][]) => {
    lines.push(
      "BEGIN:VEVENT",
      `UID:${uid}-${id}@smdb-harness`,
      `DTSTAMP:${icsTime(stampMs)}`,
      `DTSTART:${icsTime(atMs)}`,
      "DURATION:PT30M",
      `SUMMARY:${icsText(summary)}`,
      `DESCRIPTION:${icsText(description)}`,
      ...alarms.flat(),
      "END:VEVENT",
    );
  };
  for (const step of plan.steps) {
    const who = w.party[step.party];
    const what = w.step[step.id];
    const late = step.late ? `\n${w.late}: ${consequence(w, step.late)}` : "";
    const window = `${w.earliest} ${formatMoment(step.earliestMs)} · ${w.latest} ${formatMoment(step.latestMs)}`;
    const isDeadline = step.latestMs === step.recommendedMs;
    const reminders = isDeadline ? ["-P14D", "-P3D", "-P1D"] : ["-P7D", "-P1D"];
    event(
      `${step.id}`,
      step.recommendedMs,
      `${who}: ${what}`,
      `${w.recommended} ${formatMoment(step.recommendedMs)} (${window})${late}`,
      reminders.map((trigger) => alarm(trigger, `${who}: ${what} — ${formatMoment(step.recommendedMs)}`)),
    );
    if (!isDeadline) {
      const deadline = language === "da" ? "FRIST" : "DEADLINE";
      event(
        `${step.id}-deadline`,
        step.latestMs,
        `${deadline}: ${who}: ${what}`,
        `${w.latest} ${formatMoment(step.latestMs)}${late}`,
        [
          alarm("-P14D", `${deadline} ${formatMoment(step.latestMs)}: ${what}`),
          alarm("-P3D", `${deadline} ${formatMoment(step.latestMs)}: ${what}`),
          alarm("-P1D", `${deadline} ${formatMoment(step.latestMs)}: ${what}`),
        ],
      );
    }
  }
  lines.push("END:VCALENDAR");
  return `${lines.map(fold).join("\r\n")}\r\n`;
}
