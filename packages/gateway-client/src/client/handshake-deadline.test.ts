import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HandshakeDeadline } from "./handshake-deadline.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("HandshakeDeadline", () => {
  it("a later phase's deadline counts from its own start, on the timer already armed", () => {
    const d = new HandshakeDeadline();
    const expired: string[] = [];
    d.set(100, () => expired.push("open"));
    vi.advanceTimersByTime(60);
    d.set(300, () => expired.push("challenge"));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(299);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(["challenge"]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a shorter deadline than the armed timer's fires on time", () => {
    const d = new HandshakeDeadline();
    const expired: string[] = [];
    d.set(10_000, () => expired.push("challenge"));
    d.set(50, () => expired.push("connect"));
    vi.advanceTimersByTime(50);
    expect(expired).toEqual(["connect"]);
    vi.advanceTimersByTime(20_000);
    expect(expired).toEqual(["connect"]);
  });

  it("clear() stops it for good, and a new set() starts again", () => {
    const d = new HandshakeDeadline();
    const expired: string[] = [];
    d.set(100, () => expired.push("first"));
    d.clear();
    vi.advanceTimersByTime(1_000);
    expect(expired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    d.set(100, () => expired.push("second"));
    vi.advanceTimersByTime(100);
    expect(expired).toEqual(["second"]);
  });
});
