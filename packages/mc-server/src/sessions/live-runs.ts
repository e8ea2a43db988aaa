import {
  type AgentEvent,
  agentLifecycle,
  agentToolUpdate,
  type ChatEvent,
  messageText,
  type SessionMessageEvent,
} from "@missionctl/gateway-client";
import type { AppContext } from "../context.js";
import { explainFailure, type Failure } from "../failures.js";
import { TOOL_TEXT_MAX, toMessageView } from "./transcript.js";

/** A tool call while the run is live (SSE `session.tool`, and in GET /api/sessions/:key). */
export interface LiveTool {
  toolCallId: string;
  name: string;
  title: string | null;
  status: "running" | "completed" | "failed" | "waiting_approval";
  /** The command or arguments, one line. */
  summary: string | null;
  /** The end of its output so far. */
  output: string | null;
  error: string | null;
  approvalId: string | null;
}

/** The run streaming in a session now. */
export interface LiveRun {
  sessionKey: string;
  runId: string;
  agentId: string | null;
  phase: string | null;
  /** The assistant's text so far (the whole message, as the last delta carried it). */
  text: string;
  tools: LiveTool[];
  waitingApproval: string | null;
  startedAt: string;
}

const OUTPUT_TAIL = 2_000;
const MAX_TOOLS = 50;

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/**
 * The live half of the session page: each session's running run (its text as it streams, its
 * tool calls, its phase), pushed to the browsers that watch that session (SSE topic
 * `session:<key>`) and kept here so a page opened mid-run starts from the current text.
 */
export class LiveRuns {
  private readonly runs = new Map<string, LiveRun>();
  private readonly unsubs: (() => void)[] = [];

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    const { gateway } = this.ctx;
    this.unsubs.push(
      gateway.on("chat", (p) => this.onChat(p)),
      gateway.on("agent", (p) => this.onAgent(p)),
      gateway.on("session.message", (p) => this.onMessage(p)),
      gateway.onState((s, previous) => {
        // The stream of a run is lost with the connection; the transcript has what was kept.
        if (s.state !== "connected" && previous === "connected") this.runs.clear();
      }),
    );
  }

  stop(): void {
    for (const u of this.unsubs.splice(0)) u();
  }

  get(sessionKey: string): LiveRun | null {
    return this.runs.get(sessionKey) ?? null;
  }

  /** Every run streaming now (agent status uses them between session row updates). */
  all(): LiveRun[] {
    return [...this.runs.values()];
  }

  private topic(key: string) {
    return { topic: `session:${key}` } as const;
  }

  private ensure(key: string, runId: string, agentId: string | undefined): LiveRun {
    let run = this.runs.get(key);
    if (!run || run.runId !== runId) {
      run = {
        sessionKey: key,
        runId,
        agentId: agentId ?? null,
        phase: null,
        text: "",
        tools: [],
        waitingApproval: null,
        startedAt: new Date().toISOString(),
      };
      this.runs.set(key, run);
    }
    return run;
  }

  private onChat(p: ChatEvent): void {
    const key = p.sessionKey;
    const { hub } = this.ctx;
    if (p.state === "status" || p.state === "delta") {
      const run = this.ensure(key, p.runId, p.agentId);
      if (p.state === "status") {
        run.phase = p.phase ?? run.phase;
        hub.broadcast(
          "session.run",
          { sessionKey: key, runId: p.runId, state: "running", phase: run.phase },
          this.topic(key),
        );
        return;
      }
      run.text = messageText(p.message) || run.text + (p.deltaText ?? "");
      hub.broadcast(
        "session.delta",
        { sessionKey: key, runId: p.runId, seq: p.seq ?? null, text: run.text, at: Date.now() },
        this.topic(key),
      );
      return;
    }
    const run = this.runs.get(key);
    if (run && run.runId !== p.runId) return; // a late event of an older run
    this.runs.delete(key);
    let failure: Failure | null = null;
    let state: "done" | "failed" | "aborted" = "done";
    if (p.state === "error") {
      state = "failed";
      failure = explainFailure(p.errorMessage ?? null, this.ctx.failureContext());
    } else if (p.state === "aborted") {
      state = "aborted";
      failure = explainFailure(p.stopReason ?? null, {
        ...this.ctx.failureContext(),
        abortedBy: this.ctx.abortedBy(key, p.runId),
      });
    }
    // The second error event of a failed run comes after the run is gone: say it once.
    if (!run && p.state === "error") return;
    hub.broadcast(
      "session.run",
      {
        sessionKey: key,
        runId: p.runId,
        state,
        text: p.state === "final" ? messageText(p.message) : (run?.text ?? ""),
        stopReason: p.stopReason ?? null,
        failure,
      },
      this.topic(key),
    );
  }

  private onAgent(p: AgentEvent): void {
    const key = p.sessionKey;
    if (!key) return;
    const life = agentLifecycle(p);
    if (life) {
      const { phase } = life;
      if (phase === "waiting-approval" || phase === "approval-resolved") {
        const run = this.ensure(key, p.runId, p.agentId);
        run.waitingApproval = phase === "waiting-approval" ? life.approvalId : null;
        const tool = run.tools.find((t) => t.toolCallId === life.toolCallId);
        if (tool) {
          tool.status = phase === "waiting-approval" ? "waiting_approval" : "running";
          tool.approvalId = run.waitingApproval;
          this.ctx.hub.broadcast("session.tool", { sessionKey: key, runId: p.runId, ...tool }, this.topic(key));
        }
        this.ctx.hub.broadcast(
          "session.run",
          {
            sessionKey: key,
            runId: p.runId,
            state: phase === "waiting-approval" ? "waiting_approval" : "running",
            approvalId: run.waitingApproval,
            phase: run.phase,
          },
          this.topic(key),
        );
      }
      return;
    }
    const u = agentToolUpdate(p);
    if (!u) return;
    const run = this.ensure(key, p.runId, p.agentId);
    let tool = run.tools.find((t) => t.toolCallId === u.toolCallId);
    if (!tool) {
      tool = {
        toolCallId: u.toolCallId,
        name: u.name ?? "tool",
        title: null,
        status: "running",
        summary: null,
        output: null,
        error: null,
        approvalId: null,
      };
      run.tools.push(tool);
      if (run.tools.length > MAX_TOOLS) run.tools.shift();
    }
    if (u.source === "item") {
      tool.title = u.title ?? tool.title;
      if (u.status === "completed" || u.status === "failed") tool.status = u.status;
      tool.error = u.error ?? tool.error;
    } else if (u.source === "tool") {
      if (u.args) tool.summary = str(u.args.command) ?? JSON.stringify(u.args).slice(0, 240);
      if (u.phase === "result" && u.isError) tool.status = "failed";
    } else {
      if (u.output) tool.output = u.output.length > OUTPUT_TAIL ? `…${u.output.slice(-OUTPUT_TAIL)}` : u.output;
      if (u.phase === "end" && (u.status === "completed" || u.status === "failed")) tool.status = u.status;
    }
    this.ctx.hub.broadcast("session.tool", { sessionKey: key, runId: p.runId, ...tool }, this.topic(key));
  }

  private onMessage(p: SessionMessageEvent): void {
    const view = toMessageView(p.message, p.messageSeq ?? 0);
    view.seq ??= p.messageSeq ?? null;
    if (view.role === "tool" && view.text.length > TOOL_TEXT_MAX) view.text = view.text.slice(0, TOOL_TEXT_MAX);
    this.ctx.hub.broadcast("session.message", { sessionKey: p.sessionKey, message: view }, this.topic(p.sessionKey));
  }
}
