import { describe, expect, it } from "vitest";
import { toMessageView } from "./transcript.js";

describe("toMessageView", () => {
  it("keeps text, run and seq; shows a tool call as its command", () => {
    const call = toMessageView(
      {
        role: "assistant",
        content: [{ type: "toolCall", id: "call_1", name: "exec", arguments: { command: "echo hi" } }],
        stopReason: "toolUse",
        model: "stub-model",
        provider: "stub",
        usage: { input: 10, output: 5, totalTokens: 15 },
        __openclaw: { runId: "r1", id: "m2", seq: 2 },
      },
      0,
    );
    expect(call).toMatchObject({
      id: "m2",
      seq: 2,
      role: "assistant",
      runId: "r1",
      text: "",
      toolCalls: [{ id: "call_1", name: "exec", summary: "echo hi" }],
      model: "stub/stub-model",
      usage: { input: 10, output: 5, total: 15 },
      error: null,
    });
  });

  it("a tool result is role tool, with its call and error flag, its text bounded", () => {
    const result = toMessageView(
      {
        role: "toolResult",
        toolCallId: "call_1",
        toolName: "exec",
        isError: true,
        content: [{ type: "text", text: "x".repeat(10_000) }],
      },
      3,
    );
    expect(result).toMatchObject({
      id: "pos-3",
      role: "tool",
      tool: { callId: "call_1", name: "exec", isError: true },
    });
    expect(result.text.length).toBeLessThan(4_100);
  });

  it("a failed assistant message carries its error", () => {
    const failed = toMessageView(
      { role: "assistant", content: [{ type: "text", text: "⚠️ LLM request failed" }], stopReason: "error" },
      1,
    );
    expect(failed.error).toBe("⚠️ LLM request failed");
  });
});
