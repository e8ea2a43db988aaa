import type { StreamEvents } from "../view-model.js";
import type { Dashboard } from "./dashboard.js";
import { byId } from "./dom.js";

const RETRY_AFTER_CLOSE_MS = 5_000;

function setStreamState(text: string): void {
  const el = byId("stream-state");
  if (el) el.textContent = text;
}

function on<K extends keyof StreamEvents>(es: EventSource, name: K, handle: (data: StreamEvents[K]) => void): void {
  es.addEventListener(name, (e) => handle(JSON.parse((e as MessageEvent<string>).data) as StreamEvents[K]));
}

/**
 * The live page: /api/events says what changed. Every hello — the first connect and each
 * reconnect — reloads the state, so nothing that happened while the stream was down stays stale.
 */
export function connectStream(d: Dashboard): void {
  const { state } = d;
  const es = new EventSource("/api/events");
  on(es, "hello", (hello) => {
    state.status = hello.gateway;
    d.render("badge", "gateway");
    setStreamState("live");
    void d.resync();
  });
  on(es, "gateway", (status) => {
    state.status = status;
    d.render("badge", "gateway");
    void d.refreshSessions();
    void d.refreshModel();
  });
  on(es, "task", (task) => {
    d.upsertTask(task);
    d.render("board");
  });
  on(es, "task.deleted", ({ id }) => {
    d.removeTask(id);
    d.render("board");
  });
  on(es, "task.event", (ev) => {
    if (state.openEvents[ev.taskId]) void d.loadEvents(ev.taskId);
  });
  on(es, "agents", () => void d.refreshAgents().catch(() => {}));
  on(es, "sessions", () => void d.refreshSessions());
  on(es, "session", (s) => ("deleted" in s ? d.removeSession(s.key) : d.upsertSession(s)));
  on(es, "agent", (a) => d.upsertAgent(a));
  on(es, "approval", () => void d.refreshApprovals());
  on(es, "approval.resolved", () => void d.refreshApprovals());
  on(es, "local-gateway", () => void d.refreshModel());
  on(es, "run", (run) => {
    state.live[run.taskId] = run;
    if (state.tasks.some((t) => t.id === run.taskId)) d.renderCard(run.taskId);
  });
  es.onopen = () => setStreamState("live");
  es.onerror = () => {
    setStreamState("reconnecting…");
    // EventSource retries by itself, except after an answer that is not a stream (a proxy's 502,
    // a 401): then it stays closed, so open a new one.
    if (es.readyState === EventSource.CLOSED) {
      es.close();
      void d.refreshAgents().catch(() => {}); // a 401 here reloads into the login form
      setTimeout(() => connectStream(d), RETRY_AFTER_CLOSE_MS);
    }
  };
}
