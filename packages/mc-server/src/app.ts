import type { IncomingMessage, ServerResponse } from "node:http";
import { GatewayError } from "@missionctl/gateway-client";
import { StoreError } from "@missionctl/mc-store";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { HostPolicy } from "./allowed-hosts.js";
import { originAllowed } from "./auth.js";
import { clientOf } from "./auth-gate.js";
import { bindAddressOf, type ServerConfig } from "./config.js";
import type { AppContext } from "./context.js";
import { ApiError } from "./errors.js";
import { errorBody, jsonResponse } from "./http.js";
import { idempotency } from "./idempotency.js";
import { apiAuthRefusal, hostRefusal, OPEN_PATHS, requestIdFor } from "./request-checks.js";
import { registerAgentRoutes } from "./routes/agents.js";
import { registerApprovalRoutes } from "./routes/approvals.js";
import { registerEventRoutes } from "./routes/events.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerLocalGatewayRoutes } from "./routes/local-gateway.js";
import { registerOpenclawRoutes } from "./routes/openclaw.js";
import { registerSessionRoutes } from "./routes/session.js";
import { registerSessionsRoutes } from "./routes/sessions.js";
import { registerTaskRoutes } from "./routes/tasks.js";
import { registerUiRoutes } from "./ui/routes.js";

const STORE_STATUS: Record<string, number> = {
  TASK_NOT_FOUND: 404,
  OUTBOX_ITEM_NOT_FOUND: 404,
  AGENT_NOT_FOUND: 400,
  VALIDATION_FAILED: 400,
  AGENT_REQUIRED: 409,
  INVALID_TRANSITION: 409,
  OUTBOX_INVALID_STATE: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  BUSY: 503,
  STORE_CLOSED: 503,
};

const GATEWAY_STATUS: Record<string, number> = {
  NOT_CONNECTED: 503,
  CONNECTION_CLOSED: 503,
  CLIENT_CLOSED: 503,
  GATEWAY_STARTING: 503,
  REQUEST_TIMEOUT: 504,
  MISSING_SCOPE: 403,
  REQUEST_TOO_LARGE: 413,
};

