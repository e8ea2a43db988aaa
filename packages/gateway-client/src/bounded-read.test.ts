import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeBoundedReadFailure, readFileBounded, readFileBoundedSync } from "./bounded-read.js";

const dir = mkdtempSync(join(tmpdir(), "bounded-read-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readFileBounded", () => {
  it("reads a regular file within the cap", async () => {
    const f = join(dir, "ok.txt");
    writeFileSync(f, "héllo");
    expect(await readFileBounded(f, { maxBytes: 64 })).toEqual({ ok: true, text: "héllo" });
    expect(readFileBoundedSync(f, { maxBytes: 64 })).toEqual({ ok: true, text: "héllo" });
  });

  it("refuses a file above the cap before reading it", async () => {
    const f = join(dir, "big.txt");
    writeFileSync(f, "x".repeat(1000));
    const r = await readFileBounded(f, { maxBytes: 999 });
    expect(r).toMatchObject({ ok: false, reason: "too-large", bytes: 1000, maxBytes: 999 });
    expect(describeBoundedReadFailure(r as never)).toBe("is 1000 bytes, above the limit of 999");
    expect(readFileBoundedSync(f, { maxBytes: 999 })).toMatchObject({ ok: false, reason: "too-large" });
  });

  it("refuses /dev/zero, a FIFO and a directory at once instead of reading or blocking", async () => {
    const fifo = join(dir, "fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const started = Date.now();
    for (const [path, kind] of [
      ["/dev/zero", "a character device"],
      [fifo, "a FIFO (named pipe)"],
      [dir, "a directory"],
    ] as const) {
      expect(await readFileBounded(path, { maxBytes: 1024, timeoutMs: 5_000 })).toEqual({
        ok: false,
        reason: "not-regular",
        kind,
      });
      expect(readFileBoundedSync(path, { maxBytes: 1024 })).toMatchObject({ reason: "not-regular", kind });
    }
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("reports a missing file with its code", async () => {
    const r = await readFileBounded(join(dir, "nope"), { maxBytes: 10 });
    expect(r).toMatchObject({ ok: false, reason: "fs", code: "ENOENT" });
    expect(describeBoundedReadFailure(r as never)).toBe("no such file");
  });
});
