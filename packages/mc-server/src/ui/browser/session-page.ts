import { SESSION_REGIONS, type SessionRegionName } from "../session-regions.js";
import type { MessagePage, SessionDetail, SessionPageState, StreamEvents } from "../view-model.js";
import { busy, resolveApproval } from "./actions.js";
import { api, errorText } from "./api.js";
import { byId, patch, toast } from "./dom.js";

const PAGE = 50;
const RETRY_AFTER_CLOSE_MS = 5_000;

const sessionPath = (key: string, rest = "") => `/api/sessions/${encodeURIComponent(key)}${rest}`;

function render(state: SessionPageState, ...regions: SessionRegionName[]): void {
  for (const name of regions) {
    const el = byId(SESSION_REGIONS[name].id);
    if (el) patch(el, SESSION_REGIONS[name].view(state));
  }
}

/** Keep the newest message in view when the reader was already at the bottom. */
function followingBottom(change: () => void): void {
  const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
  change();
  if (atBottom) window.scrollTo(0, document.body.scrollHeight);
}

async function loadDetail(state: SessionPageState): Promise<void> {
  try {
    state.detail = await api<SessionDetail>("GET", sessionPath(state.key));
    state.live = state.detail.activeRun;
  } catch {
    // Not listed (yet): keep what the page has; the stream says when it appears.
  }
  render(state, "header", "approvals", "composerStatus", "transcript");
}

/** The newest page of the transcript (first load, after every run, on reconnect). */
async function loadNewest(state: SessionPageState): Promise<void> {
  try {
    const page = await api<MessagePage>("GET", sessionPath(state.key, `/messages?limit=${PAGE}`));
    state.messages = page.messages;
    state.hasMore = page.hasMore;
    state.nextOffset = page.nextOffset;
  } catch (err) {
    if (!Array.isArray(state.messages)) state.messages = errorText(err);
  }
  followingBottom(() => render(state, "transcript"));
  markTranscriptShown();
}

/** The first time the transcript is on screen: a mark for the benchmark and for tests to wait on. */
function markTranscriptShown(): void {
  const el = byId("transcript");
  if (!el || el.hasAttribute("data-transcript-ready")) return;
  performance.mark("transcript-rendered");
  el.setAttribute("data-transcript-ready", "");
}

async function loadOlder(state: SessionPageState): Promise<void> {
  if (state.nextOffset === null || !Array.isArray(state.messages)) return;
  const page = await api<MessagePage>(
    "GET",
    sessionPath(state.key, `/messages?limit=${PAGE}&offset=${state.nextOffset}`),
  );
  const seen = new Set(state.messages.map((m) => m.id));
  state.messages = [...page.messages.filter((m) => !seen.has(m.id)), ...state.messages];
  state.hasMore = page.hasMore;
  state.nextOffset = page.nextOffset;
  render(state, "transcript");
}

function connect(state: SessionPageState): void {
  const es = new EventSource(`/api/events?session=${encodeURIComponent(state.key)}`);
  const streamState = byId("stream-state");
  const on = <K extends keyof StreamEvents>(name: K, handle: (data: StreamEvents[K]) => void) =>
    es.addEventListener(name, (e) => handle(JSON.parse((e as MessageEvent<string>).data) as StreamEvents[K]));
  const mine = (d: { sessionKey?: string | null }) => d.sessionKey === state.key;

  on("hello", (hello) => {
    state.status = hello.gateway;
    if (streamState) streamState.textContent = "live";
    // Every (re)connect: what the stream may have missed.
    void loadDetail(state).then(() => loadNewest(state));
  });
  on("session", (s) => {
    if (s.key !== state.key || "deleted" in s) return;
    state.detail.session = s;
    render(state, "header");
  });
  on("session.delta", (e) => {
    if (!mine(e)) return;
    const live = state.live?.runId === e.runId ? state.live : null;
    state.live = live
      ? { ...live, text: e.text }
      : {
          sessionKey: e.sessionKey,
          runId: e.runId,
          agentId: state.detail.session?.agentId ?? null,
          phase: null,
          text: e.text,
          tools: [],
          waitingApproval: null,
          startedAt: e.at,
        };
    followingBottom(() => render(state, "transcript", "header"));
  });
  on("session.tool", (t) => {
    if (!mine(t) || !state.live || state.live.runId !== t.runId) return;
    const tools = state.live.tools.filter((x) => x.toolCallId !== t.toolCallId);
    state.live = { ...state.live, tools: [...tools, t] };
    render(state, "transcript");
  });
  on("session.run", (r) => {
    if (!mine(r)) return;
    state.outcome = { runId: r.runId, state: r.state, failure: r.failure ?? null };
    if (r.state === "running" || r.state === "waiting_approval") {
      if (!state.live || state.live.runId !== r.runId)
        state.live = {
          sessionKey: r.sessionKey,
          runId: r.runId,
          agentId: state.detail.session?.agentId ?? null,
          phase: r.phase ?? null,
          text: r.text ?? "",
          tools: [],
          waitingApproval: null,
          startedAt: new Date().toISOString(),
        };
      else state.live = { ...state.live, phase: r.phase ?? state.live.phase };
      render(state, "transcript", "header");
      return;
    }
    // The run ended: the transcript now holds its messages; the session row its outcome.
    state.live = null;
    void loadDetail(state).then(() => loadNewest(state));
  });
  on("session.message", (e) => {
    if (!mine(e) || !Array.isArray(state.messages)) return;
    if (state.messages.some((m) => m.id === e.message.id)) return;
    state.messages = [...state.messages, e.message];
    followingBottom(() => render(state, "transcript"));
  });
  const approvalsChanged = (e: { sessionKey: string | null }) => {
    if (mine(e)) void loadDetail(state);
  };
  on("approval", approvalsChanged);
  on("approval.resolved", approvalsChanged);
  es.onerror = () => {
    if (streamState) streamState.textContent = "reconnecting…";
    if (es.readyState === EventSource.CLOSED) {
      es.close();
      setTimeout(() => connect(state), RETRY_AFTER_CLOSE_MS);
    }
  };
}

