import { chmod, copyFile, readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "@missionctl/shared";
import * as z from "zod";
import { GatewayError } from "../errors.js";
import { GATEWAY_CLIENT_IDS, GATEWAY_CLIENT_MODES, GATEWAY_ROLES, OPERATOR_SCOPES } from "../protocol/enums.js";
import { DEFAULT_SCOPES } from "../protocol/scopes.js";

/**
 * One entry of the legacy `devices/paired.json` (gateways before pairing moved into SQLite),
 * keyed by deviceId — the exact shape the field report's manual approval wrote.
 */
export interface LegacyPairedEntry {
  deviceId: string;
  publicKey: string;
  platform: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: string[];
  approvedAtMs: number;
  label?: string;
}

export interface BuildPairedEntryOptions {
  platform?: string;
  clientId?: string;
  clientMode?: string;
  role?: "operator" | "node";
  scopes?: string[];
  label?: string;
  approvedAtMs?: number;
}

const entryOptionsSchema = z.object({
  platform: z.string().trim().min(1).default(process.platform),
  clientId: z.enum(GATEWAY_CLIENT_IDS).default("gateway-client"),
  clientMode: z.enum(GATEWAY_CLIENT_MODES).default("backend"),
  role: z.enum(GATEWAY_ROLES).default("operator"),
  scopes: z
    .array(z.enum(OPERATOR_SCOPES))
    .min(1)
    .default([...DEFAULT_SCOPES]),
  label: z.string().trim().min(1).optional(),
  approvedAtMs: z.number().int().nonnegative().optional(),
});

const identitySchema = z.object({
  deviceId: z.string().regex(/^[0-9a-f]{64}$/, "deviceId must be 64 lowercase hex characters"),
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "publicKey must be the raw 32-byte key in unpadded base64url"),
});

function invalid(subject: string, reason: string, hint: string, cause?: unknown): GatewayError {
  return new GatewayError({
    code: "INVALID_OPTIONS",
    layer: "config",
    subject,
    reason,
    hint,
    ...(cause ? { cause } : {}),
  });
}

/**
 * The paired entry for an identity. Client id/mode must be what the device will connect with:
 * the gateway matches them on connect. Defaults: this platform, gateway-client/backend,
 * operator with operator.read + operator.write.
 */
export function buildPairedEntry(
  identity: { deviceId: string; publicKey: string },
  opts: BuildPairedEntryOptions = {},
): LegacyPairedEntry {
  const id = identitySchema.safeParse({ deviceId: identity.deviceId, publicKey: identity.publicKey });
  if (!id.success) {
    throw invalid(
      "legacy paired entry",
      id.error.issues.map((i) => i.message).join("; "),
      "Pass an identity from loadIdentity()/loadOrCreateIdentity().",
    );
  }
  const o = entryOptionsSchema.safeParse(opts);
  if (!o.success) {
    const i = o.error.issues[0]!;
    throw invalid(
      `legacy paired entry option ${i.path.join(".")}`,
      i.message,
      "Use a client id/mode, role and scopes the gateway knows (see the protocol enums).",
    );
  }
  const entry: LegacyPairedEntry = {
    deviceId: id.data.deviceId,
    publicKey: id.data.publicKey,
    platform: o.data.platform,
    clientId: o.data.clientId,
    clientMode: o.data.clientMode,
    role: o.data.role,
    scopes: o.data.scopes,
    approvedAtMs: o.data.approvedAtMs ?? Date.now(),
  };
  if (o.data.label) entry.label = o.data.label;
  return entry;
}

export interface AddToPairedJsonOptions {
  /** Create the file (mode 0600) when it does not exist, instead of refusing. */
  create?: boolean;
  /** Overwrite an existing entry for the same deviceId (default true). */
  replace?: boolean;
}

export interface AddToPairedJsonResult {
  file: string;
  /** The copy taken before writing; absent when the file was created. */
  backup?: string;
  deviceId: string;
  replaced: boolean;
  created: boolean;
}

function stamp(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/**
 * Adds (or replaces) an entry in a legacy `paired.json`. Refuses a file that is not valid JSON or
 * not an object, leaving it byte-identical. Otherwise copies it to `paired.json.bak-<timestamp>`
 * first, then writes the new content to a temp file in the same folder with the same mode (and
 * owner, when run as root) and renames it over the original, so a crash never leaves half a file.
 * The gateway reads the file at start: restart it afterwards.
 */
export async function addToPairedJson(
  file: string,
  entry: LegacyPairedEntry,
  opts: AddToPairedJsonOptions = {},
): Promise<AddToPairedJsonResult> {
  const checked = identitySchema.safeParse(entry);
  if (!checked.success)
    throw invalid(
      "legacy paired entry",
      checked.error.issues.map((i) => i.message).join("; "),
      "Build the entry with buildPairedEntry().",
    );

  let text: string | undefined;
  let mode = 0o600;
  let owner: { uid: number; gid: number } | undefined;
  try {
    const st = await stat(file);
    if (!st.isFile())
      throw invalid(
        `legacy paired file ${file}`,
        "is not a regular file",
        "Point --file at devices/paired.json inside the gateway's state dir.",
      );
    mode = st.mode & 0o777;
    owner = { uid: st.uid, gid: st.gid };
    text = await readFile(file, "utf8");
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    if ((e as NodeJS.ErrnoException).code !== "ENOENT" || !opts.create) {
      throw invalid(
        `legacy paired file ${file}`,
        (e as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : String((e as Error).message),
        (e as NodeJS.ErrnoException).code === "ENOENT"
          ? "Check the path (devices/paired.json in the gateway's state dir), or pass create to start a new " +
              "file. Gateways since pairing moved to SQLite ignore this file: approve with `openclaw devices " +
              "approve` instead."
          : "Check the file's permissions (run as the gateway's user).",
        e,
      );
    }
  }

  let doc: Record<string, unknown> = {};
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw invalid(
        `legacy paired file ${file}`,
        `is not valid JSON (${(e as Error).message}); left untouched`,
        "Repair or restore the file (an earlier paired.json.bak-* copy, or `openclaw doctor`) before adding a device.",
        e,
      );
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      const kind = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : `a ${typeof parsed}`;
      throw invalid(
        `legacy paired file ${file}`,
        `holds ${kind}, not an object keyed by deviceId; left untouched`,
        "Check that --file points at devices/paired.json, not pending.json or another file.",
      );
    }
    doc = parsed as Record<string, unknown>;
  }

  const replaced = Object.hasOwn(doc, entry.deviceId);
  if (replaced && opts.replace === false) {
    throw invalid(
      `legacy paired file ${file}`,
      `already has device ${entry.deviceId}; left untouched`,
      "Pass replace to overwrite the existing entry.",
    );
  }
  doc[entry.deviceId] = { ...entry };

  const dir = dirname(file);
  let backup: string | undefined;
  if (text !== undefined) {
    backup = join(dir, `${basename(file)}.bak-${stamp()}`);
    let n = 0;
    while (
      await stat(backup).then(
        () => true,
        () => false,
      )
    )
      backup = join(dir, `${basename(file)}.bak-${stamp()}-${++n}`);
    await copyFile(file, backup);
    await chmod(backup, mode);
  }
  try {
    await writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`, { mode, owner, createDir: false });
  } catch (e) {
    throw invalid(
      `legacy paired file ${file}`,
      `could not be written (${(e as Error).message}); the original is unchanged`,
      "Check the folder is writable by this user.",
      e,
    );
  }
  return { file, ...(backup ? { backup } : {}), deviceId: entry.deviceId, replaced, created: text === undefined };
}
