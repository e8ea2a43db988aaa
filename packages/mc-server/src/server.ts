import { createServer as createHttpServer, type RequestListener, type Server, type ServerOptions } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { messageText } from "@missionctl/gateway-client";
import { openStore } from "@missionctl/mc-store";
import type { Hono } from "hono";
import pkg from "../package.json";
import { AgentStatusBoard } from "./agent-status.js";
import { syncAgents } from "./agent-sync.js";
import { createApp } from "./app.js";
import { ApprovalTracker } from "./approvals.js";
import { AuthThrottle, type AuthThrottleOptions } from "./auth-throttle.js";
import { loadConfig, type ServerConfig } from "./config.js";
import type { AppContext, Store } from "./context.js";
import { taskIdFromSessionKey } from "./context.js";
import { Dispatcher, type DispatcherOptions } from "./dispatcher.js";
import { McServerError } from "./errors.js";
import { createFastLane } from "./fast-lane.js";
import { GatewayConnection } from "./gateway.js";
import { LocalGateway } from "./local-gateway/index.js";
import { createLogger, type Logger } from "./log.js";
import { RunFollower } from "./runs.js";
import { LiveRuns } from "./sessions/live-runs.js";
import { SessionIndex } from "./sessions/session-index.js";
import { SseHub, sseFrame } from "./sse.js";
import { TaskListCache } from "./task-list-cache.js";
import { presentTask } from "./task-view.js";

/** How long the dashboard's Stop is remembered as the cause of the abort that follows. */
const ABORT_MEMORY_MS = 10 * 60_000;

export interface CreateServerOptions {
  /** A validated config; otherwise read from `env` (default process.env). */
  config?: ServerConfig;
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** An open store to use instead of opening DATABASE_PATH (tests, embedding). Not closed by close(). */
  store?: Store;
  dispatcher?: DispatcherOptions;
  gateway?: { pairingPollMs?: number; retryInitialMs?: number; retryMaxMs?: number; reconnectMaxMs?: number };
  sse?: { heartbeatMs?: number; maxQueueBytes?: number };
  /** Failed-auth throttling per client address (default 10 failures a minute). */
  authThrottle?: AuthThrottleOptions;
  /** Overrides for the local gateway (MC_LOCAL_GATEWAY): its start-up budget. */
  localGateway?: { startTimeoutMs?: number };
}

export interface McServer {
  app: Hono;
  ctx: AppContext;
  /** The Fetch-API handler (Bun.serve, tests with app.request). */
  fetch: (req: Request) => Response | Promise<Response>;
  /** Starts the gateway connection and the outbox worker (listen() does it too). */
  start(): Promise<void>;
  /** Listens on config.host:config.port (port 0 = any free port). */
  listen(): Promise<{ url: string; port: number; host: string }>;
  close(): Promise<void>;
}

function openConfiguredStore(config: ServerConfig, env: Record<string, string | undefined>, log: Logger): Store {
  try {
    return openStore({
      ...(config.databasePath ? { path: config.databasePath } : {}),
      // Attempts only count while the gateway is connected; a restart storm should not exhaust them.
      outbox: { maxAttempts: 20 },
      env,
      logger: (line: object) => log.debug("store", line as Record<string, unknown>),
    });
  } catch (err) {
    const e = err as { code?: string; hint?: string; message?: string };
    // The store's message already reads "subject: reason — fix": keep its reason, state the fix once.
    const reason = (e.message ?? String(err)).replace(/^\[mc-store\] /, "").replace(e.hint ? ` — ${e.hint}` : /$^/, "");
    throw new McServerError("CONFIG_DATABASE", "database", reason, e.hint ?? "check DATABASE_PATH", {
      cause: err,
      variable: "DATABASE_PATH",
    });
  }
}

