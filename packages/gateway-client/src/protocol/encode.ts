import { GatewayError } from "../errors.js";

/** Deeper params than this are refused before sending: nothing the gateway accepts nests this far. */
export const MAX_PARAMS_DEPTH = 128;

/**
 * Whether a JSON-like value nests deeper than `limit` arrays/objects. Iterative, so a value nested
 * a million levels deep is measured without exhausting the stack (JSON.stringify would throw).
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>))
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return false;
}

/** The `req` frame as text; a GatewayError INVALID_OPTIONS for params that cannot travel as JSON. */
export function encodeRequestFrame(id: string, method: string, params: unknown): string {
  const subject = `request ${method}`;
  if (nestsDeeperThan(params, MAX_PARAMS_DEPTH)) {
    throw new GatewayError({
      code: "INVALID_OPTIONS",
      layer: "rpc",
      subject,
      reason: `params nest deeper than ${MAX_PARAMS_DEPTH} levels`,
      hint: `Send flatter params (at most ${MAX_PARAMS_DEPTH} levels of objects and arrays).`,
      method,
    });
  }
  try {
    return JSON.stringify(params === undefined ? { type: "req", id, method } : { type: "req", id, method, params });
  } catch (err) {
    throw new GatewayError({
      code: "INVALID_OPTIONS",
      layer: "rpc",
      subject,
      reason: `params cannot be serialised as JSON (${err instanceof Error ? err.message : String(err)})`,
      hint: "Send plain JSON params: no cycles, no BigInt values.",
      method,
      cause: err,
    });
  }
}
