import { describe, expect, it } from "vitest";
import * as z from "zod";
import { compileCheck } from "./compiled-check.js";
import {
  challengePayloadSchema,
  errorShapeSchema,
  eventFrameSchema,
  requestFrameSchema,
  responseFrameSchema,
} from "./frames.js";
import { helloOkSchema } from "./hello.js";

/** The check must accept exactly what the schema accepts, and what it accepts must parse to itself. */
function expectSameVerdicts(schema: z.ZodType, values: unknown[]) {
  const check = compileCheck(schema);
  expect(check).toBeDefined();
  for (const v of values) {
    const parsed = schema.safeParse(v);
    expect(check!(v), JSON.stringify(v)).toBe(parsed.success);
    if (parsed.success) expect(parsed.data).toEqual(v);
  }
}

/** Every variant of `base` with one field (at any depth) replaced by each of `bad`, or removed. */
function mutations(base: unknown, bad: unknown[]): unknown[] {
  const out: unknown[] = [];
  const walk = (node: unknown, rebuild: (v: unknown) => unknown) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        const at = (v: unknown) => rebuild(node.map((x, j) => (j === i ? v : x)));
        for (const b of bad) out.push(at(b));
        walk(item, at);
      });
    } else if (node && typeof node === "object") {
      for (const key of Object.keys(node)) {
        const at = (v: unknown) => rebuild({ ...(node as object), [key]: v });
        for (const b of bad) out.push(at(b));
        const { [key]: _gone, ...without } = node as Record<string, unknown>;
        out.push(rebuild(without));
        walk((node as Record<string, unknown>)[key], at);
      }
    }
  };
  walk(base, (v) => v);
  return out;
}

const BAD = [undefined, null, "", "x", 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, true, [], ["x"], [1], {}];

// The shape of a real openclaw 2026.9.6 hello-ok (shortened lists).
const hello = {
  type: "hello-ok",
  protocol: 4,
  server: { version: "2026.9.6", connId: "c1", bootId: "b1" },
  features: { methods: ["health", "status"], events: ["tick"], capabilities: ["x"] },
  snapshot: {
    presence: [{ host: "h", clientId: "gateway-client", ts: 1, mode: "backend" }],
    health: { ok: true, agents: [] },
    stateVersion: { presence: 1, health: 2 },
    uptimeMs: 10,
    appliedConfigHash: null,
    sessionDefaults: { defaultAgentId: "main", mainKey: "main", mainSessionKey: "agent:main:main" },
    later: { added: 1 },
  },
  auth: { method: "token", role: "operator", scopes: ["operator.read"], deviceToken: "dt", issuedAtMs: 5 },
  policy: { maxPayload: 1024, maxBufferedBytes: 2048, tickIntervalMs: 15000 },
  controlUiWidgetKinds: ["a"],
};

describe("compileCheck", () => {
  it("agrees with the hello-ok schema on a real payload and on every one-field mutation of it", () => {
    expectSameVerdicts(helloOkSchema, [hello, ...mutations(hello, BAD)]);
  });

  it("agrees with the frame schemas", () => {
    const res = {
      type: "res",
      id: "r1",
      ok: false,
      payload: { a: 1 },
      error: { code: "X", message: "m", retryable: true },
    };
    const ev = { type: "event", event: "tick", payload: { ts: 1 }, seq: 2, stateVersion: { presence: 1 } };
    const req = { type: "req", id: "q", method: "m", params: {}, traceparent: "t".repeat(128) };
    expectSameVerdicts(responseFrameSchema, [res, ...mutations(res, BAD)]);
    expectSameVerdicts(eventFrameSchema, [ev, ...mutations(ev, BAD)]);
    expectSameVerdicts(requestFrameSchema, [req, { ...req, traceparent: "t".repeat(129) }, ...mutations(req, BAD)]);
    expectSameVerdicts(errorShapeSchema, [{ code: "X", message: "m", details: [1] }]);
    const challenge = { nonce: "n", ts: 1, capabilities: ["model-catalog-snapshot"] };
    expectSameVerdicts(challengePayloadSchema, [challenge, { ...challenge, nonce: "" }, ...mutations(challenge, BAD)]);
  });

  it("handles strict objects, bounds, literals and nullables like zod", () => {
    const s = z.strictObject({
      n: z.number().int().min(1).max(10),
      s: z.string().min(2).max(3).nullable(),
      a: z.array(z.boolean()).max(1).optional(),
      l: z.literal(["a", 2]),
      r: z.record(z.string(), z.number()),
    });
    const ok = { n: 1, s: "ab", a: [true], l: "a", r: { x: 1 } };
    expectSameVerdicts(s, [
      ok,
      { ...ok, extra: 1 },
      { ...ok, n: 11 },
      { ...ok, s: "abcd" },
      { ...ok, a: [true, false] },
      { ...ok, l: 2 },
      { ...ok, l: "b" },
      { ...ok, r: { x: "1" } },
      { ...ok, r: [] },
      ...mutations(ok, BAD),
    ]);
  });

  it("checks arrays and optionals of strings, with and without bounds, like zod", () => {
    const s = z.object({
      names: z.array(z.string()),
      bounded: z.array(z.string().min(1)).max(2).optional(),
      nonEmpty: z.array(z.string()).min(1).optional(),
      label: z.string().optional(),
    });
    expectSameVerdicts(s, [
      { names: [] },
      { names: ["a", "b"], bounded: ["x"], nonEmpty: ["y"], label: "" },
      { names: ["a", 1] },
      { names: ["a", null] },
      { names: "a" },
      { names: { 0: "a", length: 1 } },
      { names: [], bounded: [""] },
      { names: [], bounded: ["a", "b", "c"] },
      { names: [], nonEmpty: [] },
      { names: [], label: 1 },
      { names: [], label: null },
    ]);
  });

  it("handles enums and unions like zod", () => {
    const s = z.object({ e: z.enum(["a", "b"]).optional(), u: z.union([z.boolean(), z.object({ n: z.number() })]) });
    expectSameVerdicts(s, [{ u: true }, { e: "a", u: { n: 1 } }, { e: "c", u: true }, { u: { n: "1" } }, { u: 1 }]);
  });

  it("gives up on what it does not know, so callers fall back to the schema", () => {
    expect(compileCheck(z.string().email())).toBeUndefined();
    expect(compileCheck(z.object({ a: z.string().transform((x) => x.length) }))).toBeUndefined();
    expect(compileCheck(z.object({ at: z.date() }))).toBeUndefined();
  });
});
