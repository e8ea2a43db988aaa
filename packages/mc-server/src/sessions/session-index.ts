import {
  type ChatEvent,
  type SessionRow,
  type SessionsChangedEvent,
  sessionsList,
  sessionsSubscribe,
} from "@missionctl/gateway-client";
import { LIMITS } from "@missionctl/mc-store";
import type { AppContext } from "../context.js";
import { taskIdFromSessionKey } from "../context.js";
import { explainFailure, type Failure } from "../failures.js";

export type SessionStatus = "running" | "idle" | "failed" | "aborted";

/** One session as the dashboard lists it (GET /api/sessions, SSE `session`). */
export interface SessionView {
  key: string;
  agentId: string | null;
  title: string;
  status: SessionStatus;
  /** Runs active now (known ids; a run the gateway reports without an id is not listed). */
  activeRunIds: string[];
  /** The active run's phase (preparing_context, starting_model, …) when known. */
  phase: string | null;
  lastActivityAt: string | null;
  lastRunId: string | null;
  lastRunError: string | null;
  lastRunStartedAt: string | null;
  lastRunEndedAt: string | null;
  lastRunMs: number | null;
  /** For a failed or aborted last run: the reason and the fix. */
  failure: Failure | null;
  tokens: { input: number | null; output: number | null; total: number | null };
  model: string | null;
  /** The Mission Control task this session belongs to, if it is a task session. */
  taskId: string | null;
  preview: string | null;
  createdAt: string | null;
}

/** What the gateway's events say a session is doing, ahead of its next row update. */
interface Overlay {
  status: SessionStatus;
  runId: string | null;
  phase: string | null;
  error: string | null;
  at: number;
}

const OVERLAY_TTL_MS = 120_000;
const FULL_LIST_MAX = 1_000;
const PAGE = 200;

const iso = (ms: number | null | undefined): string | null =>
  typeof ms === "number" && Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
const num = (v: number | null | undefined): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function agentOf(row: SessionRow): string | null {
  if (row.agentId) return row.agentId;
  return /^agent:([^:]+):/i.exec(row.key)?.[1] ?? null;
}

function rowStatus(row: SessionRow): SessionStatus {
  if (row.hasActiveRun || row.status === "running") return "running";
  if (row.status === "killed" || row.abortedLastRun) return "aborted";
  if (row.status === "failed") return "failed";
  return "idle";
}

/**
 * Every session the gateway has, kept current server-side: listed on each connect (after
 * sessions.subscribe, so no change falls between), then updated from sessions.changed rows and
 * the runs' chat events; cached in the store so a restart without the gateway still shows the
 * last list — marked as cached, with its time.
 */
export class SessionIndex {
  private readonly rows = new Map<string, SessionRow>();
  private readonly overlays = new Map<string, Overlay>();
  private readonly lastSent = new Map<string, string>();
  private readonly pending = new Set<string>();
  private readonly listeners = new Set<(keys: string[]) => void>();
  private readonly unsubs: (() => void)[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private persistTimer: NodeJS.Timeout | null = null;
  private resyncTimer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  /** When the list was last taken from the gateway (null: only the store's cache so far). */
  private syncedAt: number | null = null;
  private cachedAt: string | null = null;

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    try {
      const cached = this.ctx.store.sessions.list();
      for (const s of cached) this.rows.set(s.key, { ...(s.data as SessionRow), key: s.key });
      this.cachedAt = cached.reduce<string | null>((a, s) => (a && a > s.cachedAt ? a : s.cachedAt), null);
    } catch (err) {
      this.ctx.log.warn("could not read the session cache", { error: String(err) });
    }
    const { gateway } = this.ctx;
    this.unsubs.push(
      gateway.onState((s, previous) => {
        if (s.state === "connected" && previous !== "connected") void this.sync();
        // Down: what we have is now the last known state, not the current one.
        if (s.state !== "connected" && previous === "connected") this.emitAll();
      }),
      gateway.on("sessions.changed", (p) => this.onChanged(p)),
      gateway.on("chat", (p) => this.onChat(p)),
    );
    if (gateway.state === "connected") void this.sync();
  }

  stop(): void {
    for (const u of this.unsubs.splice(0)) u();
    for (const t of [this.flushTimer, this.persistTimer, this.resyncTimer]) if (t) clearTimeout(t);
  }

