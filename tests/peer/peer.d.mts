export interface PeerOptions {
  autoApproveLocal?: boolean;
  trustedProxies?: string[];
  allowedOrigins?: string[];
  /** An OpenAI-compatible base URL (…/v1); adds provider "stub" with model "stub/stub-model". */
  stubModelUrl?: string;
  /** Extra config, deep-merged last. */
  config?: Record<string, unknown>;
  /** A persistent root folder (default: a fresh temp dir). */
  dir?: string;
  port?: number;
  token?: string;
  /** Keep an existing openclaw.json in `dir` instead of rewriting it. */
  keepConfig?: boolean;
  env?: Record<string, string>;
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Peer {
  url: string;
  httpUrl: string;
  port: number;
  token: string;
  dir: string;
  stateDir: string;
  configPath: string;
  logFile: string;
  stdoutFile: string;
  home: string;
  env: Record<string, string>;
  nodeBin: string;
  openclawEntry: string;
  readonly pid: number | undefined;
  stop(opts?: { clean?: boolean }): Promise<void>;
  restart(): Promise<void>;
  crash(): Promise<void>;
  start(): Promise<void>;
  cli(args: string[], opts?: { timeoutMs?: number }): CliResult;
  cliAsync(args: string[], opts?: { timeoutMs?: number }): Promise<CliResult>;
  readConfig(): string;
  writeConfig(obj: unknown): void;
  logTail(n?: number): string;
  /** The fields and pid, without the functions. */
  toJSON(): Record<string, unknown>;
}

export function startPeer(options?: PeerOptions): Promise<Peer>;
export function freePort(host?: string): Promise<number>;
export function deepMerge<T>(base: T, extra: unknown): T;
export function peerConfig(options: PeerOptions & { port: number; logFile: string }): Record<string, unknown>;
/** A peer's fields plus its CLI and files, with the process controls given (shared-peer.mjs). */
export function peerHandle(
  info: Omit<
    Peer,
    "pid" | "stop" | "restart" | "crash" | "start" | "cli" | "cliAsync" | "readConfig" | "writeConfig" | "logTail"
  >,
  controls: Partial<Peer>,
): Peer;