/** Builds the server (store, gateway connection, outbox worker, SSE hub, routes) without listening. */
export function createServer(opts: CreateServerOptions = {}): McServer {
  const env = opts.env ?? process.env;
  let config = opts.config;
  let warnings: ReturnType<typeof loadConfig>["warnings"] = [];
  if (!config) ({ config, warnings } = loadConfig(env));
  const log = opts.logger ?? createLogger(config.logLevel);
  for (const w of warnings)
    log.warn(w.message, { variable: w.variable, ...(w.suggestion ? { suggestion: w.suggestion } : {}) });

  const ownsStore = !opts.store;
  const store = opts.store ?? openConfiguredStore(config, env, log);
  const hub = new SseHub({ ...(opts.sse ?? {}), log: log.child({ component: "sse" }) });
  const gateway = new GatewayConnection({
    config,
    logger: log,
    history: store.gatewayHistory,
    ...(opts.gateway ?? {}),
  });
  let dispatcher: Dispatcher | null = null;
  const localLog = log.child({ component: "local-gateway" });
  const localGateway = config.localGateway
    ? new LocalGateway({
        dir: config.localGateway.dir,
        cacheDir: config.localGateway.cacheDir,
        env,
        log: (level, msg, data) => localLog[level](msg, data),
        ...(opts.localGateway?.startTimeoutMs ? { startTimeoutMs: opts.localGateway.startTimeoutMs } : {}),
      })
    : null;
  const aborts = new Map<string, { runIds: Set<string>; at: number }>();
  const ctx = {
    config,
    log,
    store,
    gateway,
    hub,
    taskListCache: new TaskListCache(),
    authThrottle: new AuthThrottle(opts.authThrottle ?? {}),
    localGateway,
    startedAt: Date.now(),
    version: pkg.version,
    kickDispatcher: () => dispatcher?.kick(),
    noteAbort(sessionKey: string, runIds: readonly string[]) {
      const now = Date.now();
      for (const [k, v] of aborts) if (now - v.at > ABORT_MEMORY_MS) aborts.delete(k);
      const entry = aborts.get(sessionKey) ?? { runIds: new Set<string>(), at: now };
      for (const id of runIds) entry.runIds.add(id);
      entry.at = now;
      aborts.set(sessionKey, entry);
    },
    abortedBy(sessionKey: string, runId: string | null) {
      const entry = aborts.get(sessionKey);
      if (!entry || Date.now() - entry.at > ABORT_MEMORY_MS) return null;
      if (runId && entry.runIds.size > 0 && !entry.runIds.has(runId)) return null;
      return "the operator (Stop on the Mission Control dashboard)";
    },
    failureContext: () => ({ localGateway: localGateway !== null, canApprove: gateway.holds("operator.approvals") }),
    taskTitle(taskId: string | null) {
      if (!taskId) return null;
      try {
        return `Task: ${store.tasks.get(taskId).title}`;
      } catch {
        return null;
      }
    },
  } as AppContext;
  ctx.sessions = new SessionIndex(ctx);
  ctx.live = new LiveRuns(ctx);
  ctx.approvals = new ApprovalTracker(ctx);
  ctx.agentStatus = new AgentStatusBoard(ctx);
  dispatcher = new Dispatcher(ctx, opts.dispatcher ?? {});
  const worker = dispatcher;
  const runs = new RunFollower(ctx, { check: (item, why) => worker.check(item, why), kick: () => worker.kick() });
  dispatcher.attach(runs);

  // Every change the store commits reaches the stream, one write per client; frames of task
  // events carry the event's id from the store, so a client resumes from it across restarts.
  const unsubStore = store.onChange?.((change) => {
    switch (change.type) {
      case "task.created":
      case "task.updated":
      case "task.status_changed":
        ctx.taskListCache.clear();
        hub.broadcastFrames(
          sseFrame("task", presentTask(ctx, change.task)) + sseFrame("task.event", change.event, change.event.id),
        );
        break;
      case "task.deleted":
        ctx.taskListCache.clear();
        hub.broadcastFrames(
          sseFrame("task.deleted", { id: change.taskId }) + sseFrame("task.event", change.event, change.event.id),
        );
        break;
      case "task_event.appended":
        hub.broadcast("task.event", change.event, { id: change.event.id });
        break;
      case "agents.changed":
        hub.broadcast("agents", { ids: change.ids });
        break;
      default:
        break;
    }
  });

  const unsubs: (() => void)[] = [];
  unsubs.push(
    gateway.onState((status) => {
      hub.broadcast("gateway", status);
      if (status.state === "connected") {
        syncAgents(ctx).catch((err) =>
          log.warn("agent sync after connect failed", { error: err instanceof Error ? err.message : String(err) }),
        );
      }
    }),
  );
  // Live text of running task sessions, for the board's cards (not stored: the final reply is).
  unsubs.push(
    gateway.on("chat", (p) => {
      const taskId = taskIdFromSessionKey(p.sessionKey);
      if (!taskId || (p.state !== "delta" && p.state !== "final")) return;
      hub.broadcast("run", {
        taskId,
        runId: p.runId ?? null,
        state: p.state,
        text: messageText(p.message).slice(0, 2000),
      });
    }),
  );
  if (localGateway) {
    unsubs.push(
      localGateway.onState((s) => {
        hub.broadcast("local-gateway", s);
        // Ready: connect now rather than at the connection's next retry.
        if (s.state === "running") gateway.retryNow();
      }),
    );
  }

  const app = createApp(ctx);
  let started = false;
  let httpServer: Server | null = null;

  const start = async () => {
    if (started) return;
    started = true;
    if (localGateway) {
      const target = await localGateway.prepare();
      gateway.useGateway(target);
      log.info(
        "OPENCLAW_GATEWAY_URL is not set: running the pinned local OpenClaw gateway on loopback (the first start installs it, " +
          "about a minute)",
        {
          gatewayUrl: target.url,
          dir: localGateway.dir,
          hint:
            "to use a real gateway instead, set OPENCLAW_GATEWAY_URL (e.g. wss://gateway.example.org) and " +
            "OPENCLAW_GATEWAY_TOKEN, then start again",
        },
      );
      const model = localGateway.status().model;
      if (!model.configured)
        log.warn("the local gateway's agent has no model", { hint: model.fix, problem: model.problem });
      else if (model.problem) log.warn("local gateway model setting ignored", { problem: model.problem });
      localGateway.start().catch((err) =>
        log.error("the local gateway did not start", {
          error: err instanceof Error ? err.message : String(err),
          hint: err instanceof McServerError ? err.hint : undefined,
        }),
      );
    }
    ctx.sessions.start();
    ctx.live.start();
    ctx.approvals.start();
    ctx.agentStatus.start();
    runs.start();
    dispatcher!.start();
    await gateway.start();
  };

  return {
    app,
    ctx,
    fetch: (req) => app.fetch(req),
    start,
    async listen() {
      const timeout = config!.requestTimeoutMs;
      const fastLane = createFastLane(ctx);
      const server = serve({
        fetch: app.fetch,
        // The hot GETs are answered from Node's request when possible (fast-lane.ts), the rest by hono.
        createServer: ((options: ServerOptions, honoListener: RequestListener) =>
          createHttpServer(options, (req, res) => {
            if (!fastLane(req, res)) honoListener(req, res);
          })) as typeof createHttpServer,
        port: config!.port,
        hostname: config!.host,
        // A client that dribbles its headers or body is cut off (408) instead of holding a socket
        // for Node's default 300 s; the check runs every second so the deadline is near exact.
        serverOptions: {
          requestTimeout: timeout,
          headersTimeout: Math.min(timeout, 10_000),
          connectionsCheckingInterval: 1_000,
        },
      }) as Server;
      httpServer = server;
      // Keep-alive sockets from the dashboard must not hold a shutdown for long.
      server.keepAliveTimeout = 5_000;
      await new Promise<void>((resolve, reject) => {
        if (server.listening) return resolve();
        server.once("listening", resolve);
        server.once("error", (err: NodeJS.ErrnoException) =>
          reject(
            new McServerError(
              "LISTEN_FAILED",
              `listen on ${config!.host}:${config!.port}`,
              err.code === "EADDRINUSE" ? "the port is already in use" : err.message,
              err.code === "EADDRINUSE" ? "stop the other process or set PORT to a free port" : "check HOST and PORT",
              { cause: err, variable: "PORT" },
            ),
          ),
        );
      });
      const addr = server.address() as AddressInfo;
      const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
      const url = `http://${host}:${addr.port}`;
      await start();
      return { url, port: addr.port, host: addr.address };
    },
    async close() {
      unsubStore?.();
      for (const u of unsubs) u();
      hub.close();
      await dispatcher!.stop();
      runs.stop();
      ctx.agentStatus.stop();
      ctx.approvals.stop();
      ctx.live.stop();
      ctx.sessions.stop();
      await gateway.close();
      if (localGateway) await localGateway.stop();
      if (httpServer) {
        const s = httpServer;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections?.();
          setTimeout(() => s.closeAllConnections?.(), 2_000).unref();
        });
      }
      if (ownsStore) store.close();
    },
  };
}

/** createServer + listen: what the bin does. */
export async function startServer(opts: CreateServerOptions = {}): Promise<McServer & { url: string; port: number }> {
  const server = createServer(opts);
  try {
    const { url, port } = await server.listen();
    return Object.assign(server, { url, port });
  } catch (err) {
    await server.close().catch(() => {});
    throw err;
  }
}
