/**
 * Certificate issuing for the test PKI. node-forge builds the TBSCertificate; the signature is
 * made with node:crypto so that a 3072-bit CA key signs natively, in well under a millisecond's
 * worth of JavaScript.
 */
import { randomBytes, randomUUID, sign } from "node:crypto";
import forge from "node-forge";
import { Certificate } from "./certificate.js";
import { type KeyOptions, type RsaKeyPair, takeKeyPair } from "./keys.js";

export type Profile = "oces3-system" | "foces2" | "sts" | "wsp" | "tls" | "root-ca" | "issuing-ca";

export const LEAF_PROFILES = ["oces3-system", "foces2", "sts", "wsp", "tls"] as const;

/** A certificate together with its private key. */
export interface Credential {
  certificate: Certificate;
  key: RsaKeyPair;
  /** Issuing chain above the certificate, nearest first (issuing CA, then root). */
  chain: Certificate[];
}

export interface IssueOptions {
  profile: Profile;
  /** CVR number of the owning organisation (8 digits; fictitious test numbers start with 9). */
  cvr?: string;
  /** Common name; for `oces3-system` the system's name, for `foces2` the function name. */
  name?: string;
  organization?: string;
  notBefore: Date;
  notAfter: Date;
  /** OCES3: the UUID in `serialNumber=UI:DK-O:G:<uuid>`; FOCES: the FID number. */
  uuid?: string;
  fid?: string;
  /** TLS: DNS names and IP addresses for subjectAltName. */
  dnsNames?: string[];
  ipAddresses?: string[];
  keyBits?: number;
  keyOptions?: KeyOptions;
  /** Use this key instead of taking one (e.g. to re-issue with the same key). */
  key?: RsaKeyPair;
}

export const DEFAULT_KEY_BITS: Record<Profile, number> = {
  "oces3-system": 3072,
  foces2: 2048,
  sts: 3072,
  wsp: 3072,
  tls: 2048,
  "root-ca": 3072,
  "issuing-ca": 3072,
};

const OID_ORGANIZATION_IDENTIFIER = "2.5.4.97";
const UTF8 = forge.asn1.Type.UTF8;

type Attr = { type?: string; name?: string; shortName?: string; value: string; valueTagClass?: number };

/**
 * Subject attributes in DER order. OCES3 certificates (and the OCES CAs) put CN first in DER, so
 * that the RFC 2253 form (last RDN first) reads `C=DK, organizationIdentifier=NTRDK-…, O=…,
 * serialNumber=UI:DK-O:G:…, CN=…` as docs/protocol.md and the real NemLog-in certificate show. Legacy
 * FOCES certificates have the opposite DER order (C first), ending in a multi-valued RDN.
 */
export function subjectAttributes(options: IssueOptions): Attr[] {
  const cvr = options.cvr ?? "99999999";
  const name = options.name ?? defaultName(options.profile);
  switch (options.profile) {
    case "oces3-system":
      return [
        { shortName: "CN", value: name, valueTagClass: UTF8 },
        { name: "serialNumber", value: `UI:DK-O:G:${options.uuid ?? randomUUID()}` },
        { shortName: "O", value: options.organization ?? `Testorganisation ${cvr}`, valueTagClass: UTF8 },
        { type: OID_ORGANIZATION_IDENTIFIER, value: `NTRDK-${cvr}`, valueTagClass: UTF8 },
        { shortName: "C", value: "DK" },
      ];
    case "foces2": {
      const org = options.organization ?? `Testorganisation ${cvr}`;
      return [
        { shortName: "C", value: "DK" },
        { shortName: "O", value: `${org} // CVR:${cvr}`, valueTagClass: UTF8 },
        // The last two form one multi-valued RDN (see joinLastRdns).
        { name: "serialNumber", value: `CVR:${cvr}-FID:${options.fid ?? randomDigits(13)}` },
        { shortName: "CN", value: `${name} (funktionscertifikat)`, valueTagClass: UTF8 },
      ];
    }
    case "sts":
    case "wsp":
    case "tls":
      return [
        { shortName: "CN", value: name, valueTagClass: UTF8 },
        { shortName: "O", value: options.organization ?? "smdb-harness test", valueTagClass: UTF8 },
        { type: OID_ORGANIZATION_IDENTIFIER, value: `NTRDK-${cvr}`, valueTagClass: UTF8 },
        { shortName: "C", value: "DK" },
      ];
    case "root-ca":
    case "issuing-ca":
      return [
        { shortName: "CN", value: name, valueTagClass: UTF8 },
        { shortName: "O", value: options.organization ?? "smdb-harness test PKI", valueTagClass: UTF8 },
        { shortName: "C", value: "DK" },
      ];
  }
}

function defaultName(profile: Profile): string {
  switch (profile) {
    case "oces3-system":
      return "SMDB indberetning";
    case "foces2":
      return "SMDB indberetning";
    case "sts":
      return "smdb-harness STS signing";
    case "wsp":
      return "smdb-harness SMDB service";
    case "tls":
      return "localhost";
    case "root-ca":
      return "smdb-harness Test Root CA";
    case "issuing-ca":
      return "smdb-harness Test Issuing CA";
  }
}

