export { openStore } from "./store.js";
export type { OpenStoreOptions, Store, StoreLogger } from "./store.js";
export { resolveDatabasePath, defaultDatabasePath, DEFAULT_DATABASE_FILE } from "./config.js";
export type { Env, ResolvedDatabasePath } from "./config.js";
export { TASK_STATUSES, allowedTransitions, canTransition, isTerminalStatus, DISPATCHABLE_STATUSES, STATUSES_REQUIRING_AGENT } from "./lifecycle.js";
export type { TaskStatus } from "./lifecycle.js";
export { StoreError, STORE_ERROR_CODES, isStoreError } from "./errors.js";
export type { StoreErrorCode, StoreValidationIssue } from "./errors.js";
export { LIMITS } from "./schemas.js";
export { SCHEMA_VERSION } from "./migrations/index.js";
export { computeBackoffMs } from "./backoff.js";
export type { BackoffOptions } from "./backoff.js";
export { dispatchIdempotencyKey } from "./outbox.js";
export type { OutboxOptions, OutboxRepo } from "./outbox.js";
export { LIFECYCLE_EVENT_TYPES } from "./task-events.js";
export type { TaskEventsRepo } from "./task-events.js";
export type { AgentInput, AgentsRepo } from "./agents.js";
export type { CreateTaskInput, UpdateTaskInput, TransitionOptions, ListTasksOptions, TaskPage, TasksRepo } from "./tasks.js";
export type { SessionInput, SessionsRepo } from "./sessions.js";
export type { GatewayHistoryRepo } from "./gateway-history.js";
export type { DriverName } from "./driver/index.js";
export type {
  Agent,
  Task,
  TaskPriority,
  TaskEvent,
  OutboxItem,
  OutboxState,
  ChatSendPayload,
  CachedSession,
  GatewayHistoryEntry,
  StoreChange,
} from "./types.js";
