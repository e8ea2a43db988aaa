import { randomUUID } from "node:crypto";
import { type HostPolicy, hostAllowed } from "./allowed-hosts.js";
import { authenticate } from "./auth.js";
import { gatedAuthFor, throttledRefusal } from "./auth-gate.js";
import type { AppContext } from "./context.js";
import { errorBody } from "./http.js";

// The checks every request passes before its route, as plain functions of the request's
// headers: the hono middleware (app.ts) and the Node fast lane (fast-lane.ts) both call them,
// so there is one place for each rule and its error.

/** An answer instead of the route: status, JSON body, extra headers (content-type is JSON). */
export interface Refusal {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const REQUEST_ID_PREFIX = randomUUID().slice(0, 8);
let requestCounter = 0;

/** The caller's X-Request-Id when it is a sane token, else a new one: unique per process and cheap. */
export function requestIdFor(incoming: string | undefined): string {
  return incoming && /^[\w.:-]{1,64}$/.test(incoming)
    ? incoming
    : `${REQUEST_ID_PREFIX}-${(++requestCounter).toString(36)}`;
}

/** Host headers already accepted under a policy (a policy never changes while the server runs). */
interface AcceptedHosts {
  seen: Set<string>;
  lastHost: string | undefined;
  lastPort: number | undefined;
}
const acceptedHosts = new WeakMap<HostPolicy, AcceptedHosts>();

/** hostAllowed, remembered for the few Host/port pairs a server sees (parsing it is the costly part). */
function allowedHost(host: string | undefined, localPort: number | undefined, policy: HostPolicy): boolean {
  if (host === undefined) return false;
  let accepted = acceptedHosts.get(policy);
  if (!accepted) acceptedHosts.set(policy, (accepted = { seen: new Set(), lastHost: undefined, lastPort: undefined }));
  // Nearly every request repeats the last accepted pair (one dashboard, one proxy): no key to build.
  if (host === accepted.lastHost && localPort === accepted.lastPort) return true;
  const key = `${localPort ?? ""} ${host}`;
  if (!accepted.seen.has(key)) {
    if (!hostAllowed(host, localPort, policy)) return false;
    if (accepted.seen.size >= 64) accepted.seen.clear();
    accepted.seen.add(key);
  }
  accepted.lastHost = host;
  accepted.lastPort = localPort;
  return true;
}

/**
 * DNS rebinding: a hostile page whose name resolves to 127.0.0.1 sends its own name in Host.
 * Only this server's names are answered, on every route (page, API, SSE) and before the token.
 */
export function hostRefusal(
  host: string | undefined,
  localPort: number | undefined,
  policy: HostPolicy,
  configPort: number,
): Refusal | null {
  if (allowedHost(host, localPort, policy)) return null;
  return {
    status: 421,
    body: errorBody(
      "HOST_NOT_ALLOWED",
      `[mc-server] Host ${JSON.stringify(host ?? "")}: this server does not answer to that name`,
      `open the dashboard by its own address (http://127.0.0.1:${localPort ?? configPort}), or add the name to ` +
        "MC_ALLOWED_HOSTS (e.g. MC_ALLOWED_HOSTS=mc.example.org, the reverse proxy's site name)",
    ),
    headers: { connection: "close" },
  };
}

/** Open without MC_API_TOKEN: liveness probes, and the login that obtains the cookie. */
export const OPEN_PATHS = new Set(["/api/health", "/api/session"]);

/**
 * MC_API_TOKEN on /api/*: the bearer token or the session cookie, throttled per client address
 * (a wrong token counts; see gatedAuthFor). Null when the request may go on.
 */
export function apiAuthRefusal(
  ctx: AppContext,
  path: string,
  creds: { authorization: string | undefined; cookie: string | undefined },
  client: { remoteAddress: string | undefined; forwardedFor: string | undefined },
): Refusal | null {
  const apiToken = ctx.config.apiToken;
  if (!apiToken || OPEN_PATHS.has(path)) return null;
  const result = gatedAuthFor(ctx, client, () => authenticate(apiToken, creds));
  if (result.ok) return null;
  if (result.reason === "throttled") return throttledRefusal(result.retryAfterSeconds);
  const missing = result.reason === "missing";
  return {
    status: 401,
    body: errorBody(
      missing ? "API_TOKEN_REQUIRED" : "API_TOKEN_INVALID",
      missing
        ? "[mc-server] /api: this server requires MC_API_TOKEN"
        : "[mc-server] /api: the token does not match MC_API_TOKEN",
      missing
        ? "send Authorization: Bearer <MC_API_TOKEN>, or log in on the dashboard"
        : "use the value of MC_API_TOKEN from the server's environment",
    ),
    headers: { "www-authenticate": 'Bearer realm="missionctl"' },
  };
}
