import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import * as tls from "node:tls";
// Always the `ws` package: Node's global WebSocket cannot send headers or TLS options and does
// not exist on Node 20. Under Bun this import resolves to Bun's own `ws` implementation.
import WebSocket from "ws";
import { GatewayError, type GatewayErrorCode } from "./errors.js";
import { redact, redactUrl } from "./redact.js";
import { tlsFailureCode, tlsFailureReason } from "./tls-errors.js";
import type { TlsOptions } from "./types.js";

export interface OpenSocketOptions {
  url: URL;
  origin?: string;
  headers?: Record<string, string>;
  tls?: TlsOptions;
  /** Largest inbound frame accepted (ws closes with 1009 above it). */
  maxInboundPayload: number;
}

/** What the server answered instead of `101 Switching Protocols`, without secrets. */
export interface UpgradeResponseSummary {
  status: number;
  statusText: string;
  httpVersion: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const MAX_BODY = 2048;

/** Normalises a SHA-256 fingerprint to Node's `AA:BB:…` form. Accepts hex with/without colons. */
export function normalizeFingerprint(fp: string): string | undefined {
  let hex = fp.trim();
  if (/^sha256[/:]/i.test(hex)) {
    const b64 = hex.slice(7);
    const buf = Buffer.from(b64, "base64");
    if (buf.length !== 32) return undefined;
    hex = buf.toString("hex");
  }
  hex = hex.replace(/[:\s]/g, "").toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(":");
}

export function errorFromNodeError(err: unknown, subject: string): GatewayError {
  const e = err as NodeJS.ErrnoException & { code?: string };
  const code = e?.code ?? "";
  const msg = e?.message ?? String(err);
  let ours: GatewayErrorCode = "TLS_ERROR";
  let reason = msg;
  const tls = tlsFailureCode(code);
  if (tls) {
    // The pin's own message names both fingerprints; the verification codes need words.
    const why = tls === "TLS_FINGERPRINT_MISMATCH" ? msg : tlsFailureReason(tls, code);
    return new GatewayError({ code: tls, subject, reason: why, cause: err, details: { errno: code } });
  }
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
    case "EAI_NONAME":
      ours = "DNS_LOOKUP_FAILED";
      reason = `DNS lookup failed (${code})`;
      break;
    case "ECONNREFUSED":
      ours = "CONNECTION_REFUSED";
      reason = "connection refused (ECONNREFUSED)";
      break;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "ETIMEDOUT":
      ours = "CONNECT_TIMEOUT";
      reason = `host unreachable (${code})`;
      break;
    case "ECONNRESET":
    case "EPIPE":
      ours = "CONNECTION_CLOSED";
      reason = `connection reset during the handshake (${code})`;
      break;
    default:
      if (/Unexpected server response: (\d+)/.test(msg)) {
        const status = Number(/Unexpected server response: (\d+)/.exec(msg)![1]);
        return new GatewayError({
          code: "UPGRADE_NOT_SWITCHED",
          subject,
          reason: `HTTP ${status} instead of 101 Switching Protocols`,
          httpStatus: status,
          cause: err,
        });
      } else if (/Sec-WebSocket|Invalid (Upgrade|Connection) header|Invalid status code/i.test(msg)) {
        ours = "UPGRADE_NOT_SWITCHED";
      } else if (/SSL|TLS|certificate|EPROTO/i.test(msg + code)) {
        ours = "TLS_ERROR";
      } else {
        ours = "CONNECTION_CLOSED";
        reason = code ? `${msg} (${code})` : msg;
      }
  }
  return new GatewayError({ code: ours, subject, reason, cause: err, details: code ? { errno: code } : undefined });
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      res.removeAllListeners("data");
      resolve(Buffer.concat(chunks).toString("utf8").slice(0, MAX_BODY));
    };
    const timer = setTimeout(done, 1000);
    res.on("data", (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size >= MAX_BODY) {
        clearTimeout(timer);
        done();
      }
    });
    res.on("end", () => {
      clearTimeout(timer);
      done();
    });
    res.on("error", () => {
      clearTimeout(timer);
      done();
    });
  });
}

export function upgradeError(summary: UpgradeResponseSummary, subject: string): GatewayError {
  const attribution = summary.status === 403 && /proxy_attribution_required/.test(summary.body);
  const via = summary.headers.server ?? summary.headers.via;
  const reason =
    `HTTP ${summary.status} ${summary.statusText} (HTTP/${summary.httpVersion}) instead of 101 Switching Protocols` +
    (via ? ` from ${String(via)}` : "") +
    (attribution ? ": proxy_attribution_required" : "");
  return new GatewayError({
    code: attribution ? "PROXY_ATTRIBUTION_REQUIRED" : "UPGRADE_NOT_SWITCHED",
    subject,
    reason,
    httpStatus: summary.status,
    details: { response: summary },
  });
}

