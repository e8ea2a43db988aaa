import {
  type AgentEvent,
  APPROVAL_DECISIONS,
  type ApprovalDecision,
  agentLifecycle,
  type ExecApproval,
  type ExecApprovalResolved,
  execApprovalList,
  execApprovalResolve,
  GatewayError,
  type PluginApproval,
  type PluginApprovalResolved,
  pluginApprovalList,
  pluginApprovalResolve,
} from "@missionctl/gateway-client";
import type { AppContext } from "./context.js";
import { taskIdFromSessionKey } from "./context.js";
import { ApiError } from "./errors.js";

export const APPROVALS_SCOPE = "operator.approvals";

/** What an approval asks, as the dashboard shows it (GET /api/approvals, SSE `approval`). */
export interface ApprovalView {
  id: string;
  kind: "exec" | "plugin";
  agentId: string | null;
  sessionKey: string | null;
  taskId: string | null;
  runId: string | null;
  toolCallId: string | null;
  /** One line: the command, or the plugin's title. */
  summary: string;
  /**
   * The details the gateway sent: for exec `{ command, cwd, host, resolvedPath }`, for plugins
   * `{ title, description, severity, toolName, pluginId }`.
   */
  ask: Record<string, string | null>;
  allowedDecisions: ApprovalDecision[];
  createdAt: string | null;
  expiresAt: string | null;
  /** false: known only from the run's "waiting-approval" phase — listing it needs operator.approvals. */
  details: boolean;
}

const iso = (ms: number | undefined): string | null => (typeof ms === "number" ? new Date(ms).toISOString() : null);
const s = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

function decisionsOf(allowed: unknown, unavailable: unknown): ApprovalDecision[] {
  const list = Array.isArray(allowed)
    ? allowed.filter((d) => (APPROVAL_DECISIONS as readonly string[]).includes(d))
    : [];
  const out = (list.length ? list : [...APPROVAL_DECISIONS]) as ApprovalDecision[];
  const off = Array.isArray(unavailable) ? unavailable : [];
  return out.filter((d) => !off.includes(d));
}

function execView(a: ExecApproval): ApprovalView {
  const r = a.request;
  const command = r.command ?? (r.commandArgv ?? []).join(" ");
  return {
    id: a.id,
    kind: "exec",
    agentId: s(r.agentId),
    sessionKey: s(r.sessionKey),
    taskId: taskIdFromSessionKey(r.sessionKey),
    runId: s(r.runId),
    toolCallId: s(r.toolCallId),
    summary: command || "a command",
    ask: {
      command: command || null,
      cwd: s(r.cwd),
      host: s(r.host),
      resolvedPath: s(r.resolvedPath),
      security: s(r.security),
    },
    allowedDecisions: decisionsOf(r.allowedDecisions, r.unavailableDecisions),
    createdAt: iso(a.createdAtMs),
    expiresAt: iso(a.expiresAtMs),
    details: true,
  };
}

function pluginView(a: PluginApproval): ApprovalView {
  const r = a.request;
  return {
    id: a.id,
    kind: "plugin",
    agentId: s(r.agentId),
    sessionKey: s(r.sessionKey),
    taskId: taskIdFromSessionKey(r.sessionKey),
    runId: s(r.runId),
    toolCallId: s(r.toolCallId),
    summary: r.title ?? r.toolName ?? "a plugin action",
    ask: {
      title: s(r.title),
      description: s(r.description),
      detail: s(r.detail),
      severity: s(r.severity),
      toolName: s(r.toolName),
      pluginId: s(r.pluginId),
    },
    allowedDecisions: decisionsOf(r.allowedDecisions, []),
    createdAt: iso(a.createdAtMs),
    expiresAt: iso(a.expiresAtMs),
    details: true,
  };
}

/**
 * The approvals waiting for a decision. With operator.approvals (and the `approvals` cap, which
 * mc-server then sends) the gateway routes a run's approvals to this connection: listed on each
 * connect, then kept from the requested/resolved events. Without the scope the gateway shows
 * them to nobody here; a run's "waiting-approval" phase still says that one is pending.
 */
