import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GatewayError } from "../errors.js";
import { generateIdentity } from "../identity.js";
import { addToPairedJson, buildPairedEntry, type LegacyPairedEntry } from "./legacy.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "missionctl-legacy-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const FIXTURES = fileURLToPath(new URL("../../tests/fixtures/legacy/", import.meta.url));
// An existing entry as older gateways wrote it (field report §6, step 5), and a file cut mid-write.
const FIXTURE = join(FIXTURES, "paired.json");
const BROKEN = join(FIXTURES, "paired-broken.json");
const EXISTING = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, LegacyPairedEntry>;

describe("buildPairedEntry", () => {
  it("builds exactly the legacy shape, keyed fields only, from an identity", () => {
    const id = generateIdentity();
    const entry = buildPairedEntry(id, {
      platform: "linux",
      clientId: "cli",
      clientMode: "ui",
      scopes: ["operator.admin"],
      label: "Mission Control Pi",
      approvedAtMs: 1,
    });
    expect(entry).toEqual({
      deviceId: id.deviceId,
      publicKey: id.publicKey,
      platform: "linux",
      clientId: "cli",
      clientMode: "ui",
      role: "operator",
      scopes: ["operator.admin"],
      approvedAtMs: 1,
      label: "Mission Control Pi",
    });
    expect(JSON.stringify(entry)).not.toMatch(/PRIVATE|privateKey/);
  });

  it("defaults to gateway-client/backend with read+write and refuses values the gateway would not know", () => {
    const entry = buildPairedEntry(generateIdentity());
    expect(entry).toMatchObject({
      clientId: "gateway-client",
      clientMode: "backend",
      role: "operator",
      scopes: ["operator.read", "operator.write"],
    });
    expect(entry.label).toBeUndefined();
    expect(() => buildPairedEntry(generateIdentity(), { clientId: "mission-control" })).toThrow(/clientId/);
    expect(() => buildPairedEntry(generateIdentity(), { scopes: ["operator.everything"] })).toThrow(GatewayError);
    expect(() => buildPairedEntry({ deviceId: "abc", publicKey: "x" })).toThrow(/deviceId must be 64/);
  });
});

describe("addToPairedJson", () => {
  it("adds the entry next to existing ones, after a byte-identical backup, keeping the file mode", async () => {
    const file = join(dir, "paired.json");
    copyFileSync(FIXTURE, file);
    chmodSync(file, 0o640);
    const original = readFileSync(file, "utf8");
    const entry = buildPairedEntry(generateIdentity(), { label: "MC" });

    const r = await addToPairedJson(file, entry);

    expect(r).toMatchObject({ file, deviceId: entry.deviceId, replaced: false, created: false });
    expect(readFileSync(r.backup!, "utf8")).toBe(original);
    expect(r.backup).toMatch(/paired\.json\.bak-\d{8}T\d{6}Z$/);
    const doc = JSON.parse(readFileSync(file, "utf8"));
    expect(Object.keys(doc)).toEqual([...Object.keys(EXISTING), entry.deviceId]);
    expect(doc[entry.deviceId]).toEqual(entry);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("replaces an existing entry for the same device (or refuses with replace:false)", async () => {
    const file = join(dir, "paired.json");
    writeFileSync(file, JSON.stringify(EXISTING));
    const [deviceId, old] = Object.entries(EXISTING)[0]!;
    const entry = { ...old, deviceId, scopes: ["operator.read"], approvedAtMs: 2 };
    await expect(addToPairedJson(file, entry, { replace: false })).rejects.toThrow(/already has device/);
    const r = await addToPairedJson(file, entry);
    expect(r.replaced).toBe(true);
    expect(JSON.parse(readFileSync(file, "utf8"))[deviceId].scopes).toEqual(["operator.read"]);
  });

  it("leaves the broken fixture byte-identical with an error naming the file", async () => {
    const file = join(dir, "paired.json");
    copyFileSync(BROKEN, file);
    const before = readFileSync(file);
    const err = await addToPairedJson(file, buildPairedEntry(generateIdentity())).catch((e) => e);
    expect(err).toMatchObject({ code: "INVALID_OPTIONS", layer: "config" });
    expect(err.message).toContain(`legacy paired file ${file}: is not valid JSON`);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(["paired.json"]);
  });

  it.each([
    ["not JSON", '{"a": 1,,}', /is not valid JSON/],
    ["an array", "[]", /holds an array, not an object keyed by deviceId/],
    ["null", "null", /holds null/],
    ["a string", '"paired"', /holds a string/],
  ])("leaves a file that is %s byte-identical, names it, and writes no backup", async (_what, content, message) => {
    const file = join(dir, "paired.json");
    writeFileSync(file, content);
    const err = await addToPairedJson(file, buildPairedEntry(generateIdentity())).catch((e) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/left untouched/);
    expect(err.hint).toBeTruthy();
    expect(readFileSync(file, "utf8")).toBe(content);
    expect(readdirSync(dir)).toEqual(["paired.json"]);
  });

  it("refuses a missing file unless create is set, then creates it 0600 without a backup", async () => {
    const file = join(dir, "devices", "..", "paired.json");
    const entry = buildPairedEntry(generateIdentity());
    await expect(addToPairedJson(file, entry)).rejects.toThrow(/does not exist/);
    expect(existsSync(file)).toBe(false);
    const r = await addToPairedJson(file, entry, { create: true });
    expect(r).toMatchObject({ created: true, replaced: false });
    expect(r.backup).toBeUndefined();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ [entry.deviceId]: entry });
  });
});
