export type { AgentInput, AgentsRepo, RejectedAgent } from "./agents.js";
export type { BackoffOptions } from "./backoff.js";
export { computeBackoffMs } from "./backoff.js";
export type { Env, ResolvedDatabasePath } from "./config.js";
export { DEFAULT_DATABASE_FILE, defaultDatabasePath, resolveDatabasePath } from "./config.js";
export type { DriverName } from "./driver/index.js";
export type { StoreErrorCode, StoreValidationIssue } from "./errors.js";
export { isStoreError, STORE_ERROR_CODES, StoreError } from "./errors.js";
export type { GatewayHistoryRepo } from "./gateway-history.js";
export type { IdempotencyRepo, IdempotentResponse } from "./idempotency.js";
export { IDEMPOTENCY_TTL_MS } from "./idempotency.js";
export type { TaskStatus } from "./lifecycle.js";
export {
  ASSIGNABLE_STATUSES,
  allowedTransitions,
  canDispatch,
  canTransition,
  DISPATCHABLE_STATUSES,
  isDispatchable,
  isTerminalStatus,
  STATUSES_REQUIRING_AGENT,
  TASK_STATUSES,
} from "./lifecycle.js";
export { SCHEMA_VERSION } from "./migrations/index.js";
export type { EnqueueMessageInput, OutboxOptions, OutboxRepo } from "./outbox.js";
export {
  deliveryKeyPrefix,
  deliveryKeys,
  dispatchIdempotencyKey,
  messageIdempotencyKey,
  redeliveryKey,
} from "./outbox.js";
export { LIMITS } from "./schemas.js";
export type { SessionInput, SessionsRepo } from "./sessions.js";
export type { OpenStoreOptions, Store, StoreLogger } from "./store.js";
export { openStore } from "./store.js";
export type { TaskEventsRepo } from "./task-events.js";
export { LIFECYCLE_EVENT_TYPES } from "./task-events.js";
export type {
  CreateTaskInput,
  ListTasksOptions,
  TaskPage,
  TasksRepo,
  TransitionOptions,
  UpdateTaskInput,
} from "./tasks.js";
export type {
  Agent,
  CachedSession,
  ChatSendPayload,
  GatewayHistoryEntry,
  OutboxItem,
  OutboxState,
  StoreChange,
  Task,
  TaskEvent,
  TaskPriority,
} from "./types.js";
