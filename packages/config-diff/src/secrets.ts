import { CONFIG_REDACTED_VALUE, isSecretName, REDACTED } from "@missionctl/gateway-client";
import { placeholderNames } from "./env.js";
import type { Segment } from "./pointer.js";

/** OpenClaw's redaction sentinel in `config.get` and UI responses: the value is unknown. */
export const REDACTED_SENTINEL = CONFIG_REDACTED_VALUE;
/** The one mask (gateway-client's): every hidden value prints as this. */
export const MASK = REDACTED;

export function isSensitivePath(segments: readonly Segment[]): boolean {
  // OpenClaw matches on labels, with array indexes dropped (`a.b[]` → `a.b`).
  const keys = segments.filter((s): s is string => typeof s === "string");
  if (keys.length === 0) return false;
  const path = keys.join(".");
  const lower = path.toLowerCase();
  if (lower.includes("localservice.env.")) return true;
  // The one key list (gateway-client's, OpenClaw's sensitive-path patterns), on the dotted path as OpenClaw applies it.
  return isSecretName(path);
}

export function isSecretRef(v: unknown): v is { source: string; provider?: string; id: string } {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.source === "string" && typeof o.id === "string" && ["env", "file", "exec"].includes(o.source);
}

export function containsRedacted(v: unknown): boolean {
  if (v === REDACTED_SENTINEL) return true;
  if (typeof v === "string") return v.includes(REDACTED_SENTINEL);
  if (Array.isArray(v)) return v.some(containsRedacted);
  if (v !== null && typeof v === "object") return Object.values(v).some(containsRedacted);
  return false;
}

// `https://user:secret@host` → `https://user:***@host`: credentials in URLs are secrets anywhere.
const URL_CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/[^/?#:@\s]*):[^/?#@\s]+@/i;

/** Replaces a string that must not be printed; placeholders and the sentinel carry no secret. */
function maskString(s: string, sensitive: boolean): string {
  if (s === REDACTED_SENTINEL) return s;
  if (sensitive) {
    // A bare placeholder names an env variable, not its value: safe to show.
    if (/^\$\{[A-Z_][A-Z0-9_]*\}$/.test(s)) return s;
    return MASK;
  }
  return URL_CREDENTIALS.test(s) ? s.replace(URL_CREDENTIALS, `$1:${MASK}@`) : s;
}

/** A copy of `value` (found at `segments`) that is safe to print. */
export function maskValue(value: unknown, segments: readonly Segment[]): unknown {
  const segs = [...segments];
  const walk = (v: unknown, sensitive: boolean): unknown => {
    if (typeof v === "string") return maskString(v, sensitive);
    if (v === null || typeof v !== "object") return sensitive ? MASK : v;
    if (Array.isArray(v)) {
      return v.map((item, i) => {
        segs.push(i);
        const r = walk(item, sensitive || isSensitivePath(segs));
        segs.pop();
        return r;
      });
    }
    if (isSecretRef(v)) {
      // The ref's structure is not secret, its id may be (a file path, an exec argument…).
      const out: Record<string, unknown> = { ...v };
      out.id = v.id === REDACTED_SENTINEL ? v.id : MASK;
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) {
      segs.push(k);
      out[k] = walk(item, sensitive || isSensitivePath(segs));
      segs.pop();
    }
    return out;
  };
  return walk(value, isSensitivePath(segs));
}

/** Whether a change at `segments` between these values must be masked. */
export function isSensitiveChange(segments: readonly Segment[], before: unknown, after: unknown): boolean {
  if (isSensitivePath(segments)) return true;
  if (isSecretRef(before) || isSecretRef(after)) return true;
  // SecretRef id leaf: `…token.id`
  const last = segments[segments.length - 1];
  if (last === "id" && segments.length > 1 && isSensitivePath(segments.slice(0, -1))) return true;
  return false;
}

/** Describes a masked value by shape only: `placeholder ${X}`, `SecretRef env:default`, `literal`. */
export function describeSecret(v: unknown): string {
  if (v === REDACTED_SENTINEL) return "redacted by the gateway";
  if (typeof v === "string") {
    const names = placeholderNames(v);
    if (names.length && /^\$\{[A-Z_][A-Z0-9_]*\}$/.test(v)) return `placeholder \${${names[0]}}`;
    return "literal";
  }
  if (isSecretRef(v)) return `SecretRef ${v.source}:${v.provider ?? "default"}`;
  return typeof v;
}
