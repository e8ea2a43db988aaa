import type { ServerResponse } from "node:http";

/** Event names on GET /api/events. */
export type StreamEvent = "hello" | "gateway" | "task" | "task.deleted" | "task.event" | "agents" | "sessions" | "run";

interface Client {
  write(chunk: string): boolean;
  close(): void;
}

/**
 * Fan-out of server events to every open `GET /api/events`. Each event is serialised once
 * and the same string is written to every socket, so a broadcast to 1,000 clients is 1,000
 * socket writes and nothing else. A bounded ring of recent events serves `Last-Event-ID`.
 */
export class SseHub {
  private readonly clients = new Set<Client>();
  private nextId = 1;
  private readonly ring: { id: number; frame: string }[] = [];
  private readonly ringSize: number;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(opts: { heartbeatMs?: number; replay?: number } = {}) {
    this.ringSize = opts.replay ?? 256;
    const every = opts.heartbeatMs ?? 15_000;
    // Comments keep proxies (Caddy, nginx) from closing an idle stream and let clients notice a dead one.
    this.heartbeat = setInterval(() => this.writeAll(`: ping ${Date.now()}\n\n`), every);
    this.heartbeat.unref?.();
  }

  get size(): number {
    return this.clients.size;
  }

  broadcast(event: StreamEvent, data: unknown): void {
    const id = this.nextId++;
    const frame = `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    this.ring.push({ id, frame });
    if (this.ring.length > this.ringSize) this.ring.shift();
    this.writeAll(frame);
  }

  private writeAll(frame: string): void {
    for (const c of this.clients) {
      try {
        c.write(frame);
      } catch {
        this.clients.delete(c);
      }
    }
  }

  private replayFrom(lastEventId: string | undefined): string {
    const n = lastEventId ? Number.parseInt(lastEventId, 10) : NaN;
    if (!Number.isFinite(n)) return "";
    return this.ring
      .filter((e) => e.id > n)
      .map((e) => e.frame)
      .join("");
  }

  private static readonly HEADERS = {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    // nginx buffers event streams unless told not to
    "x-accel-buffering": "no",
  };

  /** Attaches a raw Node response (the fast path under @hono/node-server). */
  attachNode(res: ServerResponse, opts: { hello: unknown; lastEventId?: string; requestId?: string }): void {
    res.writeHead(200, { ...SseHub.HEADERS, ...(opts.requestId ? { "x-request-id": opts.requestId } : {}) });
    res.socket?.setNoDelay(true);
    res.socket?.setKeepAlive(true);
    const client: Client = { write: (s) => res.write(s), close: () => res.end() };
    res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify(opts.hello)}\n\n${this.replayFrom(opts.lastEventId)}`);
    this.clients.add(client);
    const drop = () => this.clients.delete(client);
    res.on("close", drop);
    res.on("error", drop);
  }

  /** A web-stream response for runtimes without a Node response object (Bun). */
  attachWeb(opts: { hello: unknown; lastEventId?: string; requestId?: string; signal?: AbortSignal }): Response {
    const enc = new TextEncoder();
    let client: Client | null = null;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        client = {
          write: (s) => {
            controller.enqueue(enc.encode(s));
            return true;
          },
          close: () => controller.close(),
        };
        controller.enqueue(
          enc.encode(
            `retry: 2000\nevent: hello\ndata: ${JSON.stringify(opts.hello)}\n\n${this.replayFrom(opts.lastEventId)}`,
          ),
        );
        this.clients.add(client);
        opts.signal?.addEventListener("abort", () => client && this.clients.delete(client));
      },
      cancel: () => {
        if (client) this.clients.delete(client);
      },
    });
    return new Response(stream, {
      headers: { ...SseHub.HEADERS, ...(opts.requestId ? { "x-request-id": opts.requestId } : {}) },
    });
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const c of this.clients) {
      try {
        c.close();
      } catch {}
    }
    this.clients.clear();
  }
}
