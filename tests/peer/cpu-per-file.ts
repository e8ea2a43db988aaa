// With MC_TEST_CPU_LOG=<file>, each test file appends one line "<cpu s>\t<wall s>\t<path>": the CPU
// of its vitest fork plus every child it reaped (gateways, CLIs, Chromium). The machine running the
// test command is CPU-bound, so this, not wall time, says which file to make cheaper.
// (Each file gets a fresh fork: the forks pool isolates files.)
import { appendFileSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { afterAll } from "vitest";

const logFile = process.env.MC_TEST_CPU_LOG;

/** utime + stime + cutime + cstime of this process, in seconds (Linux /proc; clock ticks are 100 Hz). */
function cpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the ")" field 3 (state) is index 0, so utime (14) is index 11.
  return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) / 100;
}

if (logFile) {
  const started = performance.now();
  // Registered before the file's own hooks, so it runs after them (after hooks run in stack order):
  // gateways stopped in the file's afterAll are already reaped and counted.
  afterAll((suite) => {
    const path = "filepath" in suite && typeof suite.filepath === "string" ? suite.filepath : "?";
    const wall = (performance.now() - started) / 1000;
    appendFileSync(logFile, `${cpuSeconds().toFixed(1)}\t${wall.toFixed(1)}\t${relative(process.cwd(), path)}\n`);
  });
}
