import * as z from "zod";
import { defineMethod } from "./define.js";

// Device pairing (openclaw 2026.9.6): pending requests and approved devices, in the gateway's
// SQLite store. Every method needs operator.pairing (operator.admin covers it).

const requestId = z.string().trim().min(1, "requestId is required");

const deviceFields = {
  deviceId: z.string(),
  publicKey: z.string().optional(),
  displayName: z.string().optional(),
  platform: z.string().optional(),
  deviceFamily: z.string().optional(),
  clientId: z.string().optional(),
  clientMode: z.string().optional(),
  role: z.string().optional(),
  roles: z.array(z.string()).optional(),
  scopes: z.array(z.string()).optional(),
};

/** A device waiting for approval, as device.pair.list and device.pair.requested show it. */
export const pendingDeviceSchema = z
  .object({
    ...deviceFields,
    requestId: z.string(),
    /** The address the gateway saw (shown for clients that came through a trusted proxy). */
    remoteIp: z.string().optional(),
    silent: z.boolean().optional(),
    isRepair: z.boolean().optional(),
    ts: z.number().optional(),
  })
  .loose();

/** An approved device. The gateway's view lists its tokens without their secrets. */
export const pairedDeviceSchema = z
  .object({
    ...deviceFields,
    approvedVia: z.string().optional(),
    createdAtMs: z.number().optional(),
    approvedAtMs: z.number().optional(),
    lastSeenAtMs: z.number().optional(),
    connected: z.boolean().optional(),
    tokens: z
      .array(z.object({ role: z.string().optional(), scopes: z.array(z.string()).optional() }).loose())
      .optional(),
  })
  .loose();

export type PendingDevice = z.infer<typeof pendingDeviceSchema>;
export type PairedDevice = z.infer<typeof pairedDeviceSchema>;

/** `device.pair.list`: pending requests and approved devices. */
export const devicePairList = defineMethod({
  method: "device.pair.list",
  scope: "operator.pairing",
  params: z.strictObject({}),
  result: z
    .object({ pending: z.array(pendingDeviceSchema).default([]), paired: z.array(pairedDeviceSchema).default([]) })
    .loose(),
});

/**
 * `device.pair.approve`: the waiting device connects on its next attempt. The approving
 * connection must hold every scope the device asks for.
 */
export const devicePairApprove = defineMethod({
  method: "device.pair.approve",
  scope: "operator.pairing",
  params: z.strictObject({ requestId }),
  result: z.object({ requestId: z.string().optional(), device: pairedDeviceSchema.optional() }).loose(),
});

/** `device.pair.reject`: the device's next connect files a new request. */
export const devicePairReject = defineMethod({
  method: "device.pair.reject",
  scope: "operator.pairing",
  params: z.strictObject({ requestId }),
  result: z.object({ requestId: z.string().optional(), deviceId: z.string().optional() }).loose(),
});

/** `device.pair.remove`: forgets an approved device (it must pair again). */
export const devicePairRemove = defineMethod({
  method: "device.pair.remove",
  scope: "operator.pairing",
  params: z.strictObject({ deviceId: z.string().min(1) }),
  result: z.object({ deviceId: z.string().optional() }).loose(),
});
