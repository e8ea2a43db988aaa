import { describe, expect, it } from "vitest";
import { configuredPrimary, deepMerge, initialConfig, modelFromEnv } from "./config.js";

describe("the local gateway's model from the environment", () => {
  it("an OpenAI-compatible server: a provider whose key stays in the environment", () => {
    const m = modelFromEnv({
      MC_MODEL_BASE_URL: "http://127.0.0.1:11434/v1/",
      MC_MODEL: "llama3.2",
      MC_MODEL_API_KEY: "sk-x",
    });
    expect(m.problem).toBeNull();
    expect(m.setup).toMatchObject({ primary: "local/llama3.2", source: "env", baseUrl: "http://127.0.0.1:11434/v1/" });
    expect(JSON.stringify(m.config)).not.toContain("sk-x");
    expect(m.config).toMatchObject({
      models: { providers: { local: { baseUrl: "http://127.0.0.1:11434/v1", apiKey: "${MC_MODEL_API_KEY}" } } },
      agents: { defaults: { model: { primary: "local/llama3.2" } } },
    });
    expect(m.passEnv).toContain("MC_MODEL_API_KEY");
  });

  it("a base URL without a model, or a model that is not a ref, is said plainly", () => {
    expect(modelFromEnv({ MC_MODEL_BASE_URL: "http://h/v1" }).problem).toMatch(/MC_MODEL/);
    expect(modelFromEnv({ MC_MODEL: "gpt" }).problem).toMatch(/provider\/model/);
  });

  it("provider keys pass through; an Anthropic key alone picks its documented model", () => {
    const a = modelFromEnv({ ANTHROPIC_API_KEY: "k" });
    expect(a.setup.primary).toBe("anthropic/claude-opus-5");
    expect(a.passEnv).toEqual(["ANTHROPIC_API_KEY"]);
    const o = modelFromEnv({ OPENAI_API_KEY: "k", ANTHROPIC_API_KEY: "k" });
    expect(o.config).toBeNull();
    expect(o.setup).toMatchObject({ primary: null, source: "gateway-default" });
    expect(modelFromEnv({}).setup).toMatchObject({ primary: null, source: null, keysFromEnv: [] });
  });

  it("the first config asks before commands and makes no heartbeat calls; a user's keys survive a merge", () => {
    const first = initialConfig({ port: 1234, logFile: "/tmp/g.log" });
    expect(first).toMatchObject({
      gateway: { mode: "local", bind: "loopback", port: 1234 },
      tools: { exec: { mode: "ask" } },
    });
    const kept = deepMerge(
      { ...first, agents: { defaults: { model: { primary: "x/y" } } }, custom: 1 },
      { gateway: { port: 99 } },
    );
    expect(kept).toMatchObject({ custom: 1, gateway: { port: 99, bind: "loopback" } });
    expect(configuredPrimary(kept)).toBe("x/y");
    expect(configuredPrimary({ agents: { defaults: { model: "a/b" } } })).toBe("a/b");
  });
});
