import type { Child } from "hono/jsx";
import { AgentOptions, AgentsPanel } from "./components/agents-panel.js";
import { Badge, GatewayPanel } from "./components/gateway-panel.js";
import { ModelNotice } from "./components/model-notice.js";
import { SessionsPanel } from "./components/sessions-panel.js";
import { TaskBoard } from "./components/task-board.js";
import type { DashboardState } from "./view-model.js";

/**
 * The page's live regions: the element each one fills and the component that fills it. The server
 * paints them into page.tsx; the browser re-renders one when its part of the state changes.
 * A new panel is a component in components/, an element with its id in page.tsx, and a line here.
 */
export interface Region {
  /** The id of the element whose content this region is. */
  id: string;
  /** `current`: the element's value before the update (a <select> keeps its choice). */
  view(state: DashboardState, current?: string): Child;
}

export const REGIONS = {
  badge: { id: "top-badge", view: (s) => <Badge status={s.status} /> },
  gateway: { id: "gateway-body", view: (s) => <GatewayPanel status={s.status} diagnosis={s.diagnosis} /> },
  agents: { id: "agents-body", view: (s) => <AgentsPanel agents={s.agents} approvals={s.approvals} /> },
  model: { id: "model-body", view: (s) => <ModelNotice model={s.model} /> },
  /** The create form's agent picker: the only agent is preselected on first paint. */
  agentPicker: {
    id: "new-agent",
    view: (s, current) => (
      <AgentOptions agents={s.agents} selected={current ?? (s.agents.length === 1 ? s.agents[0]!.id : null)} />
    ),
  },
  sessions: { id: "sessions-body", view: (s) => <SessionsPanel sessions={s.sessions} /> },
  board: {
    id: "board",
    view: (s) => (
      <TaskBoard
        tasks={s.tasks}
        agents={s.agents}
        live={s.live}
        openEvents={s.openEvents}
        sessions={s.sessions}
        approvals={s.approvals}
      />
    ),
  },
} satisfies Record<string, Region>;

export type RegionName = keyof typeof REGIONS;

/** A region's content on the server's first paint. */
export function Fill({ region, state }: { region: RegionName; state: DashboardState }) {
  return <>{(REGIONS[region] as Region).view(state)}</>;
}
