import type { Peer, PeerOptions } from "./peer.mjs";

export const SHARED_PEERS: Record<"unapproved", PeerOptions>;
/** The shared gateway `name`: a Peer whose stop() only lets go of it (restart, crash, start and writeConfig throw). */
export function sharedPeer(name: keyof typeof SHARED_PEERS): Promise<Peer>;
