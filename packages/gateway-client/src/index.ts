export { GatewayClient } from "./client.js";
export type { EventHandler, GatewayClientOptions, RequestOptions } from "./client.js";
export {
  GatewayError,
  GATEWAY_ERROR_CODES,
  isGatewayError,
  isRetryableCode,
  defaultLayer,
} from "./errors.js";
export type { GatewayErrorCode, GatewayErrorInit, GatewayErrorLayer, PairingInfo } from "./errors.js";
export { CODE_HINTS, DETAIL_CODE_HINTS, HTTP_STATUS_HINTS, CLOSE_CODE_HINTS, hintFor } from "./hints.js";
export type { HintQuery } from "./hints.js";
export {
  loadOrCreateIdentity,
  loadIdentity,
  generateIdentity,
  deviceIdFromPublicKey,
  publicKeyPemFromRaw,
  privateKeyPemFromRaw,
  rawPublicKeyFromPem,
  rawPrivateKeyFromPem,
  writeFileAtomic,
  DEVICE_FILE_NAME,
} from "./identity.js";
export type { DeviceIdentity } from "./identity.js";
export { base64UrlEncode, base64UrlDecode } from "./base64url.js";
export {
  FileDeviceTokenStore,
  MemoryDeviceTokenStore,
  deviceTokenKey,
  DEVICE_TOKENS_FILE_NAME,
} from "./device-tokens.js";
export {
  buildSignedPayload,
  buildSignedPayloadV2,
  buildSignedPayloadV3,
  normalizeMetadataField,
  signatureToken,
} from "./protocol/signedPayload.js";
export type { SignedPayloadInput } from "./protocol/signedPayload.js";
export {
  GATEWAY_CLIENT_IDS,
  GATEWAY_CLIENT_MODES,
  GATEWAY_ROLES,
  OPERATOR_SCOPES,
  PROTOCOL_VERSION,
} from "./protocol/enums.js";
export type { GatewayClientId, GatewayClientMode } from "./protocol/enums.js";
export { helloOkSchema } from "./protocol/hello.js";
export { errorShapeSchema, eventFrameSchema, responseFrameSchema, requestFrameSchema } from "./protocol/frames.js";
export { fromGatewayError } from "./protocol/gatewayErrors.js";
export { checkGatewayUrl, isPrivateHost } from "./url-policy.js";
export { normalizeFingerprint } from "./transport.js";
export type { UpgradeResponseSummary } from "./transport.js";
export { backoffDelay, DEFAULT_BACKOFF } from "./reconnect.js";
export type { BackoffOptions } from "./reconnect.js";
export { redact, redactUrl, REDACTED } from "./redact.js";
export { validateOptions } from "./options.js";
export { CLIENT_VERSION } from "./version.js";
export type {
  ClientState,
  StateChange,
  Role,
  RequestFrame,
  ResponseFrame,
  EventFrame,
  Frame,
  ErrorShape,
  HelloOk,
  HelloPolicy,
  HelloAuth,
  HelloServer,
  Logger,
  LogLevel,
  LogRecord,
  TlsOptions,
  ReconnectOptions,
  DeviceTokenRecord,
  DeviceTokenKey,
  DeviceTokenStore,
} from "./types.js";

// ── Pairing helpers, connection doctor, CLI (engineer B) ──────────────────────
export { diagnose } from "./doctor/diagnose.js";
export { renderReport, renderStep } from "./doctor/render.js";
export { DOCTOR_STEPS } from "./doctor/types.js";
export type { DiagnoseOptions, DiagnoseReport, DiagnoseStep, DoctorStepName } from "./doctor/types.js";
export { waitForApproval } from "./pairing/wait.js";
export type { WaitForApprovalOptions } from "./pairing/wait.js";
export { listPairing, approveDevice, rejectDevice, onPairingEvents } from "./pairing/approver.js";
export type { PairingList, PendingDevice, PairedDevice, PairingResolved, PairingEventHandlers } from "./pairing/approver.js";
export { buildPairedEntry, addToPairedJson } from "./pairing/legacy.js";
export type { LegacyPairedEntry, BuildPairedEntryOptions, AddToPairedJsonOptions, AddToPairedJsonResult } from "./pairing/legacy.js";
