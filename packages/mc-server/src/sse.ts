import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "./log.js";

/** Event names on GET /api/events. */
export type StreamEvent =
  | "hello"
  | "gateway"
  | "task"
  | "task.deleted"
  | "task.event"
  | "agents"
  | "agent"
  | "sessions"
  | "session"
  | "session.delta"
  | "session.message"
  | "session.tool"
  | "session.run"
  | "approval"
  | "approval.resolved"
  | "local-gateway"
  | "run";

export interface BroadcastOptions {
  /** The store's event log id (task events only): what Last-Event-ID resumes from. */
  id?: number;
  /**
   * Only clients subscribed to this topic get the event (`session:<key>` for one session's live
   * transcript: deltas, tools, run phases, messages). Such frames carry no id and are not
   * replayed: a reconnecting client re-reads the transcript instead.
   */
  topic?: string;
}

const NO_TOPICS: ReadonlySet<string> = new Set();

/**
 * One SSE frame. `id` is given only to frames of the store's task event log: its ids only
 * grow, across restarts of the server, so a client resuming with Last-Event-ID gets exactly
 * what it missed (see GET /api/events). Other frames (gateway state, live run text) carry no
 * id: a reconnecting client gets the current state in `hello` instead.
 */
export function sseFrame(event: StreamEvent, data: unknown, id?: number): string {
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A frame serialised once for every client: raw, and as one HTTP/1.1 chunk (size, data, CRLF). */
class Payload {
  readonly raw: Buffer;
  private chunkedBuf: Buffer | null = null;
  constructor(text: string) {
    this.raw = Buffer.from(text);
  }
  get chunked(): Buffer {
    if (!this.chunkedBuf) {
      const head = Buffer.from(`${this.raw.length.toString(16)}\r\n`, "latin1");
      this.chunkedBuf = Buffer.concat([head, this.raw, CRLF]);
    }
    return this.chunkedBuf;
  }
}
const CRLF = Buffer.from("\r\n", "latin1");

interface Client {
  /** Writes one frame; false when the transport asked us to wait (backpressure). */
  write(p: Payload): boolean;
  /** Bytes written but not yet taken by the transport. */
  buffered(): number;
  onDrain(fn: () => void): void;
  /** Ends the stream cleanly (server shutdown). */
  close(): void;
  /** Cuts the connection (a client that fell behind). */
  destroy(): void;
  paused: boolean;
  queue: Payload[];
  queuedBytes: number;
  label: string;
  /** Topics this client follows (GET /api/events?session=<key>). */
  topics: ReadonlySet<string>;
}

export interface SseHubOptions {
  heartbeatMs?: number;
  /**
   * How far one client may fall behind, in bytes waiting for its socket; beyond that it is
   * dropped (and logged) instead of growing the server's memory. Default 1 MiB.
   */
  maxQueueBytes?: number;
  log?: Logger;
}

const HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  // nginx buffers event streams unless told not to
  "x-accel-buffering": "no",
};

/**
 * Fan-out of server events to every open `GET /api/events`. A broadcast serialises its frame
 * once into a Buffer (and its HTTP chunk once), then writes that same Buffer to each socket:
 * no per-client encoding, framing or copying. write()'s return value is honoured: a client
 * whose socket is full gets its frames queued until 'drain', up to `maxQueueBytes`, after
 * which it is dropped and logged — a client that stops reading cannot grow server memory.
 */
export class SseHub {
  private readonly clients = new Set<Client>();
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly maxQueueBytes: number;
  private readonly log: Logger | undefined;
  private droppedCount = 0;

