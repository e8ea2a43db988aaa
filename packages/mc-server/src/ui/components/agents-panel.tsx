import type { Agent } from "../view-model.js";

export function AgentsPanel({ agents }: { agents: Agent[] }) {
  if (!agents.length)
    return <p class="muted">No agents yet. They are read from the gateway when it connects (or press Sync).</p>;
  return (
    <ul class="plain">
      {agents.map((a) => (
        <li>
          {a.emoji ? <span aria-hidden="true">{a.emoji} </span> : null}
          <strong>{a.name || a.id}</strong> <code>{a.id}</code>
        </li>
      ))}
    </ul>
  );
}

/** The agent picker of the create form and of each card; "— none —" first. */
export function AgentOptions({ agents, selected }: { agents: Agent[]; selected: string | null }) {
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
