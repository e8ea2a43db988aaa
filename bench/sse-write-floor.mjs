// The floor under bench/mc-server.bench.mjs's SSE fan-out on this machine: how long one frame
// takes to reach N loopback TCP clients when the server does nothing but write it, once per
// socket. Two servers, measured in the same rounds (interleaved), read by the same reader as
// mc-server.bench.mjs (bench/sse-reader.mjs: one process, net's onread, Buffer search):
//   - node:net: a net.Server that write()s one Buffer to each socket (Node's floor: no HTTP,
//     no store, no routing);
//   - C (when `cc` is installed): the same loop with write(2), compiled here (the kernel's floor).
// A round starts when the reader sends one byte on a control connection; each client's latency
// is from that send to the frame's arrival, as mc-server.bench.mjs measures from its PATCH.
//   node bench/sse-write-floor.mjs            (BENCH_SSE_CLIENTS=1000, BENCH_SSE_CLIENTS_LARGE=5000,
//                                               BENCH_SSE_ROUNDS=20, BENCH_FRAME_BYTES=700)
// Prints p50/p99 per server and size, the write(2) time per client, the load average, and a JSON line.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./mc-server-process.mjs";
import { awaitRound, openClients, startRound } from "./sse-reader.mjs";

const SIZES = [Number(process.env.BENCH_SSE_CLIENTS ?? 1000), Number(process.env.BENCH_SSE_CLIENTS_LARGE ?? 5000)];
const ROUNDS = Number(process.env.BENCH_SSE_ROUNDS ?? 20);
const FRAME_BYTES = Number(process.env.BENCH_FRAME_BYTES ?? 700);

// Two servers of the largest size in this process, one socket each on the servers' side.
const fdsNeeded = 2 * Math.max(...SIZES) + 512;
const soft = (() => {
  try {
    return Number(
      /Max open files\s+(\d+|unlimited)/
        .exec(readFileSync("/proc/self/limits", "utf8"))?.[1]
        .replace("unlimited", "Infinity"),
    );
  } catch {
    return Number.POSITIVE_INFINITY; // not Linux: an EMFILE says the limit is too low
  }
})();
if (soft < fdsNeeded) {
  if (process.env.MC_BENCH_FD_RAISED) {
    console.error(`[bench] could not raise the file descriptor limit to ${fdsNeeded} (ulimit -Hn too low?)`);
    process.exit(2);
  }
  const again = spawnSync(
    "/bin/sh",
    ["-c", `ulimit -n ${fdsNeeded} && exec "$0" "$@"`, process.execPath, ...process.argv.slice(1)],
    {
      stdio: "inherit",
      env: { ...process.env, MC_BENCH_FD_RAISED: "1" },
    },
  );
  process.exit(again.status ?? 1);
}

