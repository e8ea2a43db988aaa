import { nestsDeeperThan } from "@missionctl/gateway-client";
import { type ArrayMode, type RawChange, structuralDiff } from "./diff.js";
import { type EnvMode, hasPlaceholder, placeholderNames, resolveEnv } from "./env.js";
import { ConfigDiffError, isConfigDiffError } from "./errors.js";
import { BUILTIN_IGNORES, compileRules, type IgnoreRuleSpec, matchIgnore } from "./ignore.js";
import { lintConfig } from "./lint.js";
import { MAX_CONFIG_DEPTH, tooDeep } from "./load.js";
import { NORMALIZE_RULES, normalizeConfig } from "./normalize.js";
import { compilePointerGlob, getAt, type Segment, toDotted, toPointer } from "./pointer.js";
import {
  type Change,
  type DiffReport,
  type Disposition,
  FORMAT_VERSION,
  type LiveStatus,
  type SourceInfo,
} from "./report.js";
import {
  containsRedacted,
  describeSecret,
  isSensitiveChange,
  type LearnState,
  MASK,
  REDACTED_SENTINEL,
  SecretMasker,
} from "./secrets.js";

/** A config as loaded by a source (file, docker, gateway), or wrap a plain object with `configInput`. */
export interface LoadedConfig {
  readonly kind: SourceInfo["kind"];
  readonly label: string;
  readonly value: unknown;
  readonly live?: LiveStatus;
}

const LOADED = Symbol.for("@missionctl/config-diff/loaded");

export function configInput(
  value: unknown,
  label = "value",
  kind: SourceInfo["kind"] = "value",
  live?: LiveStatus,
): LoadedConfig {
  const c = { kind, label, value, ...(live ? { live } : {}) };
  Object.defineProperty(c, LOADED, { value: true });
  return c;
}

function asLoaded(input: unknown, fallbackLabel: string): LoadedConfig {
  if (input !== null && typeof input === "object" && (input as Record<symbol, unknown>)[LOADED])
    return input as LoadedConfig;
  return configInput(input, fallbackLabel);
}

