// Measurement code shared by bench/gateway-client.bench.mjs (Node 20, in-process) and
// bench/official-sdk-runner.mjs (the peer's Node 24, in a child process), so every client is
// timed by the same loop. Each driver exposes connect() → { hello, request(method, params), close() }.
import { createPrivateKey, createPublicKey, sign as edSign } from "node:crypto";
import { openSync, readFileSync, readSync } from "node:fs";
import { performance } from "node:perf_hooks";

export const CLIENT_ID = "gateway-client";
export const CLIENT_MODE = "backend";
export const SCOPES = ["operator.read"];

export function summarize(samples) {
  if (samples.length === 0) return { n: 0 };
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), min: s[0], max: s[s.length - 1], mean };
}

// --- device keys (device mode) -------------------------------------------------------------------

const b64url = (buf) => Buffer.from(buf).toString("base64url");
const keyCache = new Map();
/** node:crypto with the KeyObject parsed once per PEM: the same key handling for the raw client
 *  and the official client's host callbacks. */
function keyObject(pem, kind) {
  let k = keyCache.get(pem);
  if (!k) keyCache.set(pem, (k = kind === "private" ? createPrivateKey(pem) : createPublicKey(pem)));
  return k;
}
export const signPem = (privateKeyPem, payload) =>
  b64url(edSign(null, Buffer.from(payload, "utf8"), keyObject(privateKeyPem, "private")));
export const rawPublicKeyFromPem = (publicKeyPem) =>
  b64url(keyObject(publicKeyPem, "public").export({ format: "der", type: "spki" }).subarray(-32));
/** device.json as written by @missionctl/gateway-client's loadOrCreateIdentity. */
export const readDeviceFile = (file) => JSON.parse(readFileSync(file, "utf8"));

/** The v3 string the gateway verifies (see shared/reference/openclaw-protocol.md). */
function v3Payload({ deviceId, role, scopes, signedAt, token, nonce }) {
  return [
    "v3",
    deviceId,
    CLIENT_ID,
    CLIENT_MODE,
    role,
    scopes.join(","),
    signedAt,
    token ?? "",
    nonce,
    process.platform.toLowerCase(),
    "",
  ].join("|");
}

// --- drivers ---------------------------------------------------------------------------------

/** A minimal hand-written client: challenge → connect → id-correlated req/res. The baseline. */
export function rawWsDriver(WebSocket, { url, token, displayName = "bench-raw", device }) {
  return {
    async connect() {
      const ws = new WebSocket(url);
      const pending = new Map();
      let nextId = 0;
      let settleHello;
      const hello = new Promise((resolve, reject) => (settleHello = { resolve, reject }));
      const send = (method, params) =>
        new Promise((resolve, reject) => {
          const id = `r${++nextId}`;
          pending.set(id, { resolve, reject });
          ws.send(JSON.stringify({ type: "req", id, method, params }));
        });
      ws.on("message", (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.type === "res") {
          const p = pending.get(frame.id);
          if (!p) return;
          pending.delete(frame.id);
          if (frame.ok) p.resolve(frame.payload);
          else
            p.reject(
              Object.assign(new Error(`${frame.error?.code}: ${frame.error?.message}`), { code: frame.error?.code }),
            );
        } else if (frame.type === "event" && frame.event === "connect.challenge") {
          const { nonce, ts } = frame.payload;
          const signed = device && {
            id: device.deviceId,
            publicKey: rawPublicKeyFromPem(device.publicKeyPem),
            signature: signPem(
              device.privateKeyPem,
              v3Payload({ deviceId: device.deviceId, role: "operator", scopes: SCOPES, signedAt: ts, token, nonce }),
            ),
            signedAt: ts,
            nonce,
          };
          send("connect", {
            minProtocol: 3,
            maxProtocol: 4,
            client: { id: CLIENT_ID, version: "0.0.0", platform: process.platform, mode: CLIENT_MODE, displayName },
            role: "operator",
            scopes: SCOPES,
            auth: { token },
            ...(signed ? { device: signed } : {}),
          }).then(settleHello.resolve, settleHello.reject);
        }
      });
      const onClose = (code, reason) => {
        const err = new Error(`raw ws closed ${code} ${reason}`);
        settleHello.reject(err);
        for (const p of pending.values()) p.reject(err);
        pending.clear();
      };
      ws.on("close", onClose);
      ws.on("error", (err) => settleHello.reject(err));
      const helloPayload = await hello;
      return {
        hello: helloPayload,
        request: send,
        close: () =>
          new Promise((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once("close", () => resolve());
            ws.close(1000);
          }),
      };
    },
  };
}

