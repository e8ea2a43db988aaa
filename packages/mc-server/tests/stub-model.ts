import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface StubModel {
  url: string;
  requests: { text: string; at: number }[];
  /** Milliseconds before each reply starts (keeps runs in flight, e.g. across a gateway restart). */
  delayMs: number;
  close(): Promise<void>;
}

const INTERNAL = "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT";

function partText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content.map((p) => (p && typeof p === "object" && typeof p.text === "string" ? p.text : "")).join("");
  return "";
}

/** The last real user text: the gateway appends an internal-context user message, and prefixes a timestamp. */
export function lastUserText(messages: { role: string; content: unknown }[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== "user") continue;
    const text = partText(m.content);
    if (text.startsWith(INTERNAL)) continue;
    return text.replace(/^\[[^\]]*UTC\]\s*/, "").replace(/\n\nRuntime: agent=.*$/s, "");
  }
  return "";
}

/**
 * An OpenAI-compatible chat-completions server on loopback: streams
 * "STUB-REPLY: <first line of the task>" as SSE; a message containing FAIL-400 gets a 400
 * (the gateway fails the run fast, without retries).
 */
export async function startStubModel(): Promise<StubModel> {
  const stub: StubModel = { url: "", requests: [], delayMs: 0, close: async () => {} };
  let n = 0;
  const server: Server = createServer((req, res) => {
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not found"}}');
      return;
    }
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      let parsed: { messages?: { role: string; content: unknown }[]; model?: string } = {};
      try {
        parsed = JSON.parse(body);
      } catch {}
      const text = lastUserText(parsed.messages ?? []);
      stub.requests.push({ text, at: Date.now() });
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
      const reply = `STUB-REPLY: ${text.split("\n")[0]!.replace(/^#\s*/, "")}`;
      setTimeout(() => {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        res.write(chunk({ role: "assistant", content: "" }, null));
        res.write(chunk({ content: reply }, null));
        res.write(chunk({}, "stop"));
        res.write(
          `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: "stub-model", choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } })}\n\n`,
        );
        res.end("data: [DONE]\n\n");
      }, stub.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  return stub;
}
