import { GatewayError } from "../errors.js";
import type { DiagnoseStep, DoctorStepName } from "./types.js";

/** Milliseconds since `start` (a performance.now() value), rounded to 0.1 ms. */
export function since(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}

export function passed(
  step: DoctorStepName,
  ms: number,
  detail: string,
  extra: Partial<DiagnoseStep> = {},
): DiagnoseStep {
  return { step, ok: true, ms, detail, ...extra };
}

/** A failed layer, described by the GatewayError the client itself would raise for it. */
export function failed(
  step: DoctorStepName,
  ms: number,
  err: GatewayError,
  extra: Partial<DiagnoseStep> = {},
): DiagnoseStep {
  return { step, ok: false, ms, detail: err.reason, hint: err.hint, code: err.code, ...extra };
}

/** Node system errors carry a `code` (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED…): keep it in the detail. */
export function osReason(err: unknown): string {
  if (err && typeof err === "object") {
    const e = err as { code?: unknown; message?: unknown };
    const msg = typeof e.message === "string" ? e.message : String(err);
    if (typeof e.code === "string" && !msg.includes(e.code)) return `${e.code}: ${msg}`;
    return msg;
  }
  return String(err);
}

export function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError({
    code: "GATEWAY_ERROR",
    layer: "connect",
    subject: "connect",
    reason: osReason(err),
    cause: err,
  });
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