function randomDigits(count: number): string {
  let out = "";
  for (const byte of randomBytes(count)) out += String(byte % 10);
  return out;
}

function extensionsFor(options: IssueOptions): object[] {
  const keyId = { name: "subjectKeyIdentifier" };
  switch (options.profile) {
    case "root-ca":
      return [
        { name: "basicConstraints", cA: true, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
        keyId,
      ];
    case "issuing-ca":
      return [
        { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
        keyId,
      ];
    case "oces3-system":
    case "foces2":
    case "wsp":
      return [
        { name: "basicConstraints", cA: false, critical: true },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        keyId,
      ];
    case "sts":
      return [
        { name: "basicConstraints", cA: false, critical: true },
        { name: "keyUsage", digitalSignature: true, nonRepudiation: true, critical: true },
        keyId,
      ];
    case "tls":
      return [
        { name: "basicConstraints", cA: false, critical: true },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        { name: "extKeyUsage", serverAuth: true },
        {
          name: "subjectAltName",
          altNames: [
            ...(options.dnsNames ?? ["localhost"]).map((value) => ({ type: 2, value })),
            ...(options.ipAddresses ?? ["127.0.0.1", "::1"]).map((ip) => ({ type: 7, ip })),
          ],
        },
        keyId,
      ];
  }
}

/** Merges the last two RDNs of a Name into one multi-valued RDN (FOCES `serialNumber + CN`). */
function joinLastRdns(name: forge.asn1.Asn1): void {
  const rdns = name.value as forge.asn1.Asn1[];
  const last = rdns.pop()!;
  const previous = rdns[rdns.length - 1]!;
  (previous.value as forge.asn1.Asn1[]).push(...(last.value as forge.asn1.Asn1[]));
}

function serialNumberHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // positive INTEGER
  if (bytes[0] === 0) bytes[0] = 1;
  return bytes.toString("hex");
}

/**
 * Issues a certificate. `issuer` undefined makes it self-signed (a root CA).
 * The authority key identifier is the issuer's subject key identifier.
 */
export async function issueCertificate(options: IssueOptions, issuer?: Credential): Promise<Credential> {
  if (!(options.notAfter.getTime() > options.notBefore.getTime())) {
    throw new RangeError(
      `notAfter (${options.notAfter.toISOString()}) must be after notBefore (${options.notBefore.toISOString()})`,
    );
  }
  const key =
    options.key ??
    (await takeKeyPair(options.keyBits ?? DEFAULT_KEY_BITS[options.profile], options.keyOptions));
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(
    key.publicKey.export({ type: "spki", format: "pem" }).toString(),
  );
  cert.serialNumber = serialNumberHex();
  // X.509 time has seconds precision; drop milliseconds so the certificate says what was asked.
  cert.validity.notBefore = new Date(Math.floor(options.notBefore.getTime() / 1000) * 1000);
  cert.validity.notAfter = new Date(Math.floor(options.notAfter.getTime() / 1000) * 1000);
  const subject = subjectAttributes(options);
  cert.setSubject(subject as forge.pki.CertificateField[]);
  const issuerForge = issuer
    ? forge.pki.certificateFromAsn1(forge.asn1.fromDer(issuer.certificate.der.toString("binary")))
    : undefined;
  cert.setIssuer(issuerForge ? issuerForge.subject.attributes : (subject as forge.pki.CertificateField[]));
  const extensions = extensionsFor(options);
  if (issuerForge) {
    const ski = issuerForge.getExtension("subjectKeyIdentifier") as { subjectKeyIdentifier?: string } | null;
    if (ski?.subjectKeyIdentifier) {
      extensions.push({
        name: "authorityKeyIdentifier",
        keyIdentifier: forge.util.hexToBytes(ski.subjectKeyIdentifier),
      });
    }
  }
  cert.setExtensions(extensions);

  const sha256WithRsa = forge.pki.oids.sha256WithRSAEncryption!;
  cert.signatureOid = sha256WithRsa;
  (cert as unknown as { siginfo: { algorithmOid: string } }).siginfo.algorithmOid = sha256WithRsa;
  const tbs = (
    forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }
  ).getTBSCertificate(cert);
  if (options.profile === "foces2") joinLastRdns((tbs.value as forge.asn1.Asn1[])[5]!);
  const tbsDer = Buffer.from(forge.asn1.toDer(tbs).getBytes(), "binary");
  const signingKey = issuer ? issuer.key.privateKey : key.privateKey;
  cert.signature = sign("sha256", tbsDer, signingKey).toString("binary");
  (cert as unknown as { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), "binary");

  return {
    certificate: Certificate.fromDer(der),
    key,
    chain: issuer ? [issuer.certificate, ...issuer.chain] : [],
  };
}
