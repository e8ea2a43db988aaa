import { describe, expect, it } from "vitest";
import { GatewayError } from "../errors.js";
import { parseEventPayload } from "../events/schemas.js";
import { chatHistory, messageText } from "./chat.js";
import type { RequestTarget } from "./define.js";
import { agentSessionKey, parseAgentSessionKey, sessionsList } from "./sessions.js";

const answering = (payload: unknown, seen: unknown[] = []): RequestTarget => ({
  request: async <T>(method: string, params?: unknown) => {
    seen.push({ method, params });
    return payload as T;
  },
});

describe("typed methods", () => {
  it("send the method name and the checked params, and return the typed answer with unknown fields kept", async () => {
    const seen: unknown[] = [];
    const r = await sessionsList(answering({ sessions: [{ key: "agent:main:main", newField: 1 }], count: 1 }, seen), {
      limit: 5,
    });
    expect(seen).toEqual([{ method: "sessions.list", params: { limit: 5 } }]);
    expect(r.sessions[0]).toEqual({ key: "agent:main:main", newField: 1 });
    // No params: an empty object, as the gateway's closed schemas expect.
    await sessionsList(answering({ sessions: [] }, seen));
    expect(seen[1]).toEqual({ method: "sessions.list", params: {} });
  });

  it("refuse bad params before sending (INVALID_PARAMS) and a foreign answer (INVALID_RESPONSE)", async () => {
    const seen: unknown[] = [];
    const bad = await chatHistory(answering({}, seen), { sessionKey: "" }).catch((e) => e);
    expect(bad).toBeInstanceOf(GatewayError);
    expect(bad).toMatchObject({ code: "INVALID_PARAMS", layer: "rpc", method: "chat.history" });
    expect(bad.message).toMatch(/sessionKey/);
    expect(seen).toEqual([]);
    const foreign = await chatHistory(answering({ sessionKey: "k", messages: "none" }), { sessionKey: "k" }).catch(
      (e) => e,
    );
    expect(foreign).toMatchObject({ code: "INVALID_RESPONSE", method: "chat.history" });
    expect(foreign.message).toMatch(/messages/);
  });

  it("messageText joins text parts; session keys name their agent", () => {
    expect(
      messageText({
        role: "assistant",
        content: [{ type: "text", text: "a" }, { type: "image" }, { type: "text", text: "b" }],
      }),
    ).toBe("ab");
    expect(messageText({ content: "plain" })).toBe("plain");
    expect(messageText(undefined)).toBe("");
    expect(agentSessionKey("main", "missionctl-task-1")).toBe("agent:main:missionctl-task-1");
    expect(parseAgentSessionKey("agent:ops:a:b")).toEqual({ agentId: "ops", name: "a:b" });
    expect(parseAgentSessionKey("global")).toBeUndefined();
  });

  it("event payloads are checked leniently: extra fields pass, a missing run id does not", () => {
    const ok = parseEventPayload("chat", { runId: "r", sessionKey: "k", state: "final", extra: true });
    expect(ok).toMatchObject({ ok: true, payload: { runId: "r", extra: true } });
    expect(parseEventPayload("chat", { sessionKey: "k", state: "final" })).toMatchObject({ ok: false });
    expect(parseEventPayload("tick", { ts: 1 })).toMatchObject({ ok: true });
  });
});
