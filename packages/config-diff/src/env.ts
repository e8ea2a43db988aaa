import { ConfigDiffError } from "./errors.js";
import { readTextFile } from "./load.js";

/**
 * How `${VAR}` placeholders are compared.
 * - literal: as written (the runtime file keeps placeholders, OpenClaw restores them on write)
 * - resolve: substituted from the environment / an env file first; a missing variable stays
 *   a placeholder and makes the comparison unverifiable
 * - presence: a placeholder on one side and a literal on the other is unverifiable, not drift
 */
export type EnvMode = "literal" | "resolve" | "presence";

// OpenClaw's rules: only uppercase names; `$${VAR}` is the escape for a literal `${VAR}`.
const TOKEN = /\$?\$\{([A-Z_][A-Z0-9_]*)\}/g;

export function placeholderNames(s: string): string[] {
  const names: string[] = [];
  for (const m of s.matchAll(TOKEN)) if (!m[0].startsWith("$$")) names.push(m[1]!);
  return names;
}

export function hasPlaceholder(v: unknown): v is string {
  return typeof v === "string" && v.includes("${") && placeholderNames(v).length > 0;
}

/** Substitutes placeholders in one string; `missing` lists the names with no (or an empty) value. */
export function substitute(s: string, env: Record<string, string | undefined>): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = s.replace(TOKEN, (whole, name: string) => {
    if (whole.startsWith("$$")) return whole.slice(1);
    const v = env[name];
    if (v === undefined || v === "") {
      missing.push(name);
      return whole;
    }
    return v;
  });
  return { value, missing };
}

export interface EnvResult {
  value: unknown;
  /** Pointers (as segment paths joined) of strings whose placeholders could not be resolved. */
  unresolved: Set<string>;
}

/** Applies resolve mode to a whole config; other modes leave it untouched. */
export function resolveEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  pointerOf: (segs: (string | number)[]) => string,
): EnvResult {
  const unresolved = new Set<string>();
  const segs: (string | number)[] = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      if (!v.includes("${")) return v;
      const { value: out, missing } = substitute(v, env);
      if (missing.length) unresolved.add(pointerOf(segs));
      return out;
    }
    if (Array.isArray(v)) {
      return v.map((item, i) => {
        segs.push(i);
        const r = walk(item);
        segs.pop();
        return r;
      });
    }
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        segs.push(k);
        out[k] = walk(item);
        segs.pop();
      }
      return out;
    }
    return v;
  };
  return { value: walk(value), unresolved };
}

/** Parses a dotenv file (KEY=VALUE, `export`, quotes, comments). Values never reach error messages. */
export function parseEnvFile(text: string, label: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      throw new ConfigDiffError("ENV_FILE_INVALID", `${label}:${i + 1}: expected KEY=VALUE — fix or remove the line`, {
        file: label,
        line: i + 1,
      });
    }
    let v = m[2]!;
    const q = v[0];
    if ((q === '"' || q === "'") && v.length >= 2 && v.endsWith(q)) {
      v = v.slice(1, -1);
      if (q === '"') v = v.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    } else {
      const hash = v.search(/\s#/);
      if (hash >= 0) v = v.slice(0, hash).trimEnd();
    }
    out[m[1]!] = v;
  }
  return out;
}

export function loadEnvFile(file: string): Record<string, string> {
  return parseEnvFile(readTextFile(file), file);
}
