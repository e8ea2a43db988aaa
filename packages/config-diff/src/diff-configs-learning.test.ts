import { describe, expect, it } from "vitest";
import type { DiffOptions } from "./diff-configs.js";
import { configInput, diffConfigs } from "./diff-configs.js";

// diffConfigs learns every secret of both configs while it compares them: these pin down that a
// secret is masked wherever it reappears, whichever part of the walk found it, and that a
// pathological depth is an input error on every path of the walk.

/** The changes as printed, one string, to search for what must not be there. */
const shown = (src: unknown, rt: unknown, options: DiffOptions = {}) =>
  JSON.stringify(diffConfigs(src, rt, options).changes);

describe("diffConfigs learns the secrets of both configs", () => {
  it("masks a secret found only on the unchanged side, as an equal leaf on both sides", () => {
    const src = { gateway: { auth: { token: "tok-unchanged-leaf-1" } }, notes: { n: "x" } };
    const rt = { gateway: { auth: { token: "tok-unchanged-leaf-1" } }, notes: { n: "use tok-unchanged-leaf-1" } };
    const out = shown(src, rt);
    expect(out).not.toContain("tok-unchanged-leaf-1");
    expect(out).toContain("use ***");
  });
  it("masks a URL credential found in an unchanged leaf", () => {
    const url = "https://u:pw-in-url-12345@h/v1";
    const src = { models: { providers: { p: { baseUrl: url } } }, notes: { n: "a" } };
    const rt = { models: { providers: { p: { baseUrl: url } } }, notes: { n: "pw-in-url-12345" } };
    expect(shown(src, rt)).not.toContain("pw-in-url-12345");
  });
  it("masks a secret found only inside an unchanged subtree that is the same object on both sides", () => {
    const shared = { providers: { p: { apiKey: "sk-shared-object-1", list: [{ token: "tok-shared-in-array" }] } } };
    const src = { models: shared, notes: { n: "x" } };
    const rt = { models: shared, notes: { n: "sk-shared-object-1 and tok-shared-in-array" } };
    const out = shown(src, rt);
    expect(out).not.toContain("sk-shared-object-1");
    expect(out).not.toContain("tok-shared-in-array");
  });
  it("masks a secret found only in a removed or an added subtree", () => {
    const src = { gone: { nested: { apiKey: "sk-removed-subtree-1" } }, notes: { n: "x" } };
    const rt = { extra: { deeper: { password: "pw-added-subtree-1" } }, notes: { n: "sk-removed-subtree-1" } };
    const r = diffConfigs(src, { ...rt, notes: { n: "sk-removed-subtree-1 pw-added-subtree-1" } });
    const out = JSON.stringify(r.changes);
    expect(out).not.toContain("sk-removed-subtree-1");
    expect(out).not.toContain("pw-added-subtree-1");
    expect(r.changes.find((c) => c.pointer === "/notes/n")?.after).toBe("*** ***");
  });
  it("masks a secret found inside an array: scalars at a secret path, objects, ordered and set arrays", () => {
    const src = {
      gateway: { auth: { tokens: ["tok-array-scalar-1", "tok-array-scalar-2"] } },
      models: { providers: { p: { models: [{ id: "m", apiKey: "sk-array-object-1" }] } } },
      notes: { n: "x" },
    };
    const rt = {
      gateway: { auth: { tokens: ["tok-array-scalar-2", "tok-array-scalar-1"] } },
      models: { providers: { p: { models: [{ id: "m", apiKey: "sk-array-object-1" }, { id: "k" }] } } },
      notes: { n: "tok-array-scalar-1 tok-array-scalar-2 sk-array-object-1" },
    };
    for (const options of [{}, { arrays: { "/gateway/auth/tokens": "ordered" as const } }]) {
      const out = shown(src, rt, options);
      expect(out).not.toMatch(/tok-array-scalar|sk-array-object/);
    }
  });
  it("masks a secret found in a value that changed type, and in an element removed from an ordered array", () => {
    const src = { a: { token: { value: "tok-type-changed-1" } }, list: [{ apiKey: "sk-ordered-removed" }], notes: {} };
    const rt = { a: { token: "x" }, list: [], notes: { n: "tok-type-changed-1 sk-ordered-removed" } };
    expect(shown(src, rt, { arrays: { "/list": "ordered" } })).not.toMatch(/tok-type-changed-1|sk-ordered-removed/);
  });
  it("masks a secret only in a key the normalization removes", () => {
    const src = { gateway: { controlUi: { dangerouslyDisableDeviceAuth: { token: "tok-normalized-away" } } } };
    const rt = { gateway: { controlUi: {} }, notes: { n: "tok-normalized-away" } };
    expect(shown(src, rt)).not.toContain("tok-normalized-away");
  });
  it("does not learn a SecretRef's id as a value, changed or not", () => {
    const ref = { source: "file", provider: "default", id: "/run/plain-ref-id" };
    const src = { gateway: { auth: { token: { ...ref } } }, notes: { n: "x" } };
    const rt = { gateway: { auth: { token: { ...ref, provider: "other" } } }, notes: { n: "/run/plain-ref-id" } };
    const r = diffConfigs(src, rt);
    expect(r.changes.find((c) => c.pointer === "/notes/n")?.after).toBe("/run/plain-ref-id");
  });
  it("learns the same in every env mode", () => {
    const src = { gateway: { auth: { token: "tok-every-mode-1" } }, notes: { n: "${X}" } };
    const rt = { gateway: { auth: { token: "tok-every-mode-1" } }, notes: { n: "tok-every-mode-1" } };
    for (const envMode of ["literal", "presence", "resolve"] as const) {
      expect(shown(src, rt, { envMode, env: {} })).not.toContain("tok-every-mode-1");
    }
  });
});

