import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import WebSocket from "ws";
import { redactUrl } from "../redact.js";
import { errorFromNodeError, upgradeError } from "../transport.js";
import type { TlsOptions } from "../types.js";
import { failed, osReason, passed, since } from "./step.js";
import type { DiagnoseStep } from "./types.js";

/** A WebSocket opened by the upgrade layer, kept open so the challenge layer reads its first frame. */
export interface UpgradeProbe {
  socket: WebSocket;
  /** performance.now() when the 101 arrived. */
  openedAt: number;
  /** Frames received so far with their arrival times (performance.now() and Date.now()). */
  frames: Array<{ data: string; at: number; wall: number }>;
  /** Resolves with the next frame, or undefined after timeoutMs / on close. */
  nextFrame(timeoutMs: number): Promise<{ data: string; at: number; wall: number } | { closed: { code: number; reason: string } } | undefined>;
  close(): void;
}

const SHOWN_HEADERS = ["server", "via", "content-type", "upgrade", "connection", "alt-svc", "location", "www-authenticate"];
const BODY_LIMIT = 2048;

function statusLine(res: IncomingMessage): string {
  return `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage ?? ""}`.trim();
}

function safeHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || k === "set-cookie" || k === "authorization") continue;
    out[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

function headerSummary(headers: Record<string, string>): string {
  return SHOWN_HEADERS.filter((h) => headers[h] !== undefined)
    .map((h) => `${h}: ${headers[h]}`)
    .join("; ");
}

/** The start of the body a proxy sent instead of upgrading: that is where it says why. */
async function bodyStart(res: IncomingMessage, timeoutMs: number): Promise<string> {
  let text = "";
  const timer = setTimeout(() => res.destroy(), timeoutMs);
  try {
    for await (const chunk of res) {
      text += (chunk as Buffer).toString("utf8");
      if (text.length >= BODY_LIMIT) break;
    }
  } catch {
    // destroyed by the timer or the peer: keep what arrived
  } finally {
    clearTimeout(timer);
  }
  return text.slice(0, BODY_LIMIT);
}

export interface UpgradeOptions {
  origin?: string;
  tls?: TlsOptions;
  timeoutMs: number;
}

/**
 * Layer 5: the HTTP/1.1 upgrade the way the client sends it (the `ws` package, no Origin unless
 * asked). A 101 leaves the socket open for layer 6; anything else is described by its status
 * line, headers and body, since that is where a proxy says what it did.
 */
export function checkUpgrade(url: string, opts: UpgradeOptions): Promise<{ step: DiagnoseStep; probe?: UpgradeProbe }> {
  const t0 = performance.now();
  const tls = opts.tls ?? {};
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r: { step: DiagnoseStep; probe?: UpgradeProbe }) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const frames: UpgradeProbe["frames"] = [];
    let waiter: ((v: Awaited<ReturnType<UpgradeProbe["nextFrame"]>>) => void) | undefined;
    let closed: { code: number; reason: string } | undefined;
    let upgradeRes: IncomingMessage | undefined;

    const wsOptions: WebSocket.ClientOptions & Record<string, unknown> = {
      handshakeTimeout: opts.timeoutMs,
      perMessageDeflate: false,
      followRedirects: false,
    };
    if (opts.origin) wsOptions.origin = opts.origin;
    if (tls.ca !== undefined) wsOptions.ca = tls.ca as never;
    if (tls.servername !== undefined) wsOptions.servername = tls.servername;
    // The TLS layer has already checked the pin; with a pin the chain itself is not consulted.
    wsOptions.rejectUnauthorized = tls.fingerprint ? false : tls.rejectUnauthorized !== false;
    const socket = new WebSocket(url, wsOptions);
    socket.on("message", (data) => {
      const frame = { data: data.toString(), at: performance.now(), wall: Date.now() };
      if (waiter) {
        const w = waiter;
        waiter = undefined;
        w(frame);
      } else frames.push(frame);
    });
    socket.once("close", (code, reason) => {
      closed = { code, reason: reason.toString() };
      waiter?.({ closed });
      waiter = undefined;
    });
    socket.once("upgrade", (res) => {
      upgradeRes = res;
    });
    socket.once("open", () => {
      const ms = since(t0);
      const headers = upgradeRes ? safeHeaders(upgradeRes.headers) : {};
      const line = upgradeRes ? statusLine(upgradeRes) : "HTTP/1.1 101";
      const summary = headerSummary(headers);
      const probe: UpgradeProbe = {
        socket,
        openedAt: performance.now(),
        frames,
        nextFrame(timeoutMs) {
          const queued = frames.shift();
          if (queued) return Promise.resolve(queued);
          if (closed) return Promise.resolve({ closed });
          return new Promise((res) => {
            const timer = setTimeout(() => {
              waiter = undefined;
              res(undefined);
            }, timeoutMs);
            waiter = (v) => {
              clearTimeout(timer);
              res(v);
            };
          });
        },
        close() {
          if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.terminate();
        },
      };
      settle({
        step: passed("upgrade", ms, `${line}${summary ? ` (${summary})` : ""}`, { data: { status: 101, headers } }),
        probe,
      });
    });
    socket.once("unexpected-response", (req, res) => {
      void bodyStart(res, Math.min(1000, opts.timeoutMs)).then((body) => {
        req.destroy();
        socket.terminate();
        const status = res.statusCode ?? 0;
        const headers = safeHeaders(res.headers);
        const snippet = body.replace(/\s+/g, " ").trim().slice(0, 200);
        const summary = headerSummary(headers);
        const err = upgradeError(
          { status, statusText: res.statusMessage ?? "", httpVersion: res.httpVersion, headers, body },
          `WebSocket upgrade at ${redactUrl(url)}`,
        );
        const detail = `${statusLine(res)} instead of 101 Switching Protocols${summary ? ` (${summary})` : ""}${snippet ? `; body: ${snippet}` : ""}`;
        settle({ step: failed("upgrade", since(t0), err, { detail, data: { status, headers, body: snippet } }) });
      });
    });
    socket.once("error", (cause) => {
      socket.terminate();
      const err = errorFromNodeError(cause, `WebSocket upgrade at ${redactUrl(url)}`);
      settle({ step: failed("upgrade", since(t0), err, { detail: `${err.reason} (${osReason(cause)})` }) });
    });
  });
}
