import { GatewayError } from "../errors.js";

/** Deeper params than this are refused before sending: nothing the gateway accepts nests this far. */
export const MAX_PARAMS_DEPTH = 128;

/**
 * Whether a JSON-like value nests deeper than `limit` arrays/objects. Iterative, so a value nested
 * a million levels deep is measured without exhausting the stack (JSON.stringify would throw).
 * Guards every request and every config compared, so it allocates nothing per node: two parallel
 * stacks instead of a tuple per container, `for…in` instead of an `Object.values` copy per object.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== "object") return false;
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop() as Record<string, unknown>;
    const depth = depths.pop() as number;
    if (depth > limit) return true;
    if (Array.isArray(v)) {
      for (const child of v) {
        if (child !== null && typeof child === "object") {
          values.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const k in v) {
      const child = v[k];
      if (child !== null && typeof child === "object") {
        values.push(child);
        depths.push(depth + 1);
      }
    }
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