/** @missionctl/gateway-client, from its built dist (what a consumer gets). */
export function oursDriver(mod, { url, token, displayName = "bench-ours", identity = null }) {
  return {
    async connect() {
      const client = new mod.GatewayClient({
        url,
        token,
        identity,
        deviceTokenStore: false,
        scopes: SCOPES,
        clientId: CLIENT_ID,
        clientMode: CLIENT_MODE,
        displayName,
        reconnect: false,
      });
      let hello;
      try {
        hello = await client.connect();
      } catch (err) {
        await client.close().catch(() => {});
        throw err;
      }
      return { hello, request: (method, params) => client.request(method, params), close: () => client.close() };
    },
  };
}

/** The official @openclaw/gateway-client (needs Node >= 22.19). Stopped on the first error so a
 *  failed attempt never turns into its 1 s reconnect backoff. */
export function officialDriver(mod, { url, token, displayName = "bench-official", device }) {
  return {
    async connect() {
      let client;
      const hello = await new Promise((resolve, reject) => {
        client = new mod.GatewayClient({
          url,
          token,
          clientName: CLIENT_ID,
          mode: CLIENT_MODE,
          clientDisplayName: displayName,
          scopes: SCOPES, // its default is operator.admin
          deviceIdentity: device
            ? { deviceId: device.deviceId, privateKeyPem: device.privateKeyPem, publicKeyPem: device.publicKeyPem }
            : null,
          ...(device
            ? { hostDeps: { signDevicePayload: signPem, publicKeyRawBase64UrlFromPem: rawPublicKeyFromPem } }
            : {}),
          onHelloOk: resolve,
          onConnectError: (err) => {
            client.stop();
            reject(err);
          },
          onClose: (code, reason, info) => {
            if (info?.phase === "pre-hello") {
              client.stop();
              reject(new Error(`official client closed before hello: ${code} ${reason}`));
            }
          },
        });
        client.start();
      });
      return {
        hello,
        request: (method, params) => client.request(method, params),
        close: () => client.stopAndWait({ timeoutMs: 2000 }),
      };
    },
  };
}

// --- phases ----------------------------------------------------------------------------------

/** CPU µs this thread has used: the client's own thread on every runtime, so V8's background
 *  threads (concurrent compilation, GC helpers) and the thread pool do not blur it. Node ≥ 23.9
 *  has process.threadCpuUsage(); on Node 20 under Linux the thread's run time comes from
 *  /proc/thread-self/schedstat (ns, one pread on a kept descriptor); elsewhere the whole process.
 *  Measuring the whole process on Node 20 only made its ratios incomparable with Node 24's: there
 *  V8 compiles the clients' code with TurboFan on a background thread during the first connects
 *  (no Maglev tier in Node 20's V8 11.3), and that one-off cost landed on the client that runs
 *  more JavaScript per connect. */
const schedstat = (() => {
  if (process.threadCpuUsage || process.platform !== "linux") return undefined;
  try {
    const fd = openSync("/proc/thread-self/schedstat", "r");
    const buf = Buffer.alloc(96);
    const read = () => Number(buf.toString("latin1", 0, readSync(fd, buf, 0, buf.length, 0)).split(" ")[0]) / 1000;
    return Number.isFinite(read()) ? read : undefined;
  } catch {
    return undefined;
  }
})();
export const cpuSource = process.threadCpuUsage
  ? "process.threadCpuUsage()"
  : schedstat
    ? "/proc/thread-self/schedstat"
    : "process.cpuUsage() (whole process)";
