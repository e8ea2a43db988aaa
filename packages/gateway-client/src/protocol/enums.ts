/** Values the gateway (openclaw 2026.9.x, protocol 4) accepts; it closes with 1008 on anything else. */
export const GATEWAY_CLIENT_IDS = [
  "webchat-ui",
  "openclaw-control-ui",
  "openclaw-browser-copilot",
  "openclaw-tui",
  "webchat",
  "cli",
  "gateway-client",
  "openclaw-macos",
  "openclaw-linux",
  "openclaw-ios",
  "openclaw-watchos",
  "openclaw-android",
  "node-host",
  "openclaw-worker",
  "test",
  "fingerprint",
  "openclaw-probe",
] as const;

export const GATEWAY_CLIENT_MODES = ["webchat", "cli", "ui", "backend", "node", "worker", "probe", "test"] as const;

export const GATEWAY_ROLES = ["operator", "node"] as const;

export const OPERATOR_SCOPES = [
  "operator.read",
  "operator.write",
  "operator.admin",
  "operator.approvals",
  "operator.questions",
  "operator.pairing",
  "operator.talk",
  "operator.talk.secrets",
] as const;

/**
 * Advisory client capabilities (connect `caps`). `approvals` (or `exec-approvals` /
 * `plugin-approvals`) is required, next to operator.approvals or admin, to receive the
 * `*.approval.requested|resolved` events and to count as a route for pending approvals.
 */
export const GATEWAY_CLIENT_CAPS = [
  "agent-kind",
  "approvals",
  "exec-approvals",
  "inline-widgets",
  "model-catalog-snapshot",
  "model-selection-policy",
  "run-tool-bindings",
  "session-scoped-events",
  "skill-curator-live-inventory",
  "plugin-approvals",
  "task-suggestions",
  "terminal-offset-seq",
  "terminal-session-metadata",
  "terminal-upload-path-style",
  "tool-events",
  "ui-commands",
  "usage-refreshing",
] as const;

export type GatewayClientCap = (typeof GATEWAY_CLIENT_CAPS)[number];
export type OperatorScope = (typeof OPERATOR_SCOPES)[number];
export type GatewayClientId = (typeof GATEWAY_CLIENT_IDS)[number];

/** What a client says it is unless told otherwise: a backend; on loopback with the shared token it is never asked to pair. */
export const DEFAULT_CLIENT_ID = "gateway-client" satisfies GatewayClientId;
export const DEFAULT_CLIENT_MODE = "backend" satisfies (typeof GATEWAY_CLIENT_MODES)[number];
export type GatewayClientMode = (typeof GATEWAY_CLIENT_MODES)[number];

/** The protocol version openclaw 2026.9.x speaks. */
export const PROTOCOL_VERSION = 4;

/**
 * What connect offers by default: the gateway accepts 4, and 3 for probe clients and older
 * nodes. minProtocol/maxProtocol override it.
 */
export const PROTOCOL_RANGE = { min: 3, max: PROTOCOL_VERSION } as const;
