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

export interface StructuralDiffOptions {
  /** How to compare the array at `segments`; default: arrays of scalars as sets. */
  arrayMode?: (segments: readonly Segment[]) => ArrayMode;
}

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
export function structuralDiff(a: unknown, b: unknown, options: StructuralDiffOptions = {}): RawChange[] {
  const out: RawChange[] = [];
  const segs: Segment[] = [];
  const arrayMode = options.arrayMode;
  const hasOwn = Object.prototype.hasOwnProperty;

  // A missing object is reported leaf by leaf, so ignores and masking work per key.
  const emitSubtree = (v: unknown, kind: "added" | "removed", root: Segment[]): void => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length > 0) {
        for (const k of keys) {
          segs.push(k);
          emitSubtree((v as Record<string, unknown>)[k], kind, root);
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

  const walk = (x: unknown, y: unknown): void => {
    if (x === y) return;
    const tx = typeof x;
    // Fast path for the common case of two different scalars of the same type.
    if (tx !== "object" && tx === typeof y) {
      if (tx === "number" && Number.isNaN(x) && Number.isNaN(y)) return;
      out.push({ segments: segs.slice(), kind: "changed", before: x, after: y });
      return;
    }
    const kx = kindOf(x);
    const ky = kindOf(y);
    if (kx !== ky) {
      out.push({ segments: segs.slice(), kind: "type-changed", before: x, after: y });
      return;
    }
    if (kx === "object") {
      const ox = x as Record<string, unknown>;
      const oy = y as Record<string, unknown>;
      for (const k in ox) {
        if (!hasOwn.call(ox, k)) continue;
        segs.push(k);
        if (hasOwn.call(oy, k)) walk(ox[k], oy[k]);
        else emitSubtree(ox[k], "removed", segs.slice());
        segs.pop();
      }
      for (const k in oy) {
        if (!hasOwn.call(oy, k) || hasOwn.call(ox, k)) continue;
        segs.push(k);
        emitSubtree(oy[k], "added", segs.slice());
        segs.pop();
      }
      return;
    }
    if (kx === "array") {
      diffArray(x as unknown[], y as unknown[]);
      return;
    }
    if (kx === "number" && Number.isNaN(x) && Number.isNaN(y)) return;
    out.push({ segments: segs.slice(), kind: "changed", before: x, after: y });
  };

  const diffArray = (xa: unknown[], ya: unknown[]): void => {
    // Fast path: most arrays are unchanged, element for element.
    if (xa.length === ya.length) {
      let same = true;
      for (let i = 0; i < xa.length; i++) {
        if (xa[i] !== ya[i]) {
          same = false;
          break;
        }
      }
      if (same) return;
    }
    const mode = arrayMode ? arrayMode(segs) : "set";
    if (mode === "set" && xa.every(isScalar) && ya.every(isScalar)) {
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
      walk(xa[i], ya[i]);
      segs.pop();
    }
    for (let i = n; i < xa.length; i++) {
      segs.push(i);
      out.push({ segments: segs.slice(), kind: "removed", before: xa[i] });
      segs.pop();
    }
    for (let i = n; i < ya.length; i++) {
      segs.push(i);
      out.push({ segments: segs.slice(), kind: "added", after: ya[i] });
      segs.pop();
    }
  };

  walk(a, b);
  return out;
}
