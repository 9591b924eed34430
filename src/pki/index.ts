export { createTestCa, loadOrCreateTestCa, loadTestCa, saveTestCa, type TestCa } from "./ca.js";
export { Certificate } from "./certificate.js";
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
