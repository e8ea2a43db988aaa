import { readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, normalize, relative, resolve, sep } from "node:path";
import JSON5 from "json5";
import { ConfigDiffError } from "./errors.js";

/**
 * Parses JSON5 (what OpenClaw reads) and turns a syntax error into `file:line:col` without
 * echoing the offending text: a config line can hold a secret.
 */
export function parseJson5(text: string, label: string): unknown {
  try {
    return JSON5.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    const e = err as { lineNumber?: number; columnNumber?: number; message?: string };
    const line = e.lineNumber;
    const column = e.columnNumber;
    const reason = /end of input/i.test(e.message ?? "") ? "unexpected end of input" : "invalid JSON5 syntax";
    const where = line !== undefined ? `${label}:${line}:${column ?? 1}` : label;
    throw new ConfigDiffError(
      "PARSE_ERROR",
      `${where}: ${reason} — fix the file so that it parses as JSON5 (OpenClaw rejects it too)`,
      { file: label, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}) },
    );
  }
}

export function readTextFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "EISDIR"
            ? "is a directory"
            : `cannot read (${code ?? "unknown error"})`;
    throw new ConfigDiffError(
      "FILE_UNREADABLE",
      `${file}: ${reason} — check the path and that this user may read it`,
      { file },
      { cause: err },
    );
  }
}

// OpenClaw's limits (src/config/includes.ts in 2026.9.6).
export const INCLUDE_MAX_DEPTH = 10;
export const INCLUDE_MAX_FILE_BYTES = 2 * 1024 * 1024;
export const INCLUDE_MAX_PATH_LENGTH = 4096;

export interface IncludeOptions {
  /** The config file the includes are relative to; its folder is the include root. */
  configPath: string;
  /** Extra absolute roots, like OpenClaw's OPENCLAW_INCLUDE_ROOTS. */
  allowedRoots?: string[];
  /** Reads an include file; defaults to the local file system. */
  readFile?: (absPath: string) => string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel) && !rel.startsWith(`..${sep}`));
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

// OpenClaw merges include arrays with arrays concatenated, objects merged, last scalar wins.
function mergeDeep(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? mergeDeep(out[k], v) : v;
    return out;
  }
  return b;
}

/** Resolves `$include` directives the way OpenClaw does, with its depth, size and root limits. */
export function resolveIncludes(value: unknown, options: IncludeOptions): unknown {
  const configPath = resolve(options.configPath);
  const roots = [dirname(configPath), ...(options.allowedRoots ?? []).filter((r) => isAbsolute(r))].map((r) => ({
    lexical: normalize(r),
    real: normalize(safeRealpath(r)),
  }));
  const fail = (msg: string, includePath: string, cause?: unknown): never => {
    throw new ConfigDiffError(
      "INCLUDE_ERROR",
      `${configPath}: $include ${JSON.stringify(includePath)}: ${msg}`,
      { file: configPath },
      { cause },
    );
  };
  const read =
    options.readFile ??
    ((p: string) => {
      const st = statSync(p);
      if (!st.isFile() || st.size > INCLUDE_MAX_FILE_BYTES) throw new Error("not a regular file or too large");
      return readFileSync(p, "utf8");
    });

  const loadFile = (includePath: string, base: string, visited: string[], depth: number): unknown => {
    if (includePath.includes("\0")) fail("the path contains a null byte", includePath);
    if (includePath.length >= INCLUDE_MAX_PATH_LENGTH)
      fail(`the path is longer than ${INCLUDE_MAX_PATH_LENGTH - 1} characters`, includePath);
    const abs = normalize(isAbsolute(includePath) ? includePath : resolve(dirname(base), includePath));
    if (!roots.some((r) => isInside(r.lexical, abs)))
      fail(`escapes the config directory ${roots[0]!.lexical} — keep included files next to the config`, includePath);
    const real = safeRealpath(abs);
    if (!roots.some((r) => isInside(r.real, real)))
      fail("resolves outside the config directory through a symlink", includePath);
    if (visited.includes(abs)) fail(`circular include: ${[...visited, abs].join(" -> ")}`, includePath);
    if (depth >= INCLUDE_MAX_DEPTH) fail(`maximum include depth (${INCLUDE_MAX_DEPTH}) exceeded`, includePath);
    let text: string;
    try {
      text = read(abs);
    } catch (err) {
      return fail(
        `cannot read ${abs} (must be a regular file of at most ${INCLUDE_MAX_FILE_BYTES} bytes)`,
        includePath,
        err,
      );
    }
    if (Buffer.byteLength(text) > INCLUDE_MAX_FILE_BYTES)
      fail(`larger than ${INCLUDE_MAX_FILE_BYTES} bytes`, includePath);
    const parsed = parseJson5(text, abs);
    return walk(parsed, abs, [...visited, abs], depth + 1);
  };

  const walk = (node: unknown, base: string, visited: string[], depth: number): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, base, visited, depth));
    if (!isPlainObject(node)) return node;
    if (!("$include" in node)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v, base, visited, depth);
      return out;
    }
    const inc = node.$include;
    let included: unknown;
    if (typeof inc === "string") included = loadFile(inc, base, visited, depth);
    else if (Array.isArray(inc)) {
      included = {};
      for (const item of inc) {
        if (typeof item !== "string") fail(`array items must be strings, got ${typeof item}`, String(item));
        included = mergeDeep(included, loadFile(item as string, base, visited, depth));
      }
    } else return fail(`expected a string or an array of strings, got ${typeof inc}`, String(inc));
    const siblings = Object.keys(node).filter((k) => k !== "$include");
    if (siblings.length === 0) return included;
    if (!isPlainObject(included)) fail("sibling keys require the included content to be an object", String(inc));
    const rest: Record<string, unknown> = {};
    for (const k of siblings) rest[k] = walk(node[k], base, visited, depth);
    return mergeDeep(included, rest);
  };

  return walk(value, configPath, [configPath], 0);
}
