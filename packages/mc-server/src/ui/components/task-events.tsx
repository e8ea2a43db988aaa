import type { TaskEventsView } from "../view-model.js";
import { Time } from "./time.js";

/** What a task event adds to its type: the reply, the error, or the new status. */
function detail(payload: unknown): string {
  const p = (payload && typeof payload === "object" ? payload : {}) as {
    text?: unknown;
    error?: unknown;
    to?: unknown;
  };
  if (p.text) return `: ${String(p.text).slice(0, 500)}`;
  if (p.error) return `: ${String(p.error)}`;
  if (p.to) return ` → ${String(p.to)}`;
  return "";
}

/** A task's events and its deliveries (the outbox), newest last. */
export function TaskEvents({ view }: { view: TaskEventsView }) {
  return (
    <>
      <ol class="event-list">
        {view.events.length ? (
          view.events.map((e) => (
            <li>
              <Time iso={e.createdAt} /> <strong>{e.type}</strong> <span class="muted">{e.actor}</span>
              {detail(e.payload)}
            </li>
          ))
        ) : (
          <li class="muted">No events.</li>
        )}
      </ol>
      {view.outbox.length ? (
        <>
          <p class="muted">Deliveries</p>
          <ul class="plain">
            {view.outbox.map((o) => (
              <li>
                <code>{o.idempotencyKey}</code> {o.state} · {o.attempts} attempt(s)
                {o.lastError ? (
                  <>
                    {" · "}
                    <span class="warn">{o.lastError}</span>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
