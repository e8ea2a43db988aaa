import type { Segment } from "./pointer.js";

export type ChangeKind = "added" | "removed" | "changed" | "type-changed" | "order-changed";
export type ArrayMode = "set" | "ordered";

/**
 * One structural difference between `a` (the source, what should run) and `b` (the runtime).
 * `added` = only in the runtime, `removed` = only in the source. Values are the raw compared
 * values: never print them without masking.
 */
export interface RawChange {
  segments: Segment[];
  kind: ChangeKind;
  before?: unknown;
  after?: unknown;
  /** For a leaf of an object missing on the other side: the pointer segments of that object. */
  root?: Segment[];
}

/**
 * Follows the walk down both trees, so that a caller learns something from every value of either
 * without a walk of its own (diffConfigs' masker learns the secrets this way). Every value of
 * either tree reaches it once: key by key (`child`) while the walk descends an object found on
 * both sides, or whole (`whole`) where the walk stops: a leaf (once when it is the same on both
 * sides, once per side when not), a subtree that is the same object on both sides, on one side
 * only, of another type on the other side, or `opaque`. Array indexes do not change the state.
 */
export interface PathTracker<S> {
  /** The state at the root of both trees. */
  readonly root: S;
  /** The state at key `key` of the object at `state`. */
  child(state: S, key: string): S;
  /**
   * A value seen as a whole at `state`. `levels`: how many levels of objects and arrays it may
   * still nest, itself included; false when it nests deeper (the diff then throws `tooDeep`).
   */
  whole(state: S, value: unknown, levels: number): boolean;
  /** Whether an object found on both sides is to be seen whole rather than key by key. */
  opaque?(value: object): boolean;
}

export interface StructuralDiffOptions<S = unknown> {
  /** How to compare the array at `segments`; default: arrays of scalars as sets. */
  arrayMode?: (segments: readonly Segment[]) => ArrayMode;
  /** Objects and arrays nested deeper than this (the root is at depth 1) throw `tooDeep()`: the walk never overflows the stack. */
  maxDepth?: number;
  /** The error for a tree nested deeper than `maxDepth`. */
  tooDeep?: () => Error;
  /** Follows the walk with a path state (see PathTracker). */
  tracker?: PathTracker<S>;
}

/** The state below an opaque object, or of a walk without a tracker: nothing is tracked. */
const UNTRACKED: unique symbol = Symbol("untracked");

type Kind = "null" | "array" | "object" | "string" | "number" | "boolean" | "other";

function kindOf(v: unknown): Kind {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  const t = typeof v;
  if (t === "object") return "object";
  if (t === "string" || t === "number" || t === "boolean") return t;
  return "other";
}

function isScalar(v: unknown): boolean {
  return v === null || (typeof v !== "object" && typeof v !== "function");
}