  constructor(opts: SseHubOptions = {}) {
    this.maxQueueBytes = opts.maxQueueBytes ?? 1 << 20;
    this.log = opts.log;
    const every = opts.heartbeatMs ?? 15_000;
    // Comments keep proxies (Caddy, nginx) from closing an idle stream and let clients notice a dead one.
    this.heartbeat = setInterval(() => this.send(new Payload(`: ping ${Date.now()}\n\n`)), every);
    this.heartbeat.unref?.();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Clients dropped because they fell more than maxQueueBytes behind. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Bytes waiting for all clients (ours and the sockets'): bounded by clients × (maxQueueBytes + one socket buffer). */
  bufferedBytes(): number {
    let n = 0;
    for (const c of this.clients) n += c.queuedBytes + c.buffered();
    return n;
  }

  broadcast(event: StreamEvent, data: unknown, opts: BroadcastOptions = {}): void {
    if (opts.topic !== undefined && this.watching(opts.topic) === 0) return;
    this.send(new Payload(sseFrame(event, data, opts.topic === undefined ? opts.id : undefined)), opts.topic);
  }

  /** How many open streams follow this topic (nothing to compute for a session nobody watches). */
  watching(topic: string): number {
    let n = 0;
    for (const c of this.clients) if (c.topics.has(topic)) n++;
    return n;
  }

  /** Several frames (from sseFrame) as one write per client. */
  broadcastFrames(frames: string): void {
    if (frames) this.send(new Payload(frames));
  }

  private send(p: Payload, topic?: string): void {
    for (const c of this.clients) {
      if (topic !== undefined && !c.topics.has(topic)) continue;
      if (c.paused) {
        c.queue.push(p);
        c.queuedBytes += p.raw.length;
        if (c.queuedBytes > this.maxQueueBytes) this.drop(c);
        continue;
      }
      try {
        if (!c.write(p)) this.pause(c);
      } catch {
        this.clients.delete(c);
      }
    }
  }

  private pause(c: Client): void {
    c.paused = true;
    c.onDrain(() => this.resume(c));
  }

  private resume(c: Client): void {
    if (!this.clients.has(c)) return;
    c.paused = false;
    while (c.queue.length > 0) {
      const p = c.queue.shift()!;
      c.queuedBytes -= p.raw.length;
      if (!c.write(p)) {
        this.pause(c);
        return;
      }
    }
  }

  private drop(c: Client): void {
    this.clients.delete(c);
    this.droppedCount++;
    this.log?.warn("SSE client fell behind; dropped", {
      client: c.label,
      queuedBytes: c.queuedBytes + c.buffered(),
      maxQueueBytes: this.maxQueueBytes,
      hint: "the client stopped reading (or its link is too slow for the event rate); it reconnects and resumes with Last-Event-ID",
    });
    c.queue.length = 0;
    c.queuedBytes = 0;
    try {
      c.destroy();
    } catch {}
  }

  /**
   * Attaches a raw Node response (the fast path under @hono/node-server): frames go straight
   * to its socket, pre-framed as HTTP chunks when the response is chunked.
   */
  attachNode(res: ServerResponse, opts: { first: string; requestId?: string; topics?: ReadonlySet<string> }): void {
    res.writeHead(200, { ...HEADERS, ...(opts.requestId ? { "x-request-id": opts.requestId } : {}) });
    const socket = res.socket as Socket | null;
    if (!socket) return;
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    // Headers and the first frames go through the response, which fixes its framing.
    res.write(opts.first);
    const chunked = (res as { chunkedEncoding?: boolean }).chunkedEncoding === true;
    const client: Client = {
      write: (p) => socket.write(chunked ? p.chunked : p.raw),
      buffered: () => socket.writableLength,
      onDrain: (fn) => socket.once("drain", fn),
      close: () => res.end(),
      destroy: () => socket.destroy(),
      paused: false,
      queue: [],
      queuedBytes: 0,
      label: `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`,
      topics: opts.topics ?? NO_TOPICS,
    };
    this.clients.add(client);
    const drop = () => this.clients.delete(client);
    res.on("close", drop);
    socket.on("error", drop);
  }

  /** A web-stream response for runtimes without a Node response object (Bun). */
  attachWeb(opts: { first: string; requestId?: string; signal?: AbortSignal; topics?: ReadonlySet<string> }): Response {
    let client: Client | null = null;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          const waiting: (() => void)[] = [];
          client = {
            write: (p) => {
              controller.enqueue(p.raw);
              return (controller.desiredSize ?? 0) > 0;
            },
            buffered: () => Math.max(0, -(controller.desiredSize ?? 0)),
            onDrain: (fn) => waiting.push(fn),
            close: () => controller.close(),
            destroy: () => controller.error(new Error("the client fell behind")),
            paused: false,
            queue: [],
            queuedBytes: 0,
            label: "web-stream",
            topics: opts.topics ?? NO_TOPICS,
          };
          (client as Client & { pulled?: () => void }).pulled = () => {
            for (const fn of waiting.splice(0)) fn();
          };
          controller.enqueue(Buffer.from(opts.first));
          this.clients.add(client);
          opts.signal?.addEventListener("abort", () => client && this.clients.delete(client));
        },
        pull: () => {
          (client as (Client & { pulled?: () => void }) | null)?.pulled?.();
        },
        cancel: () => {
          if (client) this.clients.delete(client);
        },
      },
      { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
    );
    return new Response(stream, {
      headers: { ...HEADERS, ...(opts.requestId ? { "x-request-id": opts.requestId } : {}) },
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
