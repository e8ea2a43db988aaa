export { base64UrlDecode, base64UrlEncode } from "./base64url.js";
export type { EventHandler, GatewayClientOptions, RequestOptions, TypedEventHandler } from "./client.js";
export { GatewayClient } from "./client.js";
export {
  DEVICE_TOKENS_FILE_NAME,
  deviceTokenKey,
  FileDeviceTokenStore,
  MemoryDeviceTokenStore,
} from "./device-tokens.js";
// ── Pairing helpers, connection doctor, CLI (engineer B) ──────────────────────
export { diagnose } from "./doctor/diagnose.js";
export { renderReport, renderStep } from "./doctor/render.js";
export type { DiagnoseOptions, DiagnoseReport, DiagnoseStep, DoctorStepName } from "./doctor/types.js";
export { DOCTOR_STEPS } from "./doctor/types.js";
export type { GatewayErrorCode, GatewayErrorInit, GatewayErrorLayer, PairingInfo } from "./errors.js";
export {
  defaultLayer,
  GATEWAY_ERROR_CODES,
  GatewayError,
  isGatewayError,
  isRetryableCode,
  isTransientRequestError,
} from "./errors.js";
// ── Typed protocol: methods and events ───────────────────────────────────────
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
export type { HintQuery } from "./hints.js";
export { CLOSE_CODE_HINTS, CODE_HINTS, DETAIL_CODE_HINTS, HTTP_STATUS_HINTS, hintFor } from "./hints.js";
export type { DeviceIdentity } from "./identity.js";
export {
  DEVICE_FILE_NAME,
  deviceIdFromPublicKey,
  generateIdentity,
  loadIdentity,
  loadOrCreateIdentity,
  privateKeyPemFromRaw,
  publicKeyPemFromRaw,
  rawPrivateKeyFromPem,
  rawPublicKeyFromPem,
  writeFileAtomic,
} from "./identity.js";
export type {
  AgentSummary,
  ApprovalDecision,
  CallOptions,
  ChatContentPart,
  ChatMessage,
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
} from "./methods/index.js";
export {
  APPROVAL_DECISIONS,
  agentSessionKey,
  agentsList,
  agentWait,
  CONFIG_REDACTED_VALUE,
  chatAbort,
  chatHistory,
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
  logsTail,
  messageText,
  modelsAuthStatus,
  parseAgentSessionKey,
  pluginApprovalList,
  pluginApprovalResolve,
  sessionsAbort,
  sessionsCreate,
  sessionsList,
  sessionsReset,
  sessionsSend,
  sessionsSubscribe,
  systemPresence,
} from "./methods/index.js";
export { validateOptions } from "./options.js";
export type {
  PairedDevice,
  PairingEventHandlers,
  PairingList,
  PairingResolved,
  PendingDevice,
} from "./pairing/approver.js";
export { approveDevice, listPairing, onPairingEvents, rejectDevice } from "./pairing/approver.js";
export type {
  AddToPairedJsonOptions,
  AddToPairedJsonResult,
  BuildPairedEntryOptions,
  LegacyPairedEntry,
} from "./pairing/legacy.js";
export { addToPairedJson, buildPairedEntry } from "./pairing/legacy.js";
export type { WaitForApprovalOptions } from "./pairing/wait.js";
export { waitForApproval } from "./pairing/wait.js";
export type { GatewayClientCap, GatewayClientId, GatewayClientMode, OperatorScope } from "./protocol/enums.js";
export {
  GATEWAY_CLIENT_CAPS,
  GATEWAY_CLIENT_IDS,
  GATEWAY_CLIENT_MODES,
  GATEWAY_ROLES,
  OPERATOR_SCOPES,
  PROTOCOL_RANGE,
  PROTOCOL_VERSION,
} from "./protocol/enums.js";
export { errorShapeSchema, eventFrameSchema, requestFrameSchema, responseFrameSchema } from "./protocol/frames.js";
export { fromGatewayError } from "./protocol/gateway-errors.js";
export { helloOkSchema } from "./protocol/hello.js";
export { DEFAULT_SCOPES, hasScope, missingScopes, PAIRING_SCOPES } from "./protocol/scopes.js";
export type { SignedPayloadInput } from "./protocol/signed-payload.js";
export {
  buildSignedPayload,
  buildSignedPayloadV2,
  buildSignedPayloadV3,
  normalizeMetadataField,
  signatureToken,
} from "./protocol/signed-payload.js";
export type { BackoffOptions } from "./reconnect.js";
export { backoffDelay, DEFAULT_BACKOFF } from "./reconnect.js";
export { REDACTED, redact, redactUrl } from "./redact.js";
export type { UpgradeResponseSummary } from "./transport.js";
export { normalizeFingerprint } from "./transport.js";
export type {
  ClientState,
  DeviceTokenKey,
  DeviceTokenRecord,
  DeviceTokenStore,
  ErrorShape,
  EventFrame,
  Frame,
  HelloAuth,
  HelloOk,
  HelloPolicy,
  HelloServer,
  Logger,
  LogLevel,
  LogRecord,
  ReconnectOptions,
  RequestFrame,
  ResponseFrame,
  Role,
  StateChange,
  TlsOptions,
} from "./types.js";
export { checkGatewayUrl, isPrivateHost } from "./url-policy.js";
export { CLIENT_VERSION } from "./version.js";
