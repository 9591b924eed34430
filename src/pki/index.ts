export { createTestCa, loadOrCreateTestCa, loadTestCa, saveTestCa, type TestCa } from "./ca.js";
export { Certificate } from "./certificate.js";
export { toPkcs12, writeCredentialFiles } from "./export.js";
export {
  type CertificateInspection,
  certificateDetails,
  cvrOf,
  type DetectedProfile,
  detectProfile,
  inspectCertificate,
} from "./inspect.js";
export {
  type Credential,
  DEFAULT_KEY_BITS,
  type IssueOptions,
  issueCertificate,
  LEAF_PROFILES,
  type Profile,
} from "./issue.js";
export {
  generateFreshKeyPair,
  keyPairFromPem,
  keyPoolDir,
  publicKeyFingerprint,
  type RsaKeyPair,
  takeKeyPair,
  warmKeyPool,
} from "./keys.js";
export {
  CertificateFileError,
  type CertificateFileErrorCode,
  type CredentialFileFormat,
  type LoadedCredentialFile,
  loadCredentialFile,
  parseCredentialBytes,
  parseUploadedCertificate,
} from "./load.js";
export { CERTIFICATE_EXTENSIONS, findCertificateFiles, type UnreadableEntry } from "./scan.js";
