import type * as z from "zod";
import { GatewayError } from "../errors.js";
import type { OperatorScope } from "../protocol/enums.js";

/** Per-call options of every typed method (the same as GatewayClient.request's). */
export interface CallOptions {
  /** Deadline in ms (default: the client's requestTimeoutMs). 0 disables it. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Anything that sends one RPC: a GatewayClient, or a wrapper around one (mc-server's connection,
 * a test double). The typed methods only need this.
 */
export interface RequestTarget {
  request<T = unknown>(method: string, params?: unknown, opts?: CallOptions): Promise<T>;
}

/** Params are optional in the call when the schema accepts an empty object. */
type ParamsArgs<P extends z.ZodType> =
  Record<string, never> extends z.input<P>
    ? [params?: z.input<P>, opts?: CallOptions]
    : [params: z.input<P>, opts?: CallOptions];

/**
 * One gateway method: call it as a function, `await chatHistory(client, { sessionKey })`. Params
 * are checked before anything is sent; the answer is checked against `result` (loosely: fields a
 * newer gateway adds pass through) and returned typed.
 */
export interface GatewayMethod<P extends z.ZodType, R extends z.ZodType> {
  (client: RequestTarget, ...args: ParamsArgs<P>): Promise<z.output<R>>;
  /** The method name on the wire. */
  readonly method: string;
  /** The scope the gateway requires for it (openclaw 2026.9.6); undefined: none. */
  readonly scope: OperatorScope | undefined;
  readonly params: P;
  readonly result: R;
}

export type MethodParams<M> = M extends GatewayMethod<infer P, z.ZodType> ? z.input<P> : never;
export type MethodResult<M> = M extends GatewayMethod<z.ZodType, infer R> ? z.output<R> : never;

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  return `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`;
}

export function defineMethod<P extends z.ZodType, R extends z.ZodType>(spec: {
  method: string;
  scope: OperatorScope | undefined;
  params: P;
  result: R;
}): GatewayMethod<P, R> {
  const { method, params, result } = spec;
  const call = async (client: RequestTarget, ...args: ParamsArgs<P>): Promise<z.output<R>> => {
    const [input, opts] = args;
    const checked = params.safeParse(input ?? {});
    if (!checked.success) {
      throw new GatewayError({
        code: "INVALID_PARAMS",
        subject: `request ${method}`,
        reason: `params ${issueText(checked.error)}`,
        method,
      });
    }
    const payload = await client.request(method, checked.data, opts);
    const parsed = result.safeParse(payload);
    if (!parsed.success) {
      throw new GatewayError({
        code: "INVALID_RESPONSE",
        subject: `request ${method}`,
        reason: `the answer does not match the protocol (${issueText(parsed.error)})`,
        method,
      });
    }
    return parsed.data;
  };
  return Object.assign(call, { method, scope: spec.scope, params, result });
}
