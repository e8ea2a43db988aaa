// The local gateway's openclaw.json: what mc-server manages in it, and how a model gets there.

type Json = Record<string, unknown>;

function isPlainObject(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** `extra` over `base`, objects merged key by key, anything else replaced. */
export function deepMerge<T>(base: T, extra: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(extra)) return (extra === undefined ? base : extra) as T;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(extra)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out as T;
}

/** Provider API keys the gateway reads from its environment: passed through to the local gateway when set. */
export const PROVIDER_KEY_VARIABLES = [
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY",
  "OPENROUTER_API_KEY",
  "GEMINI_API_KEY",
  "GOOGLE_API_KEY",
  "MISTRAL_API_KEY",
  "GROQ_API_KEY",
  "XAI_API_KEY",
  "DEEPSEEK_API_KEY",
  "TOGETHER_API_KEY",
] as const;

/** The model the documentation of openclaw 2026.9.6 names for an Anthropic API key. */
export const ANTHROPIC_DEFAULT_MODEL = "anthropic/claude-opus-5";
/** The provider id mc-server gives an OpenAI-compatible server (Ollama, LM Studio, vLLM…). */
export const LOCAL_PROVIDER_ID = "local";

/** A custom provider entry for an OpenAI-compatible chat-completions server (`<id>/<model>` refs). */
export function openAiCompatibleProvider(o: { baseUrl: string; apiKey: string; model: string; name?: string }): Json {
  return {
    baseUrl: o.baseUrl.replace(/\/+$/, ""),
    // The gateway sends it as "Authorization: Bearer …"; a server without auth ignores it.
    apiKey: o.apiKey,
    api: "openai-completions",
    models: [
      {
        id: o.model,
        name: o.name ?? o.model,
        reasoning: false,
        input: ["text"],
        cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
        contextWindow: 128000,
        maxTokens: 4096,
      },
    ],
  };
}

/** How the agent gets its model, as the local gateway's status reports it. */
export interface ModelSetup {
  /** `provider/model` set as the agents' primary model, or null for the gateway's own default. */
  primary: string | null;
  /** Where it came from. */
  source: "env" | "dashboard" | "config" | "gateway-default" | null;
  /** The provider keys passed through from the environment (names only). */
  keysFromEnv: string[];
  /** An OpenAI-compatible server, when that is the model. */
  baseUrl: string | null;
}

export interface EnvModel {
  /** Deep-merged into the config on every start: the environment wins over an older choice. */
  config: Json | null;
  setup: ModelSetup;
  /** Variables (names) to pass to the gateway process. */
  passEnv: string[];
  /** A setting that cannot work, said plainly (e.g. MC_MODEL_BASE_URL without MC_MODEL). */
  problem: string | null;
}

/**
 * The model the environment asks for: `MC_MODEL_BASE_URL` + `MC_MODEL` (+ `MC_MODEL_API_KEY`)
 * for an OpenAI-compatible server; else `MC_MODEL` as a `provider/model` ref; else the provider
 * keys (an Anthropic key alone selects its documented default model; with an OpenAI key the
 * gateway's own default, openai/gpt-6-astra, applies).
 */
export function modelFromEnv(env: Record<string, string | undefined>): EnvModel {
  const keys = PROVIDER_KEY_VARIABLES.filter((k) => (env[k] ?? "").trim() !== "");
  const passEnv: string[] = [...keys];
  const baseUrl = env.MC_MODEL_BASE_URL?.trim() || null;
  const model = env.MC_MODEL?.trim() || null;
  if (baseUrl) {
    if (!model) {
      return {
        config: null,
        setup: { primary: null, source: null, keysFromEnv: keys, baseUrl },
        passEnv,
        problem:
          "MC_MODEL_BASE_URL is set but MC_MODEL is not: set MC_MODEL to the model's id on that server (e.g. llama3.2)",
      };
    }
    const id = model.startsWith(`${LOCAL_PROVIDER_ID}/`) ? model.slice(LOCAL_PROVIDER_ID.length + 1) : model;
    // The key stays in the environment: the config refers to it, so it never lands in a file.
    const hasKey = (env.MC_MODEL_API_KEY ?? "").trim() !== "";
    if (hasKey) passEnv.push("MC_MODEL_API_KEY");
    return {
      config: {
        models: {
          mode: "merge",
          providers: {
            [LOCAL_PROVIDER_ID]: openAiCompatibleProvider({
              baseUrl,
              apiKey: hasKey ? "${MC_MODEL_API_KEY}" : "no-key",
              model: id,
            }),
          },
        },
        agents: { defaults: { model: { primary: `${LOCAL_PROVIDER_ID}/${id}` } } },
      },
      setup: { primary: `${LOCAL_PROVIDER_ID}/${id}`, source: "env", keysFromEnv: keys, baseUrl },
      passEnv,
      problem: null,
    };
  }
  if (model) {
    if (!model.includes("/"))
      return {
        config: null,
        setup: { primary: null, source: null, keysFromEnv: keys, baseUrl: null },
        passEnv,
        problem:
          `MC_MODEL=${model} is not a provider/model ref: use e.g. anthropic/claude-opus-5, or set MC_MODEL_BASE_URL for a local ` +
          "server",
      };
    return {
      config: { agents: { defaults: { model: { primary: model } } } },
      setup: { primary: model, source: "env", keysFromEnv: keys, baseUrl: null },
      passEnv,
      problem: null,
    };
  }
  if (keys.includes("ANTHROPIC_API_KEY") && !keys.includes("OPENAI_API_KEY")) {
    return {
      config: { agents: { defaults: { model: { primary: ANTHROPIC_DEFAULT_MODEL } } } },
      setup: { primary: ANTHROPIC_DEFAULT_MODEL, source: "env", keysFromEnv: keys, baseUrl: null },
      passEnv,
      problem: null,
    };
  }
  return {
    config: null,
    setup: { primary: null, source: keys.length ? "gateway-default" : null, keysFromEnv: keys, baseUrl: null },
    passEnv,
    problem: null,
  };
}

/** What the local gateway's config always says (mode, bind, port, auth, log file). */
export function managedConfig(o: { port: number; logFile: string }): Json {
  return {
    gateway: { mode: "local", bind: "loopback", port: o.port, auth: { mode: "token" } },
    logging: { file: o.logFile },
  };
}

/**
 * The config a new local gateway starts with: the managed part, no heartbeat model calls (a
 * model call only when someone asks), and commands the agent runs waiting for an approval on
 * the dashboard.
 */
export function initialConfig(o: { port: number; logFile: string }): Json {
  return deepMerge(managedConfig(o), {
    agents: { defaults: { heartbeat: { every: "0m" } } },
    tools: { exec: { mode: "ask" } },
  });
}

/** The primary model an existing config names (agents.defaults.model.primary), if any. */
export function configuredPrimary(config: unknown): string | null {
  const model = (config as { agents?: { defaults?: { model?: unknown } } })?.agents?.defaults?.model;
  if (typeof model === "string") return model || null;
  const primary = (model as { primary?: unknown } | undefined)?.primary;
  return typeof primary === "string" && primary !== "" ? primary : null;
}