export class ApprovalTracker {
  private readonly pending = new Map<string, ApprovalView>();
  private readonly unsubs: (() => void)[] = [];
  private readonly listeners = new Set<() => void>();
  private expiryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    const { gateway } = this.ctx;
    this.unsubs.push(
      gateway.onState((st, previous) => {
        if (st.state === "connected" && previous !== "connected") void this.reload();
      }),
      gateway.on("exec.approval.requested", (a) => this.add(execView(a))),
      gateway.on("plugin.approval.requested", (a) => this.add(pluginView(a))),
      gateway.on("exec.approval.resolved", (r) => this.resolved(r, "exec")),
      gateway.on("plugin.approval.resolved", (r) => this.resolved(r, "plugin")),
      gateway.on("agent", (p) => this.onAgent(p)),
    );
    this.expiryTimer = setInterval(() => this.expire(), 5_000);
    this.expiryTimer.unref?.();
    if (gateway.state === "connected") void this.reload();
  }

  stop(): void {
    for (const u of this.unsubs.splice(0)) u();
    if (this.expiryTimer) clearInterval(this.expiryTimer);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether this server can answer approvals, and if not what to do about it. */
  access(): { canResolve: boolean; requiredScope: string; hint: string | null } {
    const { gateway } = this.ctx;
    const requested = gateway.config.gatewayScopes.some((x) => x === APPROVALS_SCOPE || x === "operator.admin");
    const granted = gateway.holds(APPROVALS_SCOPE);
    if (granted) return { canResolve: true, requiredScope: APPROVALS_SCOPE, hint: null };
    if (gateway.state !== "connected")
      return {
        canResolve: false,
        requiredScope: APPROVALS_SCOPE,
        hint: "the gateway is not connected; approvals are answered through the gateway connection",
      };
    return {
      canResolve: false,
      requiredScope: APPROVALS_SCOPE,
      hint: requested
        ? "mc-server asked for operator.approvals but the gateway did not grant it: approve the device's scope upgrade on the " +
          "gateway host (`openclaw devices list`, then `openclaw devices approve <requestId>`), then reconnect"
        : "answering approvals needs the operator.approvals scope: add it to MC_GATEWAY_SCOPES (e.g. " +
          "MC_GATEWAY_SCOPES=operator.read,operator.write,operator.approvals), restart mc-server and approve the device's scope " +
          "upgrade on the gateway if it asks",
    };
  }

  /** {@link access} in the shape of a session capability (`can.approve` of the session API). */
  capability(): { allowed: boolean; scope: string; hint: string | null } {
    const a = this.access();
    return { allowed: a.canResolve, scope: a.requiredScope, hint: a.hint };
  }

  list(filter: { agentId?: string; sessionKey?: string; taskId?: string } = {}): ApprovalView[] {
    return [...this.pending.values()]
      .filter(
        (a) =>
          (!filter.agentId || a.agentId === filter.agentId) &&
          (!filter.sessionKey || a.sessionKey === filter.sessionKey) &&
          (!filter.taskId || a.taskId === filter.taskId),
      )
      .sort((a, b) => (a.createdAt ?? "").localeCompare(b.createdAt ?? ""));
  }

  get(id: string): ApprovalView | undefined {
    return this.pending.get(id);
  }

  /** Answers an approval through the gateway (first answer wins there). */
  async resolve(id: string, decision: ApprovalDecision, kind?: "exec" | "plugin"): Promise<ApprovalView | null> {
    const access = this.access();
    if (!access.canResolve) {
      throw new ApiError(
        403,
        "APPROVALS_SCOPE_REQUIRED",
        `[mc-server] approval ${id}: this server's gateway connection does not hold ${APPROVALS_SCOPE}`,
        access.hint ?? `grant ${APPROVALS_SCOPE}`,
        { requiredScope: APPROVALS_SCOPE },
      );
    }
    const known = this.pending.get(id);
    const which = kind ?? known?.kind;
    if (!which) {
      throw new ApiError(
        404,
        "APPROVAL_NOT_FOUND",
        `[mc-server] approval ${id}: no pending approval has this id`,
        "list pending approvals with GET /api/approvals; it may have been answered or expired",
      );
    }
    if (known && !known.allowedDecisions.includes(decision)) {
      throw new ApiError(
        400,
        "DECISION_NOT_ALLOWED",
        `[mc-server] approval ${id}: the gateway does not accept "${decision}" for it`,
        `answer with one of: ${known.allowedDecisions.join(", ")}`,
        { allowed: known.allowedDecisions },
      );
    }
    try {
      if (which === "exec") await execApprovalResolve(this.ctx.gateway, { id, decision });
      else await pluginApprovalResolve(this.ctx.gateway, { id, decision });
    } catch (err) {
      if (
        err instanceof GatewayError &&
        err.code !== "MISSING_SCOPE" &&
        err.layer === "rpc" &&
        /unknown|expired|not found|resolved/i.test(err.message)
      ) {
        this.drop(id);
        throw new ApiError(
          404,
          "APPROVAL_NOT_FOUND",
          `[mc-server] approval ${id}: the gateway no longer has it (${err.message})`,
          "it was answered elsewhere or expired; refresh the list",
        );
      }
      throw err;
    }
    this.ctx.log.info("approval answered", { id, kind: which, decision, sessionKey: known?.sessionKey });
    return known ?? null;
  }

  private async reload(): Promise<void> {
    if (!this.ctx.gateway.holds(APPROVALS_SCOPE)) {
      // Keep the blind entries (from run phases); details need the scope.
      for (const [id, a] of this.pending) if (a.details) this.pending.delete(id);
      this.changed();
      return;
    }
    try {
      const [execs, plugins] = await Promise.all([
        execApprovalList(this.ctx.gateway, {}, { timeoutMs: 15_000 }),
        pluginApprovalList(this.ctx.gateway, {}, { timeoutMs: 15_000 }),
      ]);
      this.pending.clear();
      for (const a of execs) this.pending.set(a.id, execView(a));
      for (const a of plugins) this.pending.set(a.id, pluginView(a));
      for (const a of this.pending.values()) this.ctx.hub.broadcast("approval", a);
      this.changed();
    } catch (err) {
      this.ctx.log.warn("could not list pending approvals", {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private add(view: ApprovalView): void {
    this.pending.set(view.id, view);
    this.ctx.hub.broadcast("approval", view);
    this.ctx.log.info("approval requested", { id: view.id, kind: view.kind, sessionKey: view.sessionKey });
    this.changed();
  }

  private resolved(r: ExecApprovalResolved | PluginApprovalResolved, kind: "exec" | "plugin"): void {
    const known = this.pending.get(r.id);
    this.pending.delete(r.id);
    this.ctx.hub.broadcast("approval.resolved", {
      id: r.id,
      kind,
      decision: r.decision,
      resolvedBy: r.resolvedBy ?? null,
      sessionKey: known?.sessionKey ?? s(r.request?.sessionKey),
      agentId: known?.agentId ?? null,
    });
    this.changed();
  }

  /** Without the scope, a run's lifecycle still says it waits for an approval (no details). */
  private onAgent(p: AgentEvent): void {
    const life = agentLifecycle(p);
    if (!life) return;
    const { phase } = life;
    if (phase === "end" || phase === "error") {
      // The run is over: whatever it waited for is moot.
      for (const [key, a] of this.pending) if (a.runId === p.runId && !a.details) this.pending.delete(key);
      return;
    }
    const id = life.approvalId;
    if (!id) return;
    if (phase === "waiting-approval" && !this.pending.has(id)) {
      this.pending.set(id, {
        id,
        kind: "exec",
        agentId: p.agentId ?? null,
        sessionKey: p.sessionKey ?? null,
        taskId: taskIdFromSessionKey(p.sessionKey),
        runId: p.runId,
        toolCallId: life.toolCallId,
        summary: "a tool call waits for approval",
        ask: {},
        allowedDecisions: [],
        createdAt: new Date().toISOString(),
        expiresAt: null,
        details: false,
      });
      this.changed();
    } else if (phase === "approval-resolved" && this.pending.get(id)?.details === false) {
      this.drop(id);
    }
  }

  private drop(id: string): void {
    if (this.pending.delete(id)) this.changed();
  }

  private expire(): void {
    const now = new Date().toISOString();
    let any = false;
    for (const [id, a] of this.pending) {
      if (a.expiresAt && a.expiresAt < now) {
        this.pending.delete(id);
        any = true;
      }
    }
    if (any) this.changed();
  }

  private changed(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch (err) {
        this.ctx.log.error("approval listener failed", { error: String(err) });
      }
    }
  }
}
