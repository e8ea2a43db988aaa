import type { GatewayError } from "../errors.js";
import type { HelloOk } from "../types.js";
import { errorData, failed, passed } from "./step.js";
import type { DiagnoseStep } from "./types.js";

/** Past this skew a clock deserves attention; the gateway rejects signatures over 120 s off its clock. */
export const SKEW_WARN_MS = 60_000;
export const SIGNATURE_MAX_SKEW_MS = 120_000;

function describeSkew(skewMs: number): string {
  const s = (Math.abs(skewMs) / 1000).toFixed(1);
  return skewMs >= 0 ? `gateway clock ${s} s ahead of ours` : `gateway clock ${s} s behind ours`;
}

/** The gateway's clock at hello time: its own presence entry is stamped when the snapshot is built. */
export function helloClock(hello: HelloOk): number | undefined {
  const presence = (
    hello.snapshot as { presence?: Array<{ reason?: string; mode?: string; ts?: unknown }> } | undefined
  )?.presence;
  const self = presence?.find((p) => p.reason === "self" || p.mode === "gateway");
  return typeof self?.ts === "number" ? self.ts : undefined;
}

/**
 * Layer 6 passed: the challenge came and was answered. `skew` is the gateway's clock minus ours
 * (from the challenge's ts, or from hello-ok when the connect was not signed).
 */
export function challengeStep(ms: number, skew?: { ms: number; source: string }): DiagnoseStep {
  if (!skew) return passed("challenge", ms, "connect.challenge received and answered (clock skew not measurable)");
  const extra: Partial<DiagnoseStep> = { data: { skewMs: skew.ms, skewSource: skew.source } };
  if (Math.abs(skew.ms) > SKEW_WARN_MS) {
    const past = Math.abs(skew.ms) > SIGNATURE_MAX_SKEW_MS;
    extra.warning = `${describeSkew(skew.ms)}: ${
      past
        ? "signatures dated with this machine's clock are rejected (limit 120 s); this client signs with the " +
          "challenge's ts and still connects"
        : "close to the 120 s limit past which signatures dated with the local clock are rejected"
    }`;
    extra.hint = "Sync the clocks of this machine and the gateway host (NTP: `timedatectl set-ntp true` or chrony).";
  }
  return passed("challenge", ms, `connect.challenge received, ${describeSkew(skew.ms)}`, extra);
}

/** Layer 6 failed: the socket opened but no usable challenge came (timeout, close, not a gateway). */
export function challengeFailedStep(ms: number, err: GatewayError): DiagnoseStep {
  return failed("challenge", ms, err, { data: errorData(err) });
}
