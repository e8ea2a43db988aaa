import {
  CONFIG_REDACTED_VALUE,
  isSecretHeaderName,
  isSecretName,
  REDACTED,
  redactSecretsInText,
  secretsInText,
} from "@missionctl/gateway-client";
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
  // The one key list (gateway-client's: OpenClaw's sensitive-path patterns plus collections of
  // credentials such as `gateway.auth.tokens[]`), on the dotted path as OpenClaw applies it; and a
  // header name whose value is a credential (`headers.Authorization`).
  return isSecretName(path) || isSecretHeaderName(keys[keys.length - 1]!);
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

const isPlaceholder = (s: string) => /^\$\{[A-Z_][A-Z0-9_]*\}$/.test(s);
/** Values shorter than this at secret paths (`on`, `env`) are modes, not credentials: not learned. */
const MIN_KNOWN_SECRET = 6;
/** Shorter known secrets are masked where a whole value equals them, not inside longer text. */
const MIN_EMBEDDED_SECRET = 8;

/**
 * Masks what must not be printed, by position and by value. By position: anything under a
 * secret-named key (OpenClaw's patterns, plus `tokens[]`, auth header names…). By value: URL
 * credentials, secret-named query parameters, auth header values and `Bearer …` anywhere, and any
 * value equal to a secret found elsewhere in either config (a token copied into a URL or a note).
 */
export class SecretMasker {
  private readonly known = new Set<string>();
  private embedded: string[] = [];

  /** Learns the secrets of these trees (the configs as written and as resolved). */
  constructor(trees: readonly unknown[] = []) {
    for (const t of trees) this.collect(t, [], false);
    this.embedded = [...this.known].filter((k) => k.length >= MIN_EMBEDDED_SECRET).sort((a, b) => b.length - a.length);
  }

  private learn(v: string): void {
    const s = v.trim();
    if (s.length < MIN_KNOWN_SECRET || s === REDACTED_SENTINEL || isPlaceholder(s)) return;
    this.known.add(s);
  }

  private collect(v: unknown, segs: Segment[], sensitive: boolean): void {
    if (typeof v === "string") {
      if (sensitive) this.learn(v);
      for (const found of secretsInText(v)) this.learn(found);
      return;
    }
    if (typeof v === "number" || typeof v === "bigint") {
      if (sensitive) this.learn(String(v));
      return;
    }
    if (v === null || typeof v !== "object") return;
    if (isSecretRef(v)) return;
    const entries: [Segment, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [k, child] of entries) {
      segs.push(k);
      this.collect(child, segs, sensitive || isSensitivePath(segs));
      segs.pop();
    }
  }

  /** Whether this exact value is a secret seen somewhere in either config. */
  isKnownSecret(v: unknown): boolean {
    if (typeof v === "string") return this.known.has(v.trim());
    if (typeof v === "number") return this.known.has(String(v));
    return false;
  }

  /** Free text (a value, a gateway message) with every credential in it masked. */
  text(s: string): string {
    if (s === REDACTED_SENTINEL || isPlaceholder(s)) return s;
    if (this.known.has(s.trim())) return MASK;
    let out = redactSecretsInText(s);
    for (const k of this.embedded) if (out.includes(k)) out = out.split(k).join(MASK);
    return out;
  }

  private maskString(s: string, sensitive: boolean): string {
    if (s === REDACTED_SENTINEL) return s;
    // A bare placeholder names an env variable, not its value: safe to show.
    if (sensitive) return isPlaceholder(s) ? s : MASK;
    return this.text(s);
  }

  /** A copy of `value` (found at `segments`) that is safe to print. */
  maskValue(value: unknown, segments: readonly Segment[]): unknown {
    const segs = [...segments];
    const walk = (v: unknown, sensitive: boolean): unknown => {
      if (typeof v === "string") return this.maskString(v, sensitive);
      if (v === null || typeof v !== "object") return sensitive || this.isKnownSecret(v) ? MASK : v;
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
        out[this.segment(k)] = walk(item, sensitive || isSensitivePath(segs));
        segs.pop();
      }
      return out;
    };
    return walk(value, isSensitivePath(segs));
  }

  /** A key of the config: masked only when it is itself a known secret (a token used as a map key). */
  segment<S extends Segment>(s: S): S | string {
    return typeof s === "string" && this.known.has(s) ? MASK : s;
  }
}

/** A copy of `value` (found at `segments`) that is safe to print, with no other config to learn from. */
export function maskValue(value: unknown, segments: readonly Segment[]): unknown {
  return new SecretMasker([]).maskValue(value, segments);
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
