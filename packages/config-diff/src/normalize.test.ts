import { describe, expect, it } from "vitest";
import { normalizeConfig } from "./normalize.js";

describe("normalizeConfig", () => {
  it("rewrites retired values copy-on-write and records where", () => {
    const input = {
      gateway: {
        bind: "127.0.0.1",
        reload: { mode: "restart" },
        controlUi: { dangerouslyDisableDeviceAuth: true, x: 1 },
      },
      other: { big: true },
    };
    const { value, events } = normalizeConfig(input);
    expect(value).toEqual({
      gateway: { bind: "loopback", reload: { mode: "hybrid" }, controlUi: { x: 1 } },
      other: { big: true },
    });
    expect(events.map((e) => e.rule).sort()).toEqual([
      "bind-host-alias",
      "inert-disable-device-auth",
      "reload-mode-hybrid",
    ]);
    expect(input.gateway.bind).toBe("127.0.0.1");
    expect((value as typeof input).other).toBe(input.other);
  });
  it("leaves canonical values alone", () => {
    const input = { gateway: { bind: "lan", reload: { mode: "off" } } };
    expect(normalizeConfig(input)).toEqual({ value: input, events: [] });
  });
});
