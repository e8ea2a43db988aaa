import type { ServerResponse } from "node:http";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { Hono } from "hono";
import type { AppContext } from "../context.js";
import { sseFrame } from "../sse.js";

/** A client further behind than this many task events reloads its state instead of replaying them. */
export const MAX_REPLAY_EVENTS = 5_000;

/**
 * The first bytes of a stream: the reconnect delay, `hello` (the gateway's state, the newest
 * task event id, and `resync: true` when the client must reload its state), then, for a client
 * resuming with Last-Event-ID, every task event it missed — also those written by an earlier
 * process on this database — followed by the current state of each task they touched.
 */
export function streamStart(ctx: AppContext, lastEventId: string | undefined): string {
  const { store } = ctx;
  const lastId = store.taskEvents.lastId();
  let resync = false;
  let replay = "";
  if (lastEventId !== undefined) {
    const after = /^\d{1,15}$/.test(lastEventId.trim()) ? Number(lastEventId.trim()) : Number.NaN;
    if (!Number.isFinite(after) || after > lastId) {
      resync = true; // not an id of this database (another store, or an id scheme before this one)
    } else if (after < lastId) {
      const events = store.taskEvents.since(after, { limit: MAX_REPLAY_EVENTS + 1 });
      if (events.length > MAX_REPLAY_EVENTS) resync = true;
      else {
        const touched = new Set<string>();
        for (const e of events) {
          replay += sseFrame("task.event", e, e.id);
          touched.add(e.taskId);
        }
        for (const id of touched) {
          try {
            replay += sseFrame("task", store.tasks.get(id));
          } catch {
            replay += sseFrame("task.deleted", { id });
          }
        }
      }
    }
  }
  const hello = { gateway: ctx.gateway.status(), at: new Date().toISOString(), lastEventId: lastId, resync };
  return `retry: 2000\n\n${sseFrame("hello", hello)}${replay}`;
}

export function registerEventRoutes(app: Hono, ctx: AppContext): void {
  app.get("/api/events", (c) => {
    // HEAD asks what GET would answer: the headers of the stream, and no stream that never ends.
    if (c.req.method === "HEAD") {
      return new Response(null, {
        status: 200,
        headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform" },
      });
    }
    const lastEventId = c.req.header("last-event-id") ?? c.req.query("lastEventId");
    // Read and attach in the same tick: no change can slip between the replay and the live frames.
    const first = streamStart(ctx, lastEventId);
    const requestId = c.get("requestId" as never) as string | undefined;
    // ?session=<key> (repeatable) adds that session's live transcript: deltas, tools, run phases.
    const sessions = c.req.queries("session") ?? [];
    const topics = new Set(sessions.filter((k) => k.length > 0 && k.length <= 512).map((k) => `session:${k}`));
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing && typeof outgoing.writeHead === "function") {
      // Node: write straight to the socket, bypassing the web-stream adapter.
      ctx.hub.attachNode(outgoing, { first, ...(requestId ? { requestId } : {}), topics });
      return RESPONSE_ALREADY_SENT;
    }
    return ctx.hub.attachWeb({ first, ...(requestId ? { requestId } : {}), signal: c.req.raw.signal, topics });
  });
}