/**
 * The composer: one idempotency key per message, kept until the server has it, so a retry after a
 * lost answer (or a click twice) sends it once. Editing the text makes it another message.
 */
function registerComposer(state: SessionPageState): void {
  const form = byId<HTMLFormElement>("composer");
  const box = byId<HTMLTextAreaElement>("composer-message");
  if (!form || !box) return;
  let pending: { text: string; key: string } | null = null;
  const send = async () => {
    const text = box.value.trim();
    if (!text) return;
    if (!pending || pending.text !== text) pending = { text, key: crypto.randomUUID() };
    const { key } = pending;
    const button = byId<HTMLButtonElement>("composer-send");
    await busy(button ?? form, async () => {
      state.sending = "Sending…";
      render(state, "composerStatus");
      try {
        const r = await api<{ delivery: string; duplicate: boolean }>(
          "POST",
          sessionPath(state.key, "/messages"),
          { message: text },
          { "idempotency-key": key },
        );
        pending = null;
        box.value = "";
        state.sending = r.duplicate ? "Already sent" : r.delivery === "sending" ? "Sent" : r.delivery;
      } catch (err) {
        state.sending = `Not sent: ${errorText(err)} — press Send again to retry (sent once at most)`;
        throw err;
      } finally {
        render(state, "composerStatus");
      }
    });
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void send();
  });
  // Enter sends, as in a chat; Shift+Enter is a new line; an IME's Enter ends its composition.
  box.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.altKey && !ev.isComposing) {
      ev.preventDefault();
      void send();
    }
  });
}

const CLICKS: Record<string, (state: SessionPageState, el: HTMLElement) => Promise<unknown>> = {
  stop: (state, el) =>
    busy(el, async () => {
      state.stopOutcome = "Stopping…";
      render(state, "header");
      try {
        const r = await api<{ aborted: boolean; runIds: string[]; reason?: string }>(
          "POST",
          sessionPath(state.key, "/abort"),
          {},
        );
        state.stopOutcome = r.aborted
          ? `Stopped: run ${r.runIds.join(", ")} aborted`
          : `Nothing to stop: ${r.reason ?? "no run was active"}`;
      } catch (err) {
        state.stopOutcome = `Stop failed: ${errorText(err)}`;
      }
      render(state, "header");
    }),
  reset: (state, el) => {
    if (!confirm("Reset this session's transcript? The agent forgets the conversation.")) return Promise.resolve();
    return busy(el, async () => {
      await api("POST", sessionPath(state.key, "/reset"), {});
      toast("Session reset");
      await loadDetail(state);
      await loadNewest(state);
    });
  },
  "new-session": (state, el) =>
    busy(el, async () => {
      const agentId = state.detail.session?.agentId;
      const r = await api<{ key: string }>("POST", "/api/sessions", { agentId });
      location.assign(`/sessions/${encodeURIComponent(r.key)}`);
    }),
  older: (state, el) => busy(el, () => loadOlder(state)),
  "resolve-approval": (state, el) => resolveApproval(el).then(() => loadDetail(state)),
  logout: async () => {
    await api("DELETE", "/api/session");
    location.reload();
  },
};

export function startSessionPage(): void {
  const state = JSON.parse(byId("initial-session")?.textContent ?? "{}") as SessionPageState;
  document.addEventListener("click", (ev) => {
    const el = (ev.target as Element | null)?.closest<HTMLElement>("[data-action]");
    const action = el ? CLICKS[el.dataset.action ?? ""] : undefined;
    if (el && action) void action(state, el).catch((err: unknown) => toast(errorText(err), true));
  });
  registerComposer(state);
  // The transcript at once, beside the stream's connect; the stream's hello reads it again for
  // whatever happened between the two.
  void loadNewest(state);
  connect(state);
}