const cpuNow = process.threadCpuUsage
  ? () => {
      const c = process.threadCpuUsage();
      return c.user + c.system;
    }
  : (schedstat ??
    (() => {
      const c = process.cpuUsage();
      return c.user + c.system;
    }));

/** Fresh connections, interleaved round-robin across drivers so drift hits all alike. Each
 *  sample records the wall time to hello-ok and the client's CPU for it. */
export async function measureConnects(drivers, { n, warmup, order }) {
  const names = order ?? Object.keys(drivers);
  const out = Object.fromEntries(names.map((k) => [k, { samples: [], cpuUs: [], failures: 0, errors: [] }]));
  for (let i = 0; i < warmup + n; i++) {
    // Alternate the order every iteration (ABBA within the loop).
    const seq = i % 2 === 0 ? names : [...names].reverse();
    for (const name of seq) {
      const c0 = cpuNow();
      const t0 = performance.now();
      let session;
      try {
        session = await drivers[name].connect();
      } catch (err) {
        out[name].failures++;
        if (out[name].errors.length < 3)
          out[name].errors.push(`${String(err?.code ?? "")} ${String(err?.message ?? err)}`);
        continue;
      }
      const ms = performance.now() - t0;
      const cpu = cpuNow() - c0;
      if (i >= warmup) {
        out[name].samples.push(ms);
        out[name].cpuUs.push(cpu);
      }
      await session.close();
    }
  }
  return out;
}

/** `inflight` concurrent workers until `total` requests or `maxMs` elapsed (a loaded machine must
 *  not stretch the run); returns completed and failed counts. */
async function runParallel(session, method, total, inflight, maxMs = Infinity) {
  const deadline = performance.now() + maxMs;
  let issued = 0;
  let done = 0;
  let failures = 0;
  const worker = async () => {
    while (issued < total && performance.now() < deadline) {
      issued++;
      try {
        await session.request(method, {});
        done++;
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  return { done, failures };
}

/** One round for a set of drivers: fresh connects interleaved; then one warm connection each,
 *  sequential round trips interleaved request by request (so load drift from the shared cores hits
 *  every client alike); then `inflight` concurrent requests per client, in `order`. */
export async function runRound(drivers, opts) {
  const order = opts.order ?? Object.keys(drivers);
  const connects = await measureConnects(drivers, { n: opts.connects, warmup: opts.connectWarmup, order });
  const requests = Object.fromEntries(order.map((k) => [k, { seqSamples: [], failures: 0, tput: null }]));
  const sessions = {};
  try {
    for (const name of order) {
      try {
        sessions[name] = await drivers[name].connect();
      } catch (err) {
        requests[name].failures++;
        requests[name].error = String(err?.message ?? err);
      }
    }
    const live = order.filter((k) => sessions[k]);
    const seqDeadline = performance.now() + (opts.seqMaxMs ?? Infinity);
    for (let i = 0; i < opts.seqWarmup + opts.seq && performance.now() < seqDeadline; i++) {
      for (const name of i % 2 === 0 ? live : [...live].reverse()) {
        const t0 = performance.now();
        try {
          await sessions[name].request(opts.method, {});
        } catch {
          requests[name].failures++;
          continue;
        }
        if (i >= opts.seqWarmup) requests[name].seqSamples.push(performance.now() - t0);
      }
    }
    for (const name of live) {
      const session = sessions[name];
      requests[name].failures += (
        await runParallel(session, opts.method, opts.tputWarmup, opts.inflight, opts.tputMaxMs / 4)
      ).failures;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const { done, failures } = await runParallel(session, opts.method, opts.total, opts.inflight, opts.tputMaxMs);
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      requests[name].failures += failures;
      requests[name].tput = {
        total: done,
        inflight: opts.inflight,
        wallMs,
        rps: done / (wallMs / 1000),
        cpuUsPerReq: (cpu.user + cpu.system) / done,
      };
    }
  } finally {
    for (const s of Object.values(sessions)) await s.close().catch(() => {});
  }
  return { connects, requests };
}
