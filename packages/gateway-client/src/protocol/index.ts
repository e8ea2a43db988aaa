// @missionctl/gateway-client/protocol — the wire format for those who build on it (custom
// methods, proxies, test doubles): the zod schemas of frames, hello-ok, method answers and event
// payloads, the signed connect string, and the gateway-error mapping. Applications use the main
// entry's typed methods and events instead.

export {
  agentEventSchema,
  chatEventSchema,
  devicePairResolvedEventSchema,
  presenceEventSchema,
  sessionMessageEventSchema,
  sessionsChangedEventSchema,
  shutdownEventSchema,
  tickEventSchema,
} from "../events/schemas.js";
export {
  agentSummarySchema,
  chatContentPartSchema,
  chatMessageSchema,
  defineMethod,
  execApprovalRequestSchema,
  execApprovalResolvedSchema,
  execApprovalSchema,
  healthSchema,
  modelProviderAuthSchema,
  pairedDeviceSchema,
  pendingDeviceSchema,
  pluginApprovalRequestSchema,
  pluginApprovalResolvedSchema,
  pluginApprovalSchema,
  sessionRowSchema,
} from "../methods/index.js";
export type {
  ChallengePayload,
  ErrorShape,
  EventFrame,
  Frame,
  InboundFrameResult,
  RequestFrame,
  ResponseFrame,
} from "./frames.js";
export {
  challengePayloadSchema,
  errorShapeSchema,
  eventFrameSchema,
  inboundFrameSchema,
  parseInboundFrame,
  requestFrameSchema,
  responseFrameSchema,
} from "./frames.js";
export type { GatewayErrorContext } from "./gateway-errors.js";
export { fromGatewayError } from "./gateway-errors.js";
export type { HelloAuth, HelloOk, HelloPolicy, HelloServer, HelloSnapshot, PresenceEntry } from "./hello.js";
export {
  helloAuthSchema,
  helloFeaturesSchema,
  helloOkSchema,
  helloPolicySchema,
  helloServerSchema,
  helloSnapshotSchema,
  presenceEntrySchema,
} from "./hello.js";
export type { SignedPayloadInput } from "./signed-payload.js";
export {
  buildSignedPayload,
  buildSignedPayloadV2,
  buildSignedPayloadV3,
  normalizeMetadataField,
  signatureToken,
} from "./signed-payload.js";
