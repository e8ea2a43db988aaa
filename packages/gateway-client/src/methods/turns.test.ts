import { describe, expect, it } from "vitest";
import { messageText } from "./chat.js";
import { isGatewayInterruption, sessionIsBusy, turnOutcome } from "./turns.js";

const user = (key: string, text: string) => ({ role: "user", content: text, idempotencyKey: `${key}:user` });
const assistant = (runId: string, text: string, stopReason = "stop") => ({
  role: "assistant",
  content: [{ type: "text", text }],
  stopReason,
  __openclaw: { runId },
});
const own = (key: string) => key.startsWith("missionctl-task-t1-dispatch-");
const K1 = "missionctl-task-t1-dispatch-1";
const outcome = (messages: unknown[], key = K1, pendingInputs?: unknown) =>
  turnOutcome({ messages, ...(pendingInputs ? { pendingInputs } : {}) }, key, own);

describe("the outcome of a delivery, read from its session", () => {
  it("is the reply of its run", () => {
    expect(outcome([user(K1, "task"), assistant(K1, "STUB-REPLY: task")])).toEqual({
      kind: "reply",
      text: "STUB-REPLY: task",
      runId: K1,
    });
  });

  it("is the answer of a run the gateway started itself to continue the turn after a restart", () => {
    const recovery = "8b9bd2f4-9613-40f5-8e10-34ca99b580b7";
    const messages = [
      user(K1, "# task A\nMARKER-A"),
      user(recovery, "[System] Your previous turn was interrupted by a gateway restart …"),
      assistant(recovery, "STUB-REPLY: [Queued user message …] MARKER-A"),
    ];
    expect(outcome(messages)).toMatchObject({ kind: "reply", runId: recovery });
  });

  it("ignores an empty final and the text before a tool call", () => {
    expect(outcome([user(K1, "task"), assistant(K1, "")])).toEqual({ kind: "open" });
    expect(outcome([user(K1, "task"), assistant(K1, "let me look", "toolUse")])).toEqual({ kind: "open" });
    expect(outcome([user(K1, "task"), assistant(K1, "let me look", "toolUse"), assistant(K1, "done")])).toMatchObject({
      kind: "reply",
      text: "done",
    });
  });

  it("is interrupted when the turn ended before a reply because the gateway drained", () => {
    const notice = {
      role: "custom",
      customType: "run-failed-before-reply",
      content: "This turn ended before a reply: Gateway is draining; new tasks are not accepted",
      __openclaw: { runId: K1 },
    };
    expect(outcome([user(K1, "task"), notice])).toEqual({
      kind: "interrupted",
      error: "Gateway is draining; new tasks are not accepted",
      runId: K1,
    });
    const drained = assistant(K1, "⚠️ GatewayDrainingError: Gateway is draining; new tasks are not accepted", "error");
    expect(outcome([user(K1, "task"), drained])).toMatchObject({ kind: "interrupted" });
  });

  it("is the run's error when the agent failed for a reason of its own", () => {
    const failed = assistant(K1, "⚠️ LLM request failed: provider rejected the request schema", "error");
    expect(outcome([user(K1, "task"), failed])).toMatchObject({ kind: "error", error: expect.stringMatching(/LLM/) });
    // A real reply that quotes the word "draining" is a reply.
    expect(outcome([user(K1, "task"), assistant(K1, "the pipeline is draining")])).toMatchObject({ kind: "reply" });
  });

  it("stops at the next delivery of the task and looks at the latest send only", () => {
    const K2 = `${K1}-r1`;
    const messages = [user(K1, "task"), assistant(K1, "first answer"), user(K2, "task")];
    expect(outcome(messages, K1)).toMatchObject({ kind: "reply", text: "first answer" });
    expect(outcome(messages, K2)).toEqual({ kind: "open" });
    expect(outcome(messages, `${K1}-r2`)).toEqual({ kind: "absent" });
    // A human's message in the session is not a delivery boundary.
    expect(outcome([user(K1, "task"), user("web-1", "hi"), assistant("web-1", "hello")])).toMatchObject({
      kind: "reply",
    });
  });

  it("is open while the message waits in the session's queue, absent when it is nowhere", () => {
    expect(outcome([], K1, { items: [{ runId: K1, state: "queued" }], total: 1 })).toEqual({ kind: "open" });
    // Measured: after a restart a queued input whose turn died is "interrupted" and never runs.
    expect(outcome([], K1, { items: [{ runId: K1, state: "interrupted" }], total: 1 })).toMatchObject({
      kind: "interrupted",
      error: "the gateway left the message interrupted, not run",
    });
    expect(outcome([])).toEqual({ kind: "absent" });
    expect(turnOutcome(undefined, K1, own)).toEqual({ kind: "absent" });
  });

  it("knows when a turn runs in the session or waits to", () => {
    expect(sessionIsBusy({ sessionInfo: { hasActiveRun: true, activeRunIds: ["k"], status: "running" } })).toBe(true);
    // Kept "running" across a restart until the gateway has continued the turn.
    expect(sessionIsBusy({ sessionInfo: { hasActiveRun: false, status: "running" } })).toBe(true);
    expect(sessionIsBusy({ pendingInputs: { total: 1, items: [{ runId: "x" }] }, sessionInfo: {} })).toBe(true);
    expect(sessionIsBusy({ sessionInfo: { hasActiveRun: false, activeRunIds: [], status: "done" } })).toBe(false);
    const dead = { items: [{ runId: "k", state: "interrupted" }], total: 1 };
    expect(sessionIsBusy({ pendingInputs: dead, sessionInfo: { hasActiveRun: false, activeRunIds: [] } })).toBe(false);
    expect(sessionIsBusy(undefined)).toBe(false);
  });

  it("knows the gateway's shutdown messages", () => {
    expect(isGatewayInterruption("Gateway is draining; new tasks are not accepted")).toBe(true);
    expect(isGatewayInterruption("⚠️ Gateway is restarting. Please wait a few seconds and try again.")).toBe(true);
    expect(
      isGatewayInterruption("StateDatabaseCoordinatorContentionError: another OpenClaw process owns state-lifecycle"),
    ).toBe(true);
    expect(isGatewayInterruption("LLM request failed: provider rejected the request")).toBe(false);
    expect(
      messageText({ content: [{ type: "text", text: "a" }, { type: "image" }, { type: "text", text: "b" }] }),
    ).toBe("ab");
  });
});
