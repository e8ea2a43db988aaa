import type { Context } from "hono";
import type * as z from "zod";
import { ApiError } from "./errors.js";

/** Reads a JSON body and validates it: 415 without a JSON content type, 400 for broken JSON or failed rules. */
export async function readJson<S extends z.ZodType>(
  c: Context,
  schema: S,
  opts: { optional?: boolean } = {},
): Promise<z.output<S>> {
  const raw = await c.req.text();
  if (raw.trim() === "") {
    if (opts.optional) return parseBody(schema, {});
    throw new ApiError(
      400,
      "BODY_REQUIRED",
      "[mc-server] request body: a JSON body is required",
      'send a JSON object, e.g. {"title":"…"}, with content-type: application/json',
    );
  }
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new ApiError(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      `[mc-server] request body: content-type ${type || "(none)"} is not JSON`,
      "send the body with content-type: application/json",
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new ApiError(
      400,
      "INVALID_JSON",
      `[mc-server] request body: malformed JSON (${err instanceof Error ? err.message : "parse error"})`,
      "send a valid JSON object",
    );
  }
  return parseBody(schema, value);
}

export function parseBody<S extends z.ZodType>(schema: S, value: unknown, what = "request body"): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => ({ path: i.path.join(".") || "(root)", message: i.message }));
  throw new ApiError(
    400,
    "VALIDATION_FAILED",
    `[mc-server] ${what}: ${fields.map((f) => `${f.path} ${f.message}`).join("; ")}`,
    "fix the listed fields and send again",
    { fields },
  );
}

export function errorBody(code: string, message: string, hint: string, extra?: Record<string, unknown>): string {
  return JSON.stringify({ error: { code, message, hint, ...(extra ?? {}) } });
}

export function jsonResponse(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}