const dir = mkdtempSync(join(tmpdir(), "sse-floor-"));
const children = [];
process.on("exit", () => {
  for (const c of children) c.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

// Both servers: accept `n` clients and then the control connection; each byte read on the
// control connection writes the frame (a marker byte at its start, filler after) to every client.
const NODE_SERVER = `
const net = require("node:net");
const [n, port, bytes] = process.argv.slice(1).map(Number);
const clients = [];
let control = null;
net.createServer((s) => {
  s.setNoDelay(true);
  if (clients.length < n) { clients.push(s); return; }
  control = s;
  s.on("data", (d) => {
    for (const m of d) { const frame = Buffer.alloc(bytes, 120); frame[0] = m; for (const c of clients) c.write(frame); }
  });
}).listen(port, "127.0.0.1", () => process.stdout.write("ready\\n"));`;

const C_SERVER = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>
int main(int argc, char **argv) {
  int n = atoi(argv[1]), port = atoi(argv[2]), bytes = atoi(argv[3]), one = 1;
  int l = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET; a.sin_port = htons(port); a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 4096)) { perror("listen"); return 1; }
  printf("ready\\n"); fflush(stdout);
  int *fd = malloc(sizeof(int) * n);
  for (int i = 0; i < n; i++) { fd[i] = accept(l, 0, 0); setsockopt(fd[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); }
  int control = accept(l, 0, 0);
  char *frame = malloc(bytes); memset(frame, 'x', bytes);
  unsigned char m;
  while (read(control, &m, 1) == 1) {
    frame[0] = m;
    for (int i = 0; i < n; i++) if (write(fd[i], frame, bytes) != bytes) { perror("write"); return 1; }
  }
  return 0;
}`;

function hasCc() {
  return spawnSync("cc", ["--version"], { stdio: "ignore" }).status === 0;
}

async function startServer(kind, n) {
  const port = await freePort();
  let proc;
  if (kind === "node")
    proc = spawn(process.execPath, ["-e", NODE_SERVER, String(n), String(port), String(FRAME_BYTES)]);
  else proc = spawn(join(dir, "floor-server"), [String(n), String(port), String(FRAME_BYTES)]);
  children.push(proc);
  proc.stderr.pipe(process.stderr);
  await new Promise((resolve, reject) => {
    proc.stdout.once("data", resolve);
    proc.once("exit", (code) => reject(new Error(`[bench] the ${kind} floor server exited (${code})`)));
  });
  return { kind, port, proc };
}

async function connectAll(server, n) {
  await openClients(n, { port: server.port, server: server.kind });
  server.control = await new Promise((resolve, reject) => {
    const s = connect(server.port, "127.0.0.1", () => resolve(s));
    s.on("error", reject);
  });
  await new Promise((x) => setTimeout(x, 300));
}

let markerSeq = 0;
async function round(server, n) {
  // Markers are single bytes outside the filler ('x'); 33..119 cycle.
  const marker = 33 + (markerSeq++ % 87);
  const r = startRound(server.kind, Buffer.from([marker]));
  server.control.write(Buffer.from([marker]));
  const latencies = await awaitRound(r, n);
  if (latencies.length < n) throw new Error(`[bench] ${server.kind}: ${latencies.length}/${n} clients got the frame`);
  await new Promise((x) => setTimeout(x, 30));
  return latencies;
}

const q = (sorted, p) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 10) / 10;

const kinds = hasCc() ? ["node", "c"] : ["node"];
if (kinds.includes("c")) {
  writeFileSync(join(dir, "floor-server.c"), C_SERVER);
  const cc = spawnSync("cc", ["-O2", "-o", join(dir, "floor-server"), join(dir, "floor-server.c")], {
    encoding: "utf8",
  });
  if (cc.status !== 0) {
    console.error(`[bench] cc could not build the C floor server:\n${cc.stderr}`);
    process.exit(1);
  }
} else console.log("cc is not installed: the C floor is skipped (apt-get install gcc)");

const results = {};
for (const n of SIZES) {
  const servers = [];
  for (const k of kinds) {
    const s = await startServer(k, n);
    await connectAll(s, n);
    servers.push(s);
  }
  const lat = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? servers : [...servers].reverse();
    for (const s of order) lat[s.kind].push(...(await round(s, n)));
  }
  results[n] = {};
  for (const k of kinds) {
    const sorted = lat[k].sort((a, b) => a - b);
    results[n][k] = { p50Ms: q(sorted, 0.5), p99Ms: q(sorted, 0.99), maxMs: q(sorted, 1) };
    console.log(
      `${n} clients, ${FRAME_BYTES}-byte frame, ${k === "c" ? "C write(2)" : "node:net write()"}: ` +
        `p50 ${results[n][k].p50Ms} ms, p99 ${results[n][k].p99Ms} ms, max ${results[n][k].maxMs} ms (${ROUNDS} rounds)`,
    );
  }
  for (const s of servers) {
    s.control.destroy();
    s.proc.kill("SIGTERM");
  }
}
const load = loadavg().map((x) => x.toFixed(2));
console.log(`load average (1, 5, 15 min): ${load.join(", ")}`);
console.log(JSON.stringify({ bench: "sse-write-floor", frameBytes: FRAME_BYTES, rounds: ROUNDS, results, load }));
process.exit(0);
