import { createHash, createPrivateKey, type KeyObject, sign as nodeSign, randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "@missionctl/shared";
import * as ed from "@noble/ed25519";
import { base64UrlEncode } from "./base64url.js";
import { describeBoundedReadFailure, readFileBounded } from "./bounded-read.js";
import { GatewayError } from "./errors.js";

/** A device identity: an Ed25519 key pair whose public key hash is the gateway's device id. */
export interface DeviceIdentity {
  deviceId: string;
  /** Raw 32-byte public key, unpadded base64url: the form the gateway expects on the wire. */
  publicKey: string;
  publicKeyPem: string;
  createdAtMs: number;
  filePath?: string;
  /** Signs a UTF-8 string and returns the signature as unpadded base64url. */
  sign(payload: string): Promise<string>;
}

/** The on-disk format existing Mission Control installs already have. */
interface DeviceFile {
  version: 1;
  deviceId: string;
  publicKeyPem: string;
  privateKeyPem: string;
  createdAtMs: number;
}

export const DEVICE_FILE_NAME = "device.json";

// Fixed DER prefixes of Ed25519 keys (RFC 8410); parsing by hand keeps this working under Bun,
// whose node:crypto KeyObject support for Ed25519 PEM has lagged behind Node's.
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

let hashesReady = false;
function ensureSha512(): void {
  if (hashesReady) return;
  // noble's synchronous API needs a SHA-512; node:crypto's is native and exists under Bun too.
  ed.hashes.sha512 = (msg: Uint8Array) => new Uint8Array(createHash("sha512").update(msg).digest());
  hashesReady = true;
}

function pemBody(pem: string, label: string): Buffer | undefined {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (!m) return undefined;
  return Buffer.from(m[1]!.replace(/\s+/g, ""), "base64");
}

function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export function rawPublicKeyFromPem(pem: string): Uint8Array | undefined {
  const der = pemBody(pem, "PUBLIC KEY");
  if (der?.length !== 44 || !der.subarray(0, 12).equals(SPKI_PREFIX)) return undefined;
  return new Uint8Array(der.subarray(12));
}

export function rawPrivateKeyFromPem(pem: string): Uint8Array | undefined {
  const der = pemBody(pem, "PRIVATE KEY");
  if (der?.length !== 48 || !der.subarray(0, 16).equals(PKCS8_PREFIX)) return undefined;
  return new Uint8Array(der.subarray(16));
}

export function publicKeyPemFromRaw(raw: Uint8Array): string {
  return toPem(Buffer.concat([SPKI_PREFIX, raw]), "PUBLIC KEY");
}

export function privateKeyPemFromRaw(seed: Uint8Array): string {
  return toPem(Buffer.concat([PKCS8_PREFIX, seed]), "PRIVATE KEY");
}

/** Lowercase hex SHA-256 of the raw public key: the gateway's device id. */
export function deviceIdFromPublicKey(raw: Uint8Array): string {
  return createHash("sha256").update(raw).digest("hex");
}

export function publicKeyToBase64Url(raw: Uint8Array): string {
  return base64UrlEncode(raw);
}

// Ed25519 signatures are deterministic, so a native node:crypto signer is used only after it
// produced exactly noble's signature once; it signs several times faster (measured in bench/),
// and where it is missing or differs (older Bun builds) noble stays the signer.
function nativeSigner(seed: Uint8Array): ((data: Uint8Array) => Uint8Array) | undefined {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
    const probe = new TextEncoder().encode("missionctl signer self-check");
    const native = new Uint8Array(nodeSign(null, probe, key));
    if (!Buffer.from(native).equals(Buffer.from(ed.sign(probe, seed)))) return undefined;
  } catch {
    return undefined;
  }
  return (data) => new Uint8Array(nodeSign(null, data, key));
}

function identityFromKeys(
  seed: Uint8Array,
  publicRaw: Uint8Array,
  createdAtMs: number,
  filePath?: string,
): DeviceIdentity {
  ensureSha512();
  const secret = new Uint8Array(seed);
  const signBytes = nativeSigner(secret) ?? ((data: Uint8Array) => ed.sign(data, secret));
  const identity: DeviceIdentity = {
    deviceId: deviceIdFromPublicKey(publicRaw),
    publicKey: publicKeyToBase64Url(publicRaw),
    publicKeyPem: publicKeyPemFromRaw(publicRaw),
    createdAtMs,
    async sign(payload: string): Promise<string> {
      return base64UrlEncode(signBytes(new TextEncoder().encode(payload)));
    },
  };
  if (filePath) identity.filePath = filePath;
  // Keep the secret out of JSON.stringify / util.inspect of the identity object.
  Object.defineProperty(identity, "sign", { enumerable: false });
  return identity;
}

