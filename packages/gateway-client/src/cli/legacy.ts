import { join } from "node:path";
import { DEVICE_FILE_NAME, loadIdentity } from "../identity.js";
import { addToPairedJson, buildPairedEntry } from "../pairing/legacy.js";
import { type CliIo, EXIT_OK, UsageError } from "./io.js";
import { parseCommand, resolveSettings } from "./settings.js";

export const PAIRING_HELP = `Usage: missionctl-gateway pairing add-legacy --file <paired.json> [options]

For gateways older than the SQLite pairing store (devices/paired.json): adds this identity as an
approved device. Backs the file up to <file>.bak-<timestamp> first, writes atomically with the
same mode, and refuses a file that is not a JSON object (leaving it untouched). Restart the
gateway afterwards. Current gateways ignore this file: use \`devices approve\` instead.

Options:
  --file <paired.json>   the legacy file (required)
  --identity-dir <dir>   folder with device.json   env MC_IDENTITY_DIR (default ~/.mission-control/identity)
  --client-id <id>       client.id the device connects with (default gateway-client)
  --client-mode <mode>   client.mode (default backend)
  --role <role>          operator (default) or node
  --scopes <a,b>         approved scopes (default operator.read,operator.write)
  --platform <p>         platform (default ${process.platform})
  --label <text>         label shown by the gateway
  --create               create the file if it does not exist
  --json                 machine-readable output
  -h, --help             this help`;

export async function pairingCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(
    "pairing",
    argv,
    {
      file: { type: "string" },
      "identity-dir": { type: "string" },
      "client-id": { type: "string" },
      "client-mode": { type: "string" },
      role: { type: "string" },
      scopes: { type: "string" },
      platform: { type: "string" },
      label: { type: "string" },
      create: { type: "boolean" },
    },
    false,
  );
  if (values.help) {
    io.stdout(`${PAIRING_HELP}\n`);
    return EXIT_OK;
  }
  const [sub, ...rest] = positionals;
  if (sub !== "add-legacy")
    throw new UsageError(
      sub ? `unknown subcommand ${JSON.stringify(sub)}` : "missing subcommand: add-legacy",
      "pairing",
    );
  if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(" ")}`, "pairing");
  if (typeof values.file !== "string") throw new UsageError("--file <paired.json> is required", "pairing");
  const s = resolveSettings("pairing", values, io);
  const identity = await loadIdentity(join(s.identityDir, DEVICE_FILE_NAME));
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  const entry = buildPairedEntry(identity, {
    clientId: str("client-id"),
    clientMode: str("client-mode"),
    role: str("role") as "operator" | "node" | undefined,
    scopes: s.scopes,
    platform: str("platform"),
    label: str("label"),
  });
  const r = await addToPairedJson(values.file, entry, { create: values.create === true });
  if (s.json) io.stdout(`${JSON.stringify({ ok: true, ...r, entry }, null, 2)}\n`);
  else
    io.stdout(
      `${r.replaced ? "replaced" : "added"} device ${entry.deviceId} in ${r.file}${r.created ? " (created)" : ""}\n` +
        `${r.backup ? `backup: ${r.backup}\n` : ""}` +
        `role ${entry.role}, scopes ${entry.scopes.join(",")}, client ${entry.clientId}/${entry.clientMode}\n` +
        "Restart the gateway so it reads the file.\n",
    );
  return EXIT_OK;
}
