import type { GatewayError } from "./errors.js";

export type ClientState =
  | "idle"
  | "connecting"
  | "handshaking"
  | "connected"
  | "reconnecting"
  | "pairing_required"
  | "closed"
  | "failed";

export interface StateChange {
  state: ClientState;
  previous: ClientState;
  error?: GatewayError;
  at: number;
}

export type Role = "operator" | "node";

export interface RequestFrame {
  type: "req";
  id: string;
  method: string;
  params?: unknown;
}

export interface ErrorShape {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
  retryAfterMs?: number;
}

export interface ResponseFrame {
  type: "res";
  id: string;
  ok: boolean;
  payload?: unknown;
  error?: ErrorShape;
}

export interface EventFrame {
  type: "event";
  event: string;
  payload?: unknown;
  seq?: number;
  stateVersion?: { presence?: number; health?: number };
  [key: string]: unknown;
}

export type Frame = RequestFrame | ResponseFrame | EventFrame;

export interface HelloPolicy {
  maxPayload: number;
  maxBufferedBytes?: number;
  tickIntervalMs: number;
  [key: string]: unknown;
}

export interface HelloAuth {
  method: string;
  role: string;
  scopes: string[];
  deviceToken?: string;
  issuedAtMs?: number;
  [key: string]: unknown;
}

export interface HelloServer {
  version: string;
  connId?: string;
  buildId?: string;
  bootId?: string;
  [key: string]: unknown;
}

/** The `hello-ok` payload. Unknown keys are kept: the gateway adds fields between versions. */
export interface HelloOk {
  type: "hello-ok";
  protocol: number;
  server: HelloServer;
  auth: HelloAuth;
  policy: HelloPolicy;
  features?: { methods?: string[]; events?: string[]; capabilities?: string[]; [key: string]: unknown };
  snapshot?: Record<string, unknown>;
  [key: string]: unknown;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogRecord {
  level: LogLevel;
  msg: string;
  [key: string]: unknown;
}

/**
 * Either a function receiving structured records (`(line) => console.log(JSON.stringify(line))`)
 * or an object with level methods called as `(msg, data)` (console, most loggers).
 * Every record is redacted before it reaches the logger.
 */
export type Logger =
  | ((record: LogRecord) => void)
  | Partial<Record<LogLevel, (msg: string, data?: Record<string, unknown>) => void>>;

export interface TlsOptions {
  /** Extra CA certificate(s) in PEM, e.g. Caddy's local CA. */
  ca?: string | Buffer | Array<string | Buffer>;
  servername?: string;
  rejectUnauthorized?: boolean;
  /** SHA-256 fingerprint of the server certificate (hex, with or without colons, or "sha256/base64"). */
  fingerprint?: string;
}

export interface ReconnectOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface DeviceTokenRecord {
  token: string;
  scopes: string[];
  role: string;
  issuedAtMs?: number;
  savedAtMs: number;
}

export interface DeviceTokenKey {
  url: string;
  deviceId: string;
  role: string;
}

export interface DeviceTokenStore {
  get(key: DeviceTokenKey): Promise<DeviceTokenRecord | undefined>;
  set(key: DeviceTokenKey, record: DeviceTokenRecord): Promise<void>;
  delete(key: DeviceTokenKey): Promise<void>;
}
