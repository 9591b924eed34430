/**
 * Executing a (security-checked) SMDB operation against the store: the WSP side of
 * src/smdb/operations.ts.
 */
import type { Element } from "@xmldom/xmldom";
import type { Environment } from "../core/events.js";
import { courseToXml, escapeXml, SMDB_NS } from "../smdb/course.js";
import { type OperationName, readRequestXml } from "../smdb/operations.js";
import type { SmdbStore, StoredCourse } from "./store.js";

// ---------------------------------------------------------------------------------------------
// Executing an operation (WSP side)

export interface OperationContext {
  env: Environment;
  /** The CVR from the verified token: the only records this caller sees. */
  cvr: string;
  /** The systembruger's entity ID (Subject NameID). */
  systemUser: string;
  nowMs: number;
  store: SmdbStore;
}

export interface OperationResult {
  /** The response Body element. */
  bodyXml: string;
  /** A short outcome for the event (e.g. "created forloeb F-1 version 1"). */
  summary: string;
}

function storedCourseXml(record: StoredCourse): string {
  return `<smdb:forloeb>${courseToXml(record.course)}<smdb:version>${record.version}</smdb:version><smdb:opdateret>${record.updatedAt}</smdb:opdateret></smdb:forloeb>`;
}

/**
 * Runs a (security-checked) operation. The Body is validated against the SMDB schema first
 * (src/smdb/schema.ts, the one the served XSD is generated from): throws OperationValidationError
 * (VALIDATION_ERROR) listing every bad field.
 */
export async function executeOperation(
  operation: OperationName,
  element: Element,
  ctx: OperationContext,
): Promise<OperationResult> {
  const open = `<smdb:${operation}Response xmlns:smdb="${SMDB_NS}">`;
  const close = `</smdb:${operation}Response>`;
  const request = readRequestXml(operation, element);
  switch (request.operation) {
    case "Ping": {
      return {
        bodyXml: `${open}<smdb:environment>${ctx.env}</smdb:environment><smdb:cvr>${escapeXml(ctx.cvr)}</smdb:cvr><smdb:systembruger>${escapeXml(ctx.systemUser)}</smdb:systembruger><smdb:tid>${new Date(ctx.nowMs).toISOString()}</smdb:tid>${close}`,
        summary: "ping",
      };
    }
    case "IndberetForloeb": {
      const { status, record } = await ctx.store.upsert(ctx.env, ctx.cvr, request.course, {
        atMs: ctx.nowMs,
        submittedBy: ctx.systemUser,
      });
      return {
        bodyXml: `${open}<smdb:forloebId>${escapeXml(record.forloebId)}</smdb:forloebId><smdb:version>${record.version}</smdb:version><smdb:status>${status}</smdb:status>${close}`,
        summary: `${status} forloeb ${record.forloebId} version ${record.version} for CVR ${ctx.cvr}`,
      };
    }
    case "HentForloeb": {
      const { query } = request;
      const records =
        "forloebId" in query
          ? [ctx.store.get(ctx.env, ctx.cvr, query.forloebId)].filter((r): r is StoredCourse => !!r)
          : ctx.store.changedSince(ctx.env, ctx.cvr, Date.parse(query.aendretSiden));
      return {
        bodyXml: open + records.map(storedCourseXml).join("") + close,
        summary: `${records.length} forloeb for CVR ${ctx.cvr}`,
      };
    }
  }
}
