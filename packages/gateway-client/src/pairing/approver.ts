import * as z from "zod";
import type { GatewayClient } from "../client.js";
import { GatewayError } from "../errors.js";
import type { EventFrame } from "../types.js";

/** What the gateway shows of a device, pending or paired. */
interface DeviceFields {
  deviceId: string;
  publicKey?: string;
  displayName?: string;
  platform?: string;
  clientId?: string;
  clientMode?: string;
  role?: string;
  roles?: string[];
  scopes?: string[];
  [key: string]: unknown;
}

/** A device waiting for approval, as `device.pair.list` and `device.pair.requested` show it. */
export interface PendingDevice extends DeviceFields {
  requestId: string;
  /** The address the gateway saw (shown for clients that came through a trusted proxy). */
  remoteIp?: string;
  silent?: boolean;
  isRepair?: boolean;
  ts?: number;
}

/** An approved device (the gateway's view omits its tokens' secrets). */
export interface PairedDevice extends DeviceFields {
  approvedVia?: string;
  createdAtMs?: number;
  approvedAtMs?: number;
  lastSeenAtMs?: number;
  connected?: boolean;
}

export interface PairingList {
  pending: PendingDevice[];
  paired: PairedDevice[];
}

export interface PairingResolved {
  requestId: string;
  deviceId?: string;
  decision: "approved" | "rejected" | string;
  ts?: number;
  [key: string]: unknown;
}

const pendingSchema = z.object({ requestId: z.string(), deviceId: z.string() }).passthrough();
const pairedSchema = z.object({ deviceId: z.string() }).passthrough();
const listSchema = z
  .object({ pending: z.array(pendingSchema).default([]), paired: z.array(pairedSchema).default([]) })
  .passthrough();
const resolvedSchema = z.object({ requestId: z.string(), decision: z.string() }).passthrough();
const requestIdSchema = z.string().trim().min(1, "requestId is required");

/** Pending requests and approved devices. Needs a connection holding `operator.pairing` (or admin). */
export async function listPairing(client: GatewayClient, opts: { timeoutMs?: number } = {}): Promise<PairingList> {
  const payload = await client.request("device.pair.list", {}, opts);
  const parsed = listSchema.parse(payload ?? {});
  // Tokens never leave the gateway through this RPC; strip them anyway should a future gateway add them.
  const paired = parsed.paired.map(({ tokens, ...rest }) => ({
    ...rest,
    ...(Array.isArray(tokens)
      ? { tokens: tokens.map((t: Record<string, unknown>) => ({ ...t, token: undefined })) }
      : {}),
  }));
  return { pending: parsed.pending as PendingDevice[], paired: paired as PairedDevice[] };
}

/**
 * The gateway lets a connection grant only scopes it holds itself, and says so as
 * INVALID_REQUEST "missing scope: …": name the fix instead of a generic gateway error.
 */
function approverScopeError(err: unknown, requestId: string): unknown {
  if (!(err instanceof GatewayError)) return err;
  // A FORBIDDEN reply already names the scope in its details; INVALID_REQUEST does not.
  if (err.code === "MISSING_SCOPE" && typeof err.details?.missingScope === "string") return err;
  const missing = /missing scope: ([\w.]+)/.exec(err.reason)?.[1];
  if (!missing) return err;
  return new GatewayError({
    code: "MISSING_SCOPE",
    subject: `approve pairing request ${requestId}`,
    reason: `the approving connection lacks ${missing}, which the device asks for`,
    hint: `A connection can only grant scopes it holds: approve from a connection with operator.admin (or add ${missing} to its scopes), or run \`openclaw devices approve ${requestId}\` on the gateway host.`,
    gatewayCode: err.gatewayCode,
    method: "device.pair.approve",
    details: { requestId, missingScope: missing },
    cause: err,
  });
}

/**
 * Approves a pending request; the waiting device connects on its next attempt. The approving
 * connection needs operator.pairing and every scope the device asks for (operator.admin covers all).
 */
export async function approveDevice(
  client: GatewayClient,
  requestId: string,
  opts: { timeoutMs?: number } = {},
): Promise<{ requestId: string; device?: PairedDevice }> {
  const id = requestIdSchema.parse(requestId);
  let payload: { requestId?: string; device?: PairedDevice } | null;
  try {
    payload = await client.request<{ requestId?: string; device?: PairedDevice }>(
      "device.pair.approve",
      { requestId: id },
      opts,
    );
  } catch (err) {
    throw approverScopeError(err, id);
  }
  return { requestId: payload?.requestId ?? id, ...(payload?.device ? { device: payload.device } : {}) };
}

/** Rejects a pending request; the device's next connect asks again with a new request. */
export async function rejectDevice(
  client: GatewayClient,
  requestId: string,
  opts: { timeoutMs?: number } = {},
): Promise<{ requestId: string }> {
  const id = requestIdSchema.parse(requestId);
  const payload = (await client.request<{ requestId?: string }>("device.pair.reject", { requestId: id }, opts)) ?? {};
  return { requestId: payload.requestId ?? id };
}

export interface PairingEventHandlers {
  requested?: (request: PendingDevice, frame: EventFrame) => void;
  resolved?: (resolution: PairingResolved, frame: EventFrame) => void;
}

/**
 * Subscribes to `device.pair.requested` / `device.pair.resolved` (sent to connections holding
 * `operator.pairing`). Malformed payloads are ignored. Returns one unsubscribe for both.
 */
export function onPairingEvents(client: GatewayClient, handlers: PairingEventHandlers): () => void {
  const subscribe = <T>(
    event: string,
    schema: z.ZodType,
    handler: ((value: T, frame: EventFrame) => void) | undefined,
  ) =>
    handler
      ? client.on(event, (payload: unknown, frame: EventFrame) => {
          const parsed = schema.safeParse(payload);
          if (parsed.success) handler(parsed.data as T, frame);
        })
      : undefined;
  const offs = [
    subscribe<PendingDevice>("device.pair.requested", pendingSchema, handlers.requested),
    subscribe<PairingResolved>("device.pair.resolved", resolvedSchema, handlers.resolved),
  ];
  return () => {
    for (const off of offs.splice(0)) off?.();
  };
}
