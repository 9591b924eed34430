/**
 * What a person (or a monitoring job) wants to know about a certificate: names in RFC 2253 form,
 * validity, thumbprints, the organisation's CVR number and which kind of certificate it is.
 *
 * Names are read from the DER directly (not through node-forge's certificate model), so that
 * certificates with RSASSA-PSS signatures or multi-valued RDNs — both occur in the real
 * NemLog-in and FOCES certificates — are shown faithfully.
 */
import forge from "node-forge";
import type { Certificate } from "./certificate.js";

export type DetectedProfile = "oces3-system" | "foces2" | "sts" | "wsp" | "tls" | "ca" | "unknown";

export interface CertificateInspection {
  /** RFC 2253 order (last RDN first), e.g. `C=DK, organizationIdentifier=NTRDK-…, O=…, serialNumber=…, CN=…`. */
  subject: string;
  issuer: string;
  /** Upper-case hex. */
  serialNumber: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  /** Upper-case hex thumbprints without separators. */
  sha1: string;
  sha256: string;
  cvr: string | null;
  profile: DetectedProfile;
}

export interface CertificateDetails {
  keyAlgorithm: string;
  keyBits: number | null;
  keyUsage: string[];
  extendedKeyUsage: string[];
  subjectAltNames: string[];
  isCa: boolean;
  selfSigned: boolean;
}

type Rdn = Array<{ type: string; value: string }>;

const { asn1 } = forge;

const ATTRIBUTE_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.4": "SN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "STREET",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.12": "title",
  "2.5.4.42": "GN",
  "2.5.4.97": "organizationIdentifier",
  "0.9.2342.19200300.100.1.1": "UID",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.2.840.113549.1.9.1": "emailAddress",
};

const KEY_USAGE_BITS = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
];

const EKU_NAMES: Record<string, string> = {
  "1.3.6.1.5.5.7.3.1": "serverAuth",
  "1.3.6.1.5.5.7.3.2": "clientAuth",
  "1.3.6.1.5.5.7.3.3": "codeSigning",
  "1.3.6.1.5.5.7.3.4": "emailProtection",
  "1.3.6.1.5.5.7.3.8": "timeStamping",
  "1.3.6.1.5.5.7.3.9": "OCSPSigning",
};

interface ParsedCertificate {
  subject: Rdn[];
  issuer: Rdn[];
  extensions: Map<string, { critical: boolean; value: string }>;
}

const parsedCache = new WeakMap<Certificate, ParsedCertificate>();

