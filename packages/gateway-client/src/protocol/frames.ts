// Namespace import: `{ z }` resolves to undefined when vitest runs under Bun (vite SSR + `export * as z`).
import * as z from "zod";
import { type Check, compileCheck } from "./compiled-check.js";

// The envelope of every frame (openclaw 2026.9.6, protocol 4). Inbound schemas are loose: a newer
// gateway may add fields, and the client must keep working; outbound frames are built by the client.

export const errorShapeSchema = z
  .object({
    code: z.string(),
    message: z.string(),
    // The gateway types details as `any`; fromGatewayError keeps a non-object value under `details.value`.
    details: z.unknown().optional(),
    retryable: z.boolean().optional(),
    retryAfterMs: z.number().optional(),
  })
  .loose();

export const responseFrameSchema = z
  .object({
    type: z.literal("res"),
    id: z.string(),
    ok: z.boolean(),
    payload: z.unknown().optional(),
    error: errorShapeSchema.optional(),
  })
  .loose();

export const eventFrameSchema = z
  .object({
    type: z.literal("event"),
    event: z.string(),
    payload: z.unknown().optional(),
    seq: z.number().int().optional(),
    stateVersion: z.object({ presence: z.number().optional(), health: z.number().optional() }).loose().optional(),
  })
  .loose();

export const requestFrameSchema = z
  .object({
    type: z.literal("req"),
    id: z.string(),
    method: z.string(),
    params: z.unknown().optional(),
    traceparent: z.string().max(128).optional(),
  })
  .loose();

/** Every frame a gateway may send a client: a response, an event, or (ignored) a server request. */
export const inboundFrameSchema = z.discriminatedUnion("type", [
  responseFrameSchema,
  eventFrameSchema,
  requestFrameSchema,
]);

/** `connect.challenge`, the first frame after the upgrade: what the device signs. */
export const challengePayloadSchema = z
  .object({ nonce: z.string().min(1), ts: z.number(), capabilities: z.array(z.string()).optional() })
  .loose();

export type ErrorShape = z.infer<typeof errorShapeSchema>;
export type ResponseFrame = z.infer<typeof responseFrameSchema>;
export type EventFrame = z.infer<typeof eventFrameSchema>;
export type RequestFrame = z.infer<typeof requestFrameSchema>;
export type Frame = z.infer<typeof inboundFrameSchema>;
export type ChallengePayload = z.infer<typeof challengePayloadSchema>;

/** A validated frame, or why the text is not one (in words for an INVALID_FRAME error). */
export type InboundFrameResult = { ok: true; frame: Frame } | { ok: false; problem: string };

const frameChecks = new Map<unknown, Check | undefined>([
  ["res", compileCheck(responseFrameSchema)],
  ["event", compileCheck(eventFrameSchema)],
  ["req", compileCheck(requestFrameSchema)],
]);

/**
 * The frame itself when it passes its type's schema, checked without zod's parse walk and copy
 * (tens of µs per frame when cold; two frames are on every connect's critical path); undefined
 * otherwise, and the schema then decides and explains.
 */
export function plainFrame(v: Record<string, unknown>): Frame | undefined {
  return frameChecks.get(v.type)?.(v) ? (v as Frame) : undefined;
}

const challengeCheck = compileCheck(challengePayloadSchema);

/** The connect.challenge payload, or undefined when it lacks a nonce or ts. */
export function parseChallenge(payload: unknown): ChallengePayload | undefined {
  if (challengeCheck?.(payload)) return payload as ChallengePayload;
  const parsed = challengePayloadSchema.safeParse(payload);
  return parsed.success ? parsed.data : undefined;
}

/** Parses one WebSocket message into a validated frame. Never throws. */
export function parseInboundFrame(text: string): InboundFrameResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: "a frame that is not JSON" };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, problem: "a JSON value that is not a frame" };
  }
  const fast = plainFrame(value as Record<string, unknown>);
  if (fast) return { ok: true, frame: fast };
  const parsed = inboundFrameSchema.safeParse(value);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const type = (value as { type?: unknown }).type;
  if (type !== "res" && type !== "event" && type !== "req") {
    return { ok: false, problem: `a frame of unknown type ${JSON.stringify(String(type)).slice(0, 40)}` };
  }
  const issue = parsed.error.issues[0];
  return { ok: false, problem: `a "${type}" frame with ${issue?.path.join(".") || "a field"}: ${issue?.message}` };
}
