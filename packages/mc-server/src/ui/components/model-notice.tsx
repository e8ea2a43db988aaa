import type { ModelView } from "../view-model.js";

/**
 * When the gateway's agent has no model: what is needed, and — for the gateway mc-server runs
 * itself — a form that gives it one (POST /api/local-gateway/model).
 */
export function ModelNotice({ model }: { model: ModelView | null }) {
  if (model?.configured !== false) return null;
  return (
    <div class="problem" id="model-notice" data-testid="model-notice">
      <p>
        <strong>The agent has no model: every dispatch fails until it has one.</strong>
      </p>
      {model.fix ? <p class="fix">{model.fix}</p> : null}
      {model.canConfigure ? (
        <form id="model-form" class="stack" aria-label="Give the agent a model">
          <h3>Give the agent a model</h3>
          <label for="model-id">Model (provider/model, or the model id of the server below)</label>
          <input
            id="model-id"
            name="model"
            required
            maxlength={200}
            placeholder="anthropic/claude-opus-5 or llama3.2"
          />
          <label for="model-base-url">OpenAI-compatible server URL (optional, e.g. a local Ollama)</label>
          <input id="model-base-url" name="baseUrl" type="url" placeholder="http://127.0.0.1:11434/v1" />
          <label for="model-api-key">API key for that server (optional)</label>
          <input id="model-api-key" name="apiKey" type="password" autocomplete="off" />
          <button type="submit" class="primary">
            Give the agent this model
          </button>
        </form>
      ) : null}
    </div>
  );
}
