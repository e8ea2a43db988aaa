import { encodeSegment, parsePointer } from "../pointer.js";
import type { Change, DiffReport } from "../report.js";

export interface JsonPatchOp {
  op: "add" | "remove" | "replace";
  path: string;
  value?: unknown;
}

function setIn(target: Record<string, unknown>, rel: string[], value: unknown): void {
  let cur = target;
  for (let i = 0; i < rel.length - 1; i++) {
    const k = rel[i]!;
    if (cur[k] === null || typeof cur[k] !== "object") cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[rel[rel.length - 1]!] = value;
}

const isIndex = (s: string | undefined) => s !== undefined && /^(0|[1-9]\d*)$/.test(s);

/**
 * RFC 6902 operations that turn the source into the runtime, for `drift` changes only.
 * Values are the report's masked values: the patch documents drift, it cannot leak secrets.
 */
export function toJsonPatch(report: DiffReport): JsonPatchOp[] {
  const drift = report.changes.filter((c) => c.disposition === "drift");
  const removes: Change[] = [];
  const replaces: JsonPatchOp[] = [];
  const adds: JsonPatchOp[] = [];
  const grouped = new Map<string, Record<string, unknown>>();
  for (const c of drift) {
    if (c.kind === "removed") removes.push(c);
    else if (c.kind === "changed" || c.kind === "type-changed")
      replaces.push({ op: "replace", path: c.pointer, value: c.after });
    else if (c.kind === "added") {
      if (c.root && c.root !== c.pointer) {
        // A leaf of a whole object missing from the source: add the object once at its root.
        const obj = grouped.get(c.root) ?? {};
        setIn(obj, parsePointer(c.pointer).slice(parsePointer(c.root).length), c.after);
        grouped.set(c.root, obj);
      } else {
        const segs = parsePointer(c.pointer);
        const last = segs[segs.length - 1];
        // Set elements and trailing items are appended, which stays valid after the removes.
        const path = isIndex(last)
          ? `${segs
              .slice(0, -1)
              .map((s) => `/${encodeSegment(s)}`)
              .join("")}/-`
          : c.pointer;
        adds.push({ op: "add", path, value: c.after });
      }
    }
  }
  for (const [root, value] of grouped) adds.push({ op: "add", path: root, value });
  // Remove array items from the highest index down so earlier removes do not shift later ones.
  removes.sort((x, y) => {
    const a = parsePointer(x.pointer);
    const b = parsePointer(y.pointer);
    const pa = a.slice(0, -1).join("/");
    const pb = b.slice(0, -1).join("/");
    if (pa === pb && isIndex(a[a.length - 1]) && isIndex(b[b.length - 1]))
      return Number(b[b.length - 1]) - Number(a[a.length - 1]);
    return x.pointer < y.pointer ? -1 : 1;
  });
  return [...removes.map((c): JsonPatchOp => ({ op: "remove", path: c.pointer })), ...replaces, ...adds];
}

export function renderJsonPatch(report: DiffReport): string {
  return `${JSON.stringify(toJsonPatch(report), null, 2)}\n`;
}
