/**
 * The registry's persisted form (`registry.json` in the state dir, certificates as PEM), as pure
 * functions to and from the in-memory content. Version 1.
 */
import { ENVIRONMENTS, type Environment } from "../../core/events.js";
import { Certificate } from "../../pki/index.js";
import {
  DEFAULT_ROLLOVER_POLICY,
  isRolloverPolicy,
  type ProvisionedSet,
  type RolloverPolicy,
} from "../rollover.js";
import type { SystemUserIdentity } from "../types.js";
import { type CertificateSet, emptyContent, iso, type RegistryContent } from "./model.js";

export const REGISTRY_FILE = "registry.json";

interface StoredSet {
  current?: string;
  next?: string;
}

export interface StoredRegistry {
  version: number;
  policy: RolloverPolicy;
  systemUsers: Array<
    SystemUserIdentity & {
      createdAt: string;
      savedAt?: string;
      draft: Record<Environment, StoredSet>;
      saved: Record<Environment, StoredSet>;
      provisioned: Partial<Record<Environment, StoredSet & { provisionedAt: string; activateAt?: string }>>;
    }
  >;
  wsps: Record<Environment, Array<{ entityId: string; certificate: string; builtIn: boolean }>>;
  revoked: Array<{ sha256: string; subject: string; revokedAt: string }>;
  trustAnchors: string[];
}

function setToJson(set: CertificateSet | undefined): StoredSet {
  return {
    ...(set?.current ? { current: set.current.pem } : {}),
    ...(set?.next ? { next: set.next.pem } : {}),
  };
}

function setFromJson(json: StoredSet | undefined): CertificateSet {
  const set: CertificateSet = {};
  if (json?.current) set.current = Certificate.fromPem(json.current);
  if (json?.next) set.next = Certificate.fromPem(json.next);
  return set;
}

export function registryToJson(content: RegistryContent, policy: RolloverPolicy): StoredRegistry {
  const perEnv = <T>(fn: (env: Environment) => T) =>
    Object.fromEntries(ENVIRONMENTS.map((env) => [env, fn(env)])) as Record<Environment, T>;
  return {
    version: 1,
    policy,
    systemUsers: [...content.users.values()].map((user) => ({
      ...user.identity,
      createdAt: iso(user.createdAtMs),
      ...(user.savedAtMs !== undefined ? { savedAt: iso(user.savedAtMs) } : {}),
      draft: perEnv((env) => setToJson(user.draft[env])),
      saved: perEnv((env) => setToJson(user.saved[env])),
      provisioned: Object.fromEntries(
        ENVIRONMENTS.flatMap((env) => {
          const set = user.provisioned[env];
          if (!set) return [];
          return [
            [
              env,
              {
                ...setToJson(set),
                provisionedAt: iso(set.provisionedAtMs),
                ...(set.activateAtMs !== undefined ? { activateAt: iso(set.activateAtMs) } : {}),
              },
            ],
          ];
        }),
      ),
    })),
    wsps: perEnv((env) =>
      [...content.wsps[env].values()].map((w) => ({
        entityId: w.entityId,
        certificate: w.encryptionCertificate.pem,
        builtIn: w.builtIn,
      })),
    ),
    revoked: [...content.revoked.values()].map((r) => ({
      sha256: r.sha256,
      subject: r.subject,
      revokedAt: iso(r.revokedAtMs),
    })),
    trustAnchors: [...content.addedAnchors.values()].map((c) => c.pem),
  };
}

/** The content and policy of a stored registry; `file` names it in errors. */
export function registryFromJson(
  stored: StoredRegistry,
  file: string,
): { content: RegistryContent; policy: RolloverPolicy } {
  if (stored.version !== 1) {
    throw new Error(`${file}: unsupported registry version ${String(stored.version)} (expected 1)`);
  }
  const content = emptyContent();
  for (const json of stored.systemUsers ?? []) {
    const provisioned: Partial<Record<Environment, ProvisionedSet>> = {};
    for (const env of ENVIRONMENTS) {
      const p = json.provisioned?.[env];
      if (!p) continue;
      provisioned[env] = {
        ...setFromJson(p),
        provisionedAtMs: Date.parse(p.provisionedAt),
        ...(p.activateAt ? { activateAtMs: Date.parse(p.activateAt) } : {}),
      };
    }
    content.users.set(json.id, {
      identity: {
        id: json.id,
        name: json.name,
        cvr: json.cvr,
        entityId: json.entityId,
        privileges: json.privileges,
      },
      createdAtMs: Date.parse(json.createdAt),
      ...(json.savedAt ? { savedAtMs: Date.parse(json.savedAt) } : {}),
      draft: {
        integration: setFromJson(json.draft?.integration),
        production: setFromJson(json.draft?.production),
      },
      saved: {
        integration: setFromJson(json.saved?.integration),
        production: setFromJson(json.saved?.production),
      },
      provisioned,
    });
  }
  for (const env of ENVIRONMENTS) {
    for (const w of stored.wsps?.[env] ?? []) {
      content.wsps[env].set(w.entityId, {
        entityId: w.entityId,
        encryptionCertificate: Certificate.fromPem(w.certificate),
        builtIn: w.builtIn,
      });
    }
  }
  for (const r of stored.revoked ?? []) {
    content.revoked.set(r.sha256, {
      sha256: r.sha256,
      subject: r.subject,
      revokedAtMs: Date.parse(r.revokedAt),
    });
  }
  for (const text of stored.trustAnchors ?? []) {
    const cert = Certificate.fromPem(text);
    content.addedAnchors.set(cert.sha256, cert);
  }
  return { content, policy: isRolloverPolicy(stored.policy) ? stored.policy : DEFAULT_ROLLOVER_POLICY };
}
