export { AXUM_VERSION, PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from './version.js';
export { ERROR_CODES, ErrorCode } from './error-code.js';
export {
  ConfigProblem,
  ConfigStatus,
  DaemonInfo,
  DeployOutcome,
  RunDeploy,
  DaemonState,
  BackupTargetStatus,
  EnvironmentView,
  HostView,
  LiveRevision,
  ServingRevision,
  Pause,
  RunStatus,
  RunView,
  StepStatus,
  StepView,
} from './state.js';
export { ClientMessage, Hello, Request, RequestBody } from './client-message.js';
export type { RequestMethod } from './client-message.js';
export {
  BackupsChanged,
  ClientsChanged,
  ConfigChanged,
  DaemonMessage,
  DaemonStopping,
  EnvironmentUpdated,
  ErrorMessage,
  LogChunk,
  LogChunkMessage,
  RunUpdated,
  Result,
  Snapshot,
  Welcome,
} from './daemon-message.js';
export type { Delta } from './daemon-message.js';
export { isDelta } from './delta-types.js';
export { ACTIVITY_KEPT, ActivityEntry, AttachedClient } from './presence.js';
export { ActivityAdded, WarningAdded } from './daemon-message.js';
export { BackupReport, BackupTargetReport, DeployResult, FsckReport, MarkResult, PinResult, RESULT_SCHEMAS, TriggeredRun } from './request-result.js';
export type { ParamsOf, ResultOf } from './request-result.js';
export { pathWords } from './config-path-words.js';
export { MAX_FRAME_BYTES, decodeClientMessage, decodeDaemonMessage, decodeResult, encode } from './codec.js';
export type { Decoded, DecodedResult } from './codec.js';
export { RECENT_RUNS, applyDelta } from './apply-delta.js';
export {
  CONFIG_FILE,
  DAEMON_ARGV_MARKER,
  DAEMON_NODE_FLAGS,
  DISCOVERY_FILE,
  LOG_FILE,
  PID_FILE,
  STATE_DIR,
  isProcessAlive,
} from './discovery.js';
export { formatLockOwner, isDaemonFor, isSameProcess, parseLockOwner, procProbe, selfAsOwner } from './daemon-identity.js';
export type { LockOwner, ProcessProbe } from './daemon-identity.js';
export { assertNoStateLinks, assertStillOpenAt, mkdirNoFollow, openNoFollow, stateDirLinkProblem, stateLinkProblem } from './state-dir-links.js';
export { currentUid, octal, ownFileProblem, ownSocketProblem, privateDirProblem, repositoryKey, runtimePathsFor } from './runtime-paths.js';
export type { RuntimePaths } from './runtime-paths.js';
export { resolveRepositoryRoot } from './repository-root.js';
export type { RepositoryRoot } from './repository-root.js';
export { parseListenAddress } from './listen-address.js';
export type { ListenAddress } from './listen-address.js';
export { PipelineConfigSchema, backupTargetProblem, sshBackupTarget } from './pipeline-config.js';
export { PipelineConfigSnapshot } from './pipeline-config-snapshot.js';
export { hostSpecProblem, parseHostSpec } from './host-spec.js';
export type { HostSpec } from './host-spec.js';
export { parseGate, gateProblem, gateThresholdText, metricNumberText, GATE_SYNTAX } from './gate-expression.js';
export { branchNameProblem } from './branch-name.js';
export type { GateExpression, GateOp } from './gate-expression.js';
export type { CheckSpec, PipelineConfig } from './pipeline-config.js';
export type { ConfigLoad } from './config-load.js';
export { parseConfigText, formatProblem, parseYaml } from './pipeline-config-parse.js';
export { ageText, agoText, minuteText, parseDuration, DURATION_PATTERN } from './duration.js';
export { pipelineJsonSchema, PIPELINE_SCHEMA_PATH } from './pipeline-json-schema.js';
export { ArtifactView, GateVerdict, OperationStep, OperationStepStatus, ReleaseDiff, ReleaseListing, ReleaseMark, ReleaseView, RevisionHost, RevisionKind, RevisionStatus, RevisionView } from './release.js';
export { backupAge } from './backup-age.js';
export { nearestWord } from './nearest-word.js';
export { badRefusal, markedBad, markTime, type BadMark } from './bad-mark-words.js';
export { integrityProblem, integrityRefusalText, missingRevisionText } from './revision-words.js';
export { busyText, liveAlreadyText, noStepText, nothingToApproveText } from './refusal-words.js';
export { approvalScopeText } from './approval-words.js';
