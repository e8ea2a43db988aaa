import { hasNotSecretSuffix, isSecretName, memoByKey, SECRET_NAME_PATTERNS } from "./redact.js";
import { isSecretHeaderName } from "./redact-text.js";

// Whether a *config path* holds a secret: OpenClaw's patterns on the dotted path (isSecretName),
// any entry under `localService.env`, or a credential header name as the last key. A walk over a
// whole config (config-diff learns every secret of both configs) asks this for every node: joining
// the full path and matching it against the whole key list per node cost ~5 µs per key. So the
// verdict is computed one key at a time from a small state and memoised per key (keys repeat):
// a step is one map lookup. Why the parent's state and the key suffice (P = parent + "." + key):
// - the end-anchored patterns (`token$`, `(^|\.)tokens$`…) and the not-secret suffixes hold no
//   dot, so they match P exactly when they match the key;
// - the others (`password`, `api.?key`…) match P when they match the parent (carried as `hit`),
//   the key, or across the joining dot: a `.?` takes it when the parent ends in the word before
//   it (`api`) and the key starts with the word after it (`key`);
// - `localservice.env.` is in P when it is in the parent, the parent ends in `localservice.env`,
//   or ends in `localservice` and the key starts with `env.`.
// secret-path.test.ts checks the steps against the whole-path verdict on generated paths.

const UNANCHORED = SECRET_NAME_PATTERNS.filter((p) => !p.source.endsWith("$"));
const ANYWHERE = new RegExp(UNANCHORED.map((p) => `(?:${p.source})`).join("|"), "i");
/** `api.?key` → the words either side of the optional character that can be the joining dot. */
const SPANS = UNANCHORED.flatMap((p) => {
  const m = /^(?:\(\?:)?([a-z|]+)\)?\.\?([a-z]+)$/i.exec(p.source);
  return m ? [{ head: new RegExp(`(?:${m[1]})$`, "i"), tail: new RegExp(`^${m[2]}`, "i") }] : [];
});
const LOCAL_ENV = "localservice.env.";

enum Local {
  None = 0,
  /** The path ends in a key ending in `localservice`. */
  Service = 1,
  /** The path ends in `localservice.env`. */
  Env = 2,
  /** The path holds `localservice.env.`: everything below it is a secret. */
  Inside = 3,
}

/** Where a walk stands on a config path; `secret` is the verdict for the path itself. */
export class SecretPath {
  private static readonly interned = new Map<string, SecretPath>();
  /** The empty path (a config's root). */
  static readonly root: SecretPath = SecretPath.of(false, false, 0, Local.None);

  /** The state for this path + `.key` (array indexes are not keys: skip them). */
  readonly child: (key: string) => SecretPath = memoByKey((key) => this.step(key));

  private constructor(
    /** Whether the value at this path must never be shown. */
    readonly secret: boolean,
    private readonly hit: boolean,
    /** Bit i: the path ends in the word before SPANS[i]'s optional character. */
    private readonly heads: number,
    private readonly local: Local,
  ) {}

  // Few distinct states: interned, so that a walk shares the memo of each.
  private static of(secret: boolean, hit: boolean, heads: number, local: Local): SecretPath {
    const id = `${+secret}${+hit}${heads}:${local}`;
    let s = SecretPath.interned.get(id);
    if (!s) SecretPath.interned.set(id, (s = new SecretPath(secret, hit, heads, local)));
    return s;
  }

  private step(key: string): SecretPath {
    let hit = this.hit || ANYWHERE.test(key);
    let heads = 0;
    SPANS.forEach((s, i) => {
      if (this.heads & (1 << i) && s.tail.test(key)) hit = true;
      if (s.head.test(key)) heads |= 1 << i;
    });
    const lower = key.toLowerCase();
    let local = Local.None;
    if (
      this.local >= Local.Env ||
      (this.local === Local.Service && lower.startsWith("env.")) ||
      lower.includes(LOCAL_ENV)
    )
      local = Local.Inside;
    else if (lower.endsWith("localservice.env") || (this.local === Local.Service && lower === "env")) local = Local.Env;
    else if (lower.endsWith("localservice")) local = Local.Service;
    // isSecretName(P) = no not-secret suffix (the key's) and an end-anchored match (the key's) or
    // an anywhere match (`hit`); isSecretName(key) covers the key's own matches.
    const secret =
      local === Local.Inside || isSecretHeaderName(key) || isSecretName(key) || (hit && !hasNotSecretSuffix(key));
    return SecretPath.of(secret, hit, heads, local);
  }
}

/** Whether the config path made of these keys (array indexes left out) holds a secret. */
export function isSecretPath(keys: readonly string[]): boolean {
  let p = SecretPath.root;
  for (const k of keys) p = p.child(k);
  return p.secret;
}
