import { ASSIGNABLE_STATUSES, canDispatch, canTransition, TASK_STATUSES } from "@missionctl/mc-store/lifecycle";
import type {
  Agent,
  ApprovalsView,
  RunProgress,
  SessionsView,
  TaskEventsView,
  TaskWithFailure,
} from "../view-model.js";
import { AgentOptions } from "./agents-panel.js";
import { ApprovalList } from "./approval-list.js";
import { FailureLine } from "./failure-line.js";
import { STATUS_LABEL, sessionHref } from "./labels.js";
import { TaskEvents } from "./task-events.js";

function DispatchButton({ task: t }: { task: TaskWithFailure }) {
  if (!canDispatch(t)) return null;
  if (t.status === "assigned")
    return (
      <button
        type="button"
        class="primary"
        data-action="dispatch"
        data-key={`dispatch-${t.id}`}
        aria-label={`Dispatch ${t.title}`}
      >
        Dispatch
      </button>
    );
  return (
    <button type="button" data-action="dispatch" data-key={`dispatch-${t.id}`} aria-label={`Dispatch ${t.title} again`}>
      {t.status === "failed" ? "Retry" : "Send again"}
    </button>
  );
}

export interface TaskCardProps {
  task: TaskWithFailure;
  agents: Agent[];
  /** The task's session, when the gateway lists it. */
  sessionKey?: string | null | undefined;
  /** The approvals the task's run waits for, with whether this server may answer them. */
  approvals?: ApprovalsView | undefined;
  live?: RunProgress | undefined;
  /** The open event list ("loading" while it is fetched); closed when absent. */
  events?: TaskEventsView | "loading" | undefined;
}

/** One task: what it is, who has it, its live run text, and the actions its status allows. */
export function TaskCard({ task: t, agents, live, events, sessionKey, approvals }: TaskCardProps) {
  const waiting = approvals?.approvals.filter((a) => a.taskId === t.id) ?? [];
  return (
    <li class={`card prio-${t.priority}`} id={`task-${t.id}`} data-task-id={t.id} data-status={t.status}>
      <h4 class="card-title">{t.title}</h4>
      {t.description ? <p class="desc">{t.description.slice(0, 400)}</p> : null}
      <p class="meta">
        <span class="pill">{t.priority}</span>{" "}
        {t.assignedAgentId ? (
          <>
            → <code>{t.assignedAgentId}</code>
          </>
        ) : (
          <span class="muted">unassigned</span>
        )}
        {t.attempt ? <span class="muted"> · dispatch #{t.attempt}</span> : null}
        {sessionKey ? (
          <>
            {" "}
            · <a href={sessionHref(sessionKey)}>session</a>
          </>
        ) : null}
      </p>
      {t.status === "failed" ? <FailureLine failure={t.failure} id={`failure-${t.id}`} /> : null}
      {waiting.length && approvals ? (
        <ApprovalList approvals={waiting} canResolve={approvals.canResolve} hint={approvals.hint} />
      ) : null}
      {live?.text ? (
        <p class="live" aria-live="polite">
          <span class="muted">Agent:</span> {live.text}
        </p>
      ) : null}
      <div class="card-actions">
        {ASSIGNABLE_STATUSES.includes(t.status) ? (
          <>
            <label class="sr-only" for={`assign-${t.id}`}>
              Agent for {t.title}
            </label>
            <select id={`assign-${t.id}`} data-action="assign" data-key={`assign-${t.id}`}>
              <AgentOptions agents={agents} selected={t.assignedAgentId} />
            </select>
          </>
        ) : null}
        {canTransition(t.status, "done") ? (
          <button
            type="button"
            class="primary"
            data-action="done"
            data-key={`done-${t.id}`}
            aria-label={`Mark ${t.title} done`}
          >
            Done
          </button>
        ) : null}
        <DispatchButton task={t} />
        <button
          type="button"
          data-action="events"
          data-key={`events-${t.id}`}
          aria-expanded={events ? "true" : "false"}
          aria-controls={`events-${t.id}`}
        >
          Events
        </button>
        <button
          type="button"
          class="danger"
          data-action="delete"
          data-key={`delete-${t.id}`}
          aria-label={`Delete ${t.title}`}
        >
          Delete
        </button>
      </div>
      <div class="events" id={`events-${t.id}`} hidden={!events}>
        {events === "loading" ? <p class="muted">Loading…</p> : events ? <TaskEvents view={events} /> : null}
      </div>
    </li>
  );
}

export interface TaskBoardProps {
  tasks: TaskWithFailure[];
  agents: Agent[];
  sessions?: SessionsView | undefined;
  approvals?: ApprovalsView | undefined;
  live: Record<string, RunProgress>;
  openEvents: Record<string, TaskEventsView | "loading">;
}

/** The board: one column per status of mc-store's lifecycle, in its order. */
export function TaskBoard({ tasks, agents, live, openEvents, sessions, approvals }: TaskBoardProps) {
  const sessionOf = new Map((sessions?.sessions ?? []).filter((s) => s.taskId).map((s) => [s.taskId, s.key]));
  return (
    <>
      {TASK_STATUSES.map((s) => {
        const items = tasks.filter((t) => t.status === s);
        return (
          <section class="column" aria-labelledby={`col-${s}`} data-column={s}>
            <h3 id={`col-${s}`}>
              {STATUS_LABEL[s]} <span class="count">{items.length}</span>
            </h3>
            <ul class="cards" aria-label={`${STATUS_LABEL[s]} tasks`}>
              {items.map((t) => (
                <TaskCard
                  task={t}
                  agents={agents}
                  live={live[t.id]}
                  events={openEvents[t.id]}
                  sessionKey={sessionOf.get(t.id)}
                  approvals={approvals}
                />
              ))}
            </ul>
          </section>
        );
      })}
    </>
  );
}
