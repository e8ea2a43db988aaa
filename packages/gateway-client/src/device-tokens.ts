import { dirname, join } from "node:path";
import { writeFileAtomic } from "@missionctl/shared";
import { describeBoundedReadFailure, readFileBounded } from "./bounded-read.js";
import { GatewayError } from "./errors.js";
import type { DeviceTokenKey, DeviceTokenRecord, DeviceTokenStore } from "./types.js";

export const DEVICE_TOKENS_FILE_NAME = "device-tokens.json";
/** A few hundred bytes per gateway and role: a megabyte is thousands of entries. */
const DEVICE_TOKENS_MAX_BYTES = 1024 * 1024;

interface TokensFile {
  version: 1;
  tokens: Record<string, DeviceTokenRecord>;
}

/** One entry per (gateway URL, deviceId, role); the URL is normalised so `ws://h:1` and `ws://h:1/` match. */
export function deviceTokenKey(key: DeviceTokenKey): string {
  let url = key.url;
  try {
    const u = new URL(key.url);
    u.hash = "";
    u.search = "";
    url = u.toString().replace(/\/$/, "");
  } catch {
    // keep as given
  }
  return `${url}|${key.deviceId}|${key.role}`;
}

/**
 * Device tokens in `device-tokens.json` next to the identity, mode 0600, rewritten atomically.
 * Writes are serialised within a process; the file holds bearer tokens, so it is never logged.
 */
export class FileDeviceTokenStore implements DeviceTokenStore {
  readonly filePath: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(filePathOrDir: string) {
    this.filePath = filePathOrDir.endsWith(".json") ? filePathOrDir : join(filePathOrDir, DEVICE_TOKENS_FILE_NAME);
  }

  /** The store that sits next to an identity file. */
  static nextTo(identityFile: string): FileDeviceTokenStore {
    return new FileDeviceTokenStore(join(dirname(identityFile), DEVICE_TOKENS_FILE_NAME));
  }

  async #read(): Promise<TokensFile> {
    const read = await readFileBounded(this.filePath, { maxBytes: DEVICE_TOKENS_MAX_BYTES });
    if (!read.ok && read.reason === "fs" && read.code === "ENOENT") return { version: 1, tokens: {} };
    if (!read.ok && read.reason === "fs") throw read.cause;
    if (!read.ok) {
      throw new GatewayError({
        code: "IDENTITY_INVALID",
        subject: `device token file ${this.filePath}`,
        reason: describeBoundedReadFailure(read),
        hint: `Delete ${this.filePath}: the client then authenticates with the shared token and stores a fresh device token.`,
      });
    }
    const text = read.text;
    try {
      const data = JSON.parse(text) as Partial<TokensFile>;
      if (data && typeof data === "object" && data.tokens && typeof data.tokens === "object") {
        return { version: 1, tokens: data.tokens };
      }
    } catch {
      // fall through
    }
    throw new GatewayError({
      code: "IDENTITY_INVALID",
      subject: `device token file ${this.filePath}`,
      reason: "is not a valid device-tokens.json",
      hint: `Delete ${this.filePath}: the client then authenticates with the shared token and stores a fresh device token.`,
    });
  }

  #update(fn: (file: TokensFile) => void): Promise<void> {
    const run = this.#queue.then(async () => {
      const file = await this.#read();
      fn(file);
      await writeFileAtomic(this.filePath, `${JSON.stringify(file, null, 2)}\n`);
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  async get(key: DeviceTokenKey): Promise<DeviceTokenRecord | undefined> {
    await this.#queue;
    const file = await this.#read();
    return file.tokens[deviceTokenKey(key)];
  }

  set(key: DeviceTokenKey, record: DeviceTokenRecord): Promise<void> {
    return this.#update((file) => {
      file.tokens[deviceTokenKey(key)] = record;
    });
  }

  delete(key: DeviceTokenKey): Promise<void> {
    return this.#update((file) => {
      delete file.tokens[deviceTokenKey(key)];
    });
  }
}

/** A store that lives only as long as the process (tests, ephemeral identities). */
export class MemoryDeviceTokenStore implements DeviceTokenStore {
  readonly #map = new Map<string, DeviceTokenRecord>();
  async get(key: DeviceTokenKey) {
    return this.#map.get(deviceTokenKey(key));
  }
  async set(key: DeviceTokenKey, record: DeviceTokenRecord) {
    this.#map.set(deviceTokenKey(key), record);
  }
  async delete(key: DeviceTokenKey) {
    this.#map.delete(deviceTokenKey(key));
  }
}
