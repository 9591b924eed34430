/**
 * The registry's answer to the STS: for a client certificate in an environment at a time, is it
 * the exact provisioned certificate the rollover policy accepts now, and if not, why — in a
 * sentence that tells the developer what was found and what to do. A pure function of the
 * registry's content; the full STS verdict (chain, validity, revocation first) is
 * `stsCertificateVerdict` in ../verdict.ts.
 */
import type { Environment } from "../../core/events.js";
import type { Certificate } from "../../pki/index.js";
import { decideRollover, type RolloverPolicy } from "../rollover.js";
import type { ClientCertificateDecision } from "../types.js";
import {
  certificatesOf,
  describeCert,
  describeUser,
  ENV_LABEL,
  type SystemUserRecord,
  slotOf,
} from "./model.js";

/** A systembruger holding a different certificate with the same subject, if any. */
function sameSubject(
  users: Iterable<SystemUserRecord>,
  certificate: Certificate,
): { sha256: string; user: SystemUserRecord } | undefined {
  for (const user of users) {
    for (const cert of certificatesOf(user)) {
      if (cert.subject === certificate.subject) return { sha256: cert.sha256, user };
    }
  }
  return undefined;
}

export function decideClientCertificate(
  users: ReadonlyMap<string, SystemUserRecord>,
  owners: ReadonlyMap<string, string>,
  policy: RolloverPolicy,
  env: Environment,
  certificate: Certificate,
  nowMs: number,
): ClientCertificateDecision {
  const ownerId = owners.get(certificate.sha256);
  const user = ownerId === undefined ? undefined : users.get(ownerId);
  if (!user) {
    const same = sameSubject(users.values(), certificate);
    return {
      reason: "CERT_NOT_REGISTERED",
      acceptedSha256: [],
      message:
        `certificate ${describeCert(certificate)} is not registered for any systembruger` +
        (same
          ? ` (a different certificate with the same subject, ${same.sha256}, is registered for systembruger "${same.user.identity.name}" (${same.user.identity.id}): the STS identifies a systembruger by the exact certificate, not by its subject)`
          : "") +
        `; upload its public part (.cer) to the systembruger in NemLog-in, save, and provision it to ${env}`,
    };
  }
  const who = describeUser(user);
  const provisioned = user.provisioned[env];
  const decision = provisioned ? decideRollover(provisioned, policy, nowMs) : undefined;
  const acceptedSha256 = decision?.acceptedSha256 ?? [];
  const acceptedText =
    acceptedSha256.length > 0
      ? `the STS accepts ${acceptedSha256.join(" or ")} for it in ${env} now`
      : provisioned
        ? `the STS accepts no certificate for it in ${env} now`
        : `nothing is provisioned to ${env} for it`;
  const slotDecision = decision?.slots.find((s) => s.certificate.sha256 === certificate.sha256);
  if (slotDecision) {
    const reason = slotDecision.status;
    const message =
      reason === "OK"
        ? `certificate ${certificate.sha256} is provisioned as ${slotDecision.slot} for ${who} in ${env} and ${slotDecision.explanation}`
        : `certificate ${certificate.sha256} is provisioned as ${slotDecision.slot} for ${who} in ${env}, but ${slotDecision.explanation}; ${acceptedText}`;
    return { reason, systemUser: user.identity, acceptedSha256, message };
  }
  const other: Environment = env === "integration" ? "production" : "integration";
  const sha = certificate.sha256;
  let situation: string;
  const savedSlot = slotOf(user.saved[env], sha);
  const draftSlot = slotOf(user.draft[env], sha);
  const otherProvisioned = slotOf(user.provisioned[other], sha);
  if (savedSlot) {
    situation =
      `is saved as ${savedSlot} for ${who} for ${env} but not provisioned to ${env}` +
      (otherProvisioned ? ` (it is provisioned to ${other})` : "") +
      `; provision it ("Provisioner til ${ENV_LABEL[env]}")`;
  } else if (draftSlot) {
    situation =
      `is in the unsaved draft (${draftSlot}) of ${who} for ${env}` +
      (otherProvisioned ? ` (it is provisioned to ${other})` : "") +
      `; save ("Gem tekniske oplysninger") and then provision it to ${env}`;
  } else if (otherProvisioned) {
    situation = `is provisioned to ${other} only for ${who}, not to ${env}; upload it for ${env}, save, and provision it to ${env}`;
  } else {
    const otherSaved = slotOf(user.saved[other], sha) ?? slotOf(user.draft[other], sha);
    situation = `is registered for ${who} for ${other} only${otherSaved ? " (not provisioned)" : ""}, not for ${env}; upload it for ${env}, save, and provision it to ${env}`;
  }
  return {
    reason: "CERT_NOT_PROVISIONED",
    systemUser: user.identity,
    acceptedSha256,
    message: `certificate ${certificate.sha256} ${situation}; ${acceptedText}`,
  };
}
