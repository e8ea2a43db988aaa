import * as z from "zod";
import { defineMethod } from "./define.js";

/** `logs.tail`: the gateway log's last lines (JSON strings); pass `cursor` back to follow it (operator.read). */
export const logsTail = defineMethod({
  method: "logs.tail",
  scope: "operator.read",
  params: z.strictObject({
    cursor: z.number().int().nonnegative().optional(),
    limit: z.number().int().positive().optional(),
    maxBytes: z.number().int().positive().optional(),
  }),
  result: z
    .object({
      file: z.string(),
      cursor: z.number(),
      size: z.number(),
      lines: z.array(z.string()),
      truncated: z.boolean().optional(),
      reset: z.boolean().optional(),
      skippedBytes: z.number().optional(),
    })
    .loose(),
});
