// The SSE clients of bench/mc-server.bench.mjs and bench/sse-write-floor.mjs: raw TCP sockets in
// the bench's own process, one round in flight at a time; a client's latency is from the round's
// start to the read that holds the round's marker. Every client of every server shares this
// process, so the reader's own work per socket is part of every latency measured, for every
// server alike, and it is kept as small as Node allows:
// - net's `onread` hands each read to a callback in one buffer shared by all sockets (each read
//   is consumed before the next can land in it), instead of a new Buffer per read pushed through
//   a Readable stream and a 'data' event. Measured with sse-write-floor.mjs, 1,000 clients, 15
//   rounds, two runs each (2026-12-04): C write(2) server p99 19.3 / 20.8 ms read through 'data',
//   12.8 / 13.6 ms through onread; node:net server 26.3 / 23.7 → 18.9 / 20.1 ms. A browser reads
//   only its own socket: the cost of reading 999 others first is the bench's, not the server's.
// - a Buffer search for the marker, no decoding.
import { connect } from "node:net";

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
// A marker split across two reads is found in the previous read's last bytes plus the next's first.
const TAIL_BYTES = 64;

let active = null; // { id, server, marker: Buffer, sentAt, latencies }
let roundSeq = 0;

/** Starts a round for `server`'s clients: returns it; its `latencies` fill as clients see `marker`. */
export function startRound(server, marker) {
  active = { id: ++roundSeq, server, marker, sentAt: performance.now(), latencies: [] };
  return active;
}

export function endRound() {
  active = null;
}

/**
 * One client of `server` on 127.0.0.1:`port`. With `request`, sends it on connect and resolves
 * once a read holds `readyMarker` (the stream's first event); otherwise resolves on connect.
 */
export function openClient({ port, server, request, readyMarker }) {
  return new Promise((resolve, reject) => {
    const tail = Buffer.allocUnsafe(TAIL_BYTES);
    let tailLength = 0;
    let ready = !readyMarker;
    let seenRound = 0;
    const onRead = (n, buf) => {
      const now = performance.now();
      const chunk = buf.subarray(0, n);
      if (!ready) {
        if (chunk.indexOf(readyMarker) === -1) return;
        ready = true;
        resolve(sock);
      }
      const r = active;
      if (r !== null && r.server === server && seenRound !== r.id) {
        const found =
          chunk.indexOf(r.marker) !== -1 ||
          (tailLength > 0 &&
            Buffer.concat([tail.subarray(0, tailLength), chunk.subarray(0, r.marker.length)]).indexOf(r.marker) !== -1);
        if (found) {
          seenRound = r.id;
          r.latencies.push(now - r.sentAt);
        }
      }
      // The shared buffer is overwritten by the next read of any socket: keep a copy of the tail.
      tailLength = chunk.copy(tail, 0, Math.max(0, n - TAIL_BYTES));
    };
    const sock = connect({ port, host: "127.0.0.1", onread: { buffer: READ_BUFFER, callback: onRead } }, () => {
      if (request) sock.write(request);
      else resolve(sock);
    });
    sock.on("error", reject);
  });
}

/** `n` clients, opened 200 at a time. */
export async function openClients(n, opts) {
  const socks = [];
  for (let i = 0; i < n; i += 200)
    socks.push(...(await Promise.all(Array.from({ length: Math.min(200, n - i) }, () => openClient(opts)))));
  return socks;
}

/** Waits until `expected` clients saw the round (or `timeoutMs`), then ends it. */
export async function awaitRound(round, expected, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (round.latencies.length < expected && Date.now() < deadline) await new Promise((x) => setTimeout(x, 1));
  endRound();
  return round.latencies;
}
