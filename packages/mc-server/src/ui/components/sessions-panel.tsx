import type { SessionsView } from "../view-model.js";

const label = (v: unknown) => (typeof v === "string" && v ? v : null);

export function SessionsPanel({ sessions: data }: { sessions: SessionsView }) {
  const note = data.source === "cache" ? <p class="muted">Last known list (gateway {data.gatewayState}).</p> : null;
  if (!data.sessions.length)
    return (
      <>
        {note}
        <p class="muted">No sessions.</p>
      </>
    );
  return (
    <>
      {note}
      <ul class="plain sessions">
        {data.sessions.slice(0, 50).map((s) => {
          const name = label(s.displayName) ?? label(s.label);
          return (
            <li>
              <code>{s.key}</code>
              {name ? <span class="muted"> {name}</span> : null}
            </li>
          );
        })}
      </ul>
    </>
  );
}
