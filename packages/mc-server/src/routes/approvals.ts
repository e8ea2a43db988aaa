import { APPROVAL_DECISIONS } from "@missionctl/gateway-client";
import type { Hono } from "hono";
import * as z from "zod";
import type { AppContext } from "../context.js";
import { jsonResponse, parseBody, readJson } from "../http.js";

const ResolveBody = z.strictObject({
  decision: z.enum(APPROVAL_DECISIONS, { message: `must be one of ${APPROVAL_DECISIONS.join(", ")}` }),
  kind: z.enum(["exec", "plugin"]).optional(),
});
const ListQuery = z.strictObject({
  agentId: z.string().min(1).max(200).optional(),
  sessionKey: z.string().min(1).max(512).optional(),
  taskId: z.string().min(1).max(200).optional(),
});

export function registerApprovalRoutes(app: Hono, ctx: AppContext): void {
  app.get("/api/approvals", (c) => {
    const q = parseBody(ListQuery, c.req.query(), "query");
    return jsonResponse(JSON.stringify({ ...ctx.approvals.access(), approvals: ctx.approvals.list(q) }));
  });

  app.post("/api/approvals/:id/resolve", async (c) => {
    const id = parseBody(z.string().min(1).max(200), c.req.param("id"), "approval id");
    const body = await readJson(c, ResolveBody);
    const known = await ctx.approvals.resolve(id, body.decision, body.kind);
    return jsonResponse(
      JSON.stringify({
        ok: true,
        id,
        decision: body.decision,
        kind: known?.kind ?? body.kind ?? null,
        approval: known,
      }),
    );
  });
}
