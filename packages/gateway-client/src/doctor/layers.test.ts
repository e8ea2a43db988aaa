// Fault injection for the layers a healthy gateway cannot produce: fake HTTP/WS/TLS servers on loopback.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { generateIdentity } from "../identity.js";
import { diagnose } from "./diagnose.js";
import { renderReport } from "./render.js";
import { checkTls } from "./tls.js";
import { checkUrl } from "./url.js";

const servers: Array<{ close(cb?: () => void): unknown }> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r((server.address() as AddressInfo).port)));
}

/** A WebSocket server that greets each socket with `greet` (or nothing). */
async function fakeGateway(greet?: (send: (o: unknown) => void) => void): Promise<number> {
  const http = createServer((_, res) => res.end("plain"));
  const wss = new WebSocketServer({ server: http });
  servers.push(wss);
  wss.on("connection", (ws) => greet?.((o) => ws.send(JSON.stringify(o))));
  return listen(http);
}

describe("url layer", () => {
  it.each([
    ["http://127.0.0.1:18789", "INVALID_OPTIONS", /ws:\/\/127\.0\.0\.1:18789/],
    ["wss://gw.example.com/?token=sk-oc-secret", "INVALID_OPTIONS", /token/],
    ["ws://gateway.example.com:18789", "INSECURE_URL", /wss:\/\//],
    ["not a url", "INVALID_OPTIONS", /ws:\/\//],
  ])("%s → %s", (url, code, hint) => {
    const { step, target } = checkUrl(url);
    expect(target).toBeUndefined();
    expect(step).toMatchObject({ step: "url", ok: false, code });
    expect(step.hint).toMatch(hint);
    expect(JSON.stringify(step)).not.toContain("sk-oc-secret");
  });

  it("accepts ws:// to loopback, private, .local and .ts.net hosts, and a public one only when allowed (with a warning)", () => {
    for (const u of [
      "ws://127.0.0.1:1",
      "ws://[::1]:1",
      "ws://10.1.2.3",
      "ws://192.168.1.9:18789",
      "ws://pi.local:18789",
      "ws://gw.tail1234.ts.net",
    ]) {
      expect(checkUrl(u).step.ok, u).toBe(true);
    }
    const allowed = checkUrl("ws://gateway.example.com", { allowInsecureWs: true }).step;
    expect(allowed.ok).toBe(true);
    expect(allowed.warning).toMatch(/unencrypted/);
  });
});

describe("upgrade layer", () => {
  it.each([
    [426, "", "UPGRADE_NOT_SWITCHED", /versions 1\.1/],
    [504, "", "UPGRADE_NOT_SWITCHED", /HTTP\/1\.1/],
    [
      403,
      '{"error":{"message":"Proxy client attribution is required.","type":"proxy_attribution_required"}}',
      "PROXY_ATTRIBUTION_REQUIRED",
      /trustedProxies/,
    ],
    [404, "no route", "UPGRADE_NOT_SWITCHED", /path/],
  ])(
    "HTTP %i (body %j) instead of 101 → %s, with the status line, headers and body",
    async (status, body, code, hint) => {
      const port = await listen(
        createServer((_, res) => {
          res.writeHead(status, { server: "fake-proxy", "content-type": "application/json" });
          res.end(body);
        }),
      );
      const r = await diagnose({ url: `ws://127.0.0.1:${port}/`, timeoutMs: 2000 });
      const step = r.steps.at(-1)!;
      expect(r.failedStep, renderReport(r)).toBe("upgrade");
      expect(step).toMatchObject({ ok: false, code, data: { status } });
      expect(step.detail).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(step.detail).toContain("server: fake-proxy");
      if (body) expect(step.detail).toContain(body.slice(0, 30));
      expect(step.hint).toMatch(hint);
      expect(r.skipped).toEqual(["challenge", "connect", "rpc"]);
    },
  );

  it("a server that accepts the TCP connection but never answers → upgrade timeout", async () => {
    const port = await listen(createServer(() => undefined));
    const r = await diagnose({ url: `ws://127.0.0.1:${port}/`, timeoutMs: 300 });
    expect(r.failedStep).toBe("upgrade");
    expect(r.steps.at(-1)).toMatchObject({ code: "CONNECT_TIMEOUT" });
  });
});

describe("challenge layer", () => {
  it("no connect.challenge within the timeout → CHALLENGE_TIMEOUT, and diagnose stops there", async () => {
    const port = await fakeGateway();
    const r = await diagnose({ url: `ws://127.0.0.1:${port}`, challengeTimeoutMs: 300 });
    expect(r.failedStep, renderReport(r)).toBe("challenge");
    expect(r.steps.at(-1)).toMatchObject({
      code: "CHALLENGE_TIMEOUT",
      hint: expect.stringMatching(/not an OpenClaw gateway|overloaded/),
    });
    expect(r.skipped).toEqual(["connect", "rpc"]);
  });

  it("a first frame that is not a gateway frame → challenge fails with INVALID_FRAME", async () => {
    const port = await fakeGateway((send) => send({ hello: "echo server" }));
    const r = await diagnose({ url: `ws://127.0.0.1:${port}`, timeoutMs: 2000 });
    expect(r.failedStep, renderReport(r)).toBe("challenge");
    expect(r.steps.at(-1)).toMatchObject({ code: "INVALID_FRAME" });
  });

  it.each([
    [5_000, undefined],
    [-90_000, /behind ours: close to the 120 s limit/],
    [200_000, /ahead of ours: signatures dated with this machine's clock are rejected/],
  ])("gateway clock off by %i ms → warning %s (then the connect answer is the next layer)", async (offset, warning) => {
    const http = createServer((_, res) => res.end("plain"));
    const wss = new WebSocketServer({ server: http });
    servers.push(wss);
    wss.on("connection", (ws) => {
      ws.send(
        JSON.stringify({
          type: "event",
          event: "connect.challenge",
          payload: { nonce: "n-1", ts: Date.now() + offset },
        }),
      );
      ws.on("message", (raw) => {
        const req = JSON.parse(String(raw));
        ws.send(
          JSON.stringify({
            type: "res",
            id: req.id,
            ok: false,
            error: {
              code: "INVALID_REQUEST",
              message: "unauthorized: gateway token mismatch",
              details: { code: "AUTH_TOKEN_MISMATCH" },
            },
          }),
        );
      });
    });
    const port = await listen(http);
    const r = await diagnose({
      url: `ws://127.0.0.1:${port}`,
      token: "t",
      identity: generateIdentity(),
      timeoutMs: 2000,
    });
    const challenge = r.steps.find((s) => s.step === "challenge")!;
    expect(challenge.ok, renderReport(r)).toBe(true);
    expect(Math.abs((challenge.data!.skewMs as number) - offset)).toBeLessThan(2_000);
    if (warning) {
      expect(challenge.warning).toMatch(warning);
      expect(challenge.hint).toMatch(/NTP/);
    } else expect(challenge.warning).toBeUndefined();
    expect(r.failedStep).toBe("connect");
    expect(r.steps.at(-1)).toMatchObject({ code: "AUTH_TOKEN_MISMATCH" });
  });
});

describe("tls layer", () => {
  let dir: string;
  let cert: string;
  let key: string;
  let fingerprint: string;
  let port: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "missionctl-tls-"));
    // A self-signed certificate for "gateway.test" only: right CA, wrong name for 127.0.0.1.
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
        "-days",
        "2",
        "-subj",
        "/CN=gateway.test",
        "-addext",
        "subjectAltName=DNS:gateway.test",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    cert = readFileSync(join(dir, "cert.pem"), "utf8");
    key = readFileSync(join(dir, "key.pem"), "utf8");
    fingerprint = execFileSync("openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", join(dir, "cert.pem")], {
      encoding: "utf8",
    })
      .split("=")[1]!
      .trim();
    const server = createHttpsServer({ cert, key }, (_, res) => res.end("ok"));
    port = await new Promise((r) => server.listen(0, "127.0.0.1", () => r((server.address() as AddressInfo).port)));
    servers.length = 0;
    (globalThis as { __tlsServer?: unknown }).__tlsServer = server;
  });
  afterAll(() => {
    (globalThis as { __tlsServer?: { close(): void } }).__tlsServer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("untrusted self-signed certificate → TLS_UNTRUSTED with the node error code", async () => {
    const s = await checkTls("127.0.0.1", port, {}, 2000);
    expect(s).toMatchObject({ ok: false, code: "TLS_UNTRUSTED" });
    expect(s.detail).toMatch(/^DEPTH_ZERO_SELF_SIGNED_CERT: certificate gateway\.test/);
  });

  it("trusted CA but another host name → TLS_HOSTNAME_MISMATCH; servername fixes it", async () => {
    const s = await checkTls("127.0.0.1", port, { ca: cert }, 2000);
    expect(s).toMatchObject({ ok: false, code: "TLS_HOSTNAME_MISMATCH" });
    expect(s.detail).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    const ok = await checkTls("127.0.0.1", port, { ca: cert, servername: "gateway.test" }, 2000);
    expect(ok.ok, ok.detail).toBe(true);
    expect(ok.data).toMatchObject({ daysLeft: expect.any(Number), subject: "gateway.test" });
  });

  it("a fingerprint pin replaces the CA check; a wrong pin fails", async () => {
    const pinned = await checkTls("127.0.0.1", port, { fingerprint }, 2000);
    expect(pinned.ok, pinned.detail).toBe(true);
    expect(pinned.detail).toMatch(/fingerprint pinned/);
    const wrong = await checkTls("127.0.0.1", port, { fingerprint: "00".repeat(32) }, 2000);
    expect(wrong).toMatchObject({ ok: false, code: "TLS_FINGERPRINT_MISMATCH" });
  });

  it("--insecure passes with a loud warning; plain TCP on a TLS URL → TLS_ERROR", async () => {
    const insecure = await checkTls("127.0.0.1", port, { rejectUnauthorized: false }, 2000);
    expect(insecure.ok).toBe(true);
    expect(insecure.warning).toMatch(/verification is turned off/);
    const plainPort = await listen(createServer((_, res) => res.end("plain")));
    const plain = await checkTls("127.0.0.1", plainPort, {}, 2000);
    expect(plain).toMatchObject({ ok: false, code: "TLS_ERROR" });
    expect(plain.detail).toMatch(/EPROTO|wrong version number|SSL/i);
  });
});
