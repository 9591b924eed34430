/**
 * smdb-harness as a library: start the harness in a test, drive it through the registry and the
 * clock, read its decisions from the event log; call it with the reference client (WscClient).
 */
export { type ClientConfig, loadClientConfig, parseClientConfig } from "./client/config.js";
export { ClientError, type ClientReason } from "./client/errors.js";
export { type Token, WscClient, type WscClientOptions } from "./client/wsc-client.js";
export {
  type Clock,
  parseDuration,
  parseTime,
  RealClock,
  SkewedClock,
  VirtualClock,
} from "./harness/clock.js";
export { ENVIRONMENTS, type Environment, EventLog, type HarnessEvent } from "./harness/events.js";
export {
  type FaultMode,
  Harness,
  HarnessBuilder,
  type HarnessOptions,
  type HarnessSettings,
  startHarness,
} from "./harness/harness.js";
export { htmlReport, jsonReport, junitReport, renderReport, terminalReport } from "./harness/report/index.js";
export {
  type ExploreOptions,
  type ExploreResult,
  exploreOrderings,
  formatExploreTable,
  type Ordering,
} from "./harness/scenario/explore.js";
export {
  parseScenarioFile,
  parseScenarioObject,
  parseScenarioText,
  type Scenario,
  ScenarioError,
  type ScenarioProblem,
} from "./harness/scenario/parse.js";
export type { FailureWindow, ScenarioResult } from "./harness/scenario/result.js";
export { runScenarioFiles } from "./harness/scenario/run-many.js";
export { type RunOptions, runScenario, type ScenarioInput } from "./harness/scenario/runner.js";
export {
  type EnvironmentIdentity,
  HarnessState,
  STS_ENDPOINT_REFERENCES,
  WSP_ENTITY_IDS,
} from "./harness/state.js";
export {
  CLIENT_SETUP_REASONS,
  FAILURE_REASONS,
  type FailureReason,
  isFailureReason,
  STS_CLIENT_REASONS,
  STS_REASONS,
  WSP_CLIENT_REASONS,
  WSP_REASONS,
} from "./reason-codes.js";
export { adminRouter } from "./sts/admin-api.js";
export { AdminError, Registry, type SystemUserRecord } from "./sts/registry.js";
export { decideRollover, type ProvisionedSet, type RolloverDecision, type Slot } from "./sts/rollover.js";
export {
  DEFAULT_PRIVILEGES,
  PRIVILEGE_HENT,
  PRIVILEGE_INDBERET,
  ROLLOVER_POLICIES,
  type RolloverPolicy,
  type StsDirectory,
} from "./sts/types.js";