export interface DiffOptions {
  /** How `${VAR}` placeholders compare (default `literal`). */
  envMode?: EnvMode;
  /** Variables for `resolve` mode (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Apply known OpenClaw rewrites before comparing (default true). */
  normalize?: boolean;
  /** Use the built-in ignore list for runtime-managed fields (default true). */
  builtinIgnores?: boolean;
  /** JSON-pointer globs to ignore (`/meta/**`, `!/x` to un-ignore), from flags or a file. */
  ignore?: (string | IgnoreRuleSpec)[];
  /** Per-path array comparison, pointer glob → `set` | `ordered`. Default: arrays of scalars as sets. */
  arrays?: Record<string, ArrayMode>;
  /** Also fail (exit 1) on these dispositions. */
  failOn?: "unverifiable"[];
  /** Report keys the pinned OpenClaw rejects or ignores. */
  lint?: boolean;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Compares the config that should run (`source`, e.g. what Ansible renders) with the one that
 * does (`runtime`). Sync and pure: pass parsed objects or what `loadConfigSource` returned.
 */
export function diffConfigs(source: unknown, runtime: unknown, options: DiffOptions = {}): DiffReport {
  const src = asLoaded(source, "source");
  const rt = asLoaded(runtime, "runtime");
  const envMode: EnvMode = options.envMode ?? "literal";
  // Secrets are learned from both configs, as written and as resolved: a value equal to one is
  // masked anywhere. Where the compared trees are the configs as written (literal and presence
  // modes; normalization only rewrites a few known non-secret keys, learned apart below), the
  // structural diff learns them on its walk: one visit of each node, and of what both share.
  // Otherwise (resolve mode, a live side without content) separate walks learn them first.
  // Either way a pathological depth is an input error, not a stack overflow: the first walk over
  // each config refuses it, as the same error, naming the source first when both nest too deep.
  const fused = envMode !== "resolve" && src.value !== undefined && rt.value !== undefined;
  const masker = new SecretMasker();
  const tooDeepInput = () => tooDeep(nestsDeeperThan(src.value, MAX_CONFIG_DEPTH) ? src.label : rt.label);
  if (!fused) for (const c of [src, rt]) if (!masker.add(c.value, MAX_CONFIG_DEPTH)) throw tooDeep(c.label);
  try {
    return compare(src, rt, envMode, options, masker, fused, tooDeepInput);
  } catch (err) {
    // A too-deep config is reported before anything else (a bad option), as when it was checked first.
    const deep = () => nestsDeeperThan(src.value, MAX_CONFIG_DEPTH) || nestsDeeperThan(rt.value, MAX_CONFIG_DEPTH);
    if (fused && !(isConfigDiffError(err) && err.code === "INPUT_TOO_DEEP") && deep()) throw tooDeepInput();
    throw err;
  }
}

function compare(
  src: LoadedConfig,
  rt: LoadedConfig,
  envMode: EnvMode,
  options: DiffOptions,
  masker: SecretMasker,
  fused: boolean,
  tooDeepInput: () => ConfigDiffError,
): DiffReport {
  if (!["literal", "resolve", "presence"].includes(envMode)) {
    throw new ConfigDiffError(
      "INVALID_OPTIONS",
      `envMode ${JSON.stringify(envMode)} is not one of literal, resolve, presence`,
    );
  }
  const normalize = options.normalize !== false;
  const failOn = options.failOn ?? [];

  const rules = compileRules(
    [
      ...(options.builtinIgnores === false ? [] : BUILTIN_IGNORES),
      ...(options.ignore ?? []).map((r) =>
        typeof r === "string" ? { pattern: r, origin: "flag" as const } : { origin: "flag" as const, ...r },
      ),
    ],
    "flag",
  );
  const suppressed = new Map<(typeof rules)[number], number>();

  const arrayRules = Object.entries(options.arrays ?? {}).map(([pattern, mode]) => {
    let glob: ReturnType<typeof compilePointerGlob>;
    try {
      glob = compilePointerGlob(pattern);
    } catch (err) {
      throw new ConfigDiffError("INVALID_OPTIONS", `array rule ${JSON.stringify(pattern)}: ${(err as Error).message}`);
    }
    // An array rule is exact (no prefix match): `/a` must not turn `/a/0/b` into ordered.
    const depth = pattern.split("/").length - 1;
    return { glob, mode, exact: !pattern.includes("**"), depth };
  });
  const arrayMode =
    arrayRules.length === 0
      ? undefined
      : (segs: readonly Segment[]): ArrayMode => {
          for (let i = arrayRules.length - 1; i >= 0; i--) {
            const r = arrayRules[i]!;
            if ((!r.exact || r.depth === segs.length) && r.glob.matchesSegments(segs)) return r.mode;
          }
          return "set";
        };

  // The compared trees: env resolved (resolve mode) then normalized. The display trees are as authored.
  let a = src.value;
  let b = rt.value;
  const pointerOf = (s: (string | number)[]) => toPointer(s);
  const unresolved = { a: new Set<string>(), b: new Set<string>() };
  if (envMode === "resolve") {
    const env = options.env ?? (typeof process !== "undefined" ? process.env : {});
    const ra = resolveEnv(a, env, pointerOf);
    const rb = resolveEnv(b, env, pointerOf);
    a = ra.value;
    b = rb.value;
    unresolved.a = ra.unresolved;
    unresolved.b = rb.unresolved;
  }
  const preNormA = a;
  const preNormB = b;
  const normEvents = new Map<string, { rule: string; segments: Segment[] }>();
  if (normalize) {
    const na = normalizeConfig(a);
    const nb = normalizeConfig(b);
    a = na.value;
    b = nb.value;
    for (const e of [...na.events, ...nb.events]) normEvents.set(toPointer(e.segments), e);
  }

  let raw: RawChange[];
  if (fused) {
    // What normalization rewrote or dropped is not in the compared trees: learned (and its depth
    // checked) as written. The rewritten values are the rules' constants, which hold no secret.
    const learner = masker.learner;
    for (const e of normEvents.values()) {
      const at = e.segments.reduce<LearnState>(
        (st, seg) => (typeof seg === "string" ? learner.child(st, seg) : st),
        learner.root,
      );
      for (const pre of [preNormA, preNormB]) {
        const g = getAt(pre, e.segments);
        if (g.found && !learner.whole(at, g.value, MAX_CONFIG_DEPTH - e.segments.length)) throw tooDeepInput();
      }
    }
    raw = structuralDiff(a, b, {
      ...(arrayMode ? { arrayMode } : {}),
      maxDepth: MAX_CONFIG_DEPTH,
      tooDeep: tooDeepInput,
      tracker: learner,
    });
  } else {
    masker.add(preNormA);
    masker.add(preNormB);
    // A live gateway with an invalid file returns no content: only its status can be reported.
    raw = a === undefined || b === undefined ? [] : structuralDiff(a, b, arrayMode ? { arrayMode } : {});
  }

  const isUnresolved = (segments: readonly Segment[]): boolean => {
    if (unresolved.a.size === 0 && unresolved.b.size === 0) return false;
    const pointer = toPointer(segments);
    return unresolved.a.has(pointer) || unresolved.b.has(pointer);
  };
  const changes: Change[] = [];
  const classify = (rc: RawChange, forced?: { disposition: Disposition; rule: string; note?: string }): void => {
    const hasBefore = rc.kind !== "added";
    const hasAfter = rc.kind !== "removed";
    let disposition: Disposition = "drift";
    let rule: string | undefined;
    let note: string | undefined;
    const ign = matchIgnore(rules, rc.segments);
    if (ign) {
      disposition = "ignored";
      rule = ign.pattern;
      suppressed.set(ign, (suppressed.get(ign) ?? 0) + 1);
    } else if (forced) {
      disposition = forced.disposition;
      rule = forced.rule;
      note = forced.note;
    } else if (rc.kind === "order-changed") {
      disposition = "normalized";
      rule = "array-as-set";
      note = "same elements in another order";
    } else if (
      (rc.kind === "changed" || rc.kind === "type-changed") &&
      (containsRedacted(rc.before) || containsRedacted(rc.after))
    ) {
      disposition = "unverifiable";
      note = `the gateway redacts this value (${REDACTED_SENTINEL}), so it cannot be compared`;
    } else if (envMode === "resolve" && isUnresolved(rc.segments)) {
      disposition = "unverifiable";
      const names = [rc.before, rc.after].flatMap((v) => (typeof v === "string" ? placeholderNames(v) : []));
      note = `environment variable(s) not set: ${[...new Set(names)].join(", ") || "unknown"}`;
    } else if (
      envMode === "presence" &&
      rc.kind === "changed" &&
      typeof rc.before === "string" &&
      typeof rc.after === "string" &&
      hasPlaceholder(rc.before) !== hasPlaceholder(rc.after)
    ) {
      disposition = "unverifiable";
      note = "a placeholder on one side and a literal on the other (env mode presence)";
    }

    // Display what was written, not what env resolution produced: resolved values may be secrets.
    // The compared value is the written one where the compared tree is the written tree.
    const shown = (tree: unknown, compared: unknown, fallback: unknown) => {
      if (tree === compared) return fallback;
      const g = getAt(tree, rc.segments);
      return g.found ? g.value : fallback;
    };
    const beforeRaw = hasBefore ? shown(src.value, a, rc.before) : undefined;
    const afterRaw = hasAfter ? shown(rt.value, b, rc.after) : undefined;
    const sensitive =
      isSensitiveChange(rc.segments, beforeRaw, afterRaw) ||
      masker.isKnownSecret(beforeRaw) ||
      masker.isKnownSecret(afterRaw);
    const shownSegments = rc.segments.map((seg) => masker.segment(seg));
    const c: Change = {
      pointer: toPointer(shownSegments),
      path: toDotted(shownSegments),
      kind: rc.kind,
      disposition,
      severity:
        disposition === "drift"
          ? "error"
          : disposition === "unverifiable"
            ? failOn.includes("unverifiable")
              ? "error"
              : "warning"
            : "info",
      sensitive,
    };
    if (sensitive) {
      if (hasBefore) {
        c.before =
          beforeRaw === REDACTED_SENTINEL || isPlainObject(beforeRaw) ? masker.maskValue(beforeRaw, rc.segments) : MASK;
        c.beforeShape = describeSecret(beforeRaw);
      }
      if (hasAfter) {
        c.after =
          afterRaw === REDACTED_SENTINEL || isPlainObject(afterRaw) ? masker.maskValue(afterRaw, rc.segments) : MASK;
        c.afterShape = describeSecret(afterRaw);
      }
      // A bare placeholder names a variable, not a value: keep it visible in the masked slot.
      if (hasBefore && typeof beforeRaw === "string" && /^\$\{[A-Z_][A-Z0-9_]*\}$/.test(beforeRaw))
        c.before = beforeRaw;
      if (hasAfter && typeof afterRaw === "string" && /^\$\{[A-Z_][A-Z0-9_]*\}$/.test(afterRaw)) c.after = afterRaw;
    } else {
      if (hasBefore) c.before = masker.maskValue(beforeRaw, rc.segments);
      if (hasAfter) c.after = masker.maskValue(afterRaw, rc.segments);
    }
    if (rule !== undefined) c.rule = rule;
    if (note !== undefined) c.note = masker.text(note);
    if (rc.root) c.root = toPointer(rc.root.map((seg) => masker.segment(seg)));
    changes.push(c);
  };

  for (const rc of raw) classify(rc);

  // Rewrites that made two different spellings equal are reported as `normalized`.
  for (const e of normEvents.values()) {
    const ra = getAt(preNormA, e.segments);
    const rb = getAt(preNormB, e.segments);
    const na = getAt(a, e.segments);
    const nb = getAt(b, e.segments);
    const sameAfter = na.found === nb.found && (!na.found || JSON.stringify(na.value) === JSON.stringify(nb.value));
    const sameBefore = ra.found === rb.found && (!ra.found || JSON.stringify(ra.value) === JSON.stringify(rb.value));
    if (!sameAfter || sameBefore) continue;
    const kind = ra.found && rb.found ? "changed" : ra.found ? "removed" : "added";
    const ruleDef = NORMALIZE_RULES.find((r) => r.id === e.rule);
    classify(
      {
        segments: e.segments,
        kind,
        ...(ra.found ? { before: ra.value } : {}),
        ...(rb.found ? { after: rb.value } : {}),
      },
      { disposition: "normalized", rule: e.rule, ...(ruleDef ? { note: ruleDef.description } : {}) },
    );
  }

  changes.sort((x, y) =>
    x.pointer < y.pointer ? -1 : x.pointer > y.pointer ? 1 : x.kind < y.kind ? -1 : x.kind > y.kind ? 1 : 0,
  );

  const lint = options.lint
    ? [...lintConfig(src.value, "source"), ...lintConfig(rt.value, "runtime")].map((f) => ({
        ...f,
        path: masker.text(f.path),
        message: masker.text(f.message),
      }))
    : undefined;
  const rawLive = rt.live ?? src.live;
  // The gateway's validation messages quote the config: they are masked like values.
  const live = rawLive && {
    ...rawLive,
    issues: rawLive.issues.map((i) => ({ path: masker.text(i.path), message: masker.text(i.message) })),
    legacyIssues: rawLive.legacyIssues.map((i) => ({ path: masker.text(i.path), message: masker.text(i.message) })),
  };

  const count = (d: Disposition) => changes.filter((c) => c.disposition === d).length;
  const summary = {
    drift: count("drift"),
    ignored: count("ignored"),
    normalized: count("normalized"),
    unverifiable: count("unverifiable"),
    lintErrors: lint?.filter((f) => f.severity === "error").length ?? 0,
    lintWarnings: lint?.filter((f) => f.severity === "warning").length ?? 0,
    liveMismatch: live ? !live.applied || !live.valid : false,
  };
  const failing =
    summary.drift > 0 ||
    summary.lintErrors > 0 ||
    summary.liveMismatch ||
    (failOn.includes("unverifiable") && summary.unverifiable > 0);

  return {
    formatVersion: FORMAT_VERSION,
    status: failing ? "drift" : "no-drift",
    exitCode: failing ? 1 : 0,
    sources: { source: { label: src.label, kind: src.kind }, runtime: { label: rt.label, kind: rt.kind } },
    summary,
    changes,
    rules: rules.map((r) => ({
      pattern: r.pattern,
      origin: r.origin,
      ...(r.reason ? { reason: r.reason } : {}),
      suppressed: suppressed.get(r) ?? 0,
    })),
    ...(lint ? { lint } : {}),
    ...(live ? { live } : {}),
    options: { envMode, normalize, failOn: [...failOn] },
  };
}
