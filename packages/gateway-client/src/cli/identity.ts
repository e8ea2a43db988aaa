import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEVICE_FILE_NAME, type DeviceIdentity, loadIdentity, loadOrCreateIdentity } from "../identity.js";
import { type CliIo, EXIT_FAILURE, EXIT_OK, UsageError } from "./io.js";
import { parseCommand, resolveSettings } from "./settings.js";

export const IDENTITY_HELP = `Usage: missionctl-gateway identity <show | create> [options]

show    prints the deviceId and public key of device.json in the identity folder
create  creates device.json (Ed25519, mode 0600 in a 0700 folder) unless it exists, then shows it
The private key is never printed.

Options:
  --identity-dir <dir>   folder with device.json   env MC_IDENTITY_DIR (default ~/.mission-control/identity)
  --json                 machine-readable output
  -h, --help             this help`;

function view(id: DeviceIdentity, created: boolean) {
  return {
    deviceId: id.deviceId,
    publicKey: id.publicKey,
    publicKeyPem: id.publicKeyPem,
    createdAtMs: id.createdAtMs,
    file: id.filePath,
    created,
  };
}

export async function identityCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("identity", argv, { "identity-dir": { type: "string" } }, false);
  if (values.help) {
    io.stdout(`${IDENTITY_HELP}\n`);
    return EXIT_OK;
  }
  const [sub, ...rest] = positionals;
  if (sub !== "show" && sub !== "create")
    throw new UsageError(
      sub ? `unknown subcommand ${JSON.stringify(sub)}` : "missing subcommand: show or create",
      "identity",
    );
  if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(" ")}`, "identity");
  const s = resolveSettings("identity", values, io);
  const file = join(s.identityDir, DEVICE_FILE_NAME);
  let id: DeviceIdentity;
  let created = false;
  if (sub === "show") {
    if (!existsSync(file)) {
      const msg = `no identity at ${file}`;
      if (s.json)
        io.stdout(`${JSON.stringify({ ok: false, error: { code: "IDENTITY_MISSING", message: msg } }, null, 2)}\n`);
      else
        io.stderr(
          `error: ${msg}\nfix: create one with \`missionctl-gateway identity create --identity-dir ${s.identityDir}\`\n`,
        );
      return EXIT_FAILURE;
    }
    id = await loadIdentity(file);
  } else {
    created = !existsSync(file);
    id = await loadOrCreateIdentity(s.identityDir);
  }
  const v = view(id, created);
  if (s.json) io.stdout(`${JSON.stringify(v, null, 2)}\n`);
  else
    io.stdout(
      `${created ? "created" : sub === "create" ? "exists" : "identity"} ${v.file}\n` +
        `deviceId   ${v.deviceId}\npublicKey  ${v.publicKey}\ncreated    ${new Date(v.createdAtMs).toISOString()}\n`,
    );
  return EXIT_OK;
}
