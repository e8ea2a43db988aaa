import type { ChildProcess, SpawnSyncReturns } from "node:child_process";

export const CACHE: string;
export const SUBNET: string;
export const DOCKER_SUBNET: string;
export const PUBLIC_NAMES: string[];
export interface HostSpec {
  machine: string;
  user: string;
  hostSide: string;
  addr: string;
  /** Runs a Docker engine inside (unified cgroups, keyring calls, /var/lib/docker off the overlay). */
  docker?: boolean;
}
export const HOSTS: { vps: HostSpec; pi: HostSpec };
export const DOCKER_HOSTS: { vps: HostSpec; pi: HostSpec };

export interface BootedHost extends HostSpec {
  name: string;
  root: string;
  pid: number;
  console: string;
  child: ChildProcess;
}

export interface Hosts {
  hosts: { vps: BootedHost; pi: BootedHost };
  runDir: string;
  key: string;
  knownHosts: string;
  sshArgs: string[];
  timings: Record<string, number>;
  ssh(name: "vps" | "pi", command: string, opts?: { timeoutMs?: number; input?: string }): SpawnSyncReturns<string>;
  relink(name: "vps" | "pi"): boolean;
  destroy(): Promise<void>;
}

export function bootHosts(opts?: {
  lifetimeS?: number;
  log?: (line: string) => void;
  hosts?: { vps: HostSpec; pi: HostSpec };
  subnet?: string;
}): Promise<Hosts>;
export function waitTcp(host: string, port: number, timeoutMs: number): Promise<void>;
export function teardown(state?: unknown, log?: (line: string) => void): Promise<void>;
