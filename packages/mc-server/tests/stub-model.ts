import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StubRequest {
  text: string;
  at: number;
  /** The tool result this turn answers, when the gateway sent one (a follow-up after a tool call). */
  toolResult: string | null;
  /** Names of the tools the gateway offered. */
  tools: string[];
  /** The task markers (`MARKER-…`) in the message, echoed in the reply. */
  markers: string[];
  /** The model id the gateway asked for. */
  model: string | null;
}

export interface StubModel {
  url: string;
  requests: StubRequest[];
  /** Milliseconds before each reply starts (keeps runs in flight, e.g. across a gateway restart). */
  delayMs: number;
  /** Milliseconds between the chunks of a SLOW-STREAM reply. */
  chunkMs: number;
  close(): Promise<void>;
}

const INTERNAL = "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT";
/** Task markers the stub echoes, wherever they are in the prompt (a recovery prompt quotes the task). */
const MARKER = /\bMARKER-[A-Za-z0-9_-]+/g;
/** `DELAY-<ms>` in a task: its first model call waits that long (a run caught inside the model call). */
const DELAY = /\bDELAY-(\d{1,6})\b/;

type Message = { role: string; content: unknown; tool_call_id?: string };

function partText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content.map((p) => (p && typeof p === "object" && typeof p.text === "string" ? p.text : "")).join("");
  return "";
}

function lastUserIndex(messages: Message[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === "user" && !partText(m.content).startsWith(INTERNAL)) return i;
  }
  return -1;
}

/** The last real user text: the gateway appends an internal-context user message, and prefixes a timestamp. */
export function lastUserText(messages: Message[]): string {
  const i = lastUserIndex(messages);
  if (i === -1) return "";
  return partText(messages[i]!.content)
    .replace(/^\[[^\]]*UTC\]\s*/, "")
    .replace(/\n\nRuntime: agent=.*$/s, "");
}

/** The result of a tool call made after the last user message (the turn that follows a tool call). */
function toolResultAfterUser(messages: Message[]): string | null {
  const from = lastUserIndex(messages);
  for (let i = messages.length - 1; i > from; i--)
    if (messages[i]!.role === "tool") return partText(messages[i]!.content);
  return null;
}

/**
 * An OpenAI-compatible chat-completions server on loopback. It streams
 * "STUB-REPLY: <first line of the message>" as SSE, and obeys markers in the user's message:
 * - `FAIL-400`: a 400 (the gateway fails the run fast, without retries);
 * - `TOOL-EXEC: <command>`: first asks for the `exec` tool with that command; the next turn
 *   (with the tool's result) replies "STUB-REPLY: exec said: <result>";
 * - `SLOW-STREAM <n>`: the reply comes in n chunks, `chunkMs` apart (a long, visibly streaming run);
 * - `MARKER-<x>`: echoed at the end of the reply (the test's proof that the reply answers that task);
 * - `DELAY-<ms>`: the first call for the message waits that long (a run inside the model call).
 */
export async function startStubModel(): Promise<StubModel> {
  const stub: StubModel = { url: "", requests: [], delayMs: 0, chunkMs: 400, close: async () => {} };
  let n = 0;
  const slowDone = new Set<string>();
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not found"}}');
      return;
    }
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      let parsed: { messages?: Message[]; model?: string; tools?: { function?: { name?: string } }[] } = {};
      try {
        parsed = JSON.parse(body);
      } catch {}
      const messages = parsed.messages ?? [];
      const text = lastUserText(messages);
      const toolResult = toolResultAfterUser(messages);
      const markers = [...new Set(text.match(MARKER) ?? [])];
      stub.requests.push({
        text,
        at: Date.now(),
        toolResult,
        tools: (parsed.tools ?? []).map((t) => t.function?.name ?? "?"),
        markers,
        model: parsed.model ?? null,
      });
      let delay = stub.delayMs;
      const delayed = DELAY.exec(text);
      const slowKey = markers.join(" ") || text;
      if (delayed && !slowDone.has(slowKey)) {
        slowDone.add(slowKey);
        delay = Number(delayed[1]);
      }
      if (text.includes("FAIL-400")) {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ error: { message: "stub refuses this task (FAIL-400)", type: "invalid_request_error" } }),
        );
        return;
      }
      const id = `chatcmpl-stub-${++n}`;
      const created = Math.floor(Date.now() / 1000);
      const chunk = (delta: object, finish: string | null) =>
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: parsed.model ?? "stub-model", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      const usage = `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: "stub-model", choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } })}\n\n`;
      const command = /TOOL-EXEC:\s*(.+)$/m.exec(text)?.[1]?.trim();
      const slow = /SLOW-STREAM\s+(\d+)/.exec(text);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        open.add(res);
        res.on("close", () => open.delete(res));
        res.write(chunk({ role: "assistant", content: "" }, null));
        if (command && toolResult === null) {
          const call = { index: 0, id: `call_${n}`, type: "function", function: { name: "exec", arguments: "" } };
          res.write(chunk({ tool_calls: [call] }, null));
          res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: JSON.stringify({ command }) } }] }, null));
          res.write(chunk({}, "tool_calls"));
          res.write(usage);
          res.end("data: [DONE]\n\n");
          return;
        }
        const reply =
          toolResult !== null
            ? `STUB-REPLY: exec said: ${toolResult.trim().split("\n")[0]!.slice(0, 200)}`
            : `STUB-REPLY: ${text.split("\n")[0]!.replace(/^#\s*/, "")}${markers.length ? ` ${markers.join(" ")}` : ""}`;
        if (!slow) {
          res.write(chunk({ content: reply }, null));
          res.write(chunk({}, "stop"));
          res.write(usage);
          res.end("data: [DONE]\n\n");
          return;
        }
        const total = Math.max(1, Number(slow[1]));
        let i = 0;
        const next = () => {
          if (res.destroyed) return;
          i++;
          res.write(chunk({ content: i === 1 ? `${reply} [chunk 1]` : ` [chunk ${i}]` }, null));
          if (i < total) {
            setTimeout(next, stub.chunkMs);
            return;
          }
          res.write(chunk({}, "stop"));
          res.write(usage);
          res.end("data: [DONE]\n\n");
        };
        next();
      }, delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      for (const r of open) r.destroy();
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  return stub;
}
