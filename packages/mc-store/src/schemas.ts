// Namespace import: under Bun, vitest's module runner leaves the named `z` export undefined.
import * as z from "zod";
import { StoreError } from "./errors.js";
import { TASK_STATUSES } from "./lifecycle.js";

/** Field limits, enforced before anything is written. */
export const LIMITS = {
  id: 200,
  title: 200,
  description: 20_000,
  actor: 200,
  reason: 2_000,
  message: 100_000,
  sessionKey: 512,
  eventType: 64,
  payloadBytes: 64_000,
  errorText: 4_000,
  agentName: 200,
  emoji: 32,
  avatar: 4_096,
  workspace: 4_096,
  agentStatus: 64,
  workerId: 200,
  listLimit: 500,
  sessions: 10_000,
  agents: 10_000,
  idempotencyKey: 255,
  idempotentBody: 1_000_000,
} as const;

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const nonEmpty = (max: number) =>
  z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

export const idSchema = nonEmpty(LIMITS.id);
export const actorSchema = nonEmpty(LIMITS.actor);
export const prioritySchema = z.enum(["low", "normal", "high", "urgent"]);
export const statusSchema = z.enum(TASK_STATUSES);

/** Any JSON value whose serialisation fits in `LIMITS.payloadBytes`. */
export const jsonPayloadSchema = z.unknown().superRefine((value, ctx) => {
  let json: string | undefined;
  try {
    json = JSON.stringify(value ?? {});
  } catch {
    ctx.addIssue({ code: "custom", message: "must be JSON-serialisable" });
    return;
  }
  if (json === undefined) ctx.addIssue({ code: "custom", message: "must be JSON-serialisable" });
  else if (Buffer.byteLength(json) > LIMITS.payloadBytes)
    ctx.addIssue({ code: "custom", message: `must serialise to at most ${LIMITS.payloadBytes} bytes` });
});

const messageSchema = z
  .string()
  .min(1, "must not be empty")
  .max(LIMITS.message, `must be at most ${LIMITS.message} characters`);

export const createTaskSchema = z.strictObject({
  title: nonEmpty(LIMITS.title),
  description: text(LIMITS.description).optional(),
  priority: prioritySchema.optional(),
  assignedAgentId: idSchema.nullish(),
  actor: actorSchema.optional(),
  dispatch: z.strictObject({ message: messageSchema, sessionKey: nonEmpty(LIMITS.sessionKey) }).optional(),
});

export const updateTaskSchema = z
  .strictObject({
    title: nonEmpty(LIMITS.title).optional(),
    description: text(LIMITS.description).optional(),
    priority: prioritySchema.optional(),
    assignedAgentId: idSchema.nullable().optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), "must change at least one field");

export const actorOptionsSchema = z.object({ actor: actorSchema });

export const transitionOptionsSchema = z.object({
  actor: actorSchema,
  reason: text(LIMITS.reason).optional(),
  payload: jsonPayloadSchema.optional(),
  /** Assign (or reassign) in the same transaction, e.g. inbox → assigned. */
  assignedAgentId: idSchema.optional(),
});

export const dispatchOptionsSchema = z.object({
  actor: actorSchema,
  message: messageSchema,
  sessionKey: nonEmpty(LIMITS.sessionKey),
});

export const appendEventSchema = z.object({
  actor: actorSchema,
  type: z
    .string()
    .max(LIMITS.eventType, `must be at most ${LIMITS.eventType} characters`)
    .regex(/^[a-z][a-z0-9_.:-]*$/, "must be lowercase letters, digits and _ . : - starting with a letter"),
  payload: jsonPayloadSchema.optional(),
});

export const listTasksSchema = z
  .object({
    status: z.union([statusSchema, z.array(statusSchema).min(1).max(TASK_STATUSES.length)]).optional(),
    agentId: idSchema.nullable().optional(),
    limit: z.number().int().min(1).max(LIMITS.listLimit).optional(),
    cursor: z.string().max(64).optional(),
  })
  .optional();

