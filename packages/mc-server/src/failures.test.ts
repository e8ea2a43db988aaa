import { describe, expect, it } from "vitest";
import { cleanReason, explainFailure } from "./failures.js";

describe("explainFailure", () => {
  it("no model: the gateway's reason, and a fix that depends on who runs the gateway", () => {
    const msg =
      "⚠️ Agent failed before reply: No route-compatible authentication source is configured for openai.\nTo view logs, run " +
      "`openclaw logs --follow` in a terminal.";
    expect(cleanReason(msg)).toBe("No route-compatible authentication source is configured for openai.");
    const local = explainFailure(msg, { localGateway: true });
    expect(local.kind).toBe("no_model");
    expect(local.fix).toMatch(/OPENAI_API_KEY/);
    expect(local.fix).toMatch(/MC_MODEL_BASE_URL/);
    const remote = explainFailure(msg, { localGateway: false });
    expect(remote.fix).toMatch(/openclaw onboard/);
    expect(remote.fix).toMatch(/for openai/);
  });

  it("approvals: denied, nobody to ask (with or without the scope), expired", () => {
    expect(explainFailure("Exec denied (gateway id=x, user-denied): echo hi").kind).toBe("approval_denied");
    const noRoute = "exec denied: Headless runs cannot wait for interactive exec approval.";
    expect(explainFailure(noRoute).fix).toMatch(/operator.approvals/);
    expect(explainFailure(noRoute, { canApprove: true }).fix).toMatch(/answer the approval on the dashboard/);
    expect(explainFailure("approval-timeout").kind).toBe("approval_timeout");
  });

  it("aborted (by whom), gateway restarts, provider errors, and a fallback that still says what to do", () => {
    expect(explainFailure("rpc", { abortedBy: "the operator" })).toMatchObject({
      kind: "aborted",
      reason: "aborted by the operator",
    });
    expect(explainFailure("Gateway is draining; new tasks are not accepted").kind).toBe("gateway_restarted");
    expect(explainFailure("LLM request failed: provider rejected the request schema or tool payload.").kind).toBe(
      "provider_rejected",
    );
    expect(explainFailure("⚠️ LLM request failed (provider internal error, HTTP 500)").kind).toBe(
      "provider_unavailable",
    );
    expect(explainFailure("401 invalid api key").kind).toBe("provider_auth");
    const other = explainFailure("something new");
    expect(other).toMatchObject({ kind: "unknown", reason: "something new" });
    expect(other.fix).toMatch(/transcript/);
    expect(explainFailure(null).reason).toBe("the run failed without a message");
  });
});
