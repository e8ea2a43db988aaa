import { hintFor } from "./hints.js";

/** Every `code` a GatewayError can carry. Stable: callers switch on these. */
export const GATEWAY_ERROR_CODES = [
  "INVALID_OPTIONS",
  "INSECURE_URL",
  "DNS_LOOKUP_FAILED",
  "CONNECTION_REFUSED",
  "CONNECT_TIMEOUT",
  "TLS_UNTRUSTED",
  "TLS_HOSTNAME_MISMATCH",
  "TLS_EXPIRED",
  "TLS_FINGERPRINT_MISMATCH",
  "TLS_ERROR",
  "UPGRADE_NOT_SWITCHED",
  "PROXY_ATTRIBUTION_REQUIRED",
  "CHALLENGE_TIMEOUT",
  "AUTH_TOKEN_MISMATCH",
  "AUTH_TOKEN_MISSING",
  "AUTH_SCOPE_MISMATCH",
  "AUTH_DEVICE_TOKEN_MISMATCH",
  "AUTH_PASSWORD_MISMATCH",
  "AUTH_RATE_LIMITED",
  "DEVICE_SIGNATURE_INVALID",
  "DEVICE_SIGNATURE_EXPIRED",
  "DEVICE_NONCE_MISMATCH",
  "DEVICE_ID_MISMATCH",
  "PAIRING_REQUIRED",
  "ORIGIN_NOT_ALLOWED",
  "PROTOCOL_MISMATCH",
  "INVALID_CONNECT_PARAMS",
  "GATEWAY_STARTING",
  "MISSING_SCOPE",
  "REQUEST_TIMEOUT",
  "REQUEST_ABORTED",
  "REQUEST_TOO_LARGE",
  "INVALID_PARAMS",
  "INVALID_RESPONSE",
  "NOT_CONNECTED",
  "CONNECTION_CLOSED",
  "CLIENT_CLOSED",
  "TICK_TIMEOUT",
  "INVALID_FRAME",
  "GATEWAY_ERROR",
  "IDENTITY_INVALID",
  "IDENTITY_PERMISSIONS",
] as const;

export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

/** Where on the path client → gateway the failure happened. */
export type GatewayErrorLayer =
  | "config"
  | "url"
  | "dns"
  | "tcp"
  | "tls"
  | "upgrade"
  | "challenge"
  | "connect"
  | "rpc"
  | "transport";

export interface PairingInfo {
  requestId: string;
  deviceId?: string;
  role?: string;
  scopes?: string[];
  remoteIp?: string;
  reason?: string;
  approveCommand: string;
}

export interface GatewayErrorInit {
  code: GatewayErrorCode;
  /** What failed, e.g. "connect to ws://127.0.0.1:18789" or "request health". */
  subject: string;
  /** Why, in a few words (the gateway's message, the OS error, …). Never a secret. */
  reason: string;
  layer?: GatewayErrorLayer;
  hint?: string;
  cause?: unknown;
  gatewayCode?: string;
  detailCode?: string;
  closeCode?: number;
  closeReason?: string;
  httpStatus?: number;
  details?: Record<string, unknown>;
  retryable?: boolean;
  retryAfterMs?: number;
  method?: string;
  pairing?: PairingInfo;
}

const DEFAULT_LAYER: Record<GatewayErrorCode, GatewayErrorLayer> = {
  INVALID_OPTIONS: "config",
  INSECURE_URL: "url",
  DNS_LOOKUP_FAILED: "dns",
  CONNECTION_REFUSED: "tcp",
  CONNECT_TIMEOUT: "tcp",
  TLS_UNTRUSTED: "tls",
  TLS_HOSTNAME_MISMATCH: "tls",
  TLS_EXPIRED: "tls",
  TLS_FINGERPRINT_MISMATCH: "tls",
  TLS_ERROR: "tls",
  UPGRADE_NOT_SWITCHED: "upgrade",
  PROXY_ATTRIBUTION_REQUIRED: "upgrade",
  CHALLENGE_TIMEOUT: "challenge",
  AUTH_TOKEN_MISMATCH: "connect",
  AUTH_TOKEN_MISSING: "connect",
  AUTH_SCOPE_MISMATCH: "connect",
  AUTH_DEVICE_TOKEN_MISMATCH: "connect",
  AUTH_PASSWORD_MISMATCH: "connect",
  AUTH_RATE_LIMITED: "connect",
  DEVICE_SIGNATURE_INVALID: "connect",
  DEVICE_SIGNATURE_EXPIRED: "connect",
  DEVICE_NONCE_MISMATCH: "connect",
  DEVICE_ID_MISMATCH: "connect",
  PAIRING_REQUIRED: "connect",
  ORIGIN_NOT_ALLOWED: "connect",
  PROTOCOL_MISMATCH: "connect",
  INVALID_CONNECT_PARAMS: "connect",
  GATEWAY_STARTING: "connect",
  MISSING_SCOPE: "rpc",
  REQUEST_TIMEOUT: "rpc",
  REQUEST_ABORTED: "rpc",
  REQUEST_TOO_LARGE: "rpc",
  INVALID_PARAMS: "rpc",
  INVALID_RESPONSE: "rpc",
  NOT_CONNECTED: "rpc",
  CONNECTION_CLOSED: "transport",
  CLIENT_CLOSED: "transport",
  TICK_TIMEOUT: "transport",
  INVALID_FRAME: "transport",
  GATEWAY_ERROR: "rpc",
  IDENTITY_INVALID: "config",
  IDENTITY_PERMISSIONS: "config",
};

