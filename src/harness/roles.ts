/**
 * Which services one harness process runs (`up --role`):
 *
 *   all       STS, SMDB, admin API and admin page in one process (the default; `npx smdb-harness up`)
 *   nemlogin  the NemLog-in side: STS for both environments, the admin API and the admin page
 *   smdb      the SMDB web service; it learns the STS signing certificates (and the clock) from
 *             the nemlogin service and registers its own certificate there
 *
 * In a split pair each side knows the other only over the network (docs/containers.md). This
 * module decides what a role serves; the answers for what it does not serve say where to go.
 */
export const ROLES = ["all", "nemlogin", "smdb"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function servesSts(role: Role): boolean {
  return role !== "smdb";
}

export function servesSmdb(role: Role): boolean {
  return role !== "nemlogin";
}

/** The admin API calls the smdb service answers itself: its own environment view, its trust in the STS, its events. */
const SMDB_ADMIN_ROUTES: ReadonlyArray<[method: string, path: RegExp]> = [
  ["GET", /^\/openapi\.json$/],
  ["GET", /^\/environments$/],
  ["GET", /^\/environments\/[^/]+(\/client-endpoints)?$/],
  ["GET", /^\/environments\/[^/]+\/wsp-trust$/],
  ["PUT", /^\/environments\/[^/]+\/wsp-trust$/],
  ["GET", /^\/events$/],
  ["GET", /^\/clock$/],
  ["GET", /^\/settings$/],
];

/**
 * Why `role` does not answer the admin API call `method path` (path below `/admin/api`), in one
 * sentence naming the service that does; undefined when it does answer it.
 */
export function adminRouteRefusal(
  role: Role,
  method: string,
  path: string,
  peerUrl: string | undefined,
): string | undefined {
  const upper = method === "HEAD" ? "GET" : method.toUpperCase();
  if (role === "smdb") {
    if (SMDB_ADMIN_ROUTES.some(([m, p]) => m === upper && p.test(path))) return undefined;
    return `this is the smdb service (role smdb), which answers only its environment view, its trust in the STS (wsp-trust), its events, clock and settings; ${upper} /admin/api${path} belongs to the nemlogin service${peerUrl ? ` at ${peerUrl}` : ""}`;
  }
  if (role === "nemlogin" && /^\/environments\/[^/]+\/wsp-trust$/.test(path)) {
    return `this is the nemlogin service (role nemlogin); which STS certificates SMDB trusts is set on the smdb service${peerUrl ? ` at ${peerUrl}` : ""}`;
  }
  return undefined;
}

/** The answer to a service call (step 1 or 2) that this role does not serve. */
export function serviceRefusal(role: Role, step: "sts" | "smdb", peerUrl: string | undefined): string {
  return step === "smdb"
    ? `this is the nemlogin service (role ${role}); SMDB is served by the smdb service${peerUrl ? ` at ${peerUrl}` : ""}`
    : `this is the smdb service (role ${role}); the STS is served by the nemlogin service${peerUrl ? ` at ${peerUrl}` : ""}`;
}