/** Structural, key-order-insensitive diff; arrays of scalars compare as sets unless told otherwise. */
export function structuralDiff<S>(a: unknown, b: unknown, options: StructuralDiffOptions<S> = {}): RawChange[] {
  const out: RawChange[] = [];
  const segs: Segment[] = [];
  const arrayMode = options.arrayMode;
  const hasOwn = Object.prototype.hasOwnProperty;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const tooDeep = (): Error =>
    options.tooDeep?.() ?? new RangeError(`the compared values nest deeper than ${maxDepth} levels`);
  const tracker = options.tracker;
  type State = S | typeof UNTRACKED;
  const opaque = tracker?.opaque;

  /** Hands `v` (at `depth` if it is an object or array) whole to the tracker. */
  const seeWhole = (st: State, v: unknown, depth: number): void => {
    if (st !== UNTRACKED && !tracker!.whole(st, v, maxDepth - depth + 1)) throw tooDeep();
  };
  const childOf = (st: State, k: string): State => (st === UNTRACKED ? st : tracker!.child(st, k));

  // A missing object is reported leaf by leaf, so ignores and masking work per key.
  const emitSubtree = (v: unknown, kind: "added" | "removed", root: Segment[], depth: number): void => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      if (depth > maxDepth) throw tooDeep();
      const keys = Object.keys(v);
      if (keys.length > 0) {
        for (const k of keys) {
          segs.push(k);
          emitSubtree((v as Record<string, unknown>)[k], kind, root, depth + 1);
          segs.pop();
        }
        return;
      }
    }
    out.push(
      kind === "added"
        ? { segments: segs.slice(), kind, after: v, root }
        : { segments: segs.slice(), kind, before: v, root },
    );
  };

  /** `depth`: of `x` and `y` if they are objects or arrays (the roots are at 1). */
  const walk = (x: unknown, y: unknown, depth: number, st: State): void => {
    if (x === y) {
      seeWhole(st, x, depth);
      return;
    }
    const tx = typeof x;
    // Fast path for the common case of two different scalars of the same type.
    if (tx !== "object" && tx === typeof y) {
      seeWhole(st, x, depth);
      if (tx === "number" && Number.isNaN(x) && Number.isNaN(y)) return;
      seeWhole(st, y, depth);
      out.push({ segments: segs.slice(), kind: "changed", before: x, after: y });
      return;
    }
    const kx = kindOf(x);
    const ky = kindOf(y);
    if (kx !== ky) {
      seeWhole(st, x, depth);
      seeWhole(st, y, depth);
      out.push({ segments: segs.slice(), kind: "type-changed", before: x, after: y });
      return;
    }
    if (kx === "object") {
      if (depth > maxDepth) throw tooDeep();
      const ox = x as Record<string, unknown>;
      const oy = y as Record<string, unknown>;
      if (st !== UNTRACKED && opaque && (opaque(ox) || opaque(oy))) {
        seeWhole(st, ox, depth);
        seeWhole(st, oy, depth);
        st = UNTRACKED;
      }
      // Own keys only; a key of `y` left over once those of `x` were matched is an addition.
      const xkeys = Object.keys(ox);
      let common = 0;
      for (let i = 0; i < xkeys.length; i++) {
        const k = xkeys[i]!;
        segs.push(k);
        const below = childOf(st, k);
        if (hasOwn.call(oy, k)) {
          common++;
          walk(ox[k], oy[k], depth + 1, below);
        } else {
          seeWhole(below, ox[k], depth + 1);
          emitSubtree(ox[k], "removed", segs.slice(), depth + 1);
        }
        segs.pop();
      }
      const ykeys = Object.keys(oy);
      if (ykeys.length === common) return;
      for (let i = 0; i < ykeys.length; i++) {
        const k = ykeys[i]!;
        if (hasOwn.call(ox, k)) continue;
        segs.push(k);
        seeWhole(childOf(st, k), oy[k], depth + 1);
        emitSubtree(oy[k], "added", segs.slice(), depth + 1);
        segs.pop();
      }
      return;
    }
    if (kx === "array") {
      if (depth > maxDepth) throw tooDeep();
      diffArray(x as unknown[], y as unknown[], depth, st);
      return;
    }
    seeWhole(st, x, depth);
    if (kx === "number" && Number.isNaN(x) && Number.isNaN(y)) return;
    seeWhole(st, y, depth);
    out.push({ segments: segs.slice(), kind: "changed", before: x, after: y });
  };

  /** `depth`: of the arrays themselves. */
  const diffArray = (xa: unknown[], ya: unknown[], depth: number, st: State): void => {
    // Fast path: most arrays are unchanged, element for element (the tracker sees one side).
    if (xa.length === ya.length) {
      let same = true;
      for (let i = 0; i < xa.length; i++) {
        if (xa[i] !== ya[i]) {
          same = false;
          break;
        }
      }
      if (same) {
        seeWhole(st, xa, depth);
        return;
      }
    }
    const mode = arrayMode ? arrayMode(segs) : "set";
    if (mode === "set" && xa.every(isScalar) && ya.every(isScalar)) {
      seeWhole(st, xa, depth);
      seeWhole(st, ya, depth);
      // Multiset difference: each element of one side consumes one equal element of the other.
      const countY = new Map<unknown, number>();
      for (const v of ya) countY.set(v, (countY.get(v) ?? 0) + 1);
      const countX = new Map<unknown, number>();
      for (const v of xa) countX.set(v, (countX.get(v) ?? 0) + 1);
      let differs = false;
      const seenX = new Map<unknown, number>();
      for (let i = 0; i < xa.length; i++) {
        const v = xa[i];
        const n = (seenX.get(v) ?? 0) + 1;
        seenX.set(v, n);
        if (n > (countY.get(v) ?? 0)) {
          differs = true;
          segs.push(i);
          out.push({ segments: segs.slice(), kind: "removed", before: v });
          segs.pop();
        }
      }
      const seenY = new Map<unknown, number>();
      for (let i = 0; i < ya.length; i++) {
        const v = ya[i];
        const n = (seenY.get(v) ?? 0) + 1;
        seenY.set(v, n);
        if (n > (countX.get(v) ?? 0)) {
          differs = true;
          segs.push(i);
          out.push({ segments: segs.slice(), kind: "added", after: v });
          segs.pop();
        }
      }
      if (!differs && xa.length === ya.length && xa.some((v, i) => v !== ya[i])) {
        out.push({ segments: segs.slice(), kind: "order-changed", before: xa, after: ya });
      }
      return;
    }
    const n = Math.min(xa.length, ya.length);
    for (let i = 0; i < n; i++) {
      segs.push(i);
      walk(xa[i], ya[i], depth + 1, st);
      segs.pop();
    }
    for (let i = n; i < xa.length; i++) {
      seeWhole(st, xa[i], depth + 1);
      segs.push(i);
      out.push({ segments: segs.slice(), kind: "removed", before: xa[i] });
      segs.pop();
    }
    for (let i = n; i < ya.length; i++) {
      seeWhole(st, ya[i], depth + 1);
      segs.push(i);
      out.push({ segments: segs.slice(), kind: "added", after: ya[i] });
      segs.pop();
    }
  };

  walk(a, b, 1, tracker ? tracker.root : UNTRACKED);
  return out;
}
