import type { DiagnosisView, Task } from "../view-model.js";
import { api, errorText } from "./api.js";
import type { Dashboard } from "./dashboard.js";
import { byId, focusFirst, toast } from "./dom.js";

/** What a click on a `[data-action]` control does; `taskId` is its card's, if it is on one. */
type ClickAction = (d: Dashboard, el: HTMLElement, taskId: string) => Promise<unknown> | undefined;

const taskPath = (id: string, rest = "") => `/api/tasks/${encodeURIComponent(id)}${rest}`;

/** Run a request from a button: disabled meanwhile, a failure shown with its fix. */
export async function busy(el: HTMLElement, work: () => Promise<unknown>): Promise<void> {
  const button = el instanceof HTMLButtonElement ? el : null;
  if (button) button.disabled = true;
  try {
    await work();
  } catch (err) {
    toast(errorText(err), true);
  } finally {
    if (button) button.disabled = false;
  }
}

/** Approve / Deny on an approval (dashboard and session page): the stream then says it was answered. */
export function resolveApproval(el: HTMLElement): Promise<void> {
  return busy(el, async () => {
    const id = el.dataset.approvalId ?? "";
    const decision = el.dataset.decision ?? "";
    await api("POST", `/api/approvals/${encodeURIComponent(id)}/resolve`, {
      decision,
      ...(el.dataset.approvalKind ? { kind: el.dataset.approvalKind } : {}),
    });
    toast(decision === "deny" ? "Denied" : "Approved");
  });
}

/** The page's buttons by their data-action. A new button: an entry here and the attribute on the element. */
const CLICK_ACTIONS: Record<string, ClickAction> = {
  dispatch: (d, el, id) =>
    busy(el, async () => {
      const r = await api<{ task: Task; delivery: string }>("POST", taskPath(id, "/dispatch"), {});
      d.upsertTask(r.task);
      d.render("board");
      toast(`Dispatched: ${r.delivery}`);
    }),
  done: (d, el, id) =>
    busy(el, async () => {
      const r = await api<{ task: Task }>("PATCH", taskPath(id), { status: "done" });
      d.upsertTask(r.task);
      d.render("board");
    }),
  delete: (d, el, id) => {
    if (!confirm("Delete this task?")) return undefined;
    return busy(el, async () => {
      await api("DELETE", taskPath(id));
      d.removeTask(id);
      d.render("board");
    });
  },
  events: (d, _el, id) => {
    if (d.state.openEvents[id]) {
      delete d.state.openEvents[id];
      d.renderCard(id);
      return undefined;
    }
    return d.loadEvents(id);
  },
  approve: (_d, el) =>
    busy(el, async () => {
      await api("POST", `/api/openclaw/pairing/${encodeURIComponent(el.dataset.requestId ?? "")}/approve`, {});
      toast("Approved: connecting…");
    }),
  diagnose: (d, el) =>
    busy(el, async () => {
      d.state.diagnosis = "Running diagnosis…";
      d.render("gateway");
      try {
        d.state.diagnosis = await api<DiagnosisView>("GET", "/api/openclaw/diagnose");
      } catch (err) {
        d.state.diagnosis = errorText(err);
      }
      d.render("gateway");
    }),
  reconnect: (_d, el) => busy(el, () => api("POST", "/api/openclaw/reconnect", {})),
  "sync-agents": (d, el) =>
    busy(el, async () => {
      const r = await api<{ synced: number; agents: Dashboard["state"]["agents"] }>("POST", "/api/agents/sync", {});
      d.state.agents = r.agents;
      d.render("agents", "agentPicker", "board");
      toast(`${r.synced} agent(s) synced`);
    }),
  "refresh-sessions": (d) => d.refreshSessions(),
  "resolve-approval": (d, el) => resolveApproval(el).then(() => d.refreshApprovals()),
  logout: async () => {
    await api("DELETE", "/api/session");
    location.reload();
  },
};

async function assign(d: Dashboard, select: HTMLSelectElement, id: string): Promise<void> {
  try {
    const r = await api<{ task: Task }>("PATCH", taskPath(id), { assignedAgentId: select.value || null });
    d.upsertTask(r.task);
    d.render("board");
    focusFirst(`dispatch-${id}`, `assign-${id}`);
  } catch (err) {
    toast(errorText(err), true);
    d.render("board"); // back to the agent the task really has
  }
}

async function createTask(d: Dashboard, form: HTMLFormElement): Promise<void> {
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement;
  const title = field("title");
  const description = field("description");
  const agent = field("agent").value;
  const body: Record<string, string> = { title: title.value, priority: field("priority").value };
  if (description.value.trim()) body.description = description.value;
  if (agent) body.assignedAgentId = agent;
  await busy(form.querySelector<HTMLButtonElement>("button[type=submit]") ?? form, async () => {
    const r = await api<{ task: Task }>("POST", "/api/tasks", body);
    d.upsertTask(r.task);
    d.render("board");
    title.value = "";
    description.value = "";
    title.focus();
    toast("Task created");
  });
}

async function giveModel(d: Dashboard, form: HTMLFormElement): Promise<void> {
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
  const body: Record<string, string> = { model: value("model") };
  if (value("baseUrl")) body.baseUrl = value("baseUrl");
  if (value("apiKey")) body.apiKey = value("apiKey");
  await busy(form.querySelector<HTMLButtonElement>("button[type=submit]") ?? form, async () => {
    await api("POST", "/api/local-gateway/model", body);
    toast("Model set: the gateway applies it by itself");
    await d.refreshModel();
  });
}

/** One listener per kind of input for the whole page: regions are re-rendered, listeners stay. */
export function registerActions(d: Dashboard): void {
  document.addEventListener("click", (ev) => {
    const el = (ev.target as Element | null)?.closest<HTMLElement>("[data-action]");
    if (!el || el.tagName === "SELECT") return;
    const action = CLICK_ACTIONS[el.dataset.action ?? ""];
    const taskId = el.closest<HTMLElement>("[data-task-id]")?.dataset.taskId ?? "";
    void action?.(d, el, taskId)?.catch((err: unknown) => toast(errorText(err), true));
  });
  document.addEventListener("change", (ev) => {
    const el = ev.target;
    if (!(el instanceof HTMLSelectElement) || el.dataset.action !== "assign") return;
    const taskId = el.closest<HTMLElement>("[data-task-id]")?.dataset.taskId;
    if (taskId) void assign(d, el, taskId);
  });
  byId<HTMLFormElement>("create-form")?.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void createTask(d, ev.currentTarget as HTMLFormElement);
  });
  // The model form is re-rendered with its region: listen on the document.
  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || form.id !== "model-form") return;
    ev.preventDefault();
    void giveModel(d, form);
  });
}
