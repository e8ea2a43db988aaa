import * as z from "zod";
import { defineMethod } from "./define.js";

/** What config.get shows instead of a secret's value (the value is unknown to the caller). */
export const CONFIG_REDACTED_VALUE = "__OPENCLAW_REDACTED__";

const configIssueSchema = z.object({ path: z.string().optional(), message: z.string().optional() }).loose();

/**
 * `config.get` (openclaw 2026.9.6, same answer for read and admin callers): the config file as
 * authored (`raw`, `parsed`: `${VAR}` placeholders literal), its validity, and the revision hashes
 * that say whether this file is what runs. An invalid file comes back with `raw`/`parsed` null.
 */
export const configGet = defineMethod({
  method: "config.get",
  scope: "operator.read",
  params: z.strictObject({}),
  result: z
    .object({
      path: z.string().optional(),
      exists: z.boolean().optional(),
      raw: z.string().nullable().optional(),
      parsed: z.unknown().optional(),
      /** Secrets replaced by CONFIG_REDACTED_VALUE. */
      resolved: z.unknown().optional(),
      /** With defaults applied. */
      runtimeConfig: z.unknown().optional(),
      valid: z.boolean().optional(),
      issues: z.array(configIssueSchema).optional(),
      warnings: z.array(z.unknown()).optional(),
      legacyIssues: z.array(configIssueSchema).optional(),
      /** The authored file's revision. */
      hash: z.string().nullable().optional(),
      /** The file's revision as the gateway loaded it; null when the file is invalid. */
      configRevisionHash: z.string().nullable().optional(),
      /** The revision that runs; equal to configRevisionHash once applied. */
      appliedConfigHash: z.string().nullable().optional(),
    })
    .loose(),
});

export type ConfigGetResult = z.infer<typeof configGet.result>;
