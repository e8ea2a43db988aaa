import { GatewayClient } from "../client.js";
import { GatewayError } from "../errors.js";
import type { HelloOk } from "../types.js";
import { failed, osReason, passed, since } from "./step.js";
import type { DiagnoseOptions, DiagnoseStep } from "./types.js";

export function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError({ code: "GATEWAY_ERROR", layer: "connect", subject: "connect", reason: osReason(err), cause: err });
}

/** What a failed connect said, for machines: the gateway's codes and the pairing request, never a secret. */
function errorData(err: GatewayError): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (err.gatewayCode) data.gatewayCode = err.gatewayCode;
  if (err.detailCode) data.detailCode = err.detailCode;
  if (err.closeCode !== undefined) data.closeCode = err.closeCode;
  if (err.closeReason) data.closeReason = err.closeReason;
  if (err.layer !== "connect") data.layer = err.layer;
  if (err.pairing) data.pairing = err.pairing;
  return data;
}

function describeFailure(err: GatewayError): string {
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

/** The client layer 7 connects with: the caller's settings, no reconnect. */
export function doctorClient(opts: DiagnoseOptions): GatewayClient {
  return new GatewayClient({
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

/**
 * Layer 7: the real handshake through GatewayClient (signature, token, origin, protocol range),
 * so the doctor fails exactly where the application would.
 */
export async function checkConnect(client: GatewayClient, opts: DiagnoseOptions): Promise<{ step: DiagnoseStep; hello?: HelloOk }> {
  const t0 = performance.now();
  try {
    const hello = await client.connect();
    const ms = since(t0);
    const scopes = hello.auth?.scopes ?? [];
    const who = opts.identity ? `device ${opts.identity.deviceId.slice(0, 12)}…` : "device-less";
    const detail = `hello-ok: protocol ${hello.protocol}, gateway ${hello.server?.version ?? "?"}, auth ${hello.auth?.method ?? "?"}, role ${
      hello.auth?.role ?? "?"
    }, scopes ${scopes.join(",") || "(none)"}, ${who}`;
    const extra: Partial<DiagnoseStep> = {
      data: { protocol: hello.protocol, serverVersion: hello.server?.version, authMethod: hello.auth?.method, role: hello.auth?.role, scopes },
    };
    const wanted = opts.scopes ?? ["operator.read", "operator.write"];
    const missing = wanted.filter((s) => !scopes.includes(s) && !scopes.includes("operator.admin"));
    if (missing.length) {
      extra.warning = `the gateway granted fewer scopes than requested (missing ${missing.join(",")})`;
      extra.hint = opts.identity
        ? "Approve the device for these scopes (`openclaw devices approve <requestId>` after a scope-upgrade request)."
        : "Device-less connections get no scopes unless they come straight from loopback: connect with a device identity (--identity-dir) and pair it.";
    }
    return { step: passed("connect", ms, detail, extra), hello };
  } catch (e) {
    const ms = since(t0);
    await client.close().catch(() => undefined);
    const err = asGatewayError(e);
    return { step: failed("connect", ms, err, { detail: describeFailure(err), data: errorData(err) }) };
  }
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
