// The one redactor of the monorepo: one key list and one mask, used by this client's logs and
// errors, the doctor, mc-server's logs and API, and config-diff's output.

/** What every hidden value prints as. */
export const REDACTED = "***";

/**
 * Names (a key, or a dotted config path) whose values are secrets: OpenClaw's own patterns
 * (src/config/sensitive-paths.ts, openclaw 2026.9.6), so what the gateway hides, we hide.
 */
export const SECRET_NAME_PATTERNS: readonly RegExp[] = [
  /token$/i,
  /password/i,
  /secret/i,
  /api.?key/i,
  /encrypt.?key/i,
  /private.?key/i,
  /serviceaccount(?:ref)?$/i,
  // Beyond OpenClaw's list: a collection of credentials (`gateway.auth.tokens[]`, `credentials`)
  // and labels that name one (`bearer`, `cookies`).
  /(?:^|\.)(?:tokens|bearer|cookies?)$/i,
  /credentials?$/i,
];

/** Names the patterns catch that hold no secret: token budgets and counts, a password *file* path. */
export const NOT_SECRET_SUFFIXES: readonly string[] = [
  "maxtokens",
  "maxoutputtokens",
  "maxinputtokens",
  "maxcompletiontokens",
  "contexttokens",
  "totaltokens",
  "tokencount",
  "tokenlimit",
  "tokenbudget",
  "passwordfile",
];

/** Wire fields that carry a credential whatever their name says: connect auth, signatures, HTTP auth. */
const CREDENTIAL_FIELDS: ReadonlySet<string> = new Set([
  "auth",
  "signature",
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "recoveryscope",
]);

// The lists as one expression each, built once: a name is matched once, not once per pattern.
const SECRET_NAME = new RegExp(SECRET_NAME_PATTERNS.map((p) => `(?:${p.source})`).join("|"), "i");
const NOT_SECRET_SUFFIX = new RegExp(`(?:${NOT_SECRET_SUFFIXES.join("|")})$`, "i");

/** Whether a name ends in one of {@link NOT_SECRET_SUFFIXES} (`maxTokens`, `passwordFile`). */
export function hasNotSecretSuffix(name: string): boolean {
  return NOT_SECRET_SUFFIX.test(name);
}

/** Whether a name (a key or a dotted path) is secret by OpenClaw's patterns. */
export function isSecretName(name: string): boolean {
  return !NOT_SECRET_SUFFIX.test(name) && SECRET_NAME.test(name);
}

/** Keys longer than this are classified but not memoised (a memo must not keep a huge hostile key). */
const MAX_MEMO_KEY = 64;
/** Distinct keys memoised before the memo starts over (frames or configs keyed by generated ids). */
const MAX_MEMO_SIZE = 4096;

/** A bounded memo of a pure per-key verdict: walks ask one for every key, and keys repeat. */
export function memoByKey<T>(fn: (key: string) => T): (key: string) => T {
  const memo = new Map<string, T>();
  return (key) => {
    const known = memo.get(key);
    if (known !== undefined) return known;
    const v = fn(key);
    if (key.length <= MAX_MEMO_KEY) {
      if (memo.size >= MAX_MEMO_SIZE) memo.clear();
      memo.set(key, v);
    }
    return v;
  };
}

/**
 * Whether the value under this key must never be shown. Every key of every logged field, error
 * detail and header passes here: memoised.
 */
export const isSecretKey: (key: string) => boolean = memoByKey(
  (key) => CREDENTIAL_FIELDS.has(key.toLowerCase()) || isSecretName(key),
);

export interface RedactOptions {
  /** Deeper values become "[…]". Default 8. */
  maxDepth?: number;
  /** Longer strings are cut (for log lines). Default: no limit. */
  maxString?: number;
  /** Longer arrays are cut (for log lines). Default: no limit. */
  maxItems?: number;
}

/**
 * A deep copy of `value` with every value under a secret key replaced by REDACTED (absent,
 * null and boolean values are kept: they say nothing). Bounded in depth, and optionally in
 * string and array length, so a huge frame cannot stall a log line.
 */
export function redact<T>(value: T, opts: RedactOptions = {}): T {
  return walk(value, 0, opts.maxDepth ?? 8, opts) as T;
}

function walk(value: unknown, depth: number, maxDepth: number, opts: RedactOptions): unknown {
  if (typeof value === "string") {
    const max = opts.maxString;
    return max !== undefined && value.length > max ? `${value.slice(0, max)}…(${value.length} chars)` : value;
  }
  if (value === null || typeof value !== "object") return value;
  if (depth >= maxDepth) return "[…]";
  if (Array.isArray(value)) {
    const max = opts.maxItems;
    const items = (max !== undefined ? value.slice(0, max) : value).map((v) => walk(v, depth + 1, maxDepth, opts));
    if (max !== undefined && value.length > max) items.push(`…(${value.length - max} more)`);
    return items;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] =
      v !== undefined && v !== null && typeof v !== "boolean" && isSecretKey(k)
        ? REDACTED
        : walk(v, depth + 1, maxDepth, opts);
  }
  return out;
}

/**
 * Whether a URL query parameter may carry a credential: a secret key, or any name that mentions
 * a key, auth or a signature (`apikey`, `x-auth`, `sig`): URLs end up in logs and shell history.
 */
export function isSecretParam(name: string): boolean {
  return isSecretKey(name) || /key|auth|sig/i.test(name);
}

/**
 * Removes userinfo and secret query parameters from a URL for messages. A URL object is read, not
 * changed (and not parsed again: the client redacts the URL it has already checked).
 */
export function redactUrl(url: string | URL): string {
  try {
    let u = typeof url === "string" ? new URL(url) : url;
    // Nothing to hide (the common case): skip building URLSearchParams, costly on Node 20.
    if (!u.search && !u.username && !u.password) return u.href;
    if (u === url) u = new URL(u.href);
    if (u.username || u.password) {
      u.username = "";
      u.password = "";
    }
    for (const key of [...u.searchParams.keys()]) {
      if (isSecretParam(key)) u.searchParams.set(key, REDACTED);
    }
    return u.toString();
  } catch {
    return "<unparsable url>";
  }
}
