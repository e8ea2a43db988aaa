import type { ServerResponse } from "node:http";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { Hono } from "hono";
import type { AppContext } from "../context.js";

export function registerEventRoutes(app: Hono, ctx: AppContext): void {
  app.get("/api/events", (c) => {
    // HEAD asks what GET would answer: the headers of the stream, and no stream that never ends.
    if (c.req.method === "HEAD") {
      return new Response(null, {
        status: 200,
        headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform" },
      });
    }
    const hello = { gateway: ctx.gateway.status(), at: new Date().toISOString() };
    const lastEventId = c.req.header("last-event-id") ?? c.req.query("lastEventId");
    const requestId = c.get("requestId" as never) as string | undefined;
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing && typeof outgoing.writeHead === "function") {
      // Node: write straight to the socket, bypassing the web-stream adapter (1,000 clients, one write each).
      ctx.hub.attachNode(outgoing, {
        hello,
        ...(lastEventId ? { lastEventId } : {}),
        ...(requestId ? { requestId } : {}),
      });
      return RESPONSE_ALREADY_SENT;
    }
    return ctx.hub.attachWeb({
      hello,
      ...(lastEventId ? { lastEventId } : {}),
      ...(requestId ? { requestId } : {}),
      signal: c.req.raw.signal,
    });
  });
}
