import { agentSessionKey, parseAgentSessionKey } from "@missionctl/gateway-client";
import type { openStore } from "@missionctl/mc-store";
import type { AgentStatusBoard } from "./agent-status.js";
import type { ApprovalTracker } from "./approvals.js";
import type { AuthThrottle } from "./auth-throttle.js";
import type { ServerConfig } from "./config.js";
import type { FailureContext } from "./failures.js";
import type { GatewayConnection } from "./gateway.js";
import type { LocalGateway } from "./local-gateway/index.js";
import type { Logger } from "./log.js";
import type { LiveRuns } from "./sessions/live-runs.js";
import type { SessionIndex } from "./sessions/session-index.js";
import type { SseHub } from "./sse.js";
import type { TaskListCache } from "./task-list-cache.js";

export type Store = ReturnType<typeof openStore>;
export type Task = ReturnType<Store["tasks"]["get"]>;
export type OutboxItem = ReturnType<Store["outbox"]["get"]>;

/** Everything a route, the dispatcher and the run follower share: built once per server. */
export interface AppContext {
  config: ServerConfig;
  log: Logger;
  store: Store;
  gateway: GatewayConnection;
  hub: SseHub;
  /** Serialised GET /api/tasks answers by normalised query, bounded by bytes; cleared on any task change. */
  taskListCache: TaskListCache;
  /** Failed API-token attempts per client address (login, bearer, cookie). */
  authThrottle: AuthThrottle;
  sessions: SessionIndex;
  live: LiveRuns;
  approvals: ApprovalTracker;
  agentStatus: AgentStatusBoard;
  /** The gateway this server runs itself (MC_LOCAL_GATEWAY), or null. */
  localGateway: LocalGateway | null;
  startedAt: number;
  version: string;
  /** Wakes the outbox worker (after a dispatch, or when the gateway comes back). */
  kickDispatcher(): void;
  /** Remembers that the dashboard stopped this session's run (the outcome then says by whom). */
  noteAbort(sessionKey: string, runIds: readonly string[]): void;
  /** Who aborted the run, when it was this server; null when unknown. */
  abortedBy(sessionKey: string, runId: string | null): string | null;
  /** What a failure explanation needs to know about this server. */
  failureContext(): FailureContext;
  /** A task's title for a session heading, when the task exists. */
  taskTitle(taskId: string | null): string | null;
}

/** The session that holds one task's conversation with its agent. */
export function taskSessionKey(agentId: string, taskId: string): string {
  return agentSessionKey(agentId, `missionctl-task-${taskId}`);
}

/** The task id inside a session key made by taskSessionKey, or null for any other session. */
export function taskIdFromSessionKey(sessionKey: unknown): string | null {
  if (typeof sessionKey !== "string") return null;
  const name = parseAgentSessionKey(sessionKey)?.name;
  const m = name ? /^missionctl-task-(.+)$/i.exec(name) : null;
  return m ? m[1]! : null;
}
