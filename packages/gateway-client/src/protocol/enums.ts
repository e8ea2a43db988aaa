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

export type GatewayClientId = (typeof GATEWAY_CLIENT_IDS)[number];
export type GatewayClientMode = (typeof GATEWAY_CLIENT_MODES)[number];

/** The protocol version openclaw 2026.9.x speaks. */
export const PROTOCOL_VERSION = 4;
