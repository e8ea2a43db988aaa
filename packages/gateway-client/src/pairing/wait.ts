import type { GatewayClient } from "../client.js";
import { GatewayError, type PairingInfo } from "../errors.js";
import type { HelloOk } from "../types.js";

export interface WaitForApprovalOptions {
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
  /**
   * Delay between connect attempts (default 5 s). Each attempt refreshes the pending request,
   * which the gateway otherwise drops after 5 minutes, and picks up an approval: the gateway
   * never tells a waiting client, it closes it, so polling is the only way.
   */
  intervalMs?: number;
  /** Called after every attempt that is still pending, with the request to approve. */
  onPending?: (pairing: PairingInfo, info: { attempt: number; elapsedMs: number }) => void;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_INTERVAL_MS = 5_000;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

function aborted(pairing: PairingInfo | undefined, signal: AbortSignal): GatewayError {
  return new GatewayError({
    code: "REQUEST_ABORTED",
    layer: "connect",
    subject: "wait for device approval",
    reason: `cancelled${signal.reason instanceof Error ? ` (${signal.reason.message})` : ""}`,
    hint: pairing
      ? `Waiting was cancelled; the request stays pending for 5 minutes: approve it with \`${pairing.approveCommand}\` and connect again.`
      : "Waiting was cancelled by the caller; connect again to resume.",
    ...(pairing ? { pairing } : {}),
    cause: signal.reason,
  });
}

/**
 * Keeps connecting until the device is approved, then resolves with the hello (the client is
 * connected). Call it after `connect()` rejected with PAIRING_REQUIRED, or instead of `connect()`.
 * Transient errors (gateway restarting, connection refused) are retried; errors approval cannot
 * fix (wrong token, origin, protocol) reject at once. A rejected request is not final: the next
 * attempt files a new one, reported through `onPending`. Rejects on timeout or when `signal`
 * aborts; a connect already in flight then finishes on its own and the caller owns the client.
 */
export async function waitForApproval(client: GatewayClient, opts: WaitForApprovalOptions = {}): Promise<HelloOk> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  const started = Date.now();
  const deadline = started + timeoutMs;
  const signal = opts.signal;
  let pairing: PairingInfo | undefined = client.lastError?.pairing;
  let attempt = 0;

  if (client.state === "connected" && client.hello) return client.hello;
  for (;;) {
    if (signal?.aborted) throw aborted(pairing, signal);
    attempt++;
    try {
      const connecting = client.connect();
      if (!signal) return await connecting;
      let onAbort: (() => void) | undefined;
      const abortedP = new Promise<never>((_, reject) => {
        onAbort = () => reject(aborted(pairing, signal));
        signal.addEventListener("abort", onAbort, { once: true });
      });
      try {
        return await Promise.race([connecting, abortedP]);
      } finally {
        signal.removeEventListener("abort", onAbort!);
        // A connect still running after an abort settles later: its rejection must not go unhandled.
        if (signal.aborted) void connecting.catch(() => undefined);
      }
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      if (err.code === "REQUEST_ABORTED" && signal?.aborted) throw err;
      if (err.code === "PAIRING_REQUIRED") {
        pairing = err.pairing ?? pairing;
        if (pairing) opts.onPending?.(pairing, { attempt, elapsedMs: Date.now() - started });
      } else if (!err.retryable) {
        throw err;
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const waited = Math.round((Date.now() - started) / 1000);
      throw new GatewayError({
        code: "PAIRING_REQUIRED",
        subject: "wait for device approval",
        reason: `not approved after ${waited} s (${attempt} attempts)`,
        hint: pairing
          ? `Approve the request on the gateway host with \`${pairing.approveCommand}\` (or device.pair.approve ` +
            `from an operator.pairing connection), then connect again.`
          : "Approve the device on the gateway host (`openclaw devices list`, then `openclaw devices approve " +
            "<requestId>`), then connect again.",
        ...(pairing ? { pairing, details: { requestId: pairing.requestId } } : {}),
      });
    }
    await sleep(Math.min(intervalMs, left), signal);
  }
}
