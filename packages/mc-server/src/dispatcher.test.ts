import { GatewayError } from "@missionctl/gateway-client";
import { fromGatewayError } from "@missionctl/gateway-client/protocol";
import { StoreError } from "@missionctl/mc-store";
import { describe, expect, it } from "vitest";
import { classifyDeliveryFailure } from "./dispatcher.js";
import { ApiError } from "./errors.js";

const rpc = (
  error: { code: string; message: string; retryable?: boolean; details?: Record<string, unknown> },
  method = "chat.send",
) => fromGatewayError(error, { phase: "rpc", subject: `request ${method}`, method });

describe("a failed delivery step is judged by what happened", () => {
  it("retries what never reached an agent, flag or not (measured during a gateway shutdown)", () => {
    const closing = rpc({ code: "UNAVAILABLE", message: "Error: Gateway request entry is closed" }, "chat.history");
    expect(classifyDeliveryFailure(closing, "check")).toMatchObject({ retry: true });
    expect(classifyDeliveryFailure(closing, "send")).toMatchObject({ retry: true });
    const draining = rpc({
      code: "UNAVAILABLE",
      message: "chat.send unavailable during gateway restart",
      retryable: true,
    });
    expect(classifyDeliveryFailure(draining, "send")).toMatchObject({ retry: true });
    for (const code of ["CONNECTION_CLOSED", "NOT_CONNECTED", "TICK_TIMEOUT", "REQUEST_TIMEOUT"] as const) {
      const err = new GatewayError({ code, subject: "request chat.send", reason: "x" });
      expect(classifyDeliveryFailure(err, "send")).toMatchObject({ retry: true, code });
    }
    const down = new ApiError(
      503,
      "GATEWAY_NOT_CONNECTED",
      "[mc-server] chat.send: the gateway connection is connecting",
      "wait",
    );
    expect(classifyDeliveryFailure(down, "check").retry).toBe(true);
    expect(classifyDeliveryFailure(new StoreError("BUSY", { subject: "s", reason: "r", fix: "f" }), "send").retry).toBe(
      true,
    );
  });

  it("a look into the session that fails is retried: nothing was sent", () => {
    const odd = rpc(
      { code: "INVALID_REQUEST", message: "session changed while reading history; reload" },
      "chat.history",
    );
    expect(classifyDeliveryFailure(odd, "check")).toMatchObject({ retry: true });
  });

  it("fails the task on a refusal of the message itself, with the gateway's reason", () => {
    const conflict = rpc({
      code: "INVALID_REQUEST",
      message: "This message ID was already used for different input",
      details: { reason: "chat-request-conflict" },
    });
    const judged = classifyDeliveryFailure(conflict, "send");
    expect(judged).toMatchObject({ retry: false, code: "GATEWAY_ERROR" });
    expect(judged.message).toContain("already used for different input");
    const scope = rpc({
      code: "FORBIDDEN",
      message: "missing scope: operator.write",
      details: { code: "MISSING_SCOPE" },
    });
    expect(classifyDeliveryFailure(scope, "send")).toMatchObject({ retry: false, code: "MISSING_SCOPE" });
    expect(classifyDeliveryFailure(scope, "check")).toMatchObject({ retry: false, code: "MISSING_SCOPE" });
    expect(classifyDeliveryFailure(new Error("boom"), "send")).toMatchObject({ retry: false, code: "INTERNAL" });
  });
});
