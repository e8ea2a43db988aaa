// RFC 6901 JSON Pointers are the canonical path form; the dotted form is what OpenClaw prints.

export type Segment = string | number;

export function encodeSegment(s: Segment): string {
  return String(s).replace(/~/g, "~0").replace(/\//g, "~1");
}

export function toPointer(segments: readonly Segment[]): string {
  let out = "";
  for (const s of segments) out += `/${encodeSegment(s)}`;
  return out;
}

export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`not a JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `gateway.controlUi.allowedOrigins[0]`, with `["odd key"]` for keys that are not identifiers. */
export function toDotted(segments: readonly Segment[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (IDENT.test(s)) out += out === "" ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

export function getAt(value: unknown, segments: readonly Segment[]): { found: boolean; value?: unknown } {
  let cur: unknown = value;
  for (const s of segments) {
    if (Array.isArray(cur)) {
      const i = typeof s === "number" ? s : Number(s);
      if (!Number.isInteger(i) || i < 0 || i >= cur.length) return { found: false };
      cur = cur[i];
    } else if (cur !== null && typeof cur === "object" && Object.hasOwn(cur, String(s))) {
      cur = (cur as Record<string, unknown>)[String(s)];
    } else return { found: false };
  }
  return { found: true, value: cur };
}

/**
 * Pointer globs: `*` matches within one segment, `**` matches any number of segments
 * (including none). A pattern also matches everything below what it matches, so `/meta`
 * covers `/meta/lastTouchedVersion`.
 */
export interface PointerGlob {
  readonly source: string;
  matches(pointer: string): boolean;
  /** The same for the pointer made of these segments, without joining and parsing it. */
  matchesSegments(segments: readonly Segment[]): boolean;
}

export function compilePointerGlob(pattern: string): PointerGlob {
  if (pattern !== "" && !pattern.startsWith("/")) {
    throw new Error(`a pointer glob starts with "/" (RFC 6901), e.g. "/gateway/auth/rateLimit" or "/meta/**"`);
  }
  const segs = pattern === "" ? [] : pattern.slice(1).split("/");
  const parts = segs.map((s) => {
    if (s === "**") return "**" as const;
    if (!s.includes("*")) return s.replace(/~1/g, "/").replace(/~0/g, "~");
    const re = s
      .split("*")
      .map((lit) =>
        lit
          .replace(/~1/g, "/")
          .replace(/~0/g, "~")
          .replace(/[.+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("[^/]*");
    return new RegExp(`^${re}$`);
  });
  const matchFrom = (pi: number, target: readonly Segment[], ti: number): boolean => {
    if (pi === parts.length) return true; // prefix match: the rest is below a matched node
    const p = parts[pi]!;
    if (p === "**") {
      for (let k = ti; k <= target.length; k++) if (matchFrom(pi + 1, target, k)) return true;
      return false;
    }
    if (ti >= target.length) return false;
    const t = String(target[ti]!);
    if (typeof p === "string" ? p !== t : !p.test(t)) return false;
    return matchFrom(pi + 1, target, ti + 1);
  };
  return {
    source: pattern,
    matches(pointer: string) {
      return matchFrom(0, parsePointer(pointer), 0);
    },
    matchesSegments(segments: readonly Segment[]) {
      return matchFrom(0, segments, 0);
    },
  };
}
