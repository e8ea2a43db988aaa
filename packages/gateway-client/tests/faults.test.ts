// Fault injection against scripted servers: failures the real gateway cannot be made to produce.
import { execFileSync } from "node:child_process";
import { createPublicKey, verify, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { scratchDirs } from "../../../tests/scratch-dir.js";
// Imported from the modules (not index.ts) so this file does not depend on the doctor/pairing modules.
import { base64UrlDecode } from "../src/base64url.js";
import { GatewayClient } from "../src/client.js";
import { GatewayError } from "../src/errors.js";
import { generateIdentity } from "../src/identity.js";
import type { ClientState, DeviceTokenStore } from "../src/types.js";
import { type FakeGateway, HELLO, startFakeGateway, startHttpServer, until } from "./fake-gateway.js";

const scratch = scratchDirs();

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function fake(script: Parameters<typeof startFakeGateway>[0]): Promise<FakeGateway> {
  const gw = await startFakeGateway(script);
  cleanups.push(() => gw.close());
  return gw;
}
function client(opts: ConstructorParameters<typeof GatewayClient>[0]): GatewayClient {
  const c = new GatewayClient(opts);
  cleanups.push(() => c.close());
  return c;
}

describe("handshake faults", () => {
  it("no challenge → CHALLENGE_TIMEOUT, counted from the open socket", async () => {
    const gw = await fake(() => {});
    const c = client({ url: gw.url, token: "t", challengeTimeoutMs: 300, reconnect: false });
    const t0 = Date.now();
    const err = await c.connect().catch((e) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.code).toBe("CHALLENGE_TIMEOUT");
    expect(err.layer).toBe("challenge");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(gw.conns).toHaveLength(1);
    expect(gw.conns[0]!.received).toHaveLength(0);
  });

  it("an upgrade never answered → CONNECT_TIMEOUT after connectTimeoutMs, naming it", async () => {
    // Accepts TCP and reads the upgrade request, never answers: a proxy that hangs.
    const sockets: Socket[] = [];
    const silent = createNetServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    });
    const { port } = silent.address() as AddressInfo;
    const c = client({ url: `ws://127.0.0.1:${port}`, token: "t", connectTimeoutMs: 300, reconnect: false });
    const t0 = Date.now();
    const err = await c.connect().catch((e) => e);
    expect(err.code).toBe("CONNECT_TIMEOUT");
    expect(err.message).toContain("within 300 ms");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(c.state).toBe("failed");
  });

  it("each handshake phase has its own budget: a challenge later than connectTimeoutMs still connects", async () => {
    const gw = await fake(async (conn) => {
      await new Promise((r) => setTimeout(r, 400));
      conn.challenge();
      await conn.hello();
    });
    const c = client({ url: gw.url, token: "t", connectTimeoutMs: 250, challengeTimeoutMs: 2_000, reconnect: false });
    const hello = await c.connect();
    expect(hello.type).toBe("hello-ok");
    expect(c.state).toBe("connected");
  });

  it("a connect never answered → REQUEST_TIMEOUT at requestTimeoutMs, also when it is shorter than the challenge's", async () => {
    const gw = await fake((conn) => conn.challenge());
    const c = client({
      url: gw.url,
      token: "t",
      challengeTimeoutMs: 10_000,
      requestTimeoutMs: 300,
      reconnect: false,
    });
    const t0 = Date.now();
    const err = await c.connect().catch((e) => e);
    expect(err.code).toBe("REQUEST_TIMEOUT");
    expect(err.layer).toBe("connect");
    expect(err.message).toContain("within 300 ms of the challenge");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(gw.conns[0]!.received.map((f) => f.method)).toEqual(["connect"]);
  });

  it("a device sign() that never returns ends in REQUEST_TIMEOUT, nothing sent", async () => {
    const gw = await fake((conn) => conn.challenge());
    const real = generateIdentity();
    const hung = { ...real, sign: () => new Promise<string>(() => {}) };
    const c = client({ url: gw.url, token: "t", identity: hung, requestTimeoutMs: 300, reconnect: false });
    const err = await c.connect().catch((e) => e);
    expect(err.code).toBe("REQUEST_TIMEOUT");
    expect(err.layer).toBe("connect");
    expect(gw.conns[0]!.received).toHaveLength(0);
  });

  it("an identity loader that never settles → CONNECT_TIMEOUT naming it; the retry waits on the same call", async () => {
    const gw = await fake(async (conn) => {
      conn.challenge();
      await conn.hello();
    });
    let calls = 0;
    let finish!: (id: ReturnType<typeof generateIdentity>) => void;
    const loader = () => {
      calls++;
      return new Promise<ReturnType<typeof generateIdentity>>((r) => {
        finish = r;
      });
    };
    const c = client({ url: gw.url, token: "t", identity: loader, connectTimeoutMs: 300, reconnect: false });
    const t0 = Date.now();
    const err = await c.connect().catch((e) => e);
    expect(err.code).toBe("CONNECT_TIMEOUT");
    expect(err.layer).toBe("config");
    expect(err.message).toContain("device identity: the identity loader did not settle within 300 ms");
    expect(err.retryable).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(gw.conns).toHaveLength(0);
    // The loader finishes late: the next connect uses that call's identity instead of starting another.
    const identity = generateIdentity();
    finish(identity);
    await c.connect();
    expect(calls).toBe(1);
    expect(c.identity?.deviceId).toBe(identity.deviceId);
  });

  // A device client with a shared token, the given store and a short connect deadline.
  const withStore = (url: string, store: DeviceTokenStore, logs: unknown[]) =>
    client({
      url,
      token: "t",
      identity: generateIdentity(),
      deviceTokenStore: store,
      connectTimeoutMs: 300,
      reconnect: false,
      logger: (e) => logs.push(e),
    });

  it("a token store whose get() never answers: connects with the shared token after connectTimeoutMs, and says so", async () => {
    const gw = await fake(async (conn) => {
      conn.challenge();
      await conn.hello();
    });
    const logs: Array<{ level: string; msg: string; error?: unknown }> = [];
    const store = { get: () => new Promise<undefined>(() => {}), set: async () => {}, delete: async () => {} };
    const c = withStore(gw.url, store, logs);
    const t0 = Date.now();
    await c.connect();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(gw.conns[0]!.received[0].params.auth).toEqual({ token: "t" });
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "could not read the device token store; using the shared credentials",
        error: "no answer within 300 ms",
      }),
    );
  });

  it("a token store whose set() never answers does not hold close()", async () => {
    const gw = await fake(async (conn) => {
      conn.challenge();
      const f = await conn.next();
      const hello = HELLO();
      const payload = { ...hello, auth: { ...hello.auth, deviceToken: "dt-1" } };
      conn.ws.send(JSON.stringify({ type: "res", id: f.id, ok: true, payload }));
    });
    const logs: Array<{ level: string; msg: string; error?: unknown }> = [];
    let writes = 0;
    const store = {
      get: async () => undefined,
      set: () => {
        writes++;
        return new Promise<void>(() => {});
      },
      delete: async () => {},
    };
    const c = withStore(gw.url, store, logs);
    await c.connect();
    const t0 = Date.now();
    await c.close();
    expect(writes).toBe(1);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "could not store the device token",
        error: "no answer within 300 ms",
      }),
    );
  });

  it("invalid JSON → INVALID_FRAME", async () => {
    const gw = await fake((conn) => conn.ws.send("this is {not json"));
    const c = client({ url: gw.url, token: "t", reconnect: false });
    const err = await c.connect().catch((e) => e);
    expect(err.code).toBe("INVALID_FRAME");
    expect(err.hint).toMatch(/OpenClaw gateway/);
    expect(c.state).toBe("failed");
  });

  it("a hello-ok without policy → INVALID_FRAME", async () => {
    const gw = await fake(async (conn) => {
      conn.challenge();
      const f = await conn.next();
      conn.ws.send(JSON.stringify({ type: "res", id: f.id, ok: true, payload: { type: "hello-ok", protocol: 4 } }));
    });
    const c = client({ url: gw.url, token: "t", reconnect: false });
    await expect(c.connect()).rejects.toMatchObject({ code: "INVALID_FRAME" });
  });

  it("sends a v3-signed connect with challenge ts/nonce, default ids, no Origin and no token in the URL", async () => {
    const gw = await fake(async (conn) => {
      conn.challenge();
      await conn.hello();
    });
    const identity = generateIdentity();
    const c = client({ url: gw.url, token: "tok", identity, deviceTokenStore: false });
    await c.connect();
    const conn = gw.conns[0]!;
    expect(conn.headers.origin).toBeUndefined();
    expect(conn.url).not.toContain("tok");
    const connect = conn.received[0];
    expect(connect.method).toBe("connect");
    expect(connect.params.client).toMatchObject({ id: "gateway-client", mode: "backend", platform: process.platform });
    expect(connect.params.minProtocol).toBe(3);
    expect(connect.params.maxProtocol).toBe(4);
    expect(connect.params.scopes).toEqual(["operator.read", "operator.write"]);
    expect(connect.params.auth).toEqual({ token: "tok" });
    const { device } = connect.params;
    expect(device).toMatchObject({ id: identity.deviceId, publicKey: identity.publicKey, nonce: "n-0" });
    const payload = `v3|${identity.deviceId}|gateway-client|backend|operator|operator.read,operator.write|${device.signedAt}|tok|n-0|${process.platform}|`;
    const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), base64UrlDecode(identity.publicKey)]);
    const key = createPublicKey({ key: spki, format: "der", type: "spki" });
    expect(verify(null, Buffer.from(payload), key, base64UrlDecode(device.signature))).toBe(true);
  });

  it("sends the Origin header only when the origin option is set", async () => {
    const gw = await fake(async (conn) => {
      conn.challenge();
      await conn.hello();
    });
    const c = client({ url: gw.url, token: "t", origin: "http://localhost:5173" });
    await c.connect();
    expect(gw.conns[0]!.headers.origin).toBe("http://localhost:5173");
  });

  it("waits through the 1013 'gateway starting' window by itself", async () => {
    const gw = await fake(async (conn) => {
      conn.challenge();
      if (conn.index === 0) {
        const f = await conn.next();
        conn.ws.send(
          JSON.stringify({
            type: "res",
            id: f.id,
            ok: false,
            error: {
              code: "UNAVAILABLE",
              message: "gateway starting; retry shortly",
              details: { reason: "startup-sidecars" },
              retryAfterMs: 100,
            },
          }),
        );
        conn.ws.close(1013, "gateway starting");
        return;
      }
      conn.hello();
    });
    const c = client({ url: gw.url, token: "t", reconnect: false });
    const hello = await c.connect();
    expect(hello.server.version).toBe("fake-1");
    expect(gw.conns).toHaveLength(2);
  });

  it("NOT_PAIRED → state pairing_required with the approve command", async () => {
    const gw = await fake(async (conn) => {
      conn.challenge();
      const f = await conn.next();
      conn.ws.send(
        JSON.stringify({
          type: "res",
          id: f.id,
          ok: false,
          error: {
            code: "NOT_PAIRED",
            message: "pairing required: device is not approved yet",
            details: {
              code: "PAIRING_REQUIRED",
              reason: "not-paired",
              requestId: "req-123",
              deviceId: "dev",
              requestedRole: "operator",
              requestedScopes: ["operator.read"],
            },
          },
        }),
      );
      conn.ws.close(1008, "pairing required: device is not approved yet (requestId: req-123)");
    });
    const c = client({ url: gw.url, token: "t", identity: generateIdentity(), deviceTokenStore: false });
    const err = await c.connect().catch((e) => e);
    expect(err.code).toBe("PAIRING_REQUIRED");
    expect(err.pairing).toMatchObject({
      requestId: "req-123",
      approveCommand: "openclaw devices approve req-123",
      scopes: ["operator.read"],
    });
    expect(err.hint).toContain("openclaw devices approve req-123");
    expect(c.state).toBe("pairing_required");
    await new Promise((r) => setTimeout(r, 300));
    expect(gw.conns).toHaveLength(1);
  });
});

