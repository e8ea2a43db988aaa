// Namespace import: `{ z }` resolves to undefined when vitest runs under Bun (vite SSR + `export * as z`).
import * as z from "zod";

export const errorShapeSchema = z
  .object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
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
  })
  .loose();

export const requestFrameSchema = z
  .object({ type: z.literal("req"), id: z.string(), method: z.string(), params: z.unknown().optional() })
  .loose();

export const inboundFrameSchema = z.discriminatedUnion("type", [
  responseFrameSchema,
  eventFrameSchema,
  requestFrameSchema,
]);

export const challengePayloadSchema = z.object({ nonce: z.string().min(1), ts: z.number() }).loose();
