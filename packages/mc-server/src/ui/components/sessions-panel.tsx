import type { SessionsView } from "../view-model.js";
import { FailureLine } from "./failure-line.js";
import { sessionHref, tokenLine } from "./labels.js";
import { Time } from "./time.js";

const MAX_LISTED = 100;

/** Every session the gateway has: agent, status, last activity, last error, tokens, its task. */
export function SessionsPanel({ sessions: data }: { sessions: SessionsView }) {
  const note =
    data.source === "cache" ? (
      <p class="warn" data-testid="sessions-cache">
        Last known list, taken <Time iso={data.asOf} /> — the gateway is {data.gatewayState ?? "not connected"}.
      </p>
    ) : null;
  if (!data.sessions.length)
    return (
      <>
        {note}
        <p class="muted">No sessions. A task's session appears here when it is dispatched.</p>
      </>
    );
  const shown = data.sessions.slice(0, MAX_LISTED);
  return (
    <>
      {note}
      <ul class="plain sessions">
        {shown.map((s) => {
          const tokens = tokenLine(s.tokens);
          return (
            <li id={`session-${s.key}`} data-session-key={s.key} data-status={s.status}>
              <a href={sessionHref(s.key)} class="session-link">
                {s.title || s.key}
              </a>{" "}
              <span class={`pill status-${s.status}`}>{s.status}</span>
              <br />
              <span class="muted small">
                {s.agentId ? <code>{s.agentId}</code> : null}
                {s.lastActivityAt ? (
                  <>
                    {" "}
                    · <Time iso={s.lastActivityAt} />
                  </>
                ) : null}
                {tokens ? <> · {tokens}</> : null}
                {s.taskId ? (
                  <>
                    {" "}
                    · <a href={`#task-${s.taskId}`}>its task</a>
                  </>
                ) : null}
              </span>
              {s.failure ? (
                <FailureLine failure={s.failure} />
              ) : s.lastRunError ? (
                <p class="failure">{s.lastRunError}</p>
              ) : null}
            </li>
          );
        })}
      </ul>
      {data.sessions.length > MAX_LISTED ? (
        <p class="muted">
          {MAX_LISTED} of {data.sessions.length} shown (most recent first).
        </p>
      ) : null}
    </>
  );
}
