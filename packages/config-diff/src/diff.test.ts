import { describe, expect, it } from "vitest";
import { type PathTracker, structuralDiff } from "./diff.js";

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
  it("hands every value of both trees to a tracker once, what both share once, with its path", () => {
    const seen: string[] = [];
    const tracker: PathTracker<string> = {
      root: "",
      child: (at, key) => `${at}.${key}`,
      whole: (at, v) => {
        seen.push(`${at}=${JSON.stringify(v)}`);
        return true;
      },
      opaque: (v) => (v as { kind?: string }).kind === "ref",
    };
    const shared = { s: 1 };
    const a = { same: 1, changed: "x", shared, gone: { g: 1 }, list: [1, { i: 2 }], ref: { kind: "ref", n: 1 } };
    const b = { same: 1, changed: "y", shared, list: [1, { i: 3 }, 4], ref: { kind: "ref", n: 2 }, added: [5] };
    structuralDiff(a, b, { tracker, arrayMode: () => "ordered" });
    expect(seen.sort()).toEqual(
      [
        ".same=1",
        '.changed="x"',
        '.changed="y"',
        '.shared={"s":1}',
        '.gone={"g":1}',
        ".list=1",
        ".list.i=2",
        ".list.i=3",
        ".list=4",
        '.ref={"kind":"ref","n":1}',
        '.ref={"kind":"ref","n":2}',
        ".added=[5]",
      ].sort(),
    );
  });
  it("throws tooDeep past maxDepth on every recursive path, and a tracker's verdict too", () => {
    const deep = (n: number): unknown => (n === 0 ? 1 : { d: deep(n - 1) });
    const tooDeep = () => new Error("too deep");
    const opts = { maxDepth: 5, tooDeep };
    expect(() => structuralDiff(deep(6), deep(6), opts)).toThrow("too deep"); // both sides (different objects)
    expect(() => structuralDiff({}, { x: deep(5) }, opts)).toThrow("too deep"); // an added subtree
    expect(() => structuralDiff(deep(5), deep(5), opts)).not.toThrow();
    const refuse: PathTracker<null> = { root: null, child: () => null, whole: (_s, v) => typeof v !== "object" };
    expect(() => structuralDiff({ x: {} }, { x: {} }, { ...opts, tracker: refuse })).not.toThrow();
    expect(() => structuralDiff({ x: 1 }, { x: [1] }, { ...opts, tracker: refuse })).toThrow("too deep");
  });
});
