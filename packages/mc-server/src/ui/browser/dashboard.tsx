import { TaskCard } from "../components/task-board.js";
import type { InitialState } from "../page.js";
import { REGIONS, type Region, type RegionName } from "../regions.js";
import type {
  AgentWithActivity,
  ApprovalsView,
  DashboardState,
  ModelView,
  SessionsView,
  SessionView,
  Task,
  TaskEventsView,
} from "../view-model.js";
import { registerActions } from "./actions.js";
import { api } from "./api.js";
import { byId, patch, replace } from "./dom.js";
import { connectStream } from "./stream.js";

/** The page's state and the one way to change what it shows: re-render the regions that changed. */
export interface Dashboard {
  state: DashboardState;
  render(...regions: RegionName[]): void;
  /** Re-render one task's card (its live run text, its events), or the board if it has none yet. */
  renderCard(taskId: string): void;
  upsertTask(task: Task): void;
  removeTask(taskId: string): void;
  refreshTasks(): Promise<void>;
  refreshAgents(): Promise<void>;
  refreshSessions(): Promise<void>;
  refreshApprovals(): Promise<void>;
  refreshModel(): Promise<void>;
  /** A session changed (SSE `session`): its row in the list, its task's card. */
  upsertSession(session: SessionView): void;
  removeSession(key: string): void;
  upsertAgent(agent: AgentWithActivity): void;
  /** Fetch a task's events into its open event list. */
  loadEvents(taskId: string): Promise<void>;
  /** Reload everything the stream may have missed (every (re)connect, the tab shown again). */
  resync(): Promise<void>;
}

function readInitialState(): DashboardState {
  const text = byId("initial-state")?.textContent ?? "";
  const first = JSON.parse(text) as InitialState;
  return { ...first, live: {}, openEvents: {} };
}

/** A task seen twice (a reload racing the stream) keeps its newest version. */
const newer = (t: Task, than: Task | undefined) => !than || t.updatedAt >= than.updatedAt;

function createDashboard(state: DashboardState): Dashboard {
  const d: Dashboard = {
    state,
    render(...regions) {
      for (const name of regions) {
        const region: Region = REGIONS[name];
        const el = byId(region.id);
        if (el) patch(el, region.view(state, el instanceof HTMLSelectElement ? el.value : undefined));
      }
    },
    renderCard(taskId) {
      const el = byId(`task-${taskId}`);
      const task = state.tasks.find((t) => t.id === taskId);
      if (!el || !task || el.getAttribute("data-status") !== task.status) return d.render("board");
      replace(
        el,
        <TaskCard
          task={task}
          agents={state.agents}
          live={state.live[taskId]}
          events={state.openEvents[taskId]}
          sessionKey={state.sessions.sessions.find((s) => s.taskId === taskId)?.key}
          approvals={state.approvals}
        />,
      );
    },
    upsertTask(task) {
      const i = state.tasks.findIndex((t) => t.id === task.id);
      if (i === -1) state.tasks.unshift(task);
      else if (newer(task, state.tasks[i])) state.tasks[i] = task;
    },
    removeTask(taskId) {
      state.tasks = state.tasks.filter((t) => t.id !== taskId);
      delete state.openEvents[taskId];
      delete state.live[taskId];
    },
    async refreshTasks() {
      const { tasks } = await api<{ tasks: Task[] }>("GET", "/api/tasks?limit=500");
      const seen = new Map(state.tasks.map((t) => [t.id, t]));
      state.tasks = tasks.map((t) => {
        const known = seen.get(t.id);
        return newer(t, known) ? t : (known as Task);
      });
      d.render("board");
    },
    async refreshAgents() {
      const { agents } = await api<{ agents: AgentWithActivity[] }>("GET", "/api/agents");
      state.agents = agents;
      d.render("agents", "agentPicker", "board");
    },
    async refreshSessions() {
      // The gateway may be down or slow: the panel keeps its last list, the stream says when to retry.
      try {
        state.sessions = await api<SessionsView>("GET", "/api/sessions");
        d.render("sessions", "board");
      } catch {}
    },
    async refreshApprovals() {
      try {
        state.approvals = await api<ApprovalsView>("GET", "/api/approvals");
        d.render("agents", "board");
      } catch {}
    },
    async refreshModel() {
      try {
        state.model = await api<ModelView>("GET", "/api/model");
        d.render("model");
      } catch {}
    },
    upsertSession(session) {
      const list = state.sessions.sessions;
      const i = list.findIndex((s) => s.key === session.key);
      if (i === -1) list.unshift(session);
      else list[i] = session;
      list.sort((a, b) => (b.lastActivityAt ?? "").localeCompare(a.lastActivityAt ?? ""));
      state.sessions.count = list.length;
      d.render("sessions");
      if (i === -1 && session.taskId) d.renderCard(session.taskId);
    },
    removeSession(key) {
      state.sessions.sessions = state.sessions.sessions.filter((s) => s.key !== key);
      d.render("sessions");
    },
    upsertAgent(agent) {
      const i = state.agents.findIndex((a) => a.id === agent.id);
      if (i === -1) state.agents.push(agent);
      else state.agents[i] = agent;
      d.render("agents");
    },
    async loadEvents(taskId) {
      if (!state.openEvents[taskId]) {
        state.openEvents[taskId] = "loading";
        d.renderCard(taskId);
      }
      try {
        const view = await api<TaskEventsView>("GET", `/api/tasks/${encodeURIComponent(taskId)}/events`);
        if (!state.openEvents[taskId]) return; // closed meanwhile
        state.openEvents[taskId] = view;
      } catch {
        if (state.openEvents[taskId] === "loading") delete state.openEvents[taskId];
      }
      d.renderCard(taskId);
    },
    async resync() {
      const steps: Promise<void>[] = [
        d.refreshTasks(),
        d.refreshAgents(),
        d.refreshSessions(),
        d.refreshApprovals(),
        d.refreshModel(),
      ];
      for (const id of Object.keys(state.openEvents)) steps.push(d.loadEvents(id));
      await Promise.allSettled(steps);
    },
  };
  return d;
}

export function startDashboard(): void {
  const d = createDashboard(readInitialState());
  registerActions(d);
  connectStream(d);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) void d.refreshTasks().catch(() => {});
  });
}
