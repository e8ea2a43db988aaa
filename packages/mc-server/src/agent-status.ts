import type { Agent } from "@missionctl/mc-store";
import type { AppContext } from "./context.js";
import { explainFailure, type Failure } from "./failures.js";

export type AgentState = "working" | "idle" | "error" | "waiting_approval" | "unknown";

/** What an agent is doing, derived server-side from its sessions, runs and approvals. */
export interface AgentActivity {
  state: AgentState;
  /** The sessions it is running in now, with the task each belongs to. */
  working: {
    sessionKey: string;
    title: string;
    runId: string | null;
    taskId: string | null;
    phase: string | null;
  }[];
  waitingApprovals: { id: string; kind: string; summary: string; sessionKey: string | null; taskId: string | null }[];
  /** "provider/model", as agents.list or its latest session reports it. */
  model: string | null;
  /** false when the gateway says this agent cannot run (no model); null when unknown. */
  modelConfigured: boolean | null;
  /** What to do when modelConfigured is false. */
  modelFix: string | null;
  lastRun: {
    runId: string | null;
    sessionKey: string;
    taskId: string | null;
    outcome: "ok" | "error" | "aborted";
    failure: Failure | null;
    startedAt: string | null;
    endedAt: string | null;
    durationMs: number | null;
  } | null;
  /** "cache": the gateway is down; this is the last known state, as of `asOf`. */
  source: "gateway" | "cache";
  asOf: string | null;
}

export type AgentView = Agent & { activity: AgentActivity };

/**
 * Agent status for the API and the SSE stream (`agent`), recomputed whenever one of the agent's
 * sessions or approvals changes — with no browser open, and across reconnects (each connect
 * re-lists the sessions, whose rows carry every run's outcome).
 */
export class AgentStatusBoard {
  private readonly lastSent = new Map<string, string>();
  private readonly unsubs: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    this.unsubs.push(
      this.ctx.sessions.onChange(() => this.soon()),
      this.ctx.approvals.onChange(() => this.soon()),
      this.ctx.gateway.onState(() => this.soon()),
    );
  }

  stop(): void {
    for (const u of this.unsubs.splice(0)) u();
    if (this.timer) clearTimeout(this.timer);
  }

  list(): AgentView[] {
    const known = this.ctx.store.agents.list();
    const ids = new Set(known.map((a) => a.id));
    // An agent the gateway runs sessions for but agents.list has not named (yet) still shows.
    const extra: Agent[] = [];
    for (const s of this.ctx.sessions.list()) {
      if (s.agentId && !ids.has(s.agentId)) {
        ids.add(s.agentId);
        extra.push({
          id: s.agentId,
          name: null,
          emoji: null,
          avatar: null,
          workspace: null,
          status: "unknown",
          model: null,
          lastSeenAt: null,
          createdAt: s.createdAt ?? new Date(0).toISOString(),
          updatedAt: s.lastActivityAt ?? new Date(0).toISOString(),
        });
      }
    }
    return [...known, ...extra].map((a) => ({ ...a, activity: this.activity(a) }));
  }

  get(id: string): AgentView | undefined {
    return this.list().find((a) => a.id === id);
  }

  activity(agent: Agent): AgentActivity {
    const { sessions, approvals, gateway } = this.ctx;
    const freshness = sessions.freshness();
    const mine = sessions.list().filter((s) => s.agentId === agent.id);
    const working = mine
      .filter((s) => s.status === "running")
      .map((s) => ({
        sessionKey: s.key,
        title: s.title,
        runId: s.activeRunIds[0] ?? null,
        taskId: s.taskId,
        phase: s.phase,
      }));
    const waitingApprovals = approvals.list({ agentId: agent.id }).map((a) => ({
      id: a.id,
      kind: a.kind,
      summary: a.summary,
      sessionKey: a.sessionKey,
      taskId: a.taskId,
    }));
    const finished = mine
      .filter((s) => s.status !== "running" && s.lastRunId)
      .sort((a, b) =>
        (b.lastRunEndedAt ?? b.lastActivityAt ?? "").localeCompare(a.lastRunEndedAt ?? a.lastActivityAt ?? ""),
      );
    const last = finished[0];
    const lastRun = last
      ? {
          runId: last.lastRunId,
          sessionKey: last.key,
          taskId: last.taskId,
          outcome: (last.status === "failed" ? "error" : last.status === "aborted" ? "aborted" : "ok") as
            | "ok"
            | "error"
            | "aborted",
          failure: last.failure,
          startedAt: last.lastRunStartedAt,
          endedAt: last.lastRunEndedAt,
          durationMs: last.lastRunMs,
        }
      : null;
    let state: AgentState = "idle";
    if (waitingApprovals.length) state = "waiting_approval";
    else if (working.length) state = "working";
    else if (lastRun?.outcome === "error") state = "error";
    else if (gateway.state !== "connected" && mine.length === 0) state = "unknown";
    const isDefault = gateway.defaultAgentId() === agent.id;
    const noModelRun = lastRun?.failure?.kind === "no_model";
    let modelConfigured: boolean | null = isDefault ? gateway.modelConfigured() : null;
    if (noModelRun) modelConfigured = false;
    else if (lastRun?.outcome === "ok") modelConfigured = true;
    return {
      state,
      working,
      waitingApprovals,
      model: agent.model ?? mine.find((s) => s.model)?.model ?? null,
      modelConfigured,
      modelFix:
        modelConfigured === false ? explainFailure("no model is configured", this.ctx.failureContext()).fix : null,
      lastRun,
      source: freshness.source,
      asOf: freshness.asOf,
    };
  }

  private soon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, 100);
    this.timer.unref?.();
  }

  private flush(): void {
    let agents: AgentView[];
    try {
      agents = this.list();
    } catch (err) {
      this.ctx.log.warn("could not compute agent status", { error: String(err) });
      return;
    }
    for (const a of agents) {
      const body = JSON.stringify(a.activity);
      if (this.lastSent.get(a.id) === body) continue;
      const before = this.lastSent.get(a.id);
      this.lastSent.set(a.id, body);
      this.ctx.hub.broadcast("agent", a);
      if (before) {
        const prev = JSON.parse(before) as AgentActivity;
        if (prev.state !== a.activity.state)
          this.ctx.log.info("agent status", { agentId: a.id, from: prev.state, to: a.activity.state });
      }
    }
  }
}
