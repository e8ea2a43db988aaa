import type { IncomingMessage, ServerResponse } from "node:http";
import { hostPolicyOf } from "./app.js";
import type { AppContext } from "./context.js";
import { apiAuthRefusal, hostRefusal, requestIdFor } from "./request-checks.js";
import { statusAnswer } from "./routes/openclaw.js";
import { cachedFirstTaskPage } from "./routes/tasks.js";

type Answer = { status: number; body: string; headers?: Record<string, string> };

const JSON_TYPE = "application/json; charset=utf-8";
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * The Node fast lane for the GETs every open dashboard polls: `/api/openclaw/status` and the
 * first page of `/api/tasks`, when their body is already serialised. Measured with
 * bench/mc-server.bench.mjs, the hono path (Fetch Request/Response objects, context, router,
 * six async middlewares, header conversion) cost 1.3–2.5× the server CPU of plain node:http for
 * these bytes; this answers from Node's request with the same checks, in the same order, from
 * the same functions (request-checks.ts): request id, Host, MC_API_TOKEN, then the cached body,
 * and the same request log. Anything else — another method or path, a query string, a body not
 * cached yet — returns false and goes to hono, which is the reference for every route.
 */
export function createFastLane(ctx: AppContext): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { config, log } = ctx;
  const hostPolicy = hostPolicyOf(config);
  const logRequests = log.enabled("info");
  const routes = new Map<string, () => Answer | undefined>([
    ["/api/openclaw/status", () => statusAnswer(ctx)],
    ["/api/tasks", () => cachedFirstTaskPage(ctx)],
  ]);
  return (req, res) => {
    if (req.method !== "GET") return false;
    const path = req.url ?? "";
    const route = routes.get(path);
    if (!route) return false;
    const answer = route();
    if (!answer) return false;
    const started = logRequests ? performance.now() : 0;
    const h = req.headers;
    const requestId = requestIdFor(first(h["x-request-id"]));
    const xff = h["x-forwarded-for"];
    const { status, body, headers } =
      hostRefusal(h.host, req.socket.localPort, hostPolicy, config.port) ??
      apiAuthRefusal(
        ctx,
        path,
        { authorization: h.authorization, cookie: h.cookie },
        { remoteAddress: req.socket.remoteAddress, forwardedFor: Array.isArray(xff) ? xff.join(",") : xff },
      ) ??
      answer;
    res.writeHead(status, {
      "content-type": JSON_TYPE,
      "content-length": Buffer.byteLength(body),
      "x-request-id": requestId,
      ...headers,
    });
    res.end(body);
    if (logRequests) {
      log.info("request", {
        requestId,
        method: "GET",
        path,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    }
    return true;
  };
}
