import * as z from "zod";
import { defineMethod } from "./define.js";

// Models: which providers the gateway can authenticate to (openclaw 2026.9.6).

/** One provider the gateway holds credentials for. */
export const modelProviderAuthSchema = z
  .object({
    provider: z.string(),
    displayName: z.string().optional(),
    /** e.g. "static" (a key in config or env), "oauth", "missing". */
    status: z.string().optional(),
  })
  .loose();

/**
 * `models.authStatus`: the providers with credentials (an empty list: no model can run) and what
 * each known provider supports for setup (API key, device login) (operator.read).
 */
export const modelsAuthStatus = defineMethod({
  method: "models.authStatus",
  scope: "operator.read",
  params: z.strictObject({}),
  result: z
    .object({
      providers: z.array(modelProviderAuthSchema),
      providerCapabilities: z
        .array(
          z
            .object({
              provider: z.string(),
              apiKeySupported: z.boolean().optional(),
              quickApiKeySetup: z.boolean().optional(),
            })
            .loose(),
        )
        .optional(),
    })
    .loose(),
});

export type ModelProviderAuth = z.infer<typeof modelProviderAuthSchema>;
