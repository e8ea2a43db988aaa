import * as z from "zod";
import { presenceEntrySchema } from "../protocol/hello.js";
import { defineMethod } from "./define.js";

/** The gateway's health snapshot, as `health` answers it and the `health` event pushes it. */
export const healthSchema = z
  .object({
    ok: z.boolean().optional(),
    ts: z.number().optional(),
    durationMs: z.number().optional(),
    defaultAgentId: z.string().optional(),
    heartbeatSeconds: z.number().optional(),
    plugins: z
      .object({ loaded: z.array(z.string()).optional(), errors: z.array(z.unknown()).optional() })
      .loose()
      .optional(),
    channels: z.record(z.string(), z.unknown()).optional(),
    eventLoop: z.object({ degraded: z.boolean().optional() }).loose().optional(),
  })
  .loose();

export type Health = z.infer<typeof healthSchema>;

/** `health`: plugins, channels, agents, event loop (no scope needed). */
export const gatewayHealth = defineMethod({
  method: "health",
  scope: undefined,
  params: z.strictObject({}),
  result: healthSchema,
});

/** `status`: runtime version, tasks, sessions, memory, worker pools (operator.read). */
export const gatewayStatus = defineMethod({
  method: "status",
  scope: "operator.read",
  params: z.strictObject({}),
  result: z.object({ runtimeVersion: z.string().optional(), pid: z.number().optional() }).loose(),
});

/** `system-presence`: who is connected, the gateway itself included (operator.read). */
export const systemPresence = defineMethod({
  method: "system-presence",
  scope: "operator.read",
  params: z.strictObject({}),
  result: z.array(presenceEntrySchema),
});
