import { describe, expect, it } from "vitest";
import { parseInboundFrame } from "./frames.js";

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
});
