// One gateway for several integration files that need the same options, booted once per vitest run
// instead of once per file (a boot costs ~16–29 CPU-s, and the test command is CPU-bound). The
// gateway runs in vitest's main process (shared-peer-setup.ts, the integration project's
// globalSetup), started by the first file that asks for it, stopped at the end of the run.
// A file that shares one must keep its tests isolated from the others: fresh device identities and
// unique display names, requests found by their id, never "the only pending request". A file that
// restarts, kills or reconfigures its gateway starts its own with startPeer().
import { peerHandle } from "./peer.mjs";

/** The shared gateways by name, with their startPeer() options. */
export const SHARED_PEERS = {
  // Loopback devices must be approved (cli/cli with a device identity is asked to pair), and one
  // browser origin is allowed: gateway-client's pairing, supervisor, doctor and CLI tests.
  unapproved: { autoApproveLocal: false, allowedOrigins: ["http://allowed.example:8080"], startTimeoutMs: 200_000 },
  // Loopback devices must be approved, and the agents answer through the stub model (its server runs
  // beside the gateway in vitest's main process: a file cannot read its requests or slow it down):
  // mc-server's pairing, dispatch and dashboard tests. A fresh gateway's first agent run costs about
  // as much CPU as its boot (~20 CPU-s each, measured): both are paid once for these files.
  // "party" is a second agent whose emoji is longer than mc-store keeps (issue 13): the sync must
  // skip it and store the rest.
  stub: {
    autoApproveLocal: false,
    stubModel: true,
    startTimeoutMs: 200_000,
    config: {
      agents: {
        list: [
          { id: "main", default: true },
          { id: "party", identity: { name: "Party", emoji: "🎉".repeat(40) } },
        ],
      },
    },
  },
};

const refuse = (what) => async () => {
  throw new Error(`a shared gateway cannot be ${what}: start your own with startPeer()`);
};

/** The shared gateway `name` (see SHARED_PEERS): a Peer whose stop() only lets go of it. */
export async function sharedPeer(name) {
  if (!(name in SHARED_PEERS)) throw new Error(`no shared gateway named "${name}" (tests/peer/shared-peer.mjs)`);
  // Imported here: the globalSetup imports SHARED_PEERS from this file, and vitest cannot load there.
  const { inject } = await import("vitest");
  const { url, key } = inject("sharedPeers");
  // The first request boots the gateway (up to two starts of 200 s): bounded above that.
  const res = await fetch(`${url}/${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}` },
    signal: AbortSignal.timeout(450_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`the shared gateway "${name}" did not start: ${text}`);
  const info = JSON.parse(text);
  return peerHandle(info, {
    pid: info.pid,
    async stop() {},
    restart: refuse("restarted"),
    crash: refuse("killed"),
    start: refuse("started again"),
    writeConfig() {
      throw new Error("a shared gateway's config cannot be changed: start your own with startPeer()");
    },
  });
}