/** Any thrown error → `{ error: { code, message, hint } }` with the status it deserves. */
export function errorResponse(err: unknown, ctx: AppContext, requestId?: string, aborted = false): Response {
  if (err instanceof ApiError) return jsonResponse(errorBody(err.code, err.message, err.hint, err.details), err.status);
  if (err instanceof StoreError) {
    const status = STORE_STATUS[err.code] ?? 500;
    const extra: Record<string, unknown> = {};
    if (err.allowed) extra.allowed = err.allowed;
    if (err.issues) extra.fields = err.issues.map((i) => ({ path: i.path, message: i.message }));
    if (status >= 500) ctx.log.error("store error", { requestId, code: err.code, error: err.message });
    return jsonResponse(errorBody(err.code, err.message, err.hint, extra), status);
  }
  if (err instanceof GatewayError) {
    const status = GATEWAY_STATUS[err.code] ?? 502;
    ctx.log.warn("gateway request failed", {
      requestId,
      code: err.code,
      detailCode: err.detailCode,
      method: err.method,
      error: err.message,
    });
    return jsonResponse(
      errorBody(err.code, err.message, err.hint, {
        ...(err.detailCode ? { detailCode: err.detailCode } : {}),
        ...(err.gatewayCode ? { gatewayCode: err.gatewayCode } : {}),
      }),
      status,
    );
  }
  if (aborted) {
    // The client went away mid-request (closed the tab, cancelled the upload): nothing to fix here.
    ctx.log.debug("request aborted by the client", {
      requestId,
      reason: err instanceof Error ? err.message : String(err),
    });
    return jsonResponse(
      errorBody("REQUEST_ABORTED", "[mc-server] request: aborted by the client", "nothing to do"),
      499,
    );
  }
  ctx.log.error("unhandled error", {
    requestId,
    error: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
  return jsonResponse(
    errorBody(
      "INTERNAL",
      "[mc-server] request: an unexpected error occurred",
      `report it with the request id ${requestId ?? "(none)"} from the logs`,
    ),
    500,
  );
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The Node request/response under @hono/node-server, when there is one. */
function nodeOf(c: Context): { incoming?: IncomingMessage; outgoing?: ServerResponse } {
  return (c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined) ?? {};
}

/**
 * A request header: read from Node's parsed headers when available, which spares building a
 * Fetch `Headers` object on every request (the hot path of GET /api/tasks and /api/openclaw/status).
 */
export function headerOf(c: Context, name: string): string | undefined {
  const incoming = nodeOf(c).incoming;
  if (incoming) {
    const v = incoming.headers[name];
    return Array.isArray(v) ? v[0] : v;
  }
  return c.req.header(name);
}

/** The Host rule of this server: MC_ALLOWED_HOSTS, loopback names and the address it is bound to. */
export function hostPolicyOf(config: ServerConfig): HostPolicy {
  const bindAddress = bindAddressOf(config.host);
  return { allowed: config.allowedHosts, ...(bindAddress ? { bindAddress } : {}) };
}

export function createApp(ctx: AppContext): Hono {
  const app = new Hono();
  const { log, config } = ctx;
  const logRequests = log.enabled("info");

  app.use("*", async (c, next) => {
    const requestId = requestIdFor(headerOf(c, "x-request-id"));
    c.set("requestId" as never, requestId as never);
    const outgoing = nodeOf(c).outgoing;
    // Node merges setHeader() into the final writeHead(), whatever Response the route returns.
    if (outgoing) outgoing.setHeader("x-request-id", requestId);
    const started = logRequests ? performance.now() : 0;
    await next();
    if (!outgoing) c.res.headers.set("x-request-id", requestId);
    if (logRequests) {
      log.info("request", {
        requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    }
  });

  const hostPolicy = hostPolicyOf(config);
  app.use("*", async (c, next) => {
    const incoming = nodeOf(c).incoming;
    const host = incoming ? incoming.headers.host : (c.req.header("host") ?? new URL(c.req.url).host);
    // The port the connection arrived on (PORT, or the one picked for PORT=0); unknown off Node.
    const localPort = incoming ? incoming.socket?.localPort : undefined;
    const refused = hostRefusal(host, localPort, hostPolicy, config.port);
    if (refused) return jsonResponse(refused.body, refused.status, refused.headers);
    await next();
  });

  app.use("*", async (c, next) => {
    if (MUTATING.has(c.req.method)) {
      const ok = originAllowed(
        { origin: headerOf(c, "origin"), host: headerOf(c, "host"), secFetchSite: headerOf(c, "sec-fetch-site") },
        config.allowedOrigins,
      );
      if (!ok) {
        return jsonResponse(
          errorBody(
            "CSRF_ORIGIN_MISMATCH",
            `[mc-server] ${c.req.method} ${c.req.path}: the request's Origin (${c.req.header("origin") ?? "none"}) is not this server`,
            "send mutating requests from the dashboard's own origin, or list the origin in MC_ALLOWED_ORIGINS",
          ),
          403,
        );
      }
    }
    await next();
  });

  const limit = bodyLimit({
    maxSize: config.bodyLimitBytes,
    onError: () =>
      jsonResponse(
        errorBody(
          "PAYLOAD_TOO_LARGE",
          `[mc-server] request body: larger than ${config.bodyLimitBytes} bytes`,
          "send a smaller body (task descriptions are limited to 20000 characters)",
        ),
        413,
      ),
  });
  // Only requests that carry a body pay for the limiter (it touches the raw request).
  app.use("/api/*", (c, next) => (MUTATING.has(c.req.method) ? limit(c, next) : next()));

  app.use("/api/*", async (c, next) => {
    if (!config.apiToken) return next();
    const refused = apiAuthRefusal(
      ctx,
      c.req.path,
      { authorization: headerOf(c, "authorization"), cookie: headerOf(c, "cookie") },
      clientOf(c),
    );
    if (refused) return jsonResponse(refused.body, refused.status, refused.headers);
    return next();
  });

  // After the token check: an unauthenticated caller learns nothing about stored keys.
  const keyed = idempotency(ctx, OPEN_PATHS);
  app.use("/api/*", (c, next) => (MUTATING.has(c.req.method) ? keyed(c, next) : next()));

  registerHealthRoutes(app, ctx);
  registerSessionRoutes(app, ctx);
  registerOpenclawRoutes(app, ctx);
  registerAgentRoutes(app, ctx);
  registerTaskRoutes(app, ctx);
  registerSessionsRoutes(app, ctx);
  registerApprovalRoutes(app, ctx);
  registerLocalGatewayRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerUiRoutes(app, ctx);

  app.notFound((c) =>
    jsonResponse(
      errorBody(
        "NOT_FOUND",
        `[mc-server] ${c.req.method} ${c.req.path}: no such route`,
        "see the README for the list of routes",
      ),
      404,
    ),
  );
  app.onError((err, c) => {
    const incoming = nodeOf(c).incoming;
    // A body read that failed because the socket closed, or Node's own request timeout (it answers 408).
    const aborted = c.req.raw.signal?.aborted === true || (incoming?.destroyed === true && !incoming.complete);
    return errorResponse(err, ctx, c.get("requestId" as never) as string | undefined, aborted);
  });
  return app;
}
