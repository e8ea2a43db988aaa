export type { LoadedConfig, LogLevel, ServerConfig } from "./config.js";
export {
  editDistance,
  GATEWAY_CLIENT_IDS,
  GATEWAY_CLIENT_MODES,
  KNOWN_VARIABLES,
  LOG_LEVELS,
  loadConfig,
  OPERATOR_SCOPES,
} from "./config.js";
export type { AppContext } from "./context.js";
export { taskIdFromSessionKey, taskSessionKey } from "./context.js";
export { classifyDeliveryFailure } from "./dispatcher.js";
export type { McServerErrorCode } from "./errors.js";
export { ApiError, McServerError } from "./errors.js";
export type { GatewayState, GatewayStatus } from "./gateway.js";
export { GatewayConnection, safeUrl } from "./gateway.js";
export type { Logger, LogSink } from "./log.js";
export { createLogger, redact } from "./log.js";
export type { CreateServerOptions, McServer } from "./server.js";
export { createServer, startServer } from "./server.js";
export type { SseHubOptions, StreamEvent } from "./sse.js";
export { SseHub, sseFrame } from "./sse.js";