/**
 * Codes a reconnect loop may retry. Everything else needs a human (config, approval, upgrade)
 * and retrying would only hammer the gateway's auth rate limiter.
 */
const RETRYABLE: ReadonlySet<GatewayErrorCode> = new Set<GatewayErrorCode>([
  "DNS_LOOKUP_FAILED",
  "CONNECTION_REFUSED",
  "CONNECT_TIMEOUT",
  "UPGRADE_NOT_SWITCHED",
  "CHALLENGE_TIMEOUT",
  "GATEWAY_STARTING",
  "CONNECTION_CLOSED",
  "TICK_TIMEOUT",
  "INVALID_FRAME",
  "DEVICE_SIGNATURE_EXPIRED",
  "DEVICE_NONCE_MISMATCH",
  "AUTH_RATE_LIMITED",
  "REQUEST_TIMEOUT",
]);

export function isRetryableCode(code: GatewayErrorCode): boolean {
  return RETRYABLE.has(code);
}

/** Failures of the connection, not of the request: the request was not (or maybe not) processed. */
const CONNECTION_FAILURES: ReadonlySet<GatewayErrorCode> = new Set<GatewayErrorCode>([
  "NOT_CONNECTED",
  "CONNECTION_CLOSED",
  "CLIENT_CLOSED",
  "CONNECTION_REFUSED",
  "GATEWAY_STARTING",
  "TICK_TIMEOUT",
  "REQUEST_TIMEOUT",
]);

/**
 * Whether sending the same request again later may succeed: the connection failed rather than
 * the request (not connected, dropped, timed out), or the gateway marked its refusal retryable.
 * Pair it with an idempotency key: a timed-out request may have been processed.
 */
export function isTransientRequestError(err: unknown): boolean {
  return err instanceof GatewayError && (err.retryable || CONNECTION_FAILURES.has(err.code));
}

export function defaultLayer(code: GatewayErrorCode): GatewayErrorLayer {
  return DEFAULT_LAYER[code];
}

/**
 * The one error class of @missionctl/gateway-client. `code` is ours and stable; `gatewayCode`
 * and `detailCode` are the gateway's `error.code` and `error.details.code` verbatim.
 * Message shape: `[gateway-client] <subject>: <reason> — <hint>`.
 */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly code: GatewayErrorCode;
  readonly layer: GatewayErrorLayer;
  readonly hint: string;
  readonly reason: string;
  declare readonly gatewayCode?: string;
  declare readonly detailCode?: string;
  declare readonly closeCode?: number;
  declare readonly closeReason?: string;
  declare readonly httpStatus?: number;
  declare readonly details?: Record<string, unknown>;
  readonly retryable: boolean;
  declare readonly retryAfterMs?: number;
  declare readonly method?: string;
  declare readonly pairing?: PairingInfo;

  constructor(init: GatewayErrorInit) {
    const hint =
      init.hint ??
      hintFor({
        code: init.code,
        httpStatus: init.httpStatus,
        detailCode: init.detailCode,
        closeCode: init.closeCode,
        details: init.details,
      });
    super(
      `[gateway-client] ${init.subject}: ${init.reason} — ${hint}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.code = init.code;
    this.layer = init.layer ?? DEFAULT_LAYER[init.code];
    this.hint = hint;
    this.reason = init.reason;
    this.retryable = init.retryable ?? RETRYABLE.has(init.code);
    // Only set what is known, so `toJSON()`/logs stay small.
    if (init.gatewayCode !== undefined) this.gatewayCode = init.gatewayCode;
    if (init.detailCode !== undefined) this.detailCode = init.detailCode;
    if (init.closeCode !== undefined) this.closeCode = init.closeCode;
    if (init.closeReason !== undefined) this.closeReason = init.closeReason;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.details !== undefined) this.details = init.details;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.method !== undefined) this.method = init.method;
    if (init.pairing !== undefined) this.pairing = init.pairing;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      layer: this.layer,
      message: this.message,
      hint: this.hint,
      retryable: this.retryable,
    };
    for (const k of [
      "gatewayCode",
      "detailCode",
      "closeCode",
      "closeReason",
      "httpStatus",
      "details",
      "retryAfterMs",
      "method",
      "pairing",
    ] as const) {
      if (this[k] !== undefined) out[k] = this[k];
    }
    return out;
  }
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}
