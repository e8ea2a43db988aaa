import * as z from "zod";
import {
  execApprovalResolvedSchema,
  execApprovalSchema,
  pluginApprovalResolvedSchema,
  pluginApprovalSchema,
} from "../methods/approvals.js";
import { chatMessageSchema } from "../methods/chat.js";
import { pendingDeviceSchema } from "../methods/devices.js";
import { sessionRowSchema } from "../methods/sessions.js";
import { healthSchema } from "../methods/system.js";
import { presenceEntrySchema } from "../protocol/hello.js";

// The events a dashboard follows (openclaw 2026.9.6), each with the schema its payload is checked
// against. Loose like the method results: fields a newer gateway adds pass through.

const runFields = {
  runId: z.string(),
  sessionKey: z.string(),
  agentId: z.string().optional(),
  /** Per-run counter. */
  seq: z.number().optional(),
};

/**
 * `chat`: a run's progress in its session. `status` (phase), `delta` (message so far), then
 * `final` (reply), `aborted` or `error`. A failed run sends two `error` events.
 */
export const chatEventSchema = z
  .object({
    ...runFields,
    state: z.enum(["status", "delta", "final", "aborted", "error"]),
    phase: z.string().optional(),
    message: chatMessageSchema.optional(),
    deltaText: z.string().optional(),
    stopReason: z.string().optional(),
    errorMessage: z.string().optional(),
    errorKind: z.string().optional(),
  })
  .loose();

/** `agent`: the run's internal streams (lifecycle phases, assistant text, tool calls, usage). */
export const agentEventSchema = z
  .object({
    runId: z.string(),
    stream: z.string(),
    seq: z.number().optional(),
    ts: z.number().optional(),
    sessionKey: z.string().optional(),
    sessionId: z.string().optional(),
    agentId: z.string().optional(),
    data: z.record(z.string(), z.unknown()).default({}),
  })
  .loose();

/**
 * `sessions.changed`: a session row changed. Connections that called sessions.subscribe get one
 * per change with the row (`session`, the same shape as a sessions.list row) and the run phase
 * that caused it; others only get global notices (`{ reason, ts }`, no sessionKey).
 */
export const sessionsChangedEventSchema = z
  .object({
    reason: z.string().optional(),
    sessionKey: z.string().optional(),
    agentId: z.string().optional(),
    /** The run lifecycle phase behind the change ("start", "end", "error"…). */
    phase: z.string().optional(),
    runId: z.string().optional(),
    ts: z.number().optional(),
    session: sessionRowSchema.nullable().optional(),
  })
  .loose();

/**
 * `session.message` (to connections that called sessions.subscribe): a message was appended to a
 * session's transcript — the user's input, an assistant reply or tool call, a tool result.
 */
export const sessionMessageEventSchema = z
  .object({
    sessionKey: z.string(),
    agentId: z.string().optional(),
    message: chatMessageSchema,
    messageId: z.string().optional(),
    messageSeq: z.number().optional(),
  })
  .loose();

export const devicePairResolvedEventSchema = z
  .object({
    requestId: z.string(),
    deviceId: z.string().optional(),
    /** "approved" | "rejected" */
    decision: z.string(),
    ts: z.number().optional(),
  })
  .loose();

export const tickEventSchema = z.object({ ts: z.number() }).loose();
export const shutdownEventSchema = z.object({ reason: z.string(), restartExpectedMs: z.number().optional() }).loose();
export const presenceEventSchema = z.object({ presence: z.array(presenceEntrySchema) }).loose();

/** Event name → payload schema. Other events reach `on(name)` unchecked, as `unknown`. */
export const GATEWAY_EVENT_SCHEMAS = {
  chat: chatEventSchema,
  agent: agentEventSchema,
  "sessions.changed": sessionsChangedEventSchema,
  "session.message": sessionMessageEventSchema,
  "exec.approval.requested": execApprovalSchema,
  "exec.approval.resolved": execApprovalResolvedSchema,
  "plugin.approval.requested": pluginApprovalSchema,
  "plugin.approval.resolved": pluginApprovalResolvedSchema,
  "device.pair.requested": pendingDeviceSchema,
  "device.pair.resolved": devicePairResolvedEventSchema,
  tick: tickEventSchema,
  shutdown: shutdownEventSchema,
  presence: presenceEventSchema,
  health: healthSchema,
} as const;

export type GatewayEventName = keyof typeof GATEWAY_EVENT_SCHEMAS;
/** The payload type of each typed event. */
export type GatewayEventMap = { [E in GatewayEventName]: z.output<(typeof GATEWAY_EVENT_SCHEMAS)[E]> };

export type ChatEvent = GatewayEventMap["chat"];
export type AgentEvent = GatewayEventMap["agent"];
export type SessionsChangedEvent = GatewayEventMap["sessions.changed"];
export type SessionMessageEvent = GatewayEventMap["session.message"];
export type DevicePairResolvedEvent = GatewayEventMap["device.pair.resolved"];
export type TickEvent = GatewayEventMap["tick"];
export type ShutdownEvent = GatewayEventMap["shutdown"];
export type PresenceEvent = GatewayEventMap["presence"];

export function isTypedEvent(name: string): name is GatewayEventName {
  return Object.hasOwn(GATEWAY_EVENT_SCHEMAS, name);
}

/**
 * Checks a payload against its event's schema. `undefined` payload for an untyped event is fine;
 * a typed event whose payload does not match yields `{ ok: false }` with the first problem.
 */
export function parseEventPayload<E extends GatewayEventName>(
  name: E,
  payload: unknown,
): { ok: true; payload: GatewayEventMap[E] } | { ok: false; problem: string } {
  const parsed = GATEWAY_EVENT_SCHEMAS[name].safeParse(payload);
  if (parsed.success) return { ok: true, payload: parsed.data as GatewayEventMap[E] };
  const issue = parsed.error.issues[0];
  return { ok: false, problem: `${issue?.path.join(".") || "payload"}: ${issue?.message ?? "invalid"}` };
}
