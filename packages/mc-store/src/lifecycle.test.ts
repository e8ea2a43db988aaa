import { describe, expect, it } from "vitest";
import { allowedTransitions, canTransition, isTerminalStatus, TASK_STATUSES } from "./lifecycle.js";

describe("task lifecycle", () => {
  it("walks the happy path inbox → assigned → in_progress → review → done", () => {
    const path = ["inbox", "assigned", "in_progress", "review", "done"] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
  });

  it("allows re-dispatch after review and retry after failure", () => {
    expect(canTransition("review", "in_progress")).toBe(true);
    expect(canTransition("failed", "in_progress")).toBe(true);
    expect(canTransition("failed", "assigned")).toBe(true);
  });

  it("refuses skipping steps, self-loops and leaving a final status", () => {
    expect(canTransition("inbox", "in_progress")).toBe(false);
    expect(canTransition("inbox", "done")).toBe(false);
    for (const status of TASK_STATUSES) expect(canTransition(status, status)).toBe(false);
    expect(allowedTransitions("done")).toEqual([]);
    expect(allowedTransitions("cancelled")).toEqual([]);
    expect(isTerminalStatus("done")).toBe(true);
    expect(isTerminalStatus("failed")).toBe(false);
  });

  it("lets every non-final status be cancelled", () => {
    for (const status of TASK_STATUSES.filter((s) => !isTerminalStatus(s)))
      expect(allowedTransitions(status)).toContain("cancelled");
  });
});
