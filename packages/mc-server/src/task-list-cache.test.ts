import { describe, expect, it } from "vitest";
import { TaskListCache } from "./task-list-cache.js";

describe("task-list cache", () => {
  it("stays within its byte budget, evicting the least recently used", () => {
    const c = new TaskListCache({ maxBytes: 1_000 });
    c.set("a", "x".repeat(200)); // 402 bytes as UTF-16
    c.set("b", "y".repeat(200));
    c.get("a");
    c.set("c", "z".repeat(200));
    expect(c.get("b")).toBeUndefined();
    expect(c.get("a")).toBeDefined();
    expect(c.stats().bytes).toBeLessThanOrEqual(1_000);
    c.set("huge", "h".repeat(400)); // above half the budget: never kept
    expect(c.get("huge")).toBeUndefined();
    c.clear();
    expect(c.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });
});