/** Creates a fresh identity in memory (nothing written). */
export function generateIdentity(now: number = Date.now()): DeviceIdentity {
  ensureSha512();
  const seed = new Uint8Array(randomBytes(32));
  return identityFromKeys(seed, ed.getPublicKey(seed), now);
}

function resolveFile(dirOrFile: string): string {
  return dirOrFile.endsWith(".json") ? dirOrFile : join(dirOrFile, DEVICE_FILE_NAME);
}

function invalid(file: string, reason: string, cause?: unknown): GatewayError {
  return new GatewayError({ code: "IDENTITY_INVALID", subject: `identity file ${file}`, reason, cause });
}

function parseDeviceFile(file: string, text: string): { seed: Uint8Array; publicRaw: Uint8Array; createdAtMs: number } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // The JSON parser's message can quote file content (= key material): do not pass it on.
    throw invalid(file, "is not valid JSON");
  }
  if (typeof data !== "object" || data === null) throw invalid(file, "is not a JSON object");
  const d = data as Partial<DeviceFile>;
  if (d.version !== 1) throw invalid(file, `has unsupported version ${JSON.stringify(d.version ?? null)} (expected 1)`);
  if (typeof d.publicKeyPem !== "string" || typeof d.privateKeyPem !== "string") {
    throw invalid(file, "lacks publicKeyPem/privateKeyPem");
  }
  const publicRaw = rawPublicKeyFromPem(d.publicKeyPem);
  if (!publicRaw) throw invalid(file, "publicKeyPem is not an Ed25519 SPKI public key");
  const seed = rawPrivateKeyFromPem(d.privateKeyPem);
  if (!seed) throw invalid(file, "privateKeyPem is not an Ed25519 PKCS8 private key");
  ensureSha512();
  if (!Buffer.from(ed.getPublicKey(seed)).equals(Buffer.from(publicRaw))) {
    throw invalid(file, "privateKeyPem and publicKeyPem are not a key pair");
  }
  const createdAtMs = typeof d.createdAtMs === "number" ? d.createdAtMs : 0;
  return { seed, publicRaw, createdAtMs };
}

async function checkPermissions(file: string): Promise<void> {
  if (process.platform === "win32") return;
  const st = await stat(file);
  if ((st.mode & 0o077) !== 0) {
    throw new GatewayError({
      code: "IDENTITY_PERMISSIONS",
      subject: `identity file ${file}`,
      reason: `holds a private key readable by group or others (mode ${(st.mode & 0o777).toString(8)})`,
      hint: `Run \`chmod 600 ${file}\` (and \`chmod 700 ${dirname(file)}\`), then retry.`,
    });
  }
}

/** Loads an existing device.json. Never creates or rewrites it. */
export async function loadIdentity(file: string): Promise<DeviceIdentity> {
  // device.json is well under 1 KiB: a FIFO or a huge file there is not an identity.
  const read = await readFileBounded(file, { maxBytes: 64 * 1024 });
  if (!read.ok) {
    const missing = read.reason === "fs" && read.code === "ENOENT";
    throw invalid(
      file,
      missing ? "does not exist" : describeBoundedReadFailure(read),
      read.reason === "fs" ? read.cause : undefined,
    );
  }
  const text = read.text;
  await checkPermissions(file);
  const { seed, publicRaw, createdAtMs } = parseDeviceFile(file, text);
  return identityFromKeys(seed, publicRaw, createdAtMs, file);
}

/**
 * Loads `device.json` from a folder (or an explicit `*.json` path), creating it with a new key
 * pair when it does not exist. An existing but unreadable/corrupt file is an error, never replaced.
 */
export async function loadOrCreateIdentity(dirOrFile: string): Promise<DeviceIdentity> {
  const file = resolveFile(dirOrFile);
  try {
    await stat(file);
    return await loadIdentity(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  ensureSha512();
  const seed = new Uint8Array(randomBytes(32));
  const publicRaw = ed.getPublicKey(seed);
  const createdAtMs = Date.now();
  const record: DeviceFile = {
    version: 1,
    deviceId: deviceIdFromPublicKey(publicRaw),
    publicKeyPem: publicKeyPemFromRaw(publicRaw),
    privateKeyPem: privateKeyPemFromRaw(seed),
    createdAtMs,
  };
  try {
    await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`, { exclusive: true });
  } catch (err) {
    // Another process created it between our stat and link: use theirs.
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return loadIdentity(file);
    throw err;
  }
  return identityFromKeys(seed, publicRaw, createdAtMs, file);
}