  /** Called with the keys whose view changed (agent status follows it). */
  onChange(listener: (keys: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether the list is the gateway's, live, or the last one seen. */
  freshness(): { source: "gateway" | "cache"; asOf: string | null; stale: boolean } {
    const live = this.ctx.gateway.state === "connected" && this.syncedAt !== null;
    if (live) return { source: "gateway", asOf: new Date().toISOString(), stale: false };
    return { source: "cache", asOf: this.syncedAt !== null ? iso(this.syncedAt) : this.cachedAt, stale: true };
  }

  list(): SessionView[] {
    const views = [...this.rows.values()].map((r) => this.view(r));
    return views.sort(
      (a, b) => (b.lastActivityAt ?? "").localeCompare(a.lastActivityAt ?? "") || (a.key < b.key ? -1 : 1),
    );
  }

  get(key: string): SessionView | undefined {
    const row = this.rows.get(key);
    return row ? this.view(row) : undefined;
  }

  has(key: string): boolean {
    return this.rows.has(key);
  }

  /** Waits for a sync in progress (routes that must answer from the gateway's list). */
  async ready(): Promise<void> {
    if (this.syncing) await this.syncing;
  }

  /** Lists every session from the gateway again (on connect, and after a global change notice). */
  sync(): Promise<void> {
    if (this.syncing) return this.syncing;
    this.syncing = this.syncOnce().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const { gateway, log } = this.ctx;
    try {
      await sessionsSubscribe(gateway, {}, { timeoutMs: 15_000 });
      const rows: SessionRow[] = [];
      let offset = 0;
      for (;;) {
        const page = await sessionsList(gateway, { limit: PAGE, offset }, { timeoutMs: 15_000 });
        rows.push(...page.sessions);
        if (!page.hasMore || page.sessions.length === 0 || rows.length >= FULL_LIST_MAX) break;
        offset = page.nextOffset ?? offset + page.sessions.length;
      }
      const before = new Set(this.rows.keys());
      this.rows.clear();
      for (const r of rows) this.rows.set(r.key, r);
      this.syncedAt = Date.now();
      for (const k of before) if (!this.rows.has(k)) this.lastSent.delete(k);
      this.persistSoon(0);
      this.ctx.hub.broadcast("sessions", { ...this.freshness(), count: this.rows.size });
      this.emitAll();
    } catch (err) {
      log.warn("could not list the gateway's sessions", { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private onChanged(p: SessionsChangedEvent): void {
    const key = p.sessionKey;
    if (!key) {
      this.resyncSoon();
      return;
    }
    if (p.session) {
      this.rows.set(key, p.session);
      this.settleOverlay(key, p.session);
    } else if (/delet|remov|archiv/i.test(p.reason ?? "")) {
      this.rows.delete(key);
      this.overlays.delete(key);
      this.ctx.hub.broadcast("session", { key, deleted: true });
      this.lastSent.delete(key);
      this.persistSoon();
      this.notify([key]);
      return;
    } else {
      this.resyncSoon();
    }
    this.markChanged(key);
  }

  private onChat(p: ChatEvent): void {
    const key = p.sessionKey;
    const current = this.overlays.get(key);
    let next: Overlay | null = null;
    const at = Date.now();
    if (p.state === "status" || p.state === "delta") {
      if (current?.status === "running" && current.runId === p.runId && (p.state === "delta" || !p.phase)) return;
      next = { status: "running", runId: p.runId, phase: p.phase ?? current?.phase ?? null, error: null, at };
    } else if (p.state === "final") {
      next = { status: "idle", runId: p.runId, phase: null, error: null, at };
    } else if (p.state === "aborted") {
      next = { status: "aborted", runId: p.runId, phase: null, error: p.stopReason ?? null, at };
    } else if (p.state === "error") {
      // A failed run sends two errors; the first one carries the plain reason.
      if (current?.status === "failed" && current.runId === p.runId) return;
      next = { status: "failed", runId: p.runId, phase: null, error: p.errorMessage ?? "the run failed", at };
    }
    if (!next) return;
    this.overlays.set(key, next);
    if (!this.rows.has(key)) {
      // A session we have not listed yet (a dispatch just created it): show it now, fill it in soon.
      this.rows.set(key, { key, ...(p.agentId ? { agentId: p.agentId } : {}) });
      this.resyncSoon();
    }
    this.markChanged(key);
  }

  /** A row that already reflects the overlay's run makes the overlay redundant. */
  private settleOverlay(key: string, row: SessionRow): void {
    const o = this.overlays.get(key);
    if (!o) return;
    const rowRunning = row.hasActiveRun === true || row.status === "running";
    if (o.status === "running" ? rowRunning || row.lastRunId === o.runId : row.lastRunId === o.runId && !rowRunning)
      this.overlays.delete(key);
  }

  private view(row: SessionRow): SessionView {
    const key = row.key;
    let o = this.overlays.get(key);
    if (o && Date.now() - o.at > OVERLAY_TTL_MS) {
      this.overlays.delete(key);
      o = undefined;
    }
    const status = o?.status ?? rowStatus(row);
    const lastRunId = o?.runId ?? row.lastRunId ?? null;
    const lastRunError = o ? (o.status === "failed" ? o.error : null) : (row.lastRunError ?? null);
    const taskId = taskIdFromSessionKey(key);
    const active = (row.activeRunIds ?? []).filter((id): id is string => typeof id === "string");
    if (o?.status === "running" && o.runId && !active.includes(o.runId)) active.push(o.runId);
    let failure: Failure | null = null;
    if (status === "failed") failure = explainFailure(lastRunError, this.ctx.failureContext());
    else if (status === "aborted")
      failure = explainFailure(o?.error ?? null, {
        ...this.ctx.failureContext(),
        abortedBy: this.ctx.abortedBy(key, lastRunId),
      });
    const lastActivity = Math.max(
      num(row.lastInteractionAt) ?? 0,
      num(row.endedAt) ?? 0,
      num(row.updatedAt) ?? 0,
      o ? o.at : 0,
    );
    return {
      key,
      agentId: agentOf(row),
      title: row.label || row.displayName || this.ctx.taskTitle(taskId) || key,
      status,
      activeRunIds: status === "running" ? active : [],
      phase: status === "running" ? (o?.phase ?? null) : null,
      lastActivityAt: iso(lastActivity),
      lastRunId,
      lastRunError,
      lastRunStartedAt: iso(row.startedAt),
      lastRunEndedAt: iso(row.endedAt),
      lastRunMs: num(row.runtimeMs),
      failure,
      tokens: { input: num(row.inputTokens), output: num(row.outputTokens), total: num(row.totalTokens) },
      model: row.model ? `${row.modelProvider ? `${row.modelProvider}/` : ""}${row.model}` : null,
      taskId,
      preview: row.lastMessagePreview ?? null,
      createdAt: iso(row.createdAt),
    };
  }

  private markChanged(key: string): void {
    this.pending.add(key);
    this.persistSoon();
    if (this.flushTimer) return;
    // sessions.changed comes in bursts (start, model, settled…): one `session` event per burst.
    this.flushTimer = setTimeout(() => this.flush(), 50);
    this.flushTimer.unref?.();
  }

  private emitAll(): void {
    for (const k of this.rows.keys()) this.pending.add(k);
    this.flush();
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const changed: string[] = [];
    const freshness = this.freshness();
    for (const key of this.pending) {
      const row = this.rows.get(key);
      if (!row) continue;
      const view = this.view(row);
      const body = JSON.stringify(view);
      if (this.lastSent.get(key) === body && !freshness.stale) continue;
      this.lastSent.set(key, body);
      this.ctx.hub.broadcast("session", { ...view, source: freshness.source, stale: freshness.stale });
      changed.push(key);
    }
    this.pending.clear();
    if (changed.length) this.notify(changed);
  }

  private notify(keys: string[]): void {
    for (const l of this.listeners) {
      try {
        l(keys);
      } catch (err) {
        this.ctx.log.error("session change listener failed", { error: String(err) });
      }
    }
  }

  private resyncSoon(): void {
    if (this.resyncTimer || this.ctx.gateway.state !== "connected") return;
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = null;
      void this.sync();
    }, 1_000);
    this.resyncTimer.unref?.();
  }

  private persistSoon(delayMs = 1_000): void {
    if (this.syncedAt === null) return; // nothing from the gateway yet: keep the old cache as it is
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = setTimeout(() => {
      this.persistTimer = null;
      try {
        // One session the cache cannot hold (an over-long key) must not drop the whole offline list.
        const rows = [...this.rows.values()];
        const cacheable = rows.filter((r) => r.key.length > 0 && r.key.length <= LIMITS.sessionKey);
        if (cacheable.length < rows.length)
          this.ctx.log.warn("sessions not cached", { skipped: rows.length - cacheable.length, reason: "key too long" });
        this.ctx.store.sessions.replaceAll(cacheable);
      } catch (err) {
        this.ctx.log.warn("could not cache sessions", { error: err instanceof Error ? err.message : String(err) });
      }
    }, delayMs);
    this.persistTimer.unref?.();
  }
}
