import type { Hono } from "hono";
import * as z from "zod";
import { syncAgents } from "../agent-sync.js";
import type { AppContext } from "../context.js";
import { ApiError } from "../errors.js";
import { jsonResponse, readJson } from "../http.js";

const ModelBody = z
  .strictObject({
    /** An OpenAI-compatible server (Ollama: http://127.0.0.1:11434/v1); without it `model` is a provider/model ref. */
    baseUrl: z
      .url({ protocol: /^https?$/, message: "must be an http(s) URL, e.g. http://127.0.0.1:11434/v1" })
      .optional(),
    model: z.string().trim().min(1, "is required").max(200, "must be at most 200 characters"),
    apiKey: z.string().max(4_096).optional(),
  })
  .refine((b) => b.baseUrl !== undefined || b.model.includes("/"), {
    message: "without baseUrl, model must be a provider/model ref such as anthropic/claude-opus-5",
    path: ["model"],
  });

function notManaged(): ApiError {
  return new ApiError(
    409,
    "LOCAL_GATEWAY_NOT_MANAGED",
    "[mc-server] local gateway: this server connects to a gateway it does not run (OPENCLAW_GATEWAY_URL)",
    "configure the model on that gateway's host (`openclaw onboard`, or its agents.defaults.model and the provider's key)",
  );
}

/** The gateway's model as the dashboard needs it, whoever runs the gateway. */
export function modelStatus(ctx: AppContext) {
  const local = ctx.localGateway?.status().model ?? null;
  // The gateway tells its model state once per connection (hello): a model given from the
  // dashboard since then is applied by the gateway's hot reload, without a new hello.
  const configured = local?.source === "dashboard" && local.configured ? true : ctx.gateway.modelConfigured();
  return {
    /** The gateway's own answer when connected; else the local gateway's view of its config. */
    configured: configured ?? local?.configured ?? null,
    managed: ctx.localGateway !== null,
    canConfigure: ctx.localGateway !== null,
    local,
    fix:
      configured === false || (configured === null && local?.configured === false)
        ? ctx.localGateway
          ? (local?.fix ?? null)
          : "the gateway has no model for its agent: on the gateway host run `openclaw onboard`, or set " +
            "agents.defaults.model.primary and the provider's API key in the gateway's environment"
        : null,
  };
}

export function registerLocalGatewayRoutes(app: Hono, ctx: AppContext): void {
  app.get("/api/local-gateway", () => {
    const lg = ctx.localGateway;
    if (!lg) return jsonResponse(JSON.stringify({ managed: false, model: modelStatus(ctx) }));
    const status = lg.status();
    return jsonResponse(
      JSON.stringify({
        ...status,
        model: { ...status.model, gatewayConfigured: ctx.gateway.modelConfigured() },
        ...(status.state === "failed" ? { outputTail: lg.outputTail() } : {}),
      }),
    );
  });

  app.get("/api/model", () => jsonResponse(JSON.stringify(modelStatus(ctx))));

  app.post("/api/local-gateway/model", async (c) => {
    const lg = ctx.localGateway;
    if (!lg) throw notManaged();
    const body = await readJson(c, ModelBody);
    const status = await lg.setModel({
      model: body.model,
      ...(body.baseUrl ? { baseUrl: body.baseUrl } : {}),
      ...(body.apiKey ? { apiKey: body.apiKey } : {}),
    });
    // setModel returns once the gateway has applied the config: read its agents again now, so the
    // agent cards (and GET /api/agents) show the new model instead of waiting for the next connect.
    // The model is set either way; a failed re-read is logged and the cards catch up on reconnect.
    await syncAgents(ctx).catch((err) =>
      ctx.log.warn("agent sync after the model change failed", {
        error: err instanceof Error ? err.message : String(err),
        hint: "POST /api/agents/sync reads the agents again",
      }),
    );
    return jsonResponse(JSON.stringify({ ok: true, model: status.model }));
  });
}
