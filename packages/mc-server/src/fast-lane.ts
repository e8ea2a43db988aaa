import type { IncomingMessage, ServerResponse } from "node:http";
import { hostPolicyOf } from "./app.js";
import type { AppContext } from "./context.js";
import { apiAuthRefusal, hostRefusal, requestIdFor } from "./request-checks.js";
import { statusAnswer } from "./routes/openclaw.js";
import { cachedFirstTaskPage } from "./routes/tasks.js";

type Answer = { status: number; body: string; headers?: Record<string, string> };

/**
 * A route's body as the bytes it goes out as, encoded once per change of the body. Measured
 * (cpu-prof of mc-server vs the node:http baseline under autocannon, then an A/B of the same
 * 10 KB JSON): `res.end(string)` makes the socket's writev encode and copy the whole string on
 * every request; a Buffer is handed to the kernel as it is, 1–2 µs/request less for the task page.
 */
function encodedBody(): (body: string) => Buffer {
  let text: string | undefined;
  let bytes = Buffer.alloc(0);
  return (body) => {
    if (body !== text) {
      bytes = Buffer.from(body, "utf8");
      text = body;
    }
    return bytes;
  };
}

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
  const routes = new Map<string, { answer: () => Answer | undefined; encode: (body: string) => Buffer }>([
    ["/api/openclaw/status", { answer: () => statusAnswer(ctx), encode: encodedBody() }],
    ["/api/tasks", { answer: () => cachedFirstTaskPage(ctx), encode: encodedBody() }],
  ]);
  return (req, res) => {
    if (req.method !== "GET") return false;
    const path = req.url ?? "";
    const route = routes.get(path);
    if (!route) return false;
    const answer = route.answer();
    if (!answer) return false;
    const started = logRequests ? performance.now() : 0;
    const h = req.headers;
    const requestId = requestIdFor(first(h["x-request-id"]));
    const xff = h["x-forwarded-for"];
    const refusal =
      hostRefusal(h.host, req.socket.localPort, hostPolicy, config.port) ??
      apiAuthRefusal(
        ctx,
        path,
        { authorization: h.authorization, cookie: h.cookie },
        { remoteAddress: req.socket.remoteAddress, forwardedFor: Array.isArray(xff) ? xff.join(",") : xff },
      );
    const { status, headers } = refusal ?? answer;
    // The cached answers go out as the bytes encoded once per body; a (rare, small) refusal is encoded here.
    const body = refusal ? Buffer.from(refusal.body, "utf8") : route.encode(answer.body);
    res.writeHead(status, {
      "content-type": JSON_TYPE,
      "content-length": body.length,
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