export const agentInputSchema = z.object({
  id: idSchema,
  name: text(LIMITS.agentName).nullish(),
  emoji: text(LIMITS.emoji).nullish(),
  avatar: text(LIMITS.avatar).nullish(),
  workspace: text(LIMITS.workspace).nullish(),
  status: nonEmpty(LIMITS.agentStatus).nullish(),
  model: text(LIMITS.id).nullish(),
  lastSeenAt: z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]).nullish(),
});
export const agentsInputSchema = z.array(agentInputSchema).max(LIMITS.agents);
/** A list whose entries are checked one by one (upsertValid). */
export const agentsListSchema = z.array(z.unknown()).max(LIMITS.agents);

export const claimSchema = z.object({
  workerId: nonEmpty(LIMITS.workerId),
  leaseMs: z
    .number()
    .int()
    .min(1)
    .max(24 * 3_600_000),
  limit: z.number().int().min(1).max(1_000).optional(),
  now: z.union([z.number().int().nonnegative(), z.date()]).optional(),
});

export const outboxIdSchema = z.number().int().positive();

export const sessionKeySchema = nonEmpty(LIMITS.sessionKey);

export const enqueueMessageSchema = z.strictObject({
  sessionKey: sessionKeySchema,
  message: messageSchema,
  agentId: idSchema,
  clientKey: z
    .string()
    .min(1, "must not be empty")
    .max(128, "must be at most 128 characters")
    .regex(/^[A-Za-z0-9._:-]+$/, "must be letters, digits and . _ : -"),
});

export const markSentSchema = z
  .object({
    runId: text(LIMITS.id).nullish(),
    workerId: nonEmpty(LIMITS.workerId).optional(),
    gatewayBoot: text(LIMITS.id).nullish(),
  })
  .optional();
export const markAckSchema = z
  .object({ payload: jsonPayloadSchema.optional(), workerId: nonEmpty(LIMITS.workerId).optional() })
  .optional();
export const markFailedSchema = z.object({
  // Longer errors are cut, not refused: a failure must always be recordable.
  error: z.string().transform((value) => value.slice(0, LIMITS.errorText)),
  retryAt: z.union([z.number().int().nonnegative(), z.date()]).optional(),
  terminal: z.boolean().optional(),
  workerId: nonEmpty(LIMITS.workerId).optional(),
});

/** RFC 9110 token characters and the usual UUID/ULID shapes; no spaces or control characters. */
export const idempotencyKeySchema = z
  .string()
  .min(1, "must not be empty")
  .max(LIMITS.idempotencyKey, `must be at most ${LIMITS.idempotencyKey} characters`)
  .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");
export const idempotencySaveSchema = z.object({
  key: idempotencyKeySchema,
  fingerprint: z.string().min(1).max(512),
  method: z.string().min(1).max(16),
  path: z.string().min(1).max(2_048),
  status: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.string()),
  body: z.string().max(LIMITS.idempotentBody, `must be at most ${LIMITS.idempotentBody} characters`),
});

// Only the key is required: the rest of a gateway session object changes between gateway
// versions and is kept as-is, so a new field type never breaks the cache refresh.
export const sessionInputSchema = z.looseObject({ key: nonEmpty(LIMITS.sessionKey) });
export const sessionsInputSchema = z.array(sessionInputSchema).max(LIMITS.sessions);

export const gatewayRecordSchema = z.object({
  state: nonEmpty(64),
  code: z.string().max(128).nullish(),
  detailCode: z.string().max(128).nullish(),
  message: z
    .string()
    .transform((value) => value.slice(0, LIMITS.errorText))
    .nullish(),
});

export const historyListSchema = z.object({ limit: z.number().int().min(1).max(10_000).optional() }).optional();

/** Parses at the edge; failures become VALIDATION_FAILED naming fields and rules, never values. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, operation: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(input)",
    message: issue.message,
    code: issue.code,
  }));
  const summary = issues
    .slice(0, 5)
    .map((issue) => `${issue.path} ${issue.message}`)
    .join("; ");
  throw new StoreError("VALIDATION_FAILED", {
    subject: operation,
    operation,
    reason: `invalid input: ${summary}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ""}`,
    fix: "correct the listed fields; nothing was written",
    issues,
  });
}
