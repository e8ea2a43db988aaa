import {
  approveDevice,
  chatHistory,
  diagnose,
  listPairing,
  loadOrCreateIdentity,
  sessionsList,
} from "@missionctl/gateway-client";
import type { Hono } from "hono";
import type { AppContext } from "../context.js";
import { ApiError } from "../errors.js";
import { jsonResponse } from "../http.js";

let statusCache: { status: unknown; body: string; code: number } | null = null;

/**
 * GET /api/openclaw/status: 200 when connected, else 503, with the status JSON. It is served on
 * every dashboard poll and health probe, so it is serialised once per change (also by the Node
 * fast lane, fast-lane.ts).
 */
export function statusAnswer(ctx: AppContext): { status: number; body: string } {
  const status = ctx.gateway.status();
  if (!statusCache || statusCache.status !== status) {
    statusCache = { status, body: JSON.stringify(status), code: status.state === "connected" ? 200 : 503 };
  }
  return { status: statusCache.code, body: statusCache.body };
}

function statusResponse(ctx: AppContext): Response {
  const { status, body } = statusAnswer(ctx);
  return jsonResponse(body, status);
}

export function registerOpenclawRoutes(app: Hono, ctx: AppContext): void {
  app.get("/api/openclaw/status", () => statusResponse(ctx));

  app.post("/api/openclaw/reconnect", () => {
    ctx.gateway.retryNow();
    return jsonResponse(JSON.stringify({ ok: true, state: ctx.gateway.state }), 202);
  });

  app.get("/api/openclaw/diagnose", async () => {
    const c = ctx.config;
    if (!c.gatewayUrl) throw ctx.gateway.notConnected("diagnose");
    let identity = null;
    try {
      identity = await loadOrCreateIdentity(c.identityDir);
    } catch {
      identity = null; // the doctor then checks the path device-less; the status already names the identity problem
    }
    const report = await diagnose({
      url: c.gatewayUrl,
      ...(c.gatewayToken ? { token: c.gatewayToken } : {}),
      ...(c.gatewayPassword ? { password: c.gatewayPassword } : {}),
      ...(c.gatewayOrigin ? { origin: c.gatewayOrigin } : {}),
      identity,
      scopes: c.gatewayScopes,
      clientId: c.gatewayClientId,
      clientMode: c.gatewayClientMode,
      displayName: c.gatewayDisplayName,
    });
    return jsonResponse(JSON.stringify(report), 200);
  });

  app.get("/api/openclaw/sessions", async () => {
    // The gateway's own rows, as sessions.list answers them; GET /api/sessions is the dashboard's view.
    if (ctx.gateway.state === "connected") {
      const { sessions } = await sessionsList(ctx.gateway);
      return jsonResponse(JSON.stringify({ source: "gateway", count: sessions.length, sessions }));
    }
    // Offline: the last list seen, marked as such, rather than an empty page.
    const cached = ctx.store.sessions.list();
    return jsonResponse(
      JSON.stringify({
        source: "cache",
        stale: true,
        gatewayState: ctx.gateway.state,
        count: cached.length,
        sessions: cached.map((s) => ({ ...s.data, key: s.key, cachedAt: s.cachedAt })),
      }),
    );
  });

  app.get("/api/openclaw/sessions/:key/history", async (c) => {
    const sessionKey = c.req.param("key");
    const limitRaw = c.req.query("limit");
    const limit = limitRaw ? Number.parseInt(limitRaw, 10) : undefined;
    if (limitRaw !== undefined && (!Number.isInteger(limit) || limit! < 1 || limit! > 1000)) {
      throw new ApiError(
        400,
        "VALIDATION_FAILED",
        "[mc-server] query limit: must be an integer from 1 to 1000",
        "fix ?limit=",
        { fields: [{ path: "limit", message: "must be an integer from 1 to 1000" }] },
      );
    }
    const payload = await chatHistory(ctx.gateway, { sessionKey, ...(limit ? { limit } : {}) });
    return jsonResponse(
      JSON.stringify({
        sessionKey: payload.sessionKey,
        messages: payload.messages,
        hasMore: payload.hasMore ?? false,
        totalMessages: payload.totalMessages ?? null,
      }),
    );
  });

  app.get("/api/openclaw/pairing", async () => {
    const status = ctx.gateway.status();
    const current = status.pairing;
    if (!status.canApprovePairing) {
      return jsonResponse(
        JSON.stringify({
          canApprove: false,
          current,
          pending: null,
          hint: current
            ? `approve on the gateway host: ${current.approveCommand}`
            : "add operator.pairing to MC_GATEWAY_SCOPES to list and approve devices from here",
        }),
      );
    }
    const { pending, paired } = await ctx.gateway.withPairingClient((client) => listPairing(client));
    return jsonResponse(JSON.stringify({ canApprove: true, current, pending, paired }));
  });

  app.post("/api/openclaw/pairing/:requestId/approve", async (c) => {
    const requestId = c.req.param("requestId");
    if (!/^[\w-]{1,128}$/.test(requestId)) {
      throw new ApiError(
        400,
        "VALIDATION_FAILED",
        "[mc-server] requestId: must be the id shown in the pending request",
        "copy the requestId from GET /api/openclaw/pairing",
      );
    }
    const result = await ctx.gateway.withPairingClient((client) => approveDevice(client, requestId));
    ctx.log.info("pairing request approved", { requestId, deviceId: result.device?.deviceId });
    // Our own device may be the one that was waiting: connect now rather than at the next poll.
    ctx.gateway.retryNow();
    return jsonResponse(JSON.stringify({ approved: true, requestId, device: result.device ?? null }));
  });
}
