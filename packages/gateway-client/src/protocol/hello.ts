// Namespace import: `{ z }` resolves to undefined when vitest runs under Bun (vite SSR + `export * as z`).
import * as z from "zod";

// hello-ok (openclaw 2026.9.6): the fields the client and its users rely on are checked; every
// object is loose, so what a newer gateway adds passes through untouched.

export const helloServerSchema = z
  .object({
    version: z.string(),
    connId: z.string().optional(),
    buildId: z.string().optional(),
    /** Changes when the gateway process restarts (its in-memory state, e.g. chat.send dedupe, is gone). */
    bootId: z.string().optional(),
  })
  .loose();

export const helloAuthSchema = z
  .object({
    /** none | token | password | tailscale | device-token | bootstrap-token | trusted-proxy */
    method: z.string(),
    role: z.string(),
    scopes: z.array(z.string()),
    /** Issued to a paired device; persisted by the device token store. */
    deviceToken: z.string().optional(),
    issuedAtMs: z.number().optional(),
  })
  .loose();

export const helloPolicySchema = z
  .object({
    maxPayload: z.number().int().positive(),
    maxBufferedBytes: z.number().optional(),
    tickIntervalMs: z.number().int().positive(),
  })
  .loose();

export const helloFeaturesSchema = z
  .object({
    methods: z.array(z.string()).optional(),
    events: z.array(z.string()).optional(),
    capabilities: z.array(z.string()).optional(),
  })
  .loose();

export const presenceEntrySchema = z
  .object({
    host: z.string().optional(),
    clientId: z.string().optional(),
    ip: z.string().optional(),
    version: z.string().optional(),
    platform: z.string().optional(),
    deviceFamily: z.string().optional(),
    mode: z.string().optional(),
    reason: z.string().optional(),
    instanceId: z.string().optional(),
    deviceId: z.string().optional(),
    text: z.string().optional(),
    ts: z.number().optional(),
  })
  .loose();

export const helloSnapshotSchema = z
  .object({
    presence: z.array(presenceEntrySchema).optional(),
    health: z.record(z.string(), z.unknown()).optional(),
    stateVersion: z.object({ presence: z.number(), health: z.number() }).loose().optional(),
    uptimeMs: z.number().optional(),
    appliedConfigHash: z.string().nullable().optional(),
    sessionDefaults: z
      .object({
        defaultAgentId: z.string(),
        mainKey: z.string(),
        mainSessionKey: z.string(),
        /** false: the default agent has no model it can run (no provider credentials). */
        modelConfigured: z.boolean().optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

export const helloOkSchema = z
  .object({
    type: z.literal("hello-ok"),
    protocol: z.number().int(),
    server: helloServerSchema,
    auth: helloAuthSchema,
    policy: helloPolicySchema,
    features: helloFeaturesSchema.optional(),
    snapshot: helloSnapshotSchema.optional(),
  })
  .loose();

/** The `hello-ok` payload. Unknown keys are kept: the gateway adds fields between versions. */
export type HelloOk = z.infer<typeof helloOkSchema>;
export type HelloServer = z.infer<typeof helloServerSchema>;
export type HelloAuth = z.infer<typeof helloAuthSchema>;
export type HelloPolicy = z.infer<typeof helloPolicySchema>;
export type HelloSnapshot = z.infer<typeof helloSnapshotSchema>;
export type PresenceEntry = z.infer<typeof presenceEntrySchema>;
