// @missionctl/gateway-client — what an application uses: the client, identity, errors, the
// doctor, pairing helpers, the typed methods and events, the protocol's constants, redaction,
// and the input guards the CLIs share (terminal-safe text, bounded file reads, the URL policy).
// The wire schemas are in ./protocol, the hint tables in ./hints, paired.json support in ./legacy.

export type { BoundedReadFailure, BoundedReadOptions, BoundedReadResult } from "./bounded-read.js";
export { describeBoundedReadFailure, readFileBounded, readFileBoundedSync } from "./bounded-read.js";
export type {
  EventHandler,
  GatewayClientOptions,
  LifecycleHooks,
  RequestOptions,
  TypedEventHandler,
} from "./client.js";
export { GatewayClient } from "./client.js";
export {
  DEVICE_TOKENS_FILE_NAME,
  FileDeviceTokenStore,
  MemoryDeviceTokenStore,
} from "./device-tokens.js";
export { diagnose } from "./doctor/diagnose.js";
export { renderReport, renderStep } from "./doctor/render.js";
export type { DiagnoseOptions, DiagnoseReport, DiagnoseStep, DoctorStepName } from "./doctor/types.js";
export { DOCTOR_STEPS } from "./doctor/types.js";

export type { GatewayErrorCode, GatewayErrorInit, GatewayErrorLayer, PairingInfo } from "./errors.js";
export {
  GATEWAY_ERROR_CODES,
  GatewayError,
  isGatewayError,
  isRetryableCode,
  isTransientRequestError,
} from "./errors.js";
export type { AgentLifecycle, AgentToolUpdate } from "./events/agent-streams.js";
export { agentLifecycle, agentToolUpdate } from "./events/agent-streams.js";
export type {
  AgentEvent,
  ChatEvent,
  DevicePairResolvedEvent,
  GatewayEventMap,
  GatewayEventName,
  PresenceEvent,
  SessionMessageEvent,
  SessionsChangedEvent,
  ShutdownEvent,
  TickEvent,
} from "./events/schemas.js";
export { GATEWAY_EVENT_SCHEMAS, isTypedEvent, parseEventPayload } from "./events/schemas.js";
export type { DeviceIdentity } from "./identity.js";
export { DEVICE_FILE_NAME, generateIdentity, loadIdentity, loadOrCreateIdentity } from "./identity.js";
export type {
  AgentSummary,
  ApprovalDecision,
  CallOptions,
  ChatContentPart,
  ChatMessage,
  ChatToolCall,
  ConfigGetResult,
  ExecApproval,
  ExecApprovalResolved,
  GatewayMethod,
  Health,
  MethodParams,
  MethodResult,
  ModelProviderAuth,
  PluginApproval,
  PluginApprovalResolved,
  RequestTarget,
  SessionRow,
  TranscriptView,
  TurnOutcome,
} from "./methods/index.js";
export {
  APPROVAL_DECISIONS,
  agentSessionKey,
  agentsList,
  agentWait,
  CONFIG_REDACTED_VALUE,
  chatAbort,
  chatHistory,
  chatInject,
  chatSend,
  configGet,
  devicePairApprove,
  devicePairList,
  devicePairReject,
  devicePairRemove,
  execApprovalList,
  execApprovalResolve,
  gatewayHealth,
  gatewayStatus,
  isGatewayInterruption,
  logsTail,
  messageText,
  messageToolCalls,
  modelsAuthStatus,
  parseAgentSessionKey,
  pluginApprovalList,
  pluginApprovalResolve,
  sessionIsBusy,
  sessionsAbort,
  sessionsCreate,
  sessionsList,
  sessionsReset,
  sessionsSend,
  sessionsSubscribe,
  systemPresence,
  turnOutcome,
} from "./methods/index.js";
export type {
  PairedDevice,
  PairingEventHandlers,
  PairingList,
  PairingResolved,
  PendingDevice,
} from "./pairing/approver.js";
export { approveDevice, listPairing, onPairingEvents, rejectDevice } from "./pairing/approver.js";
export type { WaitForApprovalOptions } from "./pairing/wait.js";
export { waitForApproval } from "./pairing/wait.js";
export { MAX_PARAMS_DEPTH, nestsDeeperThan } from "./protocol/encode.js";
export type { GatewayClientCap, GatewayClientId, GatewayClientMode, OperatorScope } from "./protocol/enums.js";
export {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_MODE,
  GATEWAY_CLIENT_CAPS,
  GATEWAY_CLIENT_IDS,
  GATEWAY_CLIENT_MODES,
  GATEWAY_ROLES,
  OPERATOR_SCOPES,
  PROTOCOL_RANGE,
  PROTOCOL_VERSION,
} from "./protocol/enums.js";
export type { EventFrame, HelloAuth, HelloOk, HelloPolicy, HelloServer } from "./protocol/index.js";
export { DEFAULT_SCOPES, hasScope, missingScopes, PAIRING_SCOPES } from "./protocol/scopes.js";
export type { RedactOptions } from "./redact.js";
export { isSecretKey, isSecretName, isSecretParam, REDACTED, redact, redactUrl } from "./redact.js";
export { isSecretHeaderName, redactSecretsInText, secretsInText } from "./redact-text.js";
export { isSecretPath, SecretPath } from "./secret-path.js";
export type { SanitizeOptions } from "./terminal-text.js";
export { sanitizeForTerminal } from "./terminal-text.js";
export type { UpgradeResponseSummary } from "./transport.js";
export type {
  ClientState,
  DeviceTokenKey,
  DeviceTokenRecord,
  DeviceTokenStore,
  Logger,
  LogLevel,
  LogRecord,
  ReconnectOptions,
  Role,
  StateChange,
  TlsOptions,
} from "./types.js";
// The client's URL policy, for applications that validate their configuration before connecting.
export { checkGatewayUrl } from "./url-policy.js";
export { CLIENT_VERSION } from "./version.js";
