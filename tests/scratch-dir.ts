// Temp folders for a test file, removed after its last test. A test run must leave nothing in
// /tmp: on a Raspberry Pi /tmp is often a tmpfs, so every folder left behind is RAM, and a CI run
// is repeated for every change.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/** Call at the top of a test file; the returned maker's folders go when the file's tests are done. */
export function scratchDirs(): (prefix: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
