// The task lifecycle, with no dependency at all: also imported by the dashboard's browser code
// (@missionctl/mc-store/lifecycle), so the board's columns and buttons follow these rules.

export const TASK_STATUSES = ["inbox", "assigned", "in_progress", "review", "done", "failed", "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * The task state machine. Any edge not listed is refused with INVALID_TRANSITION.
 * - review → in_progress: re-dispatch after a review asked for changes.
 * - failed → assigned | in_progress: retry, with the same agent or after reassigning.
 * - assigned → inbox: unassign before anyone started.
 * - done and cancelled are terminal.
 */
const TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  inbox: ["assigned", "cancelled"],
  assigned: ["in_progress", "inbox", "cancelled"],
  in_progress: ["review", "failed", "assigned", "cancelled"],
  review: ["done", "in_progress", "failed", "cancelled"],
  done: [],
  failed: ["assigned", "in_progress", "cancelled"],
  cancelled: [],
};

/** Statuses in which a task must have an assigned agent. */
export const STATUSES_REQUIRING_AGENT: readonly TaskStatus[] = ["assigned", "in_progress", "review"];

/** Statuses from which `tasks.dispatch` may send the task (to in_progress). */
export const DISPATCHABLE_STATUSES: readonly TaskStatus[] = ["assigned", "review", "failed"];

/** Statuses in which the agent may still be picked or changed: before any work started. */
export const ASSIGNABLE_STATUSES: readonly TaskStatus[] = ["inbox", "assigned"];

/** Whether `tasks.dispatch` accepts a task in this status (it then moves to in_progress). */
export function isDispatchable(status: TaskStatus): boolean {
  return DISPATCHABLE_STATUSES.includes(status) && canTransition(status, "in_progress");
}

/** Whether a task can be dispatched now: a dispatchable status and an agent to send it to. */
export function canDispatch(task: { status: TaskStatus; assignedAgentId: string | null }): boolean {
  return isDispatchable(task.status) && task.assignedAgentId !== null;
}

export function allowedTransitions(status: TaskStatus): TaskStatus[] {
  return [...(TRANSITIONS[status] ?? [])];
}

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from]?.includes(to) ?? false;
}

export function isTerminalStatus(status: TaskStatus): boolean {
  return allowedTransitions(status).length === 0;
}
