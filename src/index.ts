/**
 * smdb-harness as a library: start the harness in a test, drive it through the registry and the
 * clock, read its decisions from the event log; call it with the reference client (WscClient).
 */
export { type ClientConfig, loadClientConfig, parseClientConfig } from "./client/config.js";
export { ClientError, type ClientReason } from "./client/errors.js";
export { type Token, WscClient, type WscClientOptions } from "./client/wsc-client.js";
export { adminRouter } from "./control/admin-api.js";
export type * from "./control/harness-control.js";
export { LocalControl } from "./control/local-control.js";
export { RemoteControl, RemoteControlError, type RemoteControlOptions } from "./control/remote-control.js";
export {
  type Clock,
  parseDuration,
  parseTime,
  RealClock,
  SkewedClock,
  VirtualClock,
} from "./core/clock.js";
export { HarnessError, type RefusalKind, RefusedError } from "./core/errors.js";
export { ENVIRONMENTS, type Environment, EventLog, type HarnessEvent } from "./core/events.js";
export {
  CLIENT_SETUP_REASONS,
  FAILURE_REASONS,
  type FailureReason,
  isFailureReason,
  STS_CLIENT_REASONS,
  STS_REASONS,
  WSP_CLIENT_REASONS,
  WSP_REASONS,
} from "./core/reason-codes.js";
export {
  type FaultMode,
  Harness,
  HarnessBuilder,
  type HarnessOptions,
  type HarnessSettings,
  startHarness,
} from "./harness/harness.js";
export { ROLES, type Role } from "./harness/roles.js";
export {
  type RunningService,
  type ServiceFile,
  type ServiceOptions,
  serviceFiles,
  startService,
} from "./harness/service.js";
export {
  type EnvironmentIdentity,
  HarnessState,
  STS_ENDPOINT_REFERENCES,
  WSP_ENTITY_IDS,
} from "./harness/state.js";
export {
  type ExploreOptions,
  type ExploreResult,
  exploreOrderings,
  formatExploreTable,
  type Ordering,
} from "./scenario/explore.js";
export {
  parseScenarioFile,
  parseScenarioObject,
  parseScenarioText,
  type Scenario,
  ScenarioError,
  type ScenarioProblem,
} from "./scenario/parse.js";
export {
  checkPlanInput,
  type PlanInput,
  PlanInputError,
  proposeSchedule,
  type Schedule,
} from "./scenario/plan.js";
export { type Language, planIcs, planJson, planText } from "./scenario/plan-report.js";
export { type RotationPlan, verifyPlan } from "./scenario/plan-verify.js";
export {
  htmlReport,
  jsonReport,
  junitReport,
  renderReport,
  terminalReport,
} from "./scenario/report/index.js";
export type { FailureWindow, ScenarioResult } from "./scenario/result.js";
export { runScenarioFiles } from "./scenario/run-many.js";
export { type RunOptions, runScenario, type ScenarioInput } from "./scenario/runner.js";
export { DEFAULT_PRIVILEGES, PRIVILEGE_HENT, PRIVILEGE_INDBERET } from "./smdb/privileges.js";
export type { SystemUserRecord } from "./sts/registry/model.js";
export { Registry } from "./sts/registry/registry.js";
export {
  DEFAULT_ROLLOVER_POLICY,
  decideRollover,
  type ProvisionedSet,
  ROLLOVER_POLICIES,
  type RolloverDecision,
  type RolloverPolicy,
  type Slot,
} from "./sts/rollover.js";
export type { StsDirectory } from "./sts/types.js";
