import { GatewayError } from "../errors.js";
import { challengePayloadSchema } from "../protocol/frames.js";
import { failed, passed } from "./step.js";
import type { DiagnoseStep } from "./types.js";
import type { UpgradeProbe } from "./upgrade.js";

/** Past this skew a clock deserves attention; the gateway rejects signatures over 120 s off its clock. */
export const SKEW_WARN_MS = 60_000;
export const SIGNATURE_MAX_SKEW_MS = 120_000;

function describeSkew(skewMs: number): string {
  const s = Math.round(Math.abs(skewMs) / 100) / 10;
  return skewMs >= 0 ? `gateway clock ${s} s ahead of ours` : `gateway clock ${s} s behind ours`;
}

/**
 * Layer 6: the gateway speaks first with `connect.challenge`. Its `ts` against our clock tells
 * whether a signature dated with the local clock would be accepted.
 */
export async function checkChallenge(probe: UpgradeProbe, timeoutMs: number): Promise<{ step: DiagnoseStep; nonce?: string; ts?: number }> {
  try {
    const frame = await probe.nextFrame(timeoutMs);
    const ms = () => Math.round(((frame && "at" in frame ? frame.at : performance.now()) - probe.openedAt) * 10) / 10;
    if (!frame) {
      const err = new GatewayError({
        code: "CHALLENGE_TIMEOUT",
        subject: "connect.challenge",
        reason: `no frame within ${timeoutMs} ms after the upgrade`,
      });
      return { step: failed("challenge", ms(), err) };
    }
    if ("closed" in frame) {
      const err = new GatewayError({
        code: "CONNECTION_CLOSED",
        layer: "challenge",
        subject: "connect.challenge",
        reason: `the server closed the WebSocket (${frame.closed.code}${frame.closed.reason ? ` ${frame.closed.reason}` : ""}) before sending a challenge`,
        closeCode: frame.closed.code,
        closeReason: frame.closed.reason,
        hint: "Something other than an OpenClaw gateway accepted the WebSocket, or the gateway dropped it: check the URL and the gateway log.",
      });
      return { step: failed("challenge", ms(), err) };
    }
    let parsed: { event?: unknown; payload?: unknown } | undefined;
    try {
      parsed = JSON.parse(frame.data) as { event?: unknown; payload?: unknown };
    } catch {
      parsed = undefined;
    }
    const payload = parsed?.event === "connect.challenge" ? challengePayloadSchema.safeParse(parsed.payload) : undefined;
    if (!payload?.success) {
      const err = new GatewayError({
        code: "INVALID_FRAME",
        layer: "challenge",
        subject: "connect.challenge",
        reason: `the first frame is not a connect.challenge: ${frame.data.replace(/\s+/g, " ").slice(0, 120)}`,
      });
      return { step: failed("challenge", ms(), err) };
    }
    const { nonce, ts } = payload.data;
    const skewMs = ts - frame.wall;
    const data = { gatewayTs: ts, localTs: frame.wall, skewMs };
    const extra: Partial<DiagnoseStep> = { data };
    if (Math.abs(skewMs) > SKEW_WARN_MS) {
      const past = Math.abs(skewMs) > SIGNATURE_MAX_SKEW_MS;
      extra.warning = `${describeSkew(skewMs)}: ${
        past
          ? "signatures dated with this machine's clock are rejected (limit 120 s); this client signs with the challenge's ts and still connects"
          : "close to the 120 s limit past which signatures dated with the local clock are rejected"
      }`;
      extra.hint = "Sync the clocks of this machine and the gateway host (NTP: `timedatectl set-ntp true` or chrony).";
    }
    return { step: passed("challenge", ms(), `connect.challenge received, ${describeSkew(skewMs)}`, extra), nonce, ts };
  } finally {
    probe.close();
  }
}
