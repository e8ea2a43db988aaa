import { describe, expect, it } from "vitest";
import {
  buildSignedPayloadV2,
  buildSignedPayloadV3,
  normalizeMetadataField,
  signatureToken,
} from "./signed-payload.js";

const base = {
  deviceId: "5bc3d4cf0b5e",
  clientId: "cli",
  clientMode: "cli",
  role: "operator",
  scopes: ["operator.read", "operator.write"],
  signedAtMs: 1795605016397,
  token: "testtoken123",
  nonce: "cd977eef-a9f5-4908-bd6e-b072601e60d3",
  platform: "linux",
};

describe("signed payload", () => {
  it("builds the v3 string the gateway verifies (reference example)", () => {
    expect(buildSignedPayloadV3(base)).toBe(
      [
        "v3",
        "5bc3d4cf0b5e",
        "cli",
        "cli",
        "operator",
        "operator.read,operator.write",
        "1795605016397",
        "testtoken123",
        "cd977eef-a9f5-4908-bd6e-b072601e60d3",
        "linux",
        "",
      ].join("|"),
    );
  });
  it("trims and ASCII-lowercases platform and deviceFamily only", () => {
    expect(
      buildSignedPayloadV3({ ...base, platform: "  Linux ", deviceFamily: " MacBookPro " })
        .split("|")
        .slice(-2),
    ).toEqual(["linux", "macbookpro"]);
    // Non-ASCII letters are left alone, as the gateway does.
    expect(normalizeMetadataField("ÄB")).toBe("Äb");
  });
  it("builds v2 without platform fields", () => {
    expect(buildSignedPayloadV2(base)).toBe(
      "v2|5bc3d4cf0b5e|cli|cli|operator|operator.read,operator.write|1795605016397|testtoken123|cd977eef-a9f5-4908-bd6e-b072601e60d3",
    );
  });
  it("signs token, else deviceToken, else empty; never the password", () => {
    expect(signatureToken({ token: "t", deviceToken: "d" })).toBe("t");
    expect(signatureToken({ deviceToken: "d" })).toBe("d");
    expect(signatureToken({ password: "p" } as never)).toBe("");
  });
});
