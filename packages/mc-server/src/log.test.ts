import { describe, expect, it } from "vitest";
import { createLogger, redact } from "./log.js";

describe("log", () => {
  it("writes one JSON object per line with level filtering", () => {
    const lines: string[] = [];
    const log = createLogger("info", (l) => lines.push(l)).child({ component: "x" });
    log.debug("hidden");
    log.info("shown", { n: 1 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith("\n")).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "info", msg: "shown", component: "x", n: 1 });
  });

  it("redacts secrets at any depth (gateway frames at debug)", () => {
    const frame = {
      type: "req",
      method: "connect",
      params: {
        auth: { token: "t0k3n", password: "pw" },
        device: { signature: "sig", nonce: "n" },
        client: { id: "cli" },
      },
    };
    const text = JSON.stringify(redact(frame));
    for (const secret of ["t0k3n", '"pw"', '"sig"']) expect(text).not.toContain(secret);
    expect(text).toContain('"id":"cli"');
  });
});
