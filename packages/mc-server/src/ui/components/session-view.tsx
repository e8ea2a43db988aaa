import type { LiveRun, MessageView, SessionPageState } from "../view-model.js";
import { ApprovalList } from "./approval-list.js";
import { FailureLine } from "./failure-line.js";
import { tokenLine } from "./labels.js";
import { Time } from "./time.js";

const ROLE_LABEL: Record<MessageView["role"], string> = {
  user: "You",
  assistant: "Agent",
  tool: "Tool",
  system: "System",
};

/** The session's facts, its failure, and Stop / Reset / New session. */
export function SessionHeader({ state }: { state: SessionPageState }) {
  const { session: s, can, task } = state.detail;
  const status = s?.status ?? "idle";
  const running = !!state.live || status === "running";
  const tokens = s ? tokenLine(s.tokens) : null;
  return (
    <>
      <h1 id="session-title">{s?.title || state.key}</h1>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <span class={`pill status-${status}`} id="session-status" data-status={status}>
            {status}
          </span>
          {s?.phase && running ? <span class="muted"> · {s.phase}</span> : null}
        </dd>
        <dt>Key</dt>
        <dd>
          <code>{state.key}</code>
        </dd>
        {s?.agentId ? (
          <>
            <dt>Agent</dt>
            <dd>
              <code>{s.agentId}</code>
            </dd>
          </>
        ) : null}
        {s?.model ? (
          <>
            <dt>Model</dt>
            <dd>
              <code>{s.model}</code>
            </dd>
          </>
        ) : null}
        {task ? (
          <>
            <dt>Task</dt>
            <dd>
              <a href={`/#task-${task.id}`}>{task.title}</a> <span class="pill">{task.status}</span>
            </dd>
          </>
        ) : null}
        {s?.lastActivityAt ? (
          <>
            <dt>Last activity</dt>
            <dd>
              <Time iso={s.lastActivityAt} />
            </dd>
          </>
        ) : null}
        {tokens ? (
          <>
            <dt>Tokens</dt>
            <dd>{tokens}</dd>
          </>
        ) : null}
        {state.detail.source === "cache" ? (
          <>
            <dt>As of</dt>
            <dd class="warn">
              <Time iso={state.detail.asOf} /> (the gateway is down: last known state)
            </dd>
          </>
        ) : null}
      </dl>
      {status === "failed" || status === "aborted" ? <FailureLine failure={s?.failure} id="session-failure" /> : null}
      <div class="card-actions">
        <button
          type="button"
          class="danger"
          id="session-stop"
          data-action="stop"
          data-key="session-stop"
          disabled={!can.abort.allowed}
          title={can.abort.hint ?? undefined}
        >
          Stop
        </button>
        {can.reset.allowed ? (
          <button type="button" id="session-reset" data-action="reset" data-key="session-reset">
            Reset transcript
          </button>
        ) : null}
        {s?.agentId && can.create.allowed ? (
          <button type="button" id="session-new" data-action="new-session" data-key="session-new">
            New session
          </button>
        ) : null}
      </div>
      <p id="session-stop-outcome" role="status" class="muted">
        {state.stopOutcome ?? ""}
      </p>
      {!can.reset.allowed && can.reset.hint ? <p class="muted small">Reset: {can.reset.hint}</p> : null}
    </>
  );
}

/** The approvals this session's run waits for. */
export function SessionApprovals({ state }: { state: SessionPageState }) {
  const { approvals, can } = state.detail;
  if (!approvals.length) return null;
  return (
    <div class="pairing">
      <h2>Waiting for approval</h2>
      <ApprovalList approvals={approvals} canResolve={can.approve.allowed} hint={can.approve.hint} />
    </div>
  );
}

function Message({ m }: { m: MessageView }) {
  return (
    <li class={`msg msg-${m.role}`} data-role={m.role} data-message-id={m.id}>
      <div class="msg-head">
        <strong>{m.role === "tool" && m.tool?.name ? `Tool ${m.tool.name}` : ROLE_LABEL[m.role]}</strong>{" "}
        <span class="muted small">
          <Time iso={m.at} />
        </span>
        {m.tool?.isError ? <span class="pill status-failed">error</span> : null}
      </div>
      {m.text ? <div class="msg-text">{m.text}</div> : null}
      {m.toolCalls.map((c) => (
        <div class="tool-call">
          <span class="muted">→</span> <code>{c.name}</code> <code>{c.summary}</code>
        </div>
      ))}
      {m.error ? <p class="failure">{m.error}</p> : null}
    </li>
  );
}

function LiveReply({ run }: { run: LiveRun }) {
  return (
    <li class="msg msg-assistant msg-live" id="live-run" data-run-id={run.runId} aria-live="polite">
      <div class="msg-head">
        <strong>Agent</strong> <span class="muted small">streaming{run.phase ? ` · ${run.phase}` : ""}…</span>
      </div>
      {run.text ? <div class="msg-text">{run.text}</div> : null}
      {run.tools.map((t) => (
        <div class={`tool-call tool-${t.status}`} data-tool-status={t.status}>
          <span class="muted">→</span> <code>{t.name}</code> {t.summary ? <code>{t.summary}</code> : null}{" "}
          <span class="pill">{t.status === "waiting_approval" ? "waiting for approval" : t.status}</span>
          {t.error ? <span class="failure"> {t.error}</span> : null}
        </div>
      ))}
    </li>
  );
}

/** The transcript, oldest first, with the run streaming now at its end. */
export function Transcript({ state }: { state: SessionPageState }) {
  const { messages } = state;
  if (messages === "loading") return <p class="muted">Loading the transcript…</p>;
  return (
    <>
      {typeof messages === "string" ? <p class="failure">The transcript could not be read: {messages}</p> : null}
      {state.hasMore ? (
        <button type="button" id="transcript-older" data-action="older" data-key="transcript-older">
          Older messages
        </button>
      ) : null}
      <ol class="plain transcript" aria-label="Transcript">
        {Array.isArray(messages) ? messages.map((m) => <Message m={m} />) : null}
        {state.live ? <LiveReply run={state.live} /> : null}
      </ol>
      {Array.isArray(messages) && !messages.length && !state.live ? (
        <p class="muted">No messages yet: send one below.</p>
      ) : null}
      {state.outcome && !state.live && state.outcome.state !== "done" ? (
        <p class="muted" id="run-outcome" data-state={state.outcome.state}>
          Last run: {state.outcome.state}
        </p>
      ) : null}
    </>
  );
}

/** The composer's status line: queued, sent, or why not. */
export function ComposerStatus({ state }: { state: SessionPageState }) {
  const queued = state.detail.outbox.filter((o) => o.state === "pending" || o.state === "failed");
  return (
    <>
      {state.sending ? <span>{state.sending}</span> : null}
      {queued.length ? <span class="muted"> · {queued.length} message(s) waiting to be delivered</span> : null}
      {state.detail.can.send.allowed ? null : <span class="warn">{state.detail.can.send.hint}</span>}
    </>
  );
}
