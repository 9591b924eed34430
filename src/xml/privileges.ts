/**
 * The OIOSAML Basic Privilege Profile: a `bpp:PrivilegeList` with `PrivilegeGroup`s scoped to
 * a CVR number, carried base64-encoded in `dk:gov:saml:attribute:Privileges_intermediate`.
 */
import { escapeAttr, escapeText, NS } from "./ns.js";
import { childElements, parseXml, textOf, XmlParseError } from "./parse.js";

export const CVR_SCOPE_PREFIX = "urn:dk:gov:saml:CvrNumberIdentifier:";

export interface PrivilegeGroup {
  scope: string;
  privileges: string[];
}

export function cvrScope(cvr: string): string {
  return `${CVR_SCOPE_PREFIX}${cvr}`;
}

export function privilegeListXml(groups: PrivilegeGroup[]): string {
  let out = `<?xml version="1.0" encoding="UTF-8"?><bpp:PrivilegeList xmlns:bpp="${NS.bpp}" xmlns:xsi="${NS.xsi}">`;
  for (const group of groups) {
    out += `<PrivilegeGroup Scope="${escapeAttr(group.scope)}">`;
    for (const privilege of group.privileges) out += `<Privilege>${escapeText(privilege)}</Privilege>`;
    out += "</PrivilegeGroup>";
  }
  return `${out}</bpp:PrivilegeList>`;
}

/** Base64 of the PrivilegeList granting `privileges` scoped to `cvr`. */
export function encodePrivileges(cvr: string, privileges: readonly string[]): string {
  return Buffer.from(
    privilegeListXml([{ scope: cvrScope(cvr), privileges: [...privileges] }]),
    "utf8",
  ).toString("base64");
}

/**
 * Decoded lists by their base64 text: one systembruger's tokens carry the same list again and
 * again, and decoding it is a fourth XML parse per SMDB call. Only lists that decoded, of a
 * modest size, are kept, frozen, the oldest going first past the bound.
 */
const decodedLists = new Map<string, readonly PrivilegeGroup[]>();
const DECODED_LISTS_KEPT = 256;
const LARGEST_KEPT_LIST = 8192;

/** Decodes (safely) a base64 PrivilegeList. Throws XmlParseError for anything else. */
export function decodePrivileges(base64: string): readonly PrivilegeGroup[] {
  const known = decodedLists.get(base64);
  if (known) return known;
  const groups = decodeList(base64);
  if (base64.length <= LARGEST_KEPT_LIST) {
    if (decodedLists.size >= DECODED_LISTS_KEPT) decodedLists.delete(decodedLists.keys().next().value!);
    decodedLists.set(base64, groups);
  }
  return groups;
}

function decodeList(base64: string): readonly PrivilegeGroup[] {
  const compact = base64.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact))
    throw new XmlParseError("the privilege attribute is not base64");
  const doc = parseXml(Buffer.from(compact, "base64"), { maxBytes: 256 * 1024, label: "privilege list" });
  const root = doc.documentElement!;
  if (root.namespaceURI !== NS.bpp || root.localName !== "PrivilegeList") {
    throw new XmlParseError(
      `the privilege attribute holds {${root.namespaceURI ?? ""}}${root.localName}; expected bpp:PrivilegeList`,
    );
  }
  return Object.freeze(
    childElements(root)
      .filter((el) => el.localName === "PrivilegeGroup")
      .map(
        (group): PrivilegeGroup =>
          Object.freeze({
            scope: group.getAttribute("Scope") ?? "",
            privileges: Object.freeze(
              childElements(group)
                .filter((el) => el.localName === "Privilege")
                .map(textOf),
            ) as string[],
          }),
      ),
  );
}

/** The privileges the list grants for `cvr` (scope compared case-insensitively in its URN prefix). */
export function privilegesForCvr(groups: readonly PrivilegeGroup[], cvr: string): string[] {
  const wanted = cvrScope(cvr).toLowerCase();
  return groups.filter((g) => g.scope.toLowerCase() === wanted).flatMap((g) => g.privileges);
}
