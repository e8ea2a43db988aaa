import { GatewayClient } from "../client.js";
import { GatewayError } from "../errors.js";
import type { Logger } from "../types.js";
import { failed, osReason, passed, since } from "./step.js";
import type { DiagnoseOptions, DiagnoseStep } from "./types.js";

export function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError({ code: "GATEWAY_ERROR", layer: "connect", subject: "connect", reason: osReason(err), cause: err });
}

/** What a failed connect said, for machines: the gateway's codes and the pairing request, never a secret. */
export function errorData(err: GatewayError): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (err.gatewayCode) data.gatewayCode = err.gatewayCode;
  if (err.detailCode) data.detailCode = err.detailCode;
  if (err.closeCode !== undefined) data.closeCode = err.closeCode;
  if (err.closeReason) data.closeReason = err.closeReason;
  if (err.layer !== "connect") data.layer = err.layer;
  if (err.pairing) data.pairing = err.pairing;
  return data;
}

export function describeFailure(err: GatewayError): string {
  let detail = err.reason;
  if (err.detailCode && !detail.includes(err.detailCode)) detail += ` [${err.detailCode}]`;
  if (err.pairing) {
    const p = err.pairing;
    const parts = [
      `requestId ${p.requestId}`,
      p.deviceId ? `device ${p.deviceId.slice(0, 12)}…` : undefined,
      p.role ? `role ${p.role}` : undefined,
      p.scopes?.length ? `scopes ${p.scopes.join(",")}` : undefined,
      p.remoteIp ? `seen from ${p.remoteIp}` : undefined,
      p.reason ? `reason ${p.reason}` : undefined,
    ].filter(Boolean);
    detail += ` (${parts.join(", ")})`;
  }
  return detail;
}

/** The client layers 5–8 run on: the caller's settings, no reconnect, a logger the doctor reads. */
export function doctorClient(opts: DiagnoseOptions, logger?: Logger): GatewayClient {
  return new GatewayClient({
    logger,
    url: opts.url,
    token: opts.token,
    password: opts.password,
    identity: opts.identity ?? null,
    scopes: opts.scopes,
    clientId: opts.clientId,
    clientMode: opts.clientMode,
    displayName: opts.displayName,
    origin: opts.origin,
    role: opts.role,
    minProtocol: opts.minProtocol,
    maxProtocol: opts.maxProtocol,
    tls: opts.tls,
    allowInsecureWs: opts.allowInsecureWs,
    connectTimeoutMs: opts.timeoutMs,
    challengeTimeoutMs: opts.challengeTimeoutMs,
    requestTimeoutMs: opts.timeoutMs,
    reconnect: false,
  });
}

/** Layer 8: one read RPC on the connection the handshake opened. */
export async function checkRpc(client: GatewayClient, method: string, timeoutMs: number): Promise<DiagnoseStep> {
  const t0 = performance.now();
  try {
    const payload = (await client.request<Record<string, unknown> | null>(method, undefined, { timeoutMs })) ?? null;
    const ms = since(t0);
    const ok = payload && typeof payload === "object" && "ok" in payload ? ` (ok: ${String(payload.ok)})` : "";
    return passed("rpc", ms, `${method} answered${ok}`);
  } catch (e) {
    const ms = since(t0);
    const err = e instanceof GatewayError ? e : new GatewayError({ code: "GATEWAY_ERROR", subject: `request ${method}`, reason: osReason(e), cause: e });
    return failed("rpc", ms, err, { detail: describeFailure(err), data: errorData(err) });
  }
}
