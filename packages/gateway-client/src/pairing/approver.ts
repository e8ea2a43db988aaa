import type { GatewayClient } from "../client.js";
import { GatewayError } from "../errors.js";
import type { DevicePairResolvedEvent } from "../events/schemas.js";
import type { CallOptions, RequestTarget } from "../methods/define.js";
import {
  devicePairApprove,
  devicePairList,
  devicePairReject,
  type PairedDevice,
  type PendingDevice,
} from "../methods/devices.js";
import type { EventFrame } from "../protocol/frames.js";

export type { PairedDevice, PendingDevice } from "../methods/devices.js";

export interface PairingList {
  pending: PendingDevice[];
  paired: PairedDevice[];
}

export type PairingResolved = DevicePairResolvedEvent;

/** A paired device without any token value (the gateway omits them; a future one might not). */
function withoutTokenValues(device: PairedDevice): PairedDevice {
  const { token: _token, ...rest } = device;
  if (!Array.isArray(rest.tokens)) return rest;
  return { ...rest, tokens: rest.tokens.map(({ token: _t, ...t }) => t) };
}

/** Pending requests and approved devices. Needs a connection holding `operator.pairing` (or admin). */
export async function listPairing(client: RequestTarget, opts: CallOptions = {}): Promise<PairingList> {
  const list = await devicePairList(client, {}, opts);
  return {
    pending: list.pending.map(({ token: _token, ...rest }) => rest),
    paired: list.paired.map(withoutTokenValues),
  };
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
    hint:
      "A connection can only grant scopes it holds: approve from a connection with operator.admin " +
      `(or add ${missing} to its scopes), or run \`openclaw devices approve ${requestId}\` on the gateway host.`,
    gatewayCode: err.gatewayCode,
    method: devicePairApprove.method,
    details: { requestId, missingScope: missing },
    cause: err,
  });
}

/**
 * Approves a pending request; the waiting device connects on its next attempt. The approving
 * connection needs operator.pairing and every scope the device asks for (operator.admin covers all).
 */
export async function approveDevice(
  client: RequestTarget,
  requestId: string,
  opts: CallOptions = {},
): Promise<{ requestId: string; device?: PairedDevice }> {
  let result: Awaited<ReturnType<typeof devicePairApprove>>;
  try {
    result = await devicePairApprove(client, { requestId }, opts);
  } catch (err) {
    throw approverScopeError(err, requestId.trim());
  }
  const id = result.requestId ?? requestId.trim();
  return { requestId: id, ...(result.device ? { device: withoutTokenValues(result.device) } : {}) };
}

/** Rejects a pending request; the device's next connect asks again with a new request. */
export async function rejectDevice(
  client: RequestTarget,
  requestId: string,
  opts: CallOptions = {},
): Promise<{ requestId: string }> {
  const result = await devicePairReject(client, { requestId }, opts);
  return { requestId: result.requestId ?? requestId.trim() };
}

export interface PairingEventHandlers {
  requested?: (request: PendingDevice, frame: EventFrame) => void;
  resolved?: (resolution: PairingResolved, frame: EventFrame) => void;
}

/**
 * Subscribes to `device.pair.requested` / `device.pair.resolved` (sent to connections holding
 * `operator.pairing`). Malformed payloads are not delivered. Returns one unsubscribe for both.
 */
export function onPairingEvents(client: GatewayClient, handlers: PairingEventHandlers): () => void {
  const offs = [
    handlers.requested ? client.on("device.pair.requested", handlers.requested) : undefined,
    handlers.resolved ? client.on("device.pair.resolved", handlers.resolved) : undefined,
  ];
  return () => {
    for (const off of offs.splice(0)) off?.();
  };
}
