import { GatewayError } from "../errors.js";
import { sanitizeForTerminal } from "../terminal-text.js";
import { errorForCli } from "./hints.js";

/** One field of a human line: no control characters, no line break that could forge another line. */
const field = (s: string) => sanitizeForTerminal(s);

/** Where the CLI writes and what it reads from the environment; injectable for tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Used to expand `~` in the default identity folder. */
  home: string;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the command was called: printed with the command's usage, exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** Prints an error the way every command does: the message, then the fix on its own line. */
export function printError(io: CliIo, err: unknown, json: boolean): number {
  if (err instanceof UsageError) {
    if (json) io.stdout(`${JSON.stringify({ ok: false, error: { code: "USAGE", message: err.message } }, null, 2)}\n`);
    else
      io.stderr(
        `error: ${field(err.message)}\nRun \`missionctl-gateway ${err.command ? `${err.command} ` : ""}--help\` for usage.\n`,
      );
    return EXIT_USAGE;
  }
  if (err instanceof GatewayError) {
    const cli = errorForCli(err);
    if (json) io.stdout(`${JSON.stringify({ ok: false, error: cli.json }, null, 2)}\n`);
    else {
      io.stderr(`error [${err.code}]: ${field(cli.message)}\n`);
      if (err.pairing) io.stderr(`  approve with: ${field(err.pairing.approveCommand)}\n`);
    }
    return EXIT_FAILURE;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (json) io.stdout(`${JSON.stringify({ ok: false, error: { code: "UNEXPECTED", message } }, null, 2)}\n`);
  else io.stderr(`error: ${field(message)}\n`);
  return EXIT_FAILURE;
}
