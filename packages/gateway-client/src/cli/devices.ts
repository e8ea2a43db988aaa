import { approveDevice, listPairing, type PairingList, rejectDevice } from "../pairing/approver.js";
import { sanitizeForTerminal } from "../terminal-text.js";
import { clientFrom } from "./connect.js";
import { type CliIo, EXIT_OK, UsageError } from "./io.js";
import { CONNECTION_HELP, identityFor, parseCommand, requireUrl, resolveSettings } from "./settings.js";

export const DEVICES_HELP = `Usage: missionctl-gateway devices <list | approve <requestId> | reject <requestId>> [options]

Lists pending pairing requests and paired devices, or approves/rejects a request — the same
as \`openclaw devices …\` on the gateway host, over the gateway's RPC (device.pair.*).
Needs operator.pairing (or operator.admin). Connects device-less unless --identity-dir is given:
a device-less gateway-client/backend connection with the shared token keeps its scopes on the
gateway's loopback; through a proxy, use a device identity approved for operator.pairing.
Default scopes: operator.admin — the gateway lets a connection grant only scopes it holds itself,
and admin covers every scope a device may ask for (--scopes to narrow it, e.g. for list).

${CONNECTION_HELP}`;

/** What device commands request unless --scopes says otherwise (see the help above). */
const APPROVER_SCOPES = ["operator.admin"];

function age(ts: unknown): string {
  if (typeof ts !== "number") return "?";
  const s = Math.max(0, Math.round((Date.now() - ts) / 1000));
  return s < 120 ? `${s}s ago` : `${Math.round(s / 60)}m ago`;
}

function approvedDevice(
  d: { deviceId: string; role?: string | null; scopes?: string[] | null } | null | undefined,
): string {
  return d ? `: device ${d.deviceId.slice(0, 12)}… ${d.role ?? ""} ${(d.scopes ?? []).join(",")}` : "";
}

function renderList(list: PairingList): string {
  const out: string[] = [];
  out.push(`pending (${list.pending.length}):`);
  for (const p of list.pending) {
    const client = `${p.clientId ?? "?"}/${p.clientMode ?? "?"}${p.displayName ? ` "${p.displayName}"` : ""}`;
    const from = p.remoteIp ? `  from ${p.remoteIp}` : "";
    out.push(
      `  ${p.requestId}  device ${p.deviceId.slice(0, 12)}…  ${client}  ${p.role ?? "?"} ${(p.scopes ?? []).join(",")}` +
        `${from}  ${age(p.ts)}${p.isRepair ? "  (repair)" : ""}`,
    );
  }
  if (list.pending.length)
    out.push(
      `  approve with: missionctl-gateway devices approve <requestId>  (or openclaw devices approve <requestId>)`,
    );
  out.push(`paired (${list.paired.length}):`);
  for (const d of list.paired) {
    const client = `${d.clientId ?? "?"}/${d.clientMode ?? "?"}${d.displayName ? ` "${d.displayName}"` : ""}`;
    out.push(
      `  device ${d.deviceId.slice(0, 12)}…  ${client}  ${d.role ?? "?"} ${(d.scopes ?? []).join(",")}` +
        `  via ${d.approvedVia ?? "?"}${d.connected ? "  connected" : ""}`,
    );
  }
  // Names, ids and addresses come from the devices themselves: one inert line per entry.
  return `${out.map((l) => sanitizeForTerminal(l)).join("\n")}\n`;
}

export async function devicesCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("devices", argv);
  if (values.help) {
    io.stdout(`${DEVICES_HELP}\n`);
    return EXIT_OK;
  }
  const [sub, requestId, ...rest] = positionals;
  if (!sub) throw new UsageError("missing subcommand: list, approve <requestId> or reject <requestId>", "devices");
  if (sub !== "list" && sub !== "approve" && sub !== "reject")
    throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}`, "devices");
  if (sub === "list" && (requestId || rest.length)) throw new UsageError("devices list takes no arguments", "devices");
  if (sub !== "list" && !requestId)
    throw new UsageError(`devices ${sub} needs a <requestId> (see \`missionctl-gateway devices list\`)`, "devices");
  if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(" ")}`, "devices");

  const s = resolveSettings("devices", values, io);
  const client = clientFrom(
    s,
    requireUrl(s, "devices"),
    await identityFor(s, { requireExplicit: true }),
    APPROVER_SCOPES,
  );
  try {
    await client.connect();
    if (sub === "list") {
      const list = await listPairing(client, { timeoutMs: s.timeoutMs });
      io.stdout(s.json ? `${JSON.stringify(list, null, 2)}\n` : renderList(list));
    } else if (sub === "approve") {
      const r = await approveDevice(client, requestId!, { timeoutMs: s.timeoutMs });
      io.stdout(
        s.json
          ? `${JSON.stringify({ ok: true, ...r }, null, 2)}\n`
          : `approved ${r.requestId}${approvedDevice(r.device)}\nThe device connects on its next attempt.\n`,
      );
    } else {
      const r = await rejectDevice(client, requestId!, { timeoutMs: s.timeoutMs });
      io.stdout(s.json ? `${JSON.stringify({ ok: true, ...r }, null, 2)}\n` : `rejected ${r.requestId}\n`);
    }
    return EXIT_OK;
  } finally {
    await client.close();
  }
}
