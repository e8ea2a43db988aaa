import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";

export interface BoundedReadOptions {
  /** Refuse files larger than this (checked before reading, and again while reading). */
  maxBytes: number;
  /** Give up after this long. Default 10 s. */
  timeoutMs?: number;
}

/** Why a bounded read gave up: each caller words it in its own error class. */
export type BoundedReadFailure =
  | { ok: false; reason: "not-regular"; kind: string }
  | { ok: false; reason: "too-large"; bytes: number; maxBytes: number; whileReading?: true }
  | { ok: false; reason: "timeout"; timeoutMs: number }
  | { ok: false; reason: "fs"; code: string; cause: unknown };

export type BoundedReadResult = { ok: true; text: string } | BoundedReadFailure;

function kindOf(st: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isSocket(): boolean }) {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/** A short sentence for a failure: "is a FIFO (named pipe), not a regular file", "is 52428800 bytes, above the limit of 2097152". */
export function describeBoundedReadFailure(f: BoundedReadFailure): string {
  switch (f.reason) {
    case "not-regular":
      return `is ${f.kind}, not a regular file`;
    case "too-large":
      return f.whileReading
        ? `grew past the limit of ${f.maxBytes} bytes while being read`
        : `is ${f.bytes} bytes, above the limit of ${f.maxBytes}`;
    case "timeout":
      return `could not be read within ${f.timeoutMs} ms`;
    default:
      return f.code === "ENOENT"
        ? "no such file"
        : f.code === "EACCES" || f.code === "EPERM"
          ? "permission denied"
          : `cannot be read (${f.code})`;
  }
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0);

function fsFailure(err: unknown): BoundedReadFailure {
  const code = (err as NodeJS.ErrnoException).code ?? "error";
  if (code === "EISDIR") return { ok: false, reason: "not-regular", kind: "a directory" };
  return { ok: false, reason: "fs", code, cause: err };
}

/** The synchronous twin of readFileBounded, for small files read while parsing flags (no deadline). */
export function readFileBoundedSync(path: string, options: { maxBytes: number }): BoundedReadResult {
  const max = options.maxBytes;
  let fd: number | undefined;
  try {
    fd = openSync(path, OPEN_FLAGS);
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, reason: "not-regular", kind: kindOf(st) };
    if (st.size > max) return { ok: false, reason: "too-large", bytes: st.size, maxBytes: max };
    const buf = Buffer.allocUnsafe(max + 1);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, total, max + 1 - total, null);
      if (n === 0) break;
      total += n;
      if (total > max) return { ok: false, reason: "too-large", bytes: total, maxBytes: max, whileReading: true };
    }
    return { ok: true, text: buf.toString("utf8", 0, total) };
  } catch (err) {
    return fsFailure(err);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Reads a regular file as UTF-8, within a size cap and a deadline. The file is opened
 * non-blocking, so a FIFO is refused at once instead of waiting forever for a writer, and
 * `/dev/zero` or a growing file stops at `maxBytes` instead of filling memory.
 */
export async function readFileBounded(path: string, options: BoundedReadOptions): Promise<BoundedReadResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const max = options.maxBytes;
  let fh: FileHandle | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<BoundedReadFailure>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: "timeout", timeoutMs }), timeoutMs);
  });
  const work = (async (): Promise<BoundedReadResult> => {
    try {
      fh = await open(path, OPEN_FLAGS);
      const st = await fh.stat();
      if (!st.isFile()) return { ok: false, reason: "not-regular", kind: kindOf(st) };
      if (st.size > max) return { ok: false, reason: "too-large", bytes: st.size, maxBytes: max };
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const buf = Buffer.allocUnsafe(Math.min(64 * 1024, max + 1 - total));
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        chunks.push(buf.subarray(0, bytesRead));
        total += bytesRead;
        // The file grew after the stat: stop at the cap rather than follow it.
        if (total > max) return { ok: false, reason: "too-large", bytes: total, maxBytes: max, whileReading: true };
      }
      return { ok: true, text: Buffer.concat(chunks, total).toString("utf8") };
    } catch (err) {
      return fsFailure(err);
    }
  })();
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    // A read still pending after the deadline closes the file when it returns.
    void work.finally(() => fh?.close().catch(() => undefined));
  }
}