function parse(cert: Certificate): ParsedCertificate {
  let parsed = parsedCache.get(cert);
  if (parsed) return parsed;
  const root = asn1.fromDer(forge.util.createBuffer(cert.der.toString("binary")), { strict: false } as never);
  const tbs = (root.value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[];
  const offset = tbs[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const issuer = readName(tbs[offset + 2]!);
  const subject = readName(tbs[offset + 4]!);
  const extensions = new Map<string, { critical: boolean; value: string }>();
  for (const node of tbs.slice(offset + 6)) {
    if (node.tagClass !== asn1.Class.CONTEXT_SPECIFIC || node.type !== 3) continue;
    const list = (node.value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[];
    for (const extension of list) {
      const parts = extension.value as forge.asn1.Asn1[];
      const oid = asn1.derToOid(parts[0]!.value as string);
      const critical = parts.length === 3 && (parts[1]!.value as string) !== "\x00";
      extensions.set(oid, { critical, value: parts[parts.length - 1]!.value as string });
    }
  }
  parsed = { subject, issuer, extensions };
  parsedCache.set(cert, parsed);
  return parsed;
}

function readName(name: forge.asn1.Asn1): Rdn[] {
  return (name.value as forge.asn1.Asn1[]).map((set) =>
    (set.value as forge.asn1.Asn1[]).map((attribute) => {
      const [typeNode, valueNode] = attribute.value as forge.asn1.Asn1[];
      const oid = asn1.derToOid(typeNode!.value as string);
      return { type: ATTRIBUTE_NAMES[oid] ?? oid, value: decodeString(valueNode!) };
    }),
  );
}

function decodeString(node: forge.asn1.Asn1): string {
  const raw = typeof node.value === "string" ? node.value : "";
  switch (node.type) {
    case asn1.Type.UTF8:
      return Buffer.from(raw, "binary").toString("utf8");
    case asn1.Type.BMPSTRING:
      return Buffer.from(raw, "binary").swap16().toString("utf16le");
    case 28 as forge.asn1.Type: // UniversalString (UCS-4 BE)
      return Array.from({ length: raw.length / 4 }, (_, i) =>
        String.fromCodePoint(Buffer.from(raw.slice(i * 4, i * 4 + 4), "binary").readUInt32BE(0)),
      ).join("");
    default:
      return raw;
  }
}

function escapeValue(value: string): string {
  let out = value.replace(/([,+"\\<>;])/g, "\\$1");
  if (out.startsWith("#") || out.startsWith(" ")) out = `\\${out}`;
  if (out.endsWith(" ") && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** RFC 2253 style: last RDN first, `, ` between RDNs, ` + ` inside a multi-valued RDN (DER order). */
export function formatName(rdns: Rdn[]): string {
  return [...rdns]
    .reverse()
    .map((rdn) => rdn.map(({ type, value }) => `${type}=${escapeValue(value)}`).join(" + "))
    .join(", ");
}

function attributes(rdns: Rdn[], type: string): string[] {
  return rdns.flat().flatMap((attribute) => (attribute.type === type ? [attribute.value] : []));
}

/** The subject's CVR number: from `organizationIdentifier=NTRDK-<cvr>` (OCES3) or `CVR:<cvr>` (FOCES). */
export function cvrOf(cert: Certificate): string | null {
  const { subject } = parse(cert);
  for (const value of attributes(subject, "organizationIdentifier")) {
    const match = /^NTRDK-(\d{8})$/.exec(value.trim());
    if (match) return match[1]!;
  }
  for (const value of [...attributes(subject, "serialNumber"), ...attributes(subject, "O")]) {
    const match = /(?:^|\s|\/)CVR:(\d{8})(?:\b|-)/.exec(value);
    if (match) return match[1]!;
  }
  return null;
}

function keyUsageOf(parsed: ParsedCertificate): string[] {
  const extension = parsed.extensions.get("2.5.29.15");
  if (!extension) return [];
  const bitString = asn1.fromDer(extension.value);
  const bytes = (bitString.value as string).slice(1); // first byte: unused bits
  const usages: string[] = [];
  KEY_USAGE_BITS.forEach((name, bit) => {
    const byte = bytes.charCodeAt(Math.floor(bit / 8));
    if (!Number.isNaN(byte) && byte & (0x80 >> (bit % 8))) usages.push(name);
  });
  return usages;
}

function extendedKeyUsageOf(parsed: ParsedCertificate): string[] {
  const extension = parsed.extensions.get("2.5.29.37");
  if (!extension) return [];
  return (asn1.fromDer(extension.value).value as forge.asn1.Asn1[]).map((node) => {
    const oid = asn1.derToOid(node.value as string);
    return EKU_NAMES[oid] ?? oid;
  });
}

function isCaOf(parsed: ParsedCertificate): boolean {
  const extension = parsed.extensions.get("2.5.29.19");
  if (!extension) return false;
  const first = (asn1.fromDer(extension.value).value as forge.asn1.Asn1[])[0];
  return first?.type === asn1.Type.BOOLEAN && (first.value as string) !== "\x00";
}

function subjectAltNamesOf(parsed: ParsedCertificate): string[] {
  const extension = parsed.extensions.get("2.5.29.17");
  if (!extension) return [];
  return (asn1.fromDer(extension.value).value as forge.asn1.Asn1[]).flatMap((node) => {
    const raw = node.value;
    if (typeof raw !== "string") return [];
    if (node.type === 2) return [`DNS:${raw}`];
    if (node.type === 1) return [`email:${raw}`];
    if (node.type === 6) return [`URI:${raw}`];
    if (node.type === 7) {
      const bytes = Buffer.from(raw, "binary");
      if (bytes.length === 4) return [`IP:${[...bytes].join(".")}`];
      const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
      return [`IP:${groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::")}`];
    }
    return [];
  });
}

/**
 * Which kind of certificate this is, from its shape:
 * - `ca`: BasicConstraints cA=true;
 * - `foces2`: legacy FOCES subject, `serialNumber=CVR:<cvr>-FID:<fid>`;
 * - `tls`: EKU serverAuth;
 * - `oces3-system`: OCES3 organisation certificate, `serialNumber=UI:DK-O:G:<uuid>` with
 *   `organizationIdentifier=NTRDK-<cvr>` (the real NemLog-in IdP certificate is one);
 * - `sts`: signing only (digitalSignature + nonRepudiation, no keyEncipherment), harness shape;
 * - `wsp`: signing and encryption (digitalSignature + keyEncipherment), harness shape;
 * - otherwise `unknown`.
 */
export function detectProfile(cert: Certificate): DetectedProfile {
  const parsed = parse(cert);
  if (isCaOf(parsed)) return "ca";
  const serials = attributes(parsed.subject, "serialNumber");
  if (serials.some((value) => /^CVR:\d{8}-FID:\d+/.test(value))) return "foces2";
  const eku = extendedKeyUsageOf(parsed);
  if (eku.includes("serverAuth")) return "tls";
  const organizationIds = attributes(parsed.subject, "organizationIdentifier");
  const hasNtr = organizationIds.some((value) => /^NTRDK-\d{8}$/.test(value));
  const usage = keyUsageOf(parsed);
  if (hasNtr && serials.some((value) => /^UI:DK-O:G:[0-9a-f-]{36}$/i.test(value))) return "oces3-system";
  if (hasNtr && serials.length === 0) {
    if (usage.includes("digitalSignature") && !usage.includes("keyEncipherment")) return "sts";
    if (usage.includes("digitalSignature") && usage.includes("keyEncipherment")) return "wsp";
  }
  return "unknown";
}

export function inspectCertificate(cert: Certificate): CertificateInspection {
  const parsed = parse(cert);
  return {
    subject: formatName(parsed.subject),
    issuer: formatName(parsed.issuer),
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    sha1: cert.sha1,
    sha256: cert.sha256,
    cvr: cvrOf(cert),
    profile: detectProfile(cert),
  };
}

/** Further facts for the human-readable `certs inspect` output. */
export function certificateDetails(cert: Certificate): CertificateDetails {
  const parsed = parse(cert);
  const key = cert.publicKey;
  const selfSigned = formatName(parsed.subject) === formatName(parsed.issuer);
  return {
    keyAlgorithm: key.asymmetricKeyType ?? "unknown",
    keyBits: key.asymmetricKeyDetails?.modulusLength ?? null,
    keyUsage: keyUsageOf(parsed),
    extendedKeyUsage: extendedKeyUsageOf(parsed),
    subjectAltNames: subjectAltNamesOf(parsed),
    isCa: isCaOf(parsed),
    selfSigned,
  };
}
