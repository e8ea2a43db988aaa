// Namespace import: `{ z }` resolves to undefined when vitest runs under Bun (vite SSR + `export * as z`).
import * as z from "zod";
import { defineMethod } from "./define.js";

// Chat: a session's transcript and the runs that write to it (openclaw 2026.9.6, verified on the wire).

const nonEmpty = z.string().min(1);

/** One part of a message's content: `{ type: "text", text }`, a tool call, an image… */
export const chatContentPartSchema = z.object({ type: z.string(), text: z.string().optional() }).loose();

/** A transcript message, in chat.history and in `chat` events. */
export const chatMessageSchema = z
  .object({
    role: z.string().optional(),
    /** A string, or content parts. */
    content: z.union([z.string(), z.array(chatContentPartSchema), z.null()]).optional(),
    timestamp: z.number().optional(),
    stopReason: z.string().optional(),
    errorMessage: z.string().optional(),
    idempotencyKey: z.string().optional(),
    /** On `toolResult` messages: the call this answers, the tool, and whether it failed. */
    toolCallId: z.string().optional(),
    toolName: z.string().optional(),
    isError: z.boolean().optional(),
    model: z.string().optional(),
    provider: z.string().optional(),
    /** The tokens an assistant message cost. */
    usage: z
      .object({
        input: z.number().nullable().optional(),
        output: z.number().nullable().optional(),
        totalTokens: z.number().nullable().optional(),
      })
      .loose()
      .optional(),
    /** Gateway bookkeeping: the run that wrote an assistant message, its position. */
    __openclaw: z
      .object({ runId: z.string().optional(), seq: z.number().optional(), id: z.string().optional() })
      .loose()
      .optional(),
  })
  .loose();

export type ChatContentPart = z.infer<typeof chatContentPartSchema>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** The text of a chat message: a string, or its content parts of type "text" joined. */
export function messageText(message: ChatMessage | string | null | undefined): string {
  if (!message) return "";
  if (typeof message === "string") return message;
  const content = message.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const part of content) if (part.type === "text" && typeof part.text === "string") text += part.text;
  return text;
}

/** A tool call an assistant message makes: the tool and its arguments. */
export interface ChatToolCall {
  id: string | null;
  name: string;
  arguments: unknown;
}

/** The tool calls in an assistant message's content (`toolCall` parts; `tool_use`/`toolUse` as some providers write them). */
export function messageToolCalls(message: ChatMessage): ChatToolCall[] {
  if (!Array.isArray(message.content)) return [];
  const calls: ChatToolCall[] = [];
  for (const part of message.content) {
    if (part.type !== "toolCall" && part.type !== "tool_use" && part.type !== "toolUse") continue;
    calls.push({
      id: typeof part.id === "string" ? part.id : null,
      name: typeof part.name === "string" ? part.name : "tool",
      arguments: part.arguments ?? part.input ?? part.args,
    });
  }
  return calls;
}

/**
 * `chat.history`: a session's messages, oldest first. `limit` takes the newest ones; `offset`
 * skips that many from the newest end, and `nextOffset` is the offset of the next older page
 * (present while `hasMore`) (operator.read).
 */
export const chatHistory = defineMethod({
  method: "chat.history",
  scope: "operator.read",
  params: z.strictObject({
    sessionKey: nonEmpty,
    agentId: nonEmpty.optional(),
    sessionId: nonEmpty.optional(),
    limit: z.number().int().positive().optional(),
    cursor: z.string().optional(),
    offset: z.number().int().nonnegative().optional(),
    maxBytes: z.number().int().positive().optional(),
    maxChars: z.number().int().positive().optional(),
  }),
  result: z
    .object({
      sessionKey: z.string(),
      sessionId: z.string().optional(),
      messages: z.array(chatMessageSchema),
      hasMore: z.boolean().optional(),
      totalMessages: z.number().optional(),
      nextOffset: z.number().nullable().optional(),
      deltaCursor: z.string().optional(),
      pendingInputs: z.object({ total: z.number().optional() }).loose().optional(),
      sessionInfo: z.record(z.string(), z.unknown()).optional(),
    })
    .loose(),
});

/**
 * `chat.send`: starts a run in a session (created on the fly). The run id is the idempotency key;
 * the gateway de-duplicates a key for ~5 minutes in memory, not across its restarts (operator.write).
 */
export const chatSend = defineMethod({
  method: "chat.send",
  scope: "operator.write",
  params: z.strictObject({
    sessionKey: nonEmpty.max(512),
    message: z.string(),
    idempotencyKey: nonEmpty,
    agentId: nonEmpty.optional(),
    sessionId: nonEmpty.optional(),
    thinking: z.string().optional(),
    deliver: z.boolean().optional(),
    queueMode: z.enum(["steer", "followup", "collect", "interrupt"]).optional(),
    timeoutMs: z.number().int().positive().optional(),
    attachments: z.array(z.record(z.string(), z.unknown())).optional(),
  }),
  result: z
    .object({
      runId: z.string(),
      /** "started"; "in_flight" (same key, run alive); "ok" (same key, already answered: no events follow). */
      status: z.string(),
    })
    .loose(),
});

/**
 * `chat.inject`: appends an operator note to an existing session's transcript without starting a
 * run; the gateway answers with the new message's id and sends it as a final `chat` event (run id
 * `inject-<messageId>`) to the session's watchers. An unknown session is an INVALID_REQUEST
 * "session not found" (operator.admin).
 */
export const chatInject = defineMethod({
  method: "chat.inject",
  scope: "operator.admin",
  params: z.strictObject({
    sessionKey: nonEmpty,
    agentId: nonEmpty.optional(),
    message: nonEmpty,
    /** Written before the note as "[label]" and a blank line (at most 100 characters). */
    label: z.string().max(100).optional(),
  }),
  result: z.object({ ok: z.boolean(), messageId: z.string() }).loose(),
});

/** `chat.abort`: stops a session's run (all of them without runId) (operator.write). */
export const chatAbort = defineMethod({
  method: "chat.abort",
  scope: "operator.write",
  params: z.strictObject({ sessionKey: nonEmpty, agentId: nonEmpty.optional(), runId: nonEmpty.optional() }),
  result: z
    .object({ ok: z.boolean().optional(), aborted: z.boolean().optional(), runIds: z.array(z.string()).optional() })
    .loose(),
});
