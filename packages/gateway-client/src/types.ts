import type { GatewayError } from "./errors.js";
import type { GATEWAY_ROLES } from "./protocol/enums.js";

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

export type Role = (typeof GATEWAY_ROLES)[number];

// Wire types are inferred from the protocol schemas (src/protocol/), never written twice.
export type { ErrorShape, EventFrame, Frame, RequestFrame, ResponseFrame } from "./protocol/frames.js";
export type { HelloAuth, HelloOk, HelloPolicy, HelloServer } from "./protocol/hello.js";

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
  /**
   * Keep trying, every maxDelayMs, after errors a retry cannot fix (wrong token, origin, protocol,
   * an unreadable identity): for a long-running service whose operator fixes the other side
   * without restarting it. Default false: state "failed" until connect() or reconnectNow().
   */
  persistent?: boolean;
  /**
   * How often persistent retries come (default maxDelayMs). Lets a service keep maxDelayMs
   * short, so it is back soon after a restarted gateway, while errors a human must fix are
   * retried slowly.
   */
  persistentIntervalMs?: number;
  /**
   * While the device waits for approval (state "pairing_required"), reconnect this often: each
   * attempt keeps the pending request alive (the gateway drops it after 5 minutes) and picks up
   * the approval. Default: wait for connect() or reconnectNow().
   */
  pairingIntervalMs?: number;
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
