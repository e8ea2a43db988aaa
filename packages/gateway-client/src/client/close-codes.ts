import { GatewayError } from "../errors.js";

/**
 * The error for a socket the server closed, from the close code and reason (openclaw 2026.9.6):
 * 1013 while starting, 1002 for a protocol mismatch and 1008 for a refused handshake, whose
 * reason repeats the refusal (pairing required with its requestId, origin, token).
 */
export function closeError(code: number, reason: string, ctx: { handshaking: boolean; url: string }): GatewayError {
  const { handshaking } = ctx;
  const base = {
    subject: handshaking ? `connect to ${ctx.url}` : `connection to ${ctx.url}`,
    closeCode: code,
    closeReason: reason,
    reason: `closed by the server (code ${code}${reason ? `: ${reason}` : ""})`,
  };
  if (code === 1013) return new GatewayError({ ...base, code: "GATEWAY_STARTING", retryAfterMs: 500, retryable: true });
  if (handshaking && code === 1002) return new GatewayError({ ...base, code: "PROTOCOL_MISMATCH" });
  if (handshaking && code === 1008) {
    if (/pairing required/i.test(reason)) {
      const requestId = /requestId:\s*([\w-]+)/.exec(reason)?.[1];
      return new GatewayError({
        ...base,
        code: "PAIRING_REQUIRED",
        details: requestId ? { requestId } : undefined,
        pairing: requestId ? { requestId, approveCommand: `openclaw devices approve ${requestId}` } : undefined,
      });
    }
    if (/origin not allowed/i.test(reason)) return new GatewayError({ ...base, code: "ORIGIN_NOT_ALLOWED" });
    if (/token mismatch/i.test(reason)) return new GatewayError({ ...base, code: "AUTH_TOKEN_MISMATCH" });
    if (/token missing/i.test(reason)) return new GatewayError({ ...base, code: "AUTH_TOKEN_MISSING" });
    return new GatewayError({ ...base, code: "CONNECTION_CLOSED", retryable: false });
  }
  return new GatewayError({ ...base, code: "CONNECTION_CLOSED", retryable: true });
}
