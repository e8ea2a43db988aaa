// The typed protocol methods, one function each; see define.ts for how a call is checked.

export type { AgentSummary } from "./agents.js";
export { agentSummarySchema, agentsList, agentWait } from "./agents.js";
export type {
  ApprovalDecision,
  ExecApproval,
  ExecApprovalResolved,
  PluginApproval,
  PluginApprovalResolved,
} from "./approvals.js";
export {
  APPROVAL_DECISIONS,
  execApprovalList,
  execApprovalRequestSchema,
  execApprovalResolve,
  execApprovalResolvedSchema,
  execApprovalSchema,
  pluginApprovalList,
  pluginApprovalRequestSchema,
  pluginApprovalResolve,
  pluginApprovalResolvedSchema,
  pluginApprovalSchema,
} from "./approvals.js";
export type { ChatContentPart, ChatMessage, ChatToolCall } from "./chat.js";
export {
  chatAbort,
  chatContentPartSchema,
  chatHistory,
  chatInject,
  chatMessageSchema,
  chatSend,
  messageText,
  messageToolCalls,
} from "./chat.js";
export type { ConfigGetResult } from "./config.js";
export { CONFIG_REDACTED_VALUE, configGet } from "./config.js";
export type { CallOptions, GatewayMethod, MethodParams, MethodResult, RequestTarget } from "./define.js";
export { defineMethod } from "./define.js";
export type { PairedDevice, PendingDevice } from "./devices.js";
export {
  devicePairApprove,
  devicePairList,
  devicePairReject,
  devicePairRemove,
  pairedDeviceSchema,
  pendingDeviceSchema,
} from "./devices.js";
export { logsTail } from "./logs.js";
export type { ModelProviderAuth } from "./models.js";
export { modelProviderAuthSchema, modelsAuthStatus } from "./models.js";
export type { SessionRow } from "./sessions.js";
export {
  agentSessionKey,
  parseAgentSessionKey,
  sessionRowSchema,
  sessionsAbort,
  sessionsCreate,
  sessionsList,
  sessionsReset,
  sessionsSend,
  sessionsSubscribe,
} from "./sessions.js";
export type { Health } from "./system.js";
export { gatewayHealth, gatewayStatus, healthSchema, systemPresence } from "./system.js";
export type { TranscriptView, TurnOutcome } from "./turns.js";
export { isGatewayInterruption, sessionIsBusy, turnOutcome } from "./turns.js";