function pinnedConnection(fingerprint: string) {
  // Verification is replaced by the pin, as with SSH host keys: the CA chain is not consulted,
  // the certificate's SHA-256 must match before any WebSocket frame is sent.
  return (options: tls.ConnectionOptions): Socket => {
    const socket = tls.connect({ ...options, rejectUnauthorized: false });
    socket.once("secureConnect", () => {
      const actual = socket.getPeerCertificate()?.fingerprint256;
      if (actual !== fingerprint) {
        const err = Object.assign(
          new Error(`certificate fingerprint ${actual ?? "(none)"} does not match the pinned ${fingerprint}`),
          { code: "TLS_FINGERPRINT_MISMATCH" },
        );
        socket.destroy(err);
      }
    });
    return socket;
  };
}

export interface SocketHandlers {
  /** Called synchronously from the 'open' event, before any message can be delivered. */
  onOpen(ws: WebSocket): void;
  onMessage(data: WebSocket.RawData, isBinary: boolean): void;
  /** Close after the socket was open. */
  onClose(code: number, reason: string): void;
  /** Error after the socket was open (a 'close' follows). */
  onError(err: Error): void;
}

/**
 * Opens the WebSocket. Every failure up to the 101 rejects with a GatewayError naming its layer;
 * a non-101 answer keeps its status, headers and the start of its body. Handlers are attached
 * before the socket opens so the challenge (sent ~2 ms after the upgrade) is never missed.
 */
/** Lets the opener cancel a connect in flight (close() while connecting); cheaper than an AbortSignal's listeners. */
export interface OpenCancel {
  cancel?: () => void;
}

export function openSocket(opts: OpenSocketOptions, handlers: SocketHandlers, cancel?: OpenCancel): Promise<WebSocket> {
  // Only failures name the URL: not redacted (parsed again) on the way to every successful connect.
  const subject = () => `connect to ${redactUrl(opts.url)}`;
  return new Promise((resolve, reject) => {
    // No handshakeTimeout: the caller bounds the open with its own deadline and cancels through
    // `cancel` (the client's one handshake timer; ws would arm a socket timer on every connect).
    const wsOptions: WebSocket.ClientOptions & Record<string, unknown> = {
      maxPayload: opts.maxInboundPayload,
      followRedirects: false,
    };
    if (opts.origin) wsOptions.origin = opts.origin;
    if (opts.headers && Object.keys(opts.headers).length > 0) wsOptions.headers = opts.headers;
    if (opts.url.protocol === "wss:" && opts.tls) {
      if (opts.tls.ca !== undefined) wsOptions.ca = opts.tls.ca as never;
      if (opts.tls.servername !== undefined) wsOptions.servername = opts.tls.servername;
      if (opts.tls.rejectUnauthorized !== undefined) wsOptions.rejectUnauthorized = opts.tls.rejectUnauthorized;
      if (opts.tls.fingerprint) {
        const fp = normalizeFingerprint(opts.tls.fingerprint);
        if (fp) wsOptions.createConnection = pinnedConnection(fp) as never;
      }
    }
    let settled = false;
    let opened = false;
    const ws = new WebSocket(opts.url, wsOptions);
    const fail = (err: GatewayError) => {
      if (settled) return;
      settled = true;
      if (cancel) cancel.cancel = undefined;
      try {
        ws.terminate();
      } catch {
        // already gone
      }
      reject(err);
    };
    const onAbort = () =>
      fail(
        new GatewayError({ code: "CLIENT_CLOSED", subject: subject(), reason: "close() was called while connecting" }),
      );
    if (cancel) cancel.cancel = onAbort;
    ws.on("message", (data, isBinary) => {
      if (opened) handlers.onMessage(data, isBinary);
    });
    ws.once("open", () => {
      if (settled) return;
      settled = true;
      opened = true;
      if (cancel) cancel.cancel = undefined;
      ws.removeAllListeners("unexpected-response");
      handlers.onOpen(ws);
      resolve(ws);
    });
    ws.on("error", (err) => {
      if (opened) handlers.onError(err);
      else fail(errorFromNodeError(err, subject()));
    });
    ws.on("unexpected-response", (req, res) => {
      const summary: Omit<UpgradeResponseSummary, "body"> = {
        status: res.statusCode ?? 0,
        statusText: res.statusMessage ?? "",
        httpVersion: res.httpVersion ?? "1.1",
        headers: redact({ ...res.headers }),
      };
      void readBody(res).then((body) => {
        req.destroy();
        fail(upgradeError({ ...summary, body }, subject()));
      });
    });
    ws.on("close", (code, reason) => {
      if (opened) {
        handlers.onClose(code, reason.toString());
        return;
      }
      fail(
        new GatewayError({
          code: "CONNECTION_CLOSED",
          layer: "upgrade",
          subject: subject(),
          reason: `closed before the WebSocket opened (code ${code}${reason.length ? `, ${reason.toString()}` : ""})`,
          closeCode: code,
        }),
      );
    });
  });
}

/** Sends a close frame and waits briefly for the peer's; terminates if it does not come. */
export function closeSocket(ws: WebSocket, code: number, reason?: string): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve();
    const timer = setTimeout(() => {
      try {
        ws.terminate();
      } catch {
        // gone
      }
      resolve();
    }, 1000);
    // An open socket keeps the process alive by itself; this timer must not.
    timer.unref?.();
    ws.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      if (ws.readyState === ws.OPEN) ws.close(code, reason);
      else ws.terminate();
    } catch {
      try {
        ws.terminate();
      } catch {
        // gone
      }
    }
  });
}
