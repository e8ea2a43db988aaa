export interface ProcessResult {
  /** Exit status; null when the command could not start or was killed. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Killed after `timeoutMs`. */
  timedOut: boolean;
}
export function runProcess(
  cmd: string,
  args: string[],
  opts?: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<ProcessResult>;
