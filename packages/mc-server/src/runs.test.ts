import { describe, expect, it } from "vitest";
import { findRunReply, isTransientRunError, messageText } from "./runs.js";

const reply = (runId: string, text: string, stopReason = "stop") => ({
  role: "assistant",
  content: [{ type: "text", text }],
  stopReason,
  __openclaw: { runId },
});

describe("chat.history lookups", () => {
  it("finds the assistant message of a run by its id, not another run's", () => {
    const messages = [
      { role: "user", content: "task", idempotencyKey: "k1:user" },
      reply("k0", "older run"),
      reply("k1", "STUB-REPLY: task"),
    ];
    expect(messageText(findRunReply(messages, "k1"))).toBe("STUB-REPLY: task");
    expect(findRunReply(messages, "k2")).toBeUndefined();
    expect(findRunReply(undefined, "k1")).toBeUndefined();
  });

  it("does not count an error the gateway wrote while draining for a restart as a reply", () => {
    const drained = reply("k1", "⚠️ GatewayDrainingError: Gateway is draining; new tasks are not accepted", "error");
    expect(findRunReply([drained], "k1")).toBeUndefined();
    const real = reply("k1", "⚠️ LLM request failed: provider rejected the request schema", "error");
    expect(findRunReply([drained, real], "k1")).toBe(real);
    // A real reply that merely quotes the gateway's note is a reply.
    const quoting = reply("k1", "STUB-REPLY: This turn was cut because the Gateway is draining");
    expect(findRunReply([drained, quoting], "k1")).toBe(quoting);
    expect(isTransientRunError("Gateway is draining; new tasks are not accepted")).toBe(true);
    expect(isTransientRunError("LLM request failed: provider rejected the request")).toBe(false);
  });
});