describe("HTTP answers instead of 101", () => {
  it("200 → UPGRADE_NOT_SWITCHED with the Caddy HTTP/1.1 hint and the response summary", async () => {
    const http = await startHttpServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html", server: "Caddy" });
      res.end("<html>Mission Control</html>");
    });
    cleanups.push(() => http.close());
    const c = client({ url: http.url, token: "secret-token-value", reconnect: false });
    const err = await c.connect().catch((e) => e);
    expect(err.code).toBe("UPGRADE_NOT_SWITCHED");
    expect(err.layer).toBe("upgrade");
    expect(err.httpStatus).toBe(200);
    expect(err.hint).toContain("versions 1.1");
    expect(err.details.response).toMatchObject({ status: 200, body: "<html>Mission Control</html>" });
    expect(err.message).toContain("Caddy");
    expect(JSON.stringify(err.toJSON())).not.toContain("secret-token-value");
  });

  it("403 proxy_attribution_required → PROXY_ATTRIBUTION_REQUIRED (trustedProxies)", async () => {
    const http = await startHttpServer((_req, res) => {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: { message: "Proxy client attribution is required.", type: "proxy_attribution_required" },
        }),
      );
    });
    cleanups.push(() => http.close());
    const c = client({ url: http.url, token: "t", reconnect: false });
    const err = await c.connect().catch((e) => e);
    expect(err.code).toBe("PROXY_ATTRIBUTION_REQUIRED");
    expect(err.httpStatus).toBe(403);
    expect(err.hint).toContain("gateway.trustedProxies");
  });

  it("502 → upstream down / h2c hint", async () => {
    const http = await startHttpServer((_req, res) => {
      res.writeHead(502);
      res.end();
    });
    cleanups.push(() => http.close());
    const c = client({ url: http.url, token: "t", reconnect: false });
    const err = await c.connect().catch((e) => e);
    expect(err.code).toBe("UPGRADE_NOT_SWITCHED");
    expect(err.httpStatus).toBe(502);
    expect(err.hint).toMatch(/HTTP\/1\.1/);
  });
});