/** `levels` nested arrays around a leaf, built without recursion. */
function deep(levels: number, leaf: unknown = 1): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

describe("diffConfigs refuses a config nested too deep on every path of the walk", () => {
  /** The error `run` throws, as code and message, for one assertion. */
  const failure = (run: () => unknown) => {
    try {
      run();
    } catch (err) {
      return { code: (err as { code?: string }).code, message: (err as Error).message.split(" — ")[0] };
    }
    return undefined;
  };
  const tooDeep = (label: string) => ({
    code: "INPUT_TOO_DEEP",
    message: `[config-diff] ${label}: nests deeper than 100 levels of objects and arrays`,
  });
  const cases: [string, unknown, unknown, string][] = [
    ["a subtree only in the source", { x: { d: deep(200_000) } }, { x: {} }, "src"],
    ["a subtree only in the runtime", { x: {} }, { x: { d: deep(200_000) } }, "rt"],
    ["different objects on both sides", { x: deep(200_000, 1) }, { x: deep(200_000, 2) }, "src"],
    ["the same object on both sides", ((d) => [{ x: d }, { x: d }])(deep(200_000)), undefined, "src"],
    ["a value that changed type", { x: "s" }, { x: deep(200_000) }, "rt"],
    ["the runtime deep first, the source deep later", { z: deep(200_000) }, { a: deep(200_000) }, "src"],
    ["just over the limit", { x: deep(100) }, { x: {} }, "src"],
  ];
  for (const [name, s, r, label] of cases) {
    it(name, () => {
      const [src, rt] = r === undefined ? (s as unknown[]) : [s, r];
      expect(failure(() => diffConfigs(configInput(src, "src"), configInput(rt, "rt")))).toEqual(tooDeep(label));
    });
  }
  it("in an element removed from an ordered array", () => {
    const src = { list: [1, deep(200_000)] };
    expect(
      failure(() =>
        diffConfigs(configInput(src, "src"), configInput({ list: [1] }, "rt"), { arrays: { "/list": "ordered" } }),
      ),
    ).toEqual(tooDeep("src"));
  });
  it("in a key the normalization removes", () => {
    const src = { gateway: { controlUi: { dangerouslyDisableDeviceAuth: deep(200_000) } } };
    expect(failure(() => diffConfigs(configInput(src, "src"), configInput({}, "rt")))).toEqual(tooDeep("src"));
  });
  it("in resolve and presence mode, and before an invalid option", () => {
    for (const envMode of ["resolve", "presence"] as const) {
      expect(
        failure(() => diffConfigs(configInput({}, "src"), configInput({ x: deep(200_000) }, "rt"), { envMode })),
      ).toEqual(tooDeep("rt"));
    }
    expect(
      failure(() =>
        diffConfigs(configInput({ x: deep(200_000) }, "src"), {}, { envMode: "bogus" as never, ignore: ["bad"] }),
      ),
    ).toEqual(tooDeep("src"));
  });
  it("100 levels are fine", () => {
    expect(diffConfigs({ x: deep(99, "a") }, { x: deep(99, "b") }).summary.drift).toBe(2);
  });
});
