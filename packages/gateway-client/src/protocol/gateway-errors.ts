import { GatewayError, type GatewayErrorCode, type PairingInfo } from "../errors.js";
import { NO_CREDENTIALS_HINT } from "../hints.js";
import { redact } from "../redact.js";
import type { ErrorShape } from "./frames.js";

/** The gateway's `error.details.code` → our stable code. */
const DETAIL_TO_CODE: Record<string, GatewayErrorCode> = {
  AUTH_TOKEN_MISMATCH: "AUTH_TOKEN_MISMATCH",
  AUTH_TOKEN_MISSING: "AUTH_TOKEN_MISSING",
  AUTH_REQUIRED: "AUTH_TOKEN_MISSING",
  AUTH_SCOPE_MISMATCH: "AUTH_SCOPE_MISMATCH",
  AUTH_DEVICE_TOKEN_MISMATCH: "AUTH_DEVICE_TOKEN_MISMATCH",
  AUTH_PASSWORD_MISMATCH: "AUTH_PASSWORD_MISMATCH",
  AUTH_PASSWORD_MISSING: "AUTH_PASSWORD_MISMATCH",
  AUTH_RATE_LIMITED: "AUTH_RATE_LIMITED",
  DEVICE_AUTH_SIGNATURE_INVALID: "DEVICE_SIGNATURE_INVALID",
  DEVICE_AUTH_PUBLIC_KEY_INVALID: "DEVICE_SIGNATURE_INVALID",
  DEVICE_AUTH_INVALID: "DEVICE_SIGNATURE_INVALID",
  DEVICE_AUTH_SIGNATURE_EXPIRED: "DEVICE_SIGNATURE_EXPIRED",
  DEVICE_AUTH_NONCE_MISMATCH: "DEVICE_NONCE_MISMATCH",
  DEVICE_AUTH_NONCE_REQUIRED: "DEVICE_NONCE_MISMATCH",
  DEVICE_AUTH_DEVICE_ID_MISMATCH: "DEVICE_ID_MISMATCH",
  PROTOCOL_MISMATCH: "PROTOCOL_MISMATCH",
  CLIENT_VERSION_MISMATCH: "PROTOCOL_MISMATCH",
  PAIRING_REQUIRED: "PAIRING_REQUIRED",
  CONTROL_UI_ORIGIN_NOT_ALLOWED: "ORIGIN_NOT_ALLOWED",
  CONTROL_UI_DEVICE_IDENTITY_REQUIRED: "INVALID_CONNECT_PARAMS",
  DEVICE_IDENTITY_REQUIRED: "INVALID_CONNECT_PARAMS",
  MISSING_SCOPE: "MISSING_SCOPE",
};

export interface GatewayErrorContext {
  phase: "connect" | "rpc";
  method?: string;
  subject: string;
  /**
   * Whether the connect carried a token, password or device token. A gateway that wants a shared
   * credential from a device-less client answers DEVICE_IDENTITY_REQUIRED; when nothing was sent,
   * the missing credential is the cause, not the identity.
   */
  credentialsSent?: boolean;
}

/** Detail codes that, for a connect that sent no credential at all, mean "the credential is missing". */
const CREDENTIAL_REQUIRED_DETAILS = new Set(["DEVICE_IDENTITY_REQUIRED", "AUTH_REQUIRED", "AUTH_TOKEN_MISSING"]);

/** The gateway types `details` as any: an object is kept, anything else goes under `value`. */
function detailsOf(error: ErrorShape): Record<string, unknown> | undefined {
  const d = error.details;
  if (d === undefined || d === null) return undefined;
  if (typeof d === "object" && !Array.isArray(d)) return d as Record<string, unknown>;
  return { value: d };
}

function classify(
  error: ErrorShape,
  details: Record<string, unknown> | undefined,
  phase: "connect" | "rpc",
  credentialsSent?: boolean,
): GatewayErrorCode {
  const detailCode = typeof details?.code === "string" ? details.code : undefined;
  if (phase === "connect" && credentialsSent === false && detailCode && CREDENTIAL_REQUIRED_DETAILS.has(detailCode))
    return "AUTH_TOKEN_MISSING";
  if (detailCode && DETAIL_TO_CODE[detailCode]) return DETAIL_TO_CODE[detailCode]!;
  if (error.code === "NOT_PAIRED") return "PAIRING_REQUIRED";
  if (error.code === "UNAVAILABLE" && phase === "connect") return "GATEWAY_STARTING";
  // device.pair.approve answers INVALID_REQUEST "missing scope: …" where other methods say FORBIDDEN.
  if (/^missing scope/i.test(error.message) && (error.code === "FORBIDDEN" || error.code === "INVALID_REQUEST"))
    return "MISSING_SCOPE";
  if (phase === "connect" && /^invalid (connect params|handshake)/i.test(error.message))
    return "INVALID_CONNECT_PARAMS";
  if (phase === "connect" && /protocol mismatch/i.test(error.message)) return "PROTOCOL_MISMATCH";
  if (phase === "connect" && /origin not allowed/i.test(error.message)) return "ORIGIN_NOT_ALLOWED";
  return "GATEWAY_ERROR";
}

function pairingFrom(details: Record<string, unknown> | undefined): PairingInfo | undefined {
  const requestId = typeof details?.requestId === "string" ? details.requestId : undefined;
  if (!requestId) return undefined;
  const info: PairingInfo = { requestId, approveCommand: `openclaw devices approve ${requestId}` };
  if (typeof details?.deviceId === "string") info.deviceId = details.deviceId;
  const role = details?.requestedRole ?? details?.role;
  if (typeof role === "string") info.role = role;
  const scopes = details?.requestedScopes ?? details?.scopes;
  if (Array.isArray(scopes)) info.scopes = scopes.filter((s): s is string => typeof s === "string");
  if (typeof details?.remoteIp === "string") info.remoteIp = details.remoteIp;
  if (typeof details?.reason === "string") info.reason = details.reason;
  return info;
}

/** Turns a gateway `{ok:false, error}` response into a GatewayError. */
export function fromGatewayError(error: ErrorShape, ctx: GatewayErrorContext): GatewayError {
  const raw = detailsOf(error);
  const code = classify(error, raw, ctx.phase, ctx.credentialsSent);
  const details = raw ? redact(raw) : undefined;
  const detailCode = typeof details?.code === "string" ? details.code : undefined;
  const missingCredential = code === "AUTH_TOKEN_MISSING" && ctx.credentialsSent === false;
  // UNAVAILABLE means the gateway did not run the request (starting, draining, closing its
  // request entry on shutdown): retryable whatever its flag says, which it often leaves out.
  const retryable =
    code === "GATEWAY_STARTING" ||
    code === "AUTH_RATE_LIMITED" ||
    (code === "GATEWAY_ERROR" && (error.retryable === true || error.code === "UNAVAILABLE"));
  return new GatewayError({
    code,
    layer: ctx.phase,
    subject: ctx.subject,
    reason: `${error.code}: ${error.message}`,
    gatewayCode: error.code,
    detailCode,
    details,
    retryable,
    retryAfterMs: typeof error.retryAfterMs === "number" ? error.retryAfterMs : undefined,
    method: ctx.method,
    pairing: code === "PAIRING_REQUIRED" ? pairingFrom(details) : undefined,
    ...(missingCredential ? { hint: NO_CREDENTIALS_HINT } : {}),
  });
}
