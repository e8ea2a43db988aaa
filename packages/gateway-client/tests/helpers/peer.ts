import { startPeer, type Peer, type PeerOptions } from "../../../../tests/peer/peer.mjs";

/**
 * startPeer with one retry: on a loaded 2-core machine the gateway sometimes gives up during
 * start-up ("state lease heartbeat did not become ready"), which says nothing about our code.
 */
export async function startTestPeer(options: PeerOptions): Promise<Peer> {
  const opts = { startTimeoutMs: 200_000, ...options };
  try {
    return await startPeer(opts);
  } catch (err) {
    if (!/exited before it was ready|did not report \/startupz/.test(String(err))) throw err;
    return startPeer(opts);
  }
}
