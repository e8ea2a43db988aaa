import { describe, expect, it } from "vitest";
import { inboundFrameSchema, parseInboundFrame, plainFrame } from "./frames.js";

describe("inbound frames", () => {
  it("parses responses and events through their schemas, keeping unknown fields", () => {
    expect(parseInboundFrame('{"type":"res","id":"1","ok":true,"payload":null,"later":1}')).toEqual({
      ok: true,
      frame: { type: "res", id: "1", ok: true, payload: null, later: 1 },
    });
    const ev = parseInboundFrame('{"type":"event","event":"tick","payload":{"ts":1},"seq":3}');
    expect(ev).toMatchObject({ ok: true, frame: { type: "event", event: "tick", seq: 3 } });
  });

  it("names what is wrong with anything else", () => {
    expect(parseInboundFrame("nope")).toEqual({ ok: false, problem: "a frame that is not JSON" });
    expect(parseInboundFrame("[1]")).toEqual({ ok: false, problem: "a JSON value that is not a frame" });
    expect(parseInboundFrame('{"hello":"echo"}')).toMatchObject({ ok: false, problem: /unknown type/ });
    expect(parseInboundFrame('{"type":"res","id":1,"ok":true}')).toMatchObject({
      ok: false,
      problem: /"res" frame with id/,
    });
  });

  it("takes the hand-checked path only for frames the schema accepts, with the same result", () => {
    const frames: unknown[] = [
      { type: "res", id: "1", ok: true, payload: { a: [1] } },
      { type: "res", id: "1", ok: false },
      { type: "res", id: "1", ok: "yes" },
      { type: "res", id: 1, ok: true },
      { type: "res", ok: true },
      { type: "res", id: "1", ok: false, error: { code: "X", message: "m" } },
      { type: "res", id: "1", ok: false, error: null },
      { type: "event", event: "tick" },
      { type: "event", event: "tick", seq: 1.5 },
      { type: "event", event: "tick", seq: Number.NaN },
      { type: "event", event: "tick", seq: "1" },
      { type: "event", event: 7 },
      { type: "event", event: "presence", stateVersion: { presence: 2 } },
      { type: "event", event: "presence", stateVersion: "2" },
      { type: "req", id: "1", method: "x" },
      { type: "other" },
    ];
    for (const f of frames) {
      const zod = inboundFrameSchema.safeParse(f);
      const fast = plainFrame(f as Record<string, unknown>);
      if (fast) expect(zod, JSON.stringify(f)).toEqual({ success: true, data: fast });
      if (!zod.success) expect(fast, JSON.stringify(f)).toBeUndefined();
    }
    // The plain frames of a connect take the fast path.
    expect(plainFrame({ type: "event", event: "connect.challenge", payload: { nonce: "n", ts: 1 } })).toBeDefined();
    expect(plainFrame({ type: "res", id: "c1", ok: true, payload: { type: "hello-ok" } })).toBeDefined();
  });
});
