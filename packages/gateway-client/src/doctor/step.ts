import { GatewayError } from "../errors.js";
import type { DiagnoseStep, DoctorStepName } from "./types.js";

/** Milliseconds since `start` (a performance.now() value), rounded to 0.1 ms. */
export function since(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}

export function passed(step: DoctorStepName, ms: number, detail: string, extra: Partial<DiagnoseStep> = {}): DiagnoseStep {
  return { step, ok: true, ms, detail, ...extra };
}

/** A failed layer, described by the GatewayError the client itself would raise for it. */
export function failed(step: DoctorStepName, ms: number, err: GatewayError, extra: Partial<DiagnoseStep> = {}): DiagnoseStep {
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
