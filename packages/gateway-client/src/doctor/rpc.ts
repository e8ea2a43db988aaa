import type { GatewayClient } from "../client.js";
import { GatewayError } from "../errors.js";
import { describeFailure, errorData, failed, osReason, passed, since } from "./step.js";
import type { DiagnoseStep } from "./types.js";

/** Layer 8: one read RPC on the connection the handshake opened. */
export async function checkRpc(client: GatewayClient, method: string, timeoutMs: number): Promise<DiagnoseStep> {
  const t0 = performance.now();
  try {
    const payload = (await client.request<Record<string, unknown> | null>(method, undefined, { timeoutMs })) ?? null;
    const ok = payload && typeof payload === "object" && "ok" in payload ? ` (ok: ${String(payload.ok)})` : "";
    return passed("rpc", since(t0), `${method} answered${ok}`);
  } catch (e) {
    const err =
      e instanceof GatewayError
        ? e
        : new GatewayError({ code: "GATEWAY_ERROR", subject: `request ${method}`, reason: osReason(e), cause: e });
    return failed("rpc", since(t0), err, { detail: describeFailure(err), data: errorData(err) });
  }
}
