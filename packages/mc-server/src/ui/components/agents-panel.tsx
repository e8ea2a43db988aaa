import type { AgentWithActivity, ApprovalsView } from "../view-model.js";
import { FailureLine } from "./failure-line.js";
import { sessionHref } from "./labels.js";
import { Time } from "./time.js";

const STATE_TEXT: Record<string, string> = {
  working: "working",
  idle: "idle",
  error: "error",
  waiting_approval: "waiting for approval",
  unknown: "unknown",
};

/** One agent's status: what it works on, what it waits for, its model (or how to give it one), its last run. */
function AgentActivityView({ agent: a }: { agent: AgentWithActivity }) {
  const act = a.activity;
  if (!act) return null;
  return (
    <div class="activity">
      <p>
        <span class={`pill state-${act.state}`} data-testid="agent-state">
          {STATE_TEXT[act.state] ?? act.state}
        </span>{" "}
        {act.model ? (
          <span class="muted">
            model <code>{act.model}</code>
          </span>
        ) : null}
        {act.source === "cache" ? (
          <span class="muted">
            {" "}
            (as of <Time iso={act.asOf} />)
          </span>
        ) : null}
      </p>
      {act.modelConfigured === false || (!act.model && act.modelFix) ? (
        <p class="failure" data-testid="agent-model-fix">
          <strong>No model.</strong> <span class="fix">{act.modelFix}</span>
        </p>
      ) : null}
      {act.working.length ? (
        <ul class="plain small">
          {act.working.map((w) => (
            <li>
              on <a href={sessionHref(w.sessionKey)}>{w.title || w.sessionKey}</a>
              {w.taskId ? (
                <>
                  {" "}
                  (<a href={`#task-${w.taskId}`}>task</a>)
                </>
              ) : null}
              {w.phase ? <span class="muted"> · {w.phase}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {act.waitingApprovals.length ? (
        <ul class="plain small">
          {act.waitingApprovals.map((w) => (
            <li class="warn">
              waits for approval: <code>{w.summary}</code>
              {w.sessionKey ? (
                <>
                  {" "}
                  in <a href={sessionHref(w.sessionKey)}>its session</a>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {act.lastRun ? (
        <p class="muted small">
          last run: {act.lastRun.outcome}
          {act.lastRun.endedAt ? (
            <>
              {" "}
              <Time iso={act.lastRun.endedAt} />
            </>
          ) : null}{" "}
          in <a href={sessionHref(act.lastRun.sessionKey)}>its session</a>
        </p>
      ) : null}
      {act.lastRun?.outcome !== "ok" ? <FailureLine failure={act.lastRun?.failure} /> : null}
    </div>
  );
}

export function AgentsPanel({ agents, approvals }: { agents: AgentWithActivity[]; approvals?: ApprovalsView }) {
  if (!agents.length)
    return <p class="muted">No agents yet. They are read from the gateway when it connects (or press Sync).</p>;
  const pending = approvals?.approvals.length ?? 0;
  return (
    <>
      <ul class="plain">
        {agents.map((a) => (
          <li id={`agent-${a.id}`} data-agent-id={a.id} data-state={a.activity?.state ?? "unknown"}>
            {a.emoji ? <span aria-hidden="true">{a.emoji} </span> : null}
            <strong>{a.name || a.id}</strong> <code>{a.id}</code>
            <AgentActivityView agent={a} />
          </li>
        ))}
      </ul>
      {pending && approvals && !approvals.canResolve ? <p class="muted small">{approvals.hint}</p> : null}
    </>
  );
}

/** The agent picker of the create form and of each card; "— none —" first. */
export function AgentOptions({ agents, selected }: { agents: AgentWithActivity[]; selected: string | null }) {
  return (
    <>
      <option value="">— none —</option>
      {agents.map((a) => (
        <option value={a.id} selected={a.id === selected}>
          {a.name || a.id} ({a.id})
        </option>
      ))}
    </>
  );
}
