/**
 * A parsed X.509 certificate with the values the harness needs at hand (thumbprints, validity,
 * public key). Parsing is cached by DER hash: the STS and WSP see the same certificates over
 * and over, and parsing them once is part of being fast.
 */
import { createHash, type KeyObject, X509Certificate } from "node:crypto";

export class Certificate {
  readonly der: Buffer;
  readonly x509: X509Certificate;
  /** Upper-case hex thumbprints without separators, as Windows and the contract show them. */
  readonly sha1: string;
  readonly sha256: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  #pem?: string;

  private constructor(der: Buffer) {
    this.der = der;
    this.x509 = new X509Certificate(der);
    this.sha1 = createHash("sha1").update(der).digest("hex").toUpperCase();
    this.sha256 = createHash("sha256").update(der).digest("hex").toUpperCase();
    this.notBefore = new Date(this.x509.validFrom);
    this.notAfter = new Date(this.x509.validTo);
  }

  static #cache = new Map<string, Certificate>();
  static readonly #CACHE_LIMIT = 4096;

  /** Parses DER (cached by content). Throws node's error for bytes that are not a certificate. */
  static fromDer(der: Buffer | Uint8Array): Certificate {
    const buffer = Buffer.isBuffer(der) ? der : Buffer.from(der);
    const key = buffer.toString("base64");
    let cert = Certificate.#cache.get(key);
    if (!cert) {
      cert = new Certificate(buffer);
      if (Certificate.#cache.size >= Certificate.#CACHE_LIMIT) Certificate.#cache.clear();
      Certificate.#cache.set(key, cert);
    }
    return cert;
  }

  /** Parses base64 DER, as carried in a BinarySecurityToken or ds:X509Certificate. */
  static fromBase64(base64: string): Certificate {
    return Certificate.fromDer(Buffer.from(base64.replace(/\s+/g, ""), "base64"));
  }

  /** Parses the first PEM certificate in the text. */
  static fromPem(pem: string): Certificate {
    const match = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
    if (!match) throw new Error("no PEM certificate found");
    return Certificate.fromBase64(match[1]!);
  }

  get pem(): string {
    if (!this.#pem) {
      const lines = this.base64.match(/.{1,64}/g) ?? [];
      this.#pem = `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
    }
    return this.#pem;
  }
  get base64(): string {
    return this.der.toString("base64");
  }
  get publicKey(): KeyObject {
    return this.x509.publicKey;
  }
  get subject(): string {
    return this.x509.subject;
  }
  get issuer(): string {
    return this.x509.issuer;
  }
  /** Serial number as upper-case hex, as node reports it. */
  get serialNumber(): string {
    return this.x509.serialNumber.toUpperCase();
  }
  /** True when `atMs` lies within [notBefore, notAfter] (both inclusive, as X.509 defines). */
  isValidAt(atMs: number): boolean {
    return atMs >= this.notBefore.getTime() && atMs <= this.notAfter.getTime();
  }
  /** True when this certificate's signature verifies with `issuer`'s key and names it as issuer. */
  isIssuedBy(issuer: Certificate): boolean {
    return this.x509.checkIssued(issuer.x509) && this.x509.verify(issuer.publicKey);
  }
  equals(other: Certificate): boolean {
    return this.sha256 === other.sha256;
  }
}
