// The pinned OpenClaw gateway and the Node 24 it needs, for the tests and benchmarks: mc-server's
// own installer (the local gateway it runs, packages/mc-server/src/local-gateway) into a cache
// folder that git ignores. Safe from parallel test workers; a second call returns at once.
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureInstalled, OFFICIAL_SDK_VERSION, OPENCLAW_VERSION } from "@missionctl/mc-server/local-gateway";

export { OFFICIAL_SDK_VERSION, OPENCLAW_VERSION };

const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** MISSIONCTL_PEER_CACHE, else .cache/peer in the repository. */
export function peerCacheDir() {
  return resolve(process.env.MISSIONCTL_PEER_CACHE ?? join(repoRoot, ".cache", "peer"));
}

/**
 * Ensures Node 24 and openclaw@2026.9.6 are installed. Resolves with the paths the peer needs.
 * With `sdk: true` also installs the official @openclaw/gateway-client (used by bench/).
 */
export function ensurePeerInstalled({ sdk = false, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  return ensureInstalled({ cacheDir: peerCacheDir(), sdk, log });
}
