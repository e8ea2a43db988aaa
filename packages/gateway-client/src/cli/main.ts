import { homedir } from "node:os";
import { sanitizeForTerminal } from "../terminal-text.js";
import { CLIENT_VERSION } from "../version.js";
import { callCommand } from "./call.js";
import { devicesCommand } from "./devices.js";
import { doctorCommand } from "./doctor.js";
import { identityCommand } from "./identity.js";
import { type CliIo, EXIT_OK, EXIT_USAGE, printError, UsageError } from "./io.js";
import { pairingCommand } from "./legacy.js";

export const MAIN_HELP = `Usage: missionctl-gateway <command> [options]

Commands:
  doctor [url]                       diagnose the connection layer by layer, with the fix
  call <method> [json-params]        send one request and print the response
  devices list|approve|reject <id>   pending pairing requests and paired devices
  identity show|create               this machine's device identity (never the private key)
  pairing add-legacy --file <f>      approve this identity in a legacy devices/paired.json

Settings come from flags or from OPENCLAW_GATEWAY_URL, OPENCLAW_GATEWAY_TOKEN and
MC_IDENTITY_DIR (default ~/.mission-control/identity).
Run \`missionctl-gateway <command> --help\` for a command's options.
  --version   print the version
  -h, --help  this help`;

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  doctor: doctorCommand,
  call: callCommand,
  devices: devicesCommand,
  identity: identityCommand,
  pairing: pairingCommand,
};

export function defaultIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    env: process.env,
    home: homedir(),
  };
}

/**
 * Everything the CLI prints passes through here: gateway-controlled text (error messages, device
 * names, versions) cannot reach the terminal as escape sequences, in human and --json output alike.
 */
export function terminalSafeIo(io: CliIo): CliIo {
  return {
    ...io,
    stdout: (t) => io.stdout(sanitizeForTerminal(t, { multiline: true })),
    stderr: (t) => io.stderr(sanitizeForTerminal(t, { multiline: true })),
  };
}

/** Runs the CLI and returns its exit status; never calls process.exit. */
export async function main(argv: string[], rawIo: CliIo = defaultIo()): Promise<number> {
  const io = terminalSafeIo(rawIo);
  const [command, ...rest] = argv;
  const json = rest.includes("--json");
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.stdout(`${MAIN_HELP}\n`);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (command === "--version" || command === "-v") {
    io.stdout(`${CLIENT_VERSION}\n`);
    return EXIT_OK;
  }
  const run = COMMANDS[command];
  if (!run) return printError(io, new UsageError(`unknown command ${JSON.stringify(command)}`), json);
  try {
    return await run(rest, io);
  } catch (err) {
    return printError(io, err, json);
  }
}
