// Namespace import: `{ z }` resolves to undefined when vitest runs under Bun (vite SSR + `export * as z`).
import * as z from "zod";

/** hello-ok: the fields the client relies on are checked, everything else passes through. */
export const helloOkSchema = z
  .object({
    type: z.literal("hello-ok"),
    protocol: z.number().int(),
    server: z.object({ version: z.string() }).loose(),
    auth: z
      .object({
        method: z.string(),
        role: z.string(),
        scopes: z.array(z.string()),
        deviceToken: z.string().optional(),
        issuedAtMs: z.number().optional(),
      })
      .loose(),
    policy: z
      .object({
        maxPayload: z.number().int().positive(),
        tickIntervalMs: z.number().int().positive(),
      })
      .loose(),
  })
  .loose();
