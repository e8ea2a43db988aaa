import {
  CONFIG_REDACTED_VALUE,
  isSecretPath,
  nestsDeeperThan,
  REDACTED,
  redactSecretsInText,
  SecretPath,
  secretsInText,
} from "@missionctl/gateway-client";
import type { PathTracker } from "./diff.js";
import { placeholderNames } from "./env.js";
import type { Segment } from "./pointer.js";

/** OpenClaw's redaction sentinel in `config.get` and UI responses: the value is unknown. */
export const REDACTED_SENTINEL = CONFIG_REDACTED_VALUE;
/** The one mask (gateway-client's): every hidden value prints as this. */
export const MASK = REDACTED;

export function isSensitivePath(segments: readonly Segment[]): boolean {
  // OpenClaw matches on labels, with array indexes dropped (`a.b[]` → `a.b`). The one key list
  // (gateway-client's: OpenClaw's sensitive-path patterns plus collections of credentials such as
  // `gateway.auth.tokens[]`, `localService.env.*`, and credential header names as the last key).
  return isSecretPath(segments.filter((s): s is string => typeof s === "string"));
}

/** The path state below `at` for this segment: an array index is not a label and changes nothing. */
const below = (at: SecretPath, seg: Segment): SecretPath => (typeof seg === "string" ? at.child(seg) : at);

const pathOf = (segments: readonly Segment[]): SecretPath => segments.reduce(below, SecretPath.root);

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
/** How many first characters of an embedded secret the pre-check looks for (at most MIN_EMBEDDED_SECRET). */
const EMBEDDED_HEAD = 4;

/**
 * Where a learning walk stands: the path state, or SENSITIVE below a secret-named key, where
 * every value is learned whatever the keys further down (so no more path steps are needed).
 */
const SENSITIVE = Symbol("sensitive");
export type LearnState = SecretPath | typeof SENSITIVE;

/**
 * Masks what must not be printed, by position and by value. By position: anything under a
 * secret-named key (OpenClaw's patterns, plus `tokens[]`, auth header names…). By value: URL
 * credentials, secret-named query parameters, auth header values and `Bearer …` anywhere, and any
 * value equal to a secret found elsewhere in either config (a token copied into a URL or a note).
 */
export class SecretMasker {
  private readonly known = new Set<string>();
  private readonly learned = new Set<unknown>();
  private embeddedCache: { secrets: string[]; heads: Set<string> } | undefined;

  /** Learns the secrets of these trees (the configs as written and as resolved). */
  constructor(trees: readonly unknown[] = []) {
    for (const t of trees) this.add(t);
  }

  /**
   * Learns the secrets of one more tree; false, as nestsDeeperThan would say, when it nests deeper
   * than `maxDepth` objects/arrays. This walk visits every node of a config anyway (one memoised
   * path step per key, no path joined or copied), so it doubles as the depth guard of the
   * recursive walks that follow instead of a separate pass.
   */
  add(tree: unknown, maxDepth = Number.POSITIVE_INFINITY): boolean {
    // The same tree passed twice (the config as written is the one compared) is learned once.
    if (this.learned.has(tree)) return true;
    this.learned.add(tree);
    return this.collect(tree, SecretPath.root, false, 1, maxDepth);
  }

  /**
   * Learns the secrets of the trees a structuralDiff compares, during its walk: what `add` of
   * both would learn, with one visit of what the two share (see PathTracker).
   */
  readonly learner: PathTracker<LearnState> = {
    root: SecretPath.root,
    child: (state, key) => {
      if (state === SENSITIVE) return state;
      const next = state.child(key);
      return next.secret ? SENSITIVE : next;
    },
    whole: (state, value, levels) =>
      state === SENSITIVE
        ? this.collect(value, SecretPath.root, true, 1, levels)
        : this.collect(value, state, false, 1, levels),
    // A SecretRef holds no value to learn (see collect).
    opaque: isSecretRef,
  };

  /** The known secrets long enough to be masked inside longer text, longest first. */
  private get embedded(): { secrets: string[]; heads: Set<string> } {
    if (!this.embeddedCache) {
      const secrets = [...this.known]
        .filter((k) => k.length >= MIN_EMBEDDED_SECRET)
        .sort((a, b) => b.length - a.length);
      this.embeddedCache = { secrets, heads: new Set(secrets.map((k) => k.slice(0, EMBEDDED_HEAD))) };
    }
    return this.embeddedCache;
  }

  /** Whether `s` may hold a known secret: it holds the first characters of one somewhere. */
  private mayEmbed(s: string, heads: Set<string>): boolean {
    for (let i = 0; i + MIN_EMBEDDED_SECRET <= s.length; i++) if (heads.has(s.slice(i, i + EMBEDDED_HEAD))) return true;
    return false;
  }

  private learn(v: string): void {
    const s = v.trim();
    if (s.length < MIN_KNOWN_SECRET || s === REDACTED_SENTINEL || isPlaceholder(s) || this.known.has(s)) return;
    this.known.add(s);
    this.embeddedCache = undefined;
  }

  /** `depth`: of `v` if it is an object or array (the root's is 1). False when too deep. */
  private collect(v: unknown, at: SecretPath, sensitive: boolean, depth: number, maxDepth: number): boolean {
    if (typeof v === "string") {
      if (sensitive) this.learn(v);
      for (const found of secretsInText(v)) this.learn(found);
      return true;
    }
    if (typeof v === "number" || typeof v === "bigint") {
      if (sensitive) this.learn(String(v));
      return true;
    }
    if (v === null || typeof v !== "object") return true;
    if (depth > maxDepth) return false;
    if (Array.isArray(v)) {
      for (const item of v) if (!this.collect(item, at, sensitive, depth + 1, maxDepth)) return false;
      return true;
    }
    // A SecretRef holds no value to learn; its depth still counts.
    if (isSecretRef(v)) return !nestsDeeperThan(v, maxDepth - depth + 1);
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    for (let i = 0; i < keys.length; i++) {
      // Below a secret everything is learned: the path no longer matters.
      const next = sensitive ? at : at.child(keys[i]!);
      if (!this.collect(o[keys[i]!], next, sensitive || next.secret, depth + 1, maxDepth)) return false;
    }
    return true;
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
    // Most text holds none of the known secrets: one pass over it says so, instead of a search per secret.
    const { secrets, heads } = this.embedded;
    if (secrets.length > 0 && this.mayEmbed(out, heads))
      for (const k of secrets) if (out.includes(k)) out = out.split(k).join(MASK);
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
    const walk = (v: unknown, at: SecretPath, sensitive: boolean): unknown => {
      if (typeof v === "string") return this.maskString(v, sensitive);
      if (v === null || typeof v !== "object") return sensitive || this.isKnownSecret(v) ? MASK : v;
      if (Array.isArray(v)) return v.map((item) => walk(item, at, sensitive));
      if (isSecretRef(v)) {
        // The ref's structure is not secret, its id may be (a file path, an exec argument…).
        const out: Record<string, unknown> = { ...v };
        out.id = v.id === REDACTED_SENTINEL ? v.id : MASK;
        return out;
      }
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        const next = at.child(k);
        out[this.segment(k)] = walk(item, next, sensitive || next.secret);
      }
      return out;
    };
    const at = pathOf(segments);
    return walk(value, at, at.secret);
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
