// A scripted stand-in for the gateway, for failures the real one cannot be made to produce.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

export interface FakeConn {
  ws: WebSocket;
  index: number;
  /** Headers of the HTTP upgrade request. */
  headers: IncomingMessage["headers"];
  url: string;
  received: any[];
  closeCode?: number;
  challenge(): void;
  hello(policy?: Partial<{ maxPayload: number; tickIntervalMs: number }>): Promise<void>;
  /** Answers the next frame (the connect) with this gateway error; resolves once sent. */
  refuse(error: { code: string; message: string; details?: unknown; retryAfterMs?: number }): Promise<void>;
  /** Resolves with the next frame the client sends. */
  next(): Promise<any>;
}

export interface FakeGateway {
  url: string;
  port: number;
  conns: FakeConn[];
  close(): Promise<void>;
}

export const HELLO = (policy: Partial<{ maxPayload: number; tickIntervalMs: number }> = {}) => ({
  type: "hello-ok",
  protocol: 4,
  server: { version: "fake-1", connId: "c1" },
  features: { methods: ["health"], events: ["tick"] },
  snapshot: {},
  auth: { method: "token", role: "operator", scopes: ["operator.read", "operator.write"] },
  policy: { maxPayload: 26214400, maxBufferedBytes: 52428800, tickIntervalMs: 30000, ...policy },
});

/** Starts a ws server; `onConnection` scripts each connection (index 0, 1, … for reconnects). */
export async function startFakeGateway(onConnection: (conn: FakeConn) => void | Promise<void>): Promise<FakeGateway> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  const conns: FakeConn[] = [];
  wss.on("connection", (ws, req) => {
    const waiters: Array<(f: any) => void> = [];
    const queue: any[] = [];
    const conn: FakeConn = {
      ws,
      index: conns.length,
      headers: req.headers,
      url: req.url ?? "",
      received: [],
      challenge() {
        ws.send(
          JSON.stringify({
            type: "event",
            event: "connect.challenge",
            payload: { nonce: `n-${conn.index}`, ts: Date.now() },
          }),
        );
      },
      /** Answers the next frame (the connect) with hello-ok; resolves once sent. */
      hello(policy) {
        return conn
          .next()
          .then((f) => ws.send(JSON.stringify({ type: "res", id: f.id, ok: true, payload: HELLO(policy) })));
      },
      refuse(error) {
        return conn.next().then((f) => ws.send(JSON.stringify({ type: "res", id: f.id, ok: false, error })));
      },
      next() {
        const f = queue.shift();
        if (f) return Promise.resolve(f);
        return new Promise((r) => waiters.push(r));
      },
    };
    ws.on("message", (d) => {
      let f: any;
      try {
        f = JSON.parse(d.toString());
      } catch {
        f = { raw: d.toString() };
      }
      conn.received.push(f);
      const w = waiters.shift();
      if (w) w(f);
      else queue.push(f);
    });
    ws.on("close", (code) => (conn.closeCode = code));
    conns.push(conn);
    void onConnection(conn);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    conns,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A plain HTTP server that never upgrades (a misconfigured proxy). */
export async function startHttpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    server,
    async close() {
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export const until = async (cond: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
};
