import { realpathSync } from "node:fs";
import { dirname, isAbsolute, normalize, relative, resolve, sep } from "node:path";
import {
  type BoundedReadFailure,
  describeBoundedReadFailure,
  nestsDeeperThan,
  readFileBounded,
  readFileBoundedSync,
} from "@missionctl/gateway-client";
import JSON5 from "json5";
import { ConfigDiffError } from "./errors.js";

/**
 * Parses JSON5 (what OpenClaw reads) and turns a syntax error into `file:line:col` without
 * echoing the offending text: a config line can hold a secret.
 */
export function parseJson5(text: string, label: string): unknown {
  let value: unknown;
  try {
    value = JSON5.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    // JSON5's parser recurses: a deep enough input exhausts the stack before any syntax error.
    if (err instanceof RangeError) throw tooDeep(label);
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
  if (nestsDeeperThan(value, MAX_CONFIG_DEPTH)) throw tooDeep(label);
  return value;
}

// OpenClaw's limits (src/config/includes.ts in 2026.9.6).
export const INCLUDE_MAX_DEPTH = 10;
export const INCLUDE_MAX_FILE_BYTES = 2 * 1024 * 1024;
export const INCLUDE_MAX_PATH_LENGTH = 4096;

/** Reads a small side file (env file, ignore file, token file): regular, at most `maxBytes`. */
export function readTextFile(file: string, maxBytes: number = SIDE_FILE_MAX_BYTES): string {
  const r = readFileBoundedSync(file, { maxBytes });
  if (!r.ok) throw fileError(file, r);
  return r.text;
}

/**
 * Reads a top-level config file the way includes are read: a regular file only (a FIFO or
 * `/dev/zero` is refused at once), at most `maxBytes`, within `timeoutMs`.
 */
export async function readConfigFile(file: string, limits: ReadLimits = {}): Promise<string> {
  const maxBytes = limits.maxBytes ?? MAX_CONFIG_FILE_BYTES;
  const r = await readFileBounded(file, { maxBytes, timeoutMs: limits.timeoutMs ?? READ_TIMEOUT_MS });
  if (!r.ok) throw fileError(file, r);
  return r.text;
}

/** Reads standard input within the same size cap and deadline as a file. */
export function readStdinBounded(
  stream: NodeJS.ReadableStream & { destroy?: () => void },
  limits: ReadLimits = {},
): Promise<string> {
  const maxBytes = limits.maxBytes ?? MAX_CONFIG_FILE_BYTES;
  const timeoutMs = limits.timeoutMs ?? READ_TIMEOUT_MS;
  const label = "<stdin>";
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = (err: Error | null, text?: string) => {
      clearTimeout(timer);
      stream.removeListener("data", onData);
      stream.removeListener("end", onEnd);
      stream.removeListener("error", onError);
      // Stop reading: a pipe that keeps writing, or a terminal nobody types into, must not hold the process.
      if (err) stream.destroy?.();
      if (err) reject(err);
      else resolve(text!);
    };
    const onData = (d: Buffer | string) => {
      const b = typeof d === "string" ? Buffer.from(d) : d;
      total += b.length;
      if (total > maxBytes)
        return done(fileError(label, { ok: false, reason: "too-large", bytes: total, maxBytes, whileReading: true }));
      chunks.push(b);
    };
    const onEnd = () => done(null, Buffer.concat(chunks, total).toString("utf8"));
    const onError = (e: unknown) =>
      done(
        new ConfigDiffError(
          "FILE_UNREADABLE",
          `${label}: cannot read standard input — pipe a config into --source -`,
          { file: label },
          { cause: e },
        ),
      );
    const timer = setTimeout(() => done(fileError(label, { ok: false, reason: "timeout", timeoutMs })), timeoutMs);
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onError);
  });
}

export interface ReadLimits {
  /** Default MAX_CONFIG_FILE_BYTES. */
  maxBytes?: number;
  /** Default READ_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** A config file above this is refused (OpenClaw's own limit for an included file). */
export const MAX_CONFIG_FILE_BYTES = INCLUDE_MAX_FILE_BYTES;
/** Env, ignore and token files. */
const SIDE_FILE_MAX_BYTES = 1024 * 1024;
export const READ_TIMEOUT_MS = 10_000;
/** Deeper configs are refused with INPUT_TOO_DEEP: OpenClaw's own schema nests about ten levels. */
export const MAX_CONFIG_DEPTH = 100;

function fileError(file: string, f: BoundedReadFailure): ConfigDiffError {
  const reason = describeBoundedReadFailure(f);
  switch (f.reason) {
    case "not-regular":
      return new ConfigDiffError(
        "FILE_NOT_REGULAR",
        `${file}: ${reason} — pass the config file itself (pipe other input into --source - or --runtime -)`,
        { file },
      );
    case "too-large":
      return new ConfigDiffError(
        "FILE_TOO_LARGE",
        `${file}: ${reason} — check that this is the gateway config, or raise the limit with --max-file-bytes`,
        { file },
      );
    case "timeout":
      return new ConfigDiffError(
        "READ_TIMEOUT",
        `${file}: ${reason} — check the file system (a stalled network mount?) or raise --timeout`,
        { file },
      );
    default:
      return new ConfigDiffError(
        "FILE_UNREADABLE",
        `${file}: ${reason} — check the path and that this user may read it`,
        { file },
        { cause: f.cause },
      );
  }
}

/** A config nested deeper than MAX_CONFIG_DEPTH, as an input error (exit 2) rather than a stack overflow. */
export function tooDeep(label: string): ConfigDiffError {
  return new ConfigDiffError(
    "INPUT_TOO_DEEP",
    `${label}: nests deeper than ${MAX_CONFIG_DEPTH} levels of objects and arrays — this is not an OpenClaw config (check the file)`,
    { file: label },
  );
}

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
      const r = readFileBoundedSync(p, { maxBytes: INCLUDE_MAX_FILE_BYTES });
      if (!r.ok) throw new Error(describeBoundedReadFailure(r));
      return r.text;
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
