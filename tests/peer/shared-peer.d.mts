import type { Peer, PeerOptions } from "./peer.mjs";

/** `stubModel: true`: the gateway answers through a stub model served by the globalSetup. */
export const SHARED_PEERS: Record<"unapproved" | "stub", PeerOptions & { stubModel?: boolean }>;
/** The shared gateway `name`: a Peer whose stop() only lets go of it (restart, crash, start and writeConfig throw). */
export function sharedPeer(name: keyof typeof SHARED_PEERS): Promise<Peer>;
