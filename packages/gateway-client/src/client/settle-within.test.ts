import { describe, expect, it } from "vitest";
import { settleWithin } from "./settle-within.js";

describe("settleWithin", () => {
  it("gives the value or the rejection of work that settles in time", async () => {
    expect(await settleWithin(Promise.resolve(7), 50)).toEqual({ status: "fulfilled", value: 7 });
    const err = new Error("disk gone");
    expect(await settleWithin(Promise.reject(err), 50)).toEqual({ status: "rejected", reason: err });
  });

  it("stops waiting for work that never settles, after the given time", async () => {
    const t0 = performance.now();
    expect(await settleWithin(new Promise(() => {}), 40)).toEqual({
      status: "timeout",
      ms: 40,
      reason: new Error("no answer within 40 ms"),
    });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
  });

  it("ignores work that settles after the deadline", async () => {
    let finish!: (v: number) => void;
    const late = new Promise<number>((r) => {
      finish = r;
    });
    const outcome = await settleWithin(late, 10);
    finish(1);
    await late;
    expect(outcome.status).toBe("timeout");
  });
});
