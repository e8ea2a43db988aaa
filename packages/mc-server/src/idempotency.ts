import { createHash } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { AppContext } from "./context.js";
import { errorBody, jsonResponse } from "./http.js";

/** What a mutating request made with an Idempotency-Key is known by. */
interface KeyedRequest {
  key: string;
  fingerprint: string;
  method: string;
  path: string;
  saved: boolean;
}

const VAR = "idempotency" as never;
/** Header values replayed with a stored response; a Set-Cookie (a credential) is never stored. */
const KEPT_HEADERS = ["content-type", "location"];
const KEY_SYNTAX = /^[\x21-\x7e]{1,255}$/;

/** Keys whose first request is still running, one set per server: header and body keys alike. */
const IN_PROGRESS = new WeakMap<AppContext, Set<string>>();
function inProgressOf(ctx: AppContext): Set<string> {
  let set = IN_PROGRESS.get(ctx);
  if (!set) IN_PROGRESS.set(ctx, (set = new Set()));
  return set;
}

function keyedRequest(c: Context): KeyedRequest | undefined {
  return c.get(VAR) as KeyedRequest | undefined;
}

/**
 * `Idempotency-Key` on mutating routes (POST, PUT, PATCH, DELETE): the first response to a key
 * is stored in mc-store, and a retry with the same key, method, path and body gets it again
 * (with `Idempotent-Replayed: true`) instead of doing the work twice. The same key with a
 * different request is refused (422), and one still being processed answers 409. Routes that
 * write the store save the response in the transaction of their writes (see `mutate`), so a
 * crash keeps both or neither; other responses are saved after the fact, 5xx never (a retry
 * may succeed).
 */
export function idempotency(ctx: AppContext, skip: ReadonlySet<string>): MiddlewareHandler {
  const inProgress = inProgressOf(ctx);
  return async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (key === undefined || skip.has(c.req.path)) return next();
    return keyedRun(ctx, inProgress, c, key, "the Idempotency-Key header", next);
  };
}

/**
 * For routes whose JSON body may carry the key as `idempotencyKey` (the composer's older
 * spelling): the body key is the Idempotency-Key by another name — the same stored answer, the
 * same replay — never a second mechanism. Both given and different: 400, nothing done.
 */
export function bodyIdempotencyKey(ctx: AppContext): MiddlewareHandler {
  const inProgress = inProgressOf(ctx);
  return async (c, next) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await c.req.text());
    } catch {
      return next(); // the route says what is wrong with the body
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return next();
    const { idempotencyKey: fromBody, ...rest } = parsed as { idempotencyKey?: unknown };
    if (fromBody === undefined) return next();
    const subject = `[mc-server] ${c.req.method} ${c.req.path}`;
    if (typeof fromBody !== "string") {
      return jsonResponse(
        errorBody(
          "IDEMPOTENCY_KEY_INVALID",
          `${subject}: the body's idempotencyKey must be a string`,
          "send the key as the Idempotency-Key header (a fresh random value per message, e.g. a UUID)",
        ),
        400,
      );
    }
    const keyed = keyedRequest(c);
    if (keyed) {
      if (keyed.key === fromBody) return next();
      return jsonResponse(
        errorBody(
          "IDEMPOTENCY_KEY_CONFLICT",
          `${subject}: the Idempotency-Key header and the body's idempotencyKey differ`,
          "send one key, as the Idempotency-Key header, and leave idempotencyKey out of the body",
        ),
        400,
      );
    }
    // Fingerprinted without the key: a retry may spell it either way and is still the same request.
    return keyedRun(ctx, inProgress, c, fromBody, "the body's idempotencyKey", next, JSON.stringify(rest));
  };
}

/** The Idempotency-Key this request is made with (header or body alias), if any. */
export function requestIdempotencyKey(c: Context): string | undefined {
  return keyedRequest(c)?.key;
}

async function keyedRun(
  ctx: AppContext,
  inProgress: Set<string>,
  c: Context,
  key: string,
  where: string,
  next: () => Promise<void>,
  bodyForFingerprint?: string,
): Promise<Response | undefined> {
  const subject = `[mc-server] ${c.req.method} ${c.req.path}`;
  if (!KEY_SYNTAX.test(key)) {
    return jsonResponse(
      errorBody(
        "IDEMPOTENCY_KEY_INVALID",
        `${subject}: ${where} must be 1–255 printable ASCII characters without spaces`,
        "send a fresh random value per request, e.g. a UUID",
      ),
      400,
    );
  }
  const body = bodyForFingerprint ?? (await c.req.text());
  const fingerprint = createHash("sha256").update(`${c.req.method} ${c.req.path}\n${body}`).digest("base64url");
  const stored = ctx.store.idempotency.get(key);
  if (stored) {
    if (stored.fingerprint !== fingerprint) {
      return jsonResponse(
        errorBody(
          "IDEMPOTENCY_KEY_REUSED",
          `${subject}: Idempotency-Key ${JSON.stringify(key)} was already used for a different request (${stored.method} ` +
            `${stored.path}${stored.method === c.req.method && stored.path === c.req.path ? " with another body" : ""})`,
          "use a new key for a new request; to retry, send the same method, path and body with the same key",
        ),
        422,
      );
    }
    return new Response(stored.status === 204 || stored.status === 205 ? null : stored.body, {
      status: stored.status,
      headers: { ...stored.headers, "idempotent-replayed": "true" },
    });
  }
  if (inProgress.has(key)) {
    return jsonResponse(
      errorBody(
        "IDEMPOTENCY_KEY_IN_USE",
        `${subject}: a request with Idempotency-Key ${JSON.stringify(key)} is still being processed`,
        "wait for the first request to finish, then retry with the same key to get its response",
      ),
      409,
      { "retry-after": "1" },
    );
  }
  const keyed: KeyedRequest = { key, fingerprint, method: c.req.method, path: c.req.path, saved: false };
  c.set(VAR, keyed as never);
  inProgress.add(key);
  try {
    await next();
    const res = c.res;
    if (!keyed.saved && res.status < 500 && !res.headers.has("set-cookie")) {
      const text = await res.clone().text();
      try {
        ctx.store.idempotency.save({ ...keyed, status: res.status, headers: keptHeaders(res.headers), body: text });
      } catch (err) {
        ctx.log.warn("could not store an idempotent response", {
          path: keyed.path,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  } finally {
    inProgress.delete(key);
  }
  return undefined;
}

function keptHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const v = headers instanceof Headers ? headers.get(name) : headers[name];
    if (v) out[name] = v;
  }
  return out;
}

/**
 * Runs a route's store writes and stores its response under the request's Idempotency-Key in
 * one transaction: one transaction per mutating request.
 */
export function mutate(
  c: Context,
  ctx: AppContext,
  fn: () => { body: string; status?: number; headers?: Record<string, string> },
): Response {
  const keyed = keyedRequest(c);
  const {
    body,
    status = 200,
    headers = {},
  } = ctx.store.transaction(() => {
    const r = fn();
    if (keyed) {
      ctx.store.idempotency.save({
        key: keyed.key,
        fingerprint: keyed.fingerprint,
        method: keyed.method,
        path: keyed.path,
        status: r.status ?? 200,
        headers: keptHeaders({ "content-type": "application/json; charset=utf-8", ...(r.headers ?? {}) }),
        body: r.body,
      });
    }
    return r;
  });
  if (keyed) keyed.saved = true;
  return status === 204 ? new Response(null, { status, headers }) : jsonResponse(body, status, headers);
}
