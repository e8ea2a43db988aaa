import { describe, expect, it } from "vitest";
import { structuralDiff } from "./diff.js";

describe("structuralDiff", () => {
  it("is key-order-insensitive and reports nothing for equal configs", () => {
    expect(structuralDiff({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
  });
  it("compares arrays of scalars as sets, with order changes reported apart", () => {
    expect(structuralDiff({ o: ["a", "b"] }, { o: ["b", "a"] }).map((c) => c.kind)).toEqual(["order-changed"]);
    const ch = structuralDiff({ o: ["a", "b", "b"] }, { o: ["b", "c"] });
    expect(ch.map((c) => [c.kind, c.segments.join("/"), c.before ?? c.after])).toEqual([
      ["removed", "o/0", "a"],
      ["removed", "o/2", "b"],
      ["added", "o/1", "c"],
    ]);
  });
  it("compares ordered arrays by index when asked", () => {
    const ch = structuralDiff({ o: ["a", "b"] }, { o: ["b", "a"] }, { arrayMode: () => "ordered" });
    expect(ch.map((c) => c.kind)).toEqual(["changed", "changed"]);
  });
  it("reports a missing object leaf by leaf with its root, and type changes", () => {
    const ch = structuralDiff({ x: 1 }, { x: "1", meta: { a: 1, b: { c: 2 } } });
    expect(ch.map((c) => [c.kind, c.segments.join("/"), c.root?.join("/")])).toEqual([
      ["type-changed", "x", undefined],
      ["added", "meta/a", "meta"],
      ["added", "meta/b/c", "meta"],
    ]);
  });
  it("diffs arrays of objects by index", () => {
    const ch = structuralDiff({ m: [{ id: 1, t: 1 }] }, { m: [{ id: 1, t: 2 }, { id: 2 }] });
    expect(ch.map((c) => [c.kind, c.segments.join("/")])).toEqual([
      ["changed", "m/0/t"],
      ["added", "m/1"],
    ]);
  });
});
