import { createHash, createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scratchDirs } from "../../../tests/scratch-dir.js";
import { base64UrlDecode } from "./base64url.js";
import { GatewayError } from "./errors.js";
import { loadIdentity, loadOrCreateIdentity } from "./identity.js";

const scratch = scratchDirs();
const tmp = () => scratch("gc-id-");

/** A device.json exactly as existing Mission Control installs write it (node:crypto). */
function nodeCryptoFixture(dir: string) {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const raw = publicKey.export({ type: "spki", format: "der" }).subarray(12);
  const deviceId = createHash("sha256").update(raw).digest("hex");
  const text = JSON.stringify(
    { version: 1, deviceId, publicKeyPem, privateKeyPem, createdAtMs: 1_700_000_000_000 },
    null,
    2,
  );
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, "device.json");
  writeFileSync(file, text, { mode: 0o600 });
  return { file, text, deviceId, raw, publicKeyPem };
}

describe("identity", () => {
  it("loads a node:crypto device.json unchanged and keeps its deviceId", async () => {
    const dir = tmp();
    const fx = nodeCryptoFixture(dir);
    const id = await loadOrCreateIdentity(dir);
    expect(id.deviceId).toBe(fx.deviceId);
    expect(id.createdAtMs).toBe(1_700_000_000_000);
    expect(Buffer.from(base64UrlDecode(id.publicKey)).equals(fx.raw)).toBe(true);
    expect(id.publicKey).not.toMatch(/[=+/]/);
    expect(readFileSync(fx.file, "utf8")).toBe(fx.text);
    // Our signature verifies with node:crypto against the file's public key.
    const sig = await id.sign("v3|payload");
    expect(
      verify(null, Buffer.from("v3|payload"), createPublicKey(fx.publicKeyPem), Buffer.from(base64UrlDecode(sig))),
    ).toBe(true);
  });

  it("creates device.json with mode 0600 in a 0700 folder and reuses it", async () => {
    const dir = join(tmp(), "nested", "identity");
    const a = await loadOrCreateIdentity(dir);
    const file = join(dir, "device.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const data = JSON.parse(readFileSync(file, "utf8"));
    expect(Object.keys(data).sort()).toEqual(["createdAtMs", "deviceId", "privateKeyPem", "publicKeyPem", "version"]);
    expect(data.deviceId).toBe(a.deviceId);
    // node:crypto reads our PEMs.
    expect(createPublicKey(data.publicKeyPem).asymmetricKeyType).toBe("ed25519");
    const b = await loadOrCreateIdentity(dir);
    expect(b.deviceId).toBe(a.deviceId);
    expect(b.filePath).toBe(file);
    expect(readdirSync(dir)).toEqual(["device.json"]);
  });

  it("concurrent creators end up with one identity", async () => {
    const dir = tmp();
    const ids = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateIdentity(dir)));
    const onDisk = JSON.parse(readFileSync(join(dir, "device.json"), "utf8")).deviceId;
    for (const id of ids) expect(id.deviceId).toBe(onDisk);
  });

  it("refuses a private key readable by group/others and says chmod 600", async () => {
    const dir = tmp();
    const fx = nodeCryptoFixture(dir);
    chmodSync(fx.file, 0o644);
    const err = await loadOrCreateIdentity(dir).catch((e) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.code).toBe("IDENTITY_PERMISSIONS");
    expect(err.message).toContain(`chmod 600 ${fx.file}`);
    expect(readFileSync(fx.file, "utf8")).toBe(fx.text);
  });

  it("names a corrupt file, never replaces it, and leaks no key material", async () => {
    const dir = tmp();
    const fx = nodeCryptoFixture(dir);
    const broken = fx.text.replace(
      /"privateKeyPem": "-----BEGIN PRIVATE KEY-----\\n/,
      '"privateKeyPem": "-----BEGIN PRIVATE KEY-----\\nAAAA',
    );
    writeFileSync(fx.file, broken, { mode: 0o600 });
    const err = await loadOrCreateIdentity(dir).catch((e) => e);
    expect(err.code).toBe("IDENTITY_INVALID");
    expect(err.message).toContain(fx.file);
    expect(readFileSync(fx.file, "utf8")).toBe(broken);
    const pemBody = fx.publicKeyPem.split("\n")[1]!;
    expect(JSON.stringify(err.toJSON()) + err.message).not.toContain(pemBody.slice(0, 20));

    writeFileSync(fx.file, "{ not json", { mode: 0o600 });
    const err2 = await loadOrCreateIdentity(dir).catch((e) => e);
    expect(err2.code).toBe("IDENTITY_INVALID");
    expect(err2.message).toMatch(/not valid JSON/);
    expect(readFileSync(fx.file, "utf8")).toBe("{ not json");
  });

  it("rejects a file whose keys are not a pair", async () => {
    const dir = tmp();
    const fx = nodeCryptoFixture(dir);
    const other = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString();
    const data = JSON.parse(fx.text);
    data.publicKeyPem = other;
    writeFileSync(fx.file, JSON.stringify(data), { mode: 0o600 });
    await expect(loadIdentity(fx.file)).rejects.toMatchObject({ code: "IDENTITY_INVALID" });
  });

  it("does not expose the private key through JSON or inspect", async () => {
    const dir = tmp();
    const fx = nodeCryptoFixture(dir);
    const id = await loadIdentity(fx.file);
    const priv = JSON.parse(fx.text).privateKeyPem.split("\n")[1];
    expect(JSON.stringify(id)).not.toContain(priv);
    expect(Object.keys(id)).not.toContain("privateKeyPem");
  });
});
