import { describeBoundedReadFailure, readFileBoundedSync } from "@missionctl/gateway-client";
import { parse as parseYaml } from "yaml";
import * as z from "zod";
import { ConfigDiffError } from "./errors.js";
import { compilePointerGlob, type PointerGlob, parsePointer, type Segment } from "./pointer.js";

export type RuleOrigin = "builtin" | "flag" | "file";

/** One ignore rule; `suppressed` counts the changes it hid in the last diff. */
export interface IgnoreRuleSpec {
  pattern: string;
  reason?: string;
  origin?: RuleOrigin;
}

/** Runtime-managed fields OpenClaw writes by itself (config-diff-and-style.md §3.5). */
export const BUILTIN_IGNORES: readonly IgnoreRuleSpec[] = [
  {
    pattern: "/meta/**",
    reason: "stamped by OpenClaw on every config write (lastTouchedVersion, migrations)",
    origin: "builtin",
  },
  { pattern: "/wizard/**", reason: "written by onboard/configure/doctor", origin: "builtin" },
  {
    pattern: "/commands/ownerDisplaySecret",
    reason: "auto-generated secret persisted by the gateway",
    origin: "builtin",
  },
];

export interface CompiledRule {
  pattern: string;
  negate: boolean;
  reason?: string;
  origin: RuleOrigin;
  glob: PointerGlob;
}

export function compileRules(specs: readonly IgnoreRuleSpec[], defaultOrigin: RuleOrigin): CompiledRule[] {
  return specs.map((s) => {
    const negate = s.pattern.startsWith("!");
    const raw = negate ? s.pattern.slice(1) : s.pattern;
    let glob: PointerGlob;
    try {
      glob = compilePointerGlob(raw);
    } catch (err) {
      throw new ConfigDiffError(
        "INVALID_OPTIONS",
        `ignore pattern ${JSON.stringify(s.pattern)}: ${(err as Error).message}`,
        {},
        { cause: err },
      );
    }
    return {
      pattern: s.pattern,
      negate,
      origin: s.origin ?? defaultOrigin,
      glob,
      ...(s.reason ? { reason: s.reason } : {}),
    };
  });
}

/**
 * gitignore semantics: the last matching rule wins, and `!pattern` un-ignores. `at`: a JSON
 * pointer, or its segments (what a diff has at hand: no pointer to join and parse per rule).
 */
export function matchIgnore(rules: readonly CompiledRule[], at: string | readonly Segment[]): CompiledRule | undefined {
  const segments = typeof at === "string" ? parsePointer(at) : at;
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i]!;
    if (r.glob.matchesSegments(segments)) return r.negate ? undefined : r;
  }
  return undefined;
}

const pointerGlob = z.string().refine((s) => s === "" || s.startsWith("/") || s.startsWith("!/"), {
  message: 'must be a JSON pointer glob starting with "/" (or "!/" to un-ignore), e.g. "/meta/**"',
});

export const IgnoreFileSchema = z
  .object({
    version: z.literal(1).optional(),
    ignore: z
      .array(z.union([pointerGlob, z.object({ pointer: pointerGlob, reason: z.string().optional() }).strict()]))
      .optional(),
    arrays: z.record(z.string().startsWith("/"), z.enum(["set", "ordered"])).optional(),
    envMode: z.enum(["literal", "resolve", "presence"]).optional(),
    builtinIgnores: z.boolean().optional(),
    failOn: z.array(z.enum(["unverifiable"])).optional(),
  })
  .strict();

export type IgnoreFile = z.infer<typeof IgnoreFileSchema>;

/** Loads and validates `.config-diff.yaml`; issues name the path, never the value. */
const IGNORE_FILE_MAX_BYTES = 1024 * 1024;

export function loadIgnoreFile(file: string): IgnoreFile {
  const r = readFileBoundedSync(file, { maxBytes: IGNORE_FILE_MAX_BYTES });
  if (!r.ok) {
    throw new ConfigDiffError(
      r.reason === "not-regular" ? "FILE_NOT_REGULAR" : r.reason === "too-large" ? "FILE_TOO_LARGE" : "FILE_UNREADABLE",
      `${file}: cannot read the ignore file (${describeBoundedReadFailure(r)}) — check --ignore-file`,
      { file },
      r.reason === "fs" ? { cause: r.cause } : {},
    );
  }
  return parseIgnoreFile(r.text, file);
}

export function parseIgnoreFile(text: string, label: string): IgnoreFile {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    const pos = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const where = pos ? `${label}:${pos.line}:${pos.col}` : label;
    throw new ConfigDiffError("IGNORE_FILE_INVALID", `${where}: invalid YAML — fix the ignore file`, {
      file: label,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
    });
  }
  const res = IgnoreFileSchema.safeParse(data ?? {});
  if (!res.success) {
    const issues = res.error.issues.map((i) => {
      const at = i.path.length ? i.path.map(String).join(".") : "(root)";
      // zod v4 messages name what was expected, not the received value.
      const msg = i.message;
      return `${at}: ${msg}`;
    });
    throw new ConfigDiffError(
      "IGNORE_FILE_INVALID",
      `${label}: invalid ignore file: ${issues.join("; ")} — see the README section "Ignore file"`,
      { file: label },
    );
  }
  return res.data;
}