describe("transport failures", () => {
  it("nothing listening → CONNECTION_REFUSED", async () => {
    const http = await startHttpServer(() => {});
    const url = http.url;
    await http.close();
    const c = client({ url, token: "t", reconnect: false });
    const err = await c.connect().catch((e) => e);
    expect(err.code).toBe("CONNECTION_REFUSED");
    expect(err.layer).toBe("tcp");
  });

  it("a refused connect names the URL it tried", async () => {
    const http = await startHttpServer(() => {});
    const port = new URL(http.url).port;
    await http.close();
    const c = client({ url: `ws://127.0.0.1:${port}/ws?room=1`, token: "t", reconnect: false });
    const err = await c.connect().catch((e) => e);
    expect(err.code).toBe("CONNECTION_REFUSED");
    expect(err.message).toContain(`connect to ws://127.0.0.1:${port}/ws?room=1:`);
  });

  it("unresolvable host → DNS_LOOKUP_FAILED", async () => {
    const c = client({ url: "ws://no-such-host.invalid:1", token: "t", reconnect: false, allowInsecureWs: true });
    const err = await c.connect().catch((e) => e);
    expect(err.code).toBe("DNS_LOOKUP_FAILED");
    expect(err.layer).toBe("dns");
  });
});

describe("connected faults", () => {
  it("abrupt close mid-request → CONNECTION_CLOSED, then reconnects", async () => {
    const gw = await fake(async (conn) => {
      conn.challenge();
      await conn.hello();
      if (conn.index === 0) {
        await conn.next(); // the request
        conn.ws.terminate();
      }
    });
    const c = client({ url: gw.url, token: "t", reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
    await c.connect();
    const err = await c.request<any>("health").catch((e) => e);
    expect(err.code).toBe("CONNECTION_CLOSED");
    expect(err.method).toBe("health");
    await until(() => c.state === "connected" && gw.conns.length === 2);
  });

  it("refuses a request above policy.maxPayload before sending it", async () => {
    const gw = await fake((conn) => {
      conn.challenge();
      conn.hello({ maxPayload: 1024 });
    });
    const c = client({ url: gw.url, token: "t" });
    await c.connect();
    const err = await c.request<any>("chat.send", { message: "x".repeat(2000) }).catch((e) => e);
    expect(err.code).toBe("REQUEST_TOO_LARGE");
    expect(err.details).toMatchObject({ maxPayload: 1024 });
    await new Promise((r) => setTimeout(r, 50));
    expect(gw.conns[0]!.received.map((f) => f.method)).toEqual(["connect"]);
    expect(c.state).toBe("connected");
  });

  it("an inbound frame above maxInboundPayload closes with 1009 and reconnects", async () => {
    const gw = await fake(async (conn) => {
      conn.challenge();
      await conn.hello();
      if (conn.index === 0) {
        setTimeout(() => conn.ws.send(JSON.stringify({ type: "event", event: "big", payload: "y".repeat(4096) })), 20);
      }
    });
    const states: Array<{ state: ClientState; code?: string }> = [];
    const c = client({
      url: gw.url,
      token: "t",
      maxInboundPayload: 1024,
      reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
    });
    c.onState((s) => states.push({ state: s.state, code: s.error?.code }));
    await c.connect();
    await until(() => gw.conns.length === 2 && c.state === "connected");
    const rec = states.find((s) => s.state === "reconnecting");
    expect(rec?.code).toBe("CONNECTION_CLOSED");
  });

  it("tick watchdog: silence for 2 × tickIntervalMs → close 4000 and reconnect", async () => {
    const gw = await fake((conn) => {
      conn.challenge();
      conn.hello({ tickIntervalMs: 100 });
    });
    const c = client({ url: gw.url, token: "t", reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
    const errors: string[] = [];
    c.onState((s) => s.error && errors.push(s.error.code));
    await c.connect();
    await until(() => gw.conns.length >= 2, 3000);
    await until(() => gw.conns[0]!.closeCode !== undefined, 3000);
    expect(gw.conns[0]!.closeCode).toBe(4000);
    expect(errors).toContain("TICK_TIMEOUT");
  });

  it("delivers events by name and wildcard and reports seq gaps", async () => {
    const gw = await fake(async (conn) => {
      conn.challenge();
      await conn.hello();
      for (const seq of [1, 2, 5])
        conn.ws.send(JSON.stringify({ type: "event", event: seq === 2 ? "tick" : "health", payload: { seq }, seq }));
    });
    const c = client({ url: gw.url, token: "t" });
    const named: number[] = [];
    const all: string[] = [];
    const gaps: Array<{ expected: number; received: number }> = [];
    c.on("health", (p) => named.push(p.seq as number));
    const off = c.on("*", (_p, f) => all.push(f.event));
    c.onGap((g) => gaps.push(g));
    await c.connect();
    await until(() => all.length === 3);
    expect(named).toEqual([1, 5]);
    expect(all).toEqual(["health", "tick", "health"]);
    expect(gaps).toEqual([{ expected: 3, received: 5 }]);
    off();
  });

  it("request before connect → NOT_CONNECTED; after close → CLIENT_CLOSED", async () => {
    const gw = await fake((conn) => {
      conn.challenge();
      conn.hello();
    });
    const c = client({ url: gw.url, token: "t" });
    await expect(c.request("health")).rejects.toMatchObject({ code: "NOT_CONNECTED" });
    await c.connect();
    await c.close();
    await expect(c.request("health")).rejects.toMatchObject({ code: "CLIENT_CLOSED" });
    await expect(c.connect()).rejects.toMatchObject({ code: "CLIENT_CLOSED" });
  });
});

describe("TLS", () => {
  function selfSigned() {
    const dir = scratch("gc-tls-");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    return { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
  }
  async function tlsGateway() {
    const { key, cert } = selfSigned();
    const server = createHttpsServer({ key, cert });
    const wss = new WebSocketServer({ server });
    wss.on("connection", (ws) => {
      ws.send(JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: "n", ts: Date.now() } }));
      ws.on("message", (d) => {
        const f = JSON.parse(d.toString());
        ws.send(
          JSON.stringify({
            type: "res",
            id: f.id,
            ok: true,
            payload: {
              type: "hello-ok",
              protocol: 4,
              server: { version: "tls" },
              auth: { method: "token", role: "operator", scopes: [] },
              policy: { maxPayload: 1e6, tickIntervalMs: 30000 },
            },
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(async () => {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    });
    const port = (server.address() as AddressInfo).port;
    return { url: `wss://127.0.0.1:${port}`, cert, fingerprint: new X509Certificate(cert).fingerprint256 };
  }

  it("self-signed → TLS_UNTRUSTED; trusted with tls.ca; pinned with tls.fingerprint; a wrong pin → TLS_FINGERPRINT_MISMATCH", async () => {
    const gw = await tlsGateway();
    const untrusted = client({ url: gw.url, token: "t", reconnect: false });
    expect(await untrusted.connect().catch((e) => e.code)).toBe("TLS_UNTRUSTED");

    const withCa = client({ url: gw.url, token: "t", reconnect: false, tls: { ca: gw.cert } });
    expect((await withCa.connect()).server.version).toBe("tls");

    const pinned = client({ url: gw.url, token: "t", reconnect: false, tls: { fingerprint: gw.fingerprint } });
    expect((await pinned.connect()).server.version).toBe("tls");

    const wrong = client({ url: gw.url, token: "t", reconnect: false, tls: { fingerprint: `${"AA:".repeat(31)}AA` } });
    const err = await wrong.connect().catch((e) => e);
    expect(err.code).toBe("TLS_FINGERPRINT_MISMATCH");
    expect(err.layer).toBe("tls");
  });

  it("a certificate for another name → TLS_HOSTNAME_MISMATCH", async () => {
    const gw = await tlsGateway();
    const c = client({ url: gw.url, token: "t", reconnect: false, tls: { ca: gw.cert, servername: "other.example" } });
    expect(await c.connect().catch((e) => e.code)).toBe("TLS_HOSTNAME_MISMATCH");
  });
});
