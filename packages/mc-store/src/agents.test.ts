import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempStore } from "../tests/temp-store.js";
import type { Store } from "./store.js";

let t: ReturnType<typeof tempStore>;
let store: Store;
beforeEach(() => {
  t = tempStore();
  store = t.store;
});
afterEach(() => t.cleanup());

describe("agents, sessions, gateway history", () => {
  it("upserts agents keeping fields left undefined", () => {
    store.agents.upsertMany([{ id: "main", name: "Main", emoji: "🤖", workspace: "/w", status: "idle" }]);
    store.agents.upsertMany([{ id: "main", status: "working" }]);
    expect(store.agents.get("main")).toMatchObject({
      id: "main",
      name: "Main",
      emoji: "🤖",
      workspace: "/w",
      status: "working",
    });
    expect(store.agents.get("main").lastSeenAt).not.toBeNull();
    expect(store.agents.list().map((agent) => agent.id)).toEqual(["main"]);
    expect(() => store.agents.get("ghost")).toThrowError(expect.objectContaining({ code: "AGENT_NOT_FOUND" }));
  });

  it("replaces the sessions cache atomically", () => {
    store.sessions.replaceAll([
      { key: "agent:main:a", updatedAt: 1_000, label: "A", extra: 1 },
      { key: "agent:coder:b", updatedAt: 2_000 },
    ]);
    expect(store.sessions.list().map((s) => [s.key, s.agentId])).toEqual([
      ["agent:coder:b", "coder"],
      ["agent:main:a", "main"],
    ]);
    expect(store.sessions.get("agent:main:a")?.data).toMatchObject({ extra: 1 });
    expect(() => store.sessions.replaceAll([{ key: "ok" }, { key: "" }])).toThrowError(
      expect.objectContaining({ code: "VALIDATION_FAILED" }),
    );
    expect(store.sessions.list()).toHaveLength(2);
    store.sessions.replaceAll([]);
    expect(store.sessions.list()).toEqual([]);
  });

  it("caches gateway session objects whatever their other fields look like", () => {
    store.sessions.replaceAll([
      { key: "agent:main:x", label: 42, updatedAt: "2026-11-25T10:00:00Z", model: { id: "m" } } as never,
    ]);
    expect(store.sessions.get("agent:main:x")).toMatchObject({
      agentId: "main",
      label: null,
      gatewayUpdatedAt: "2026-11-25T10:00:00.000Z",
      data: { model: { id: "m" } },
    });
  });

  it("records gateway connection history newest first", () => {
    store.gatewayHistory.record({ state: "connecting" });
    store.gatewayHistory.record({
      state: "failed",
      code: "PAIRING_REQUIRED",
      detailCode: "PAIRING_REQUIRED",
      message: "approve the device",
    });
    expect(store.gatewayHistory.list({ limit: 1 })).toEqual([
      expect.objectContaining({ state: "failed", code: "PAIRING_REQUIRED" }),
    ]);
    expect(store.gatewayHistory.list()).toHaveLength(2);
  });
});
