import { describe, expect, it } from "vitest";
import { cliHint, errorForCli } from "./cli/hints.js";
import { GATEWAY_ERROR_CODES, GatewayError } from "./errors.js";
import {
  CLOSE_CODE_HINTS,
  CODE_HINTS,
  DETAIL_CODE_HINTS,
  HTTP_STATUS_HINTS,
  hintFor,
  NO_CREDENTIALS_HINT,
} from "./hints.js";
import { fromGatewayError } from "./protocol/gateway-errors.js";

describe("hint table", () => {
  it("has a one-sentence hint for every code", () => {
    for (const code of GATEWAY_ERROR_CODES) {
      const hint = CODE_HINTS[code];
      expect(hint, code).toBeTruthy();
      expect(hint.length, code).toBeGreaterThan(20);
      expect(hint.trim().endsWith("."), code).toBe(true);
    }
  });

  // Every row of the protocol reference's §4 error table, as the gateway sends it.
  const rows: Array<
    [
      string,
      { code: string; message: string; details?: Record<string, unknown>; retryAfterMs?: number },
      string,
      RegExp,
    ]
  > = [
    [
      "wrong token",
      {
        code: "INVALID_REQUEST",
        message: "unauthorized: gateway token mismatch",
        details: { code: "AUTH_TOKEN_MISMATCH", canRetryWithDeviceToken: true },
      },
      "AUTH_TOKEN_MISMATCH",
      /gateway\.auth\.token/,
    ],
    [
      "no token",
      {
        code: "INVALID_REQUEST",
        message: "unauthorized: gateway token missing",
        details: { code: "AUTH_TOKEN_MISSING" },
      },
      "AUTH_TOKEN_MISSING",
      /pass the token option/,
    ],
    [
      "scope mismatch",
      {
        code: "INVALID_REQUEST",
        message: "unauthorized: device token scope mismatch",
        details: { code: "AUTH_SCOPE_MISMATCH" },
      },
      "AUTH_SCOPE_MISMATCH",
      /approved scopes/,
    ],
    [
      "bad signature",
      {
        code: "INVALID_REQUEST",
        message: "device signature invalid",
        details: { code: "DEVICE_AUTH_SIGNATURE_INVALID", reason: "device-signature" },
      },
      "DEVICE_SIGNATURE_INVALID",
      /signature/,
    ],
    [
      "nonce",
      { code: "INVALID_REQUEST", message: "device nonce mismatch", details: { code: "DEVICE_AUTH_NONCE_MISMATCH" } },
      "DEVICE_NONCE_MISMATCH",
      /reconnect/,
    ],
    [
      "device id",
      {
        code: "INVALID_REQUEST",
        message: "device identity mismatch",
        details: { code: "DEVICE_AUTH_DEVICE_ID_MISMATCH" },
      },
      "DEVICE_ID_MISMATCH",
      /device\.json/,
    ],
    [
      "skew",
      {
        code: "INVALID_REQUEST",
        message: "device signature expired",
        details: { code: "DEVICE_AUTH_SIGNATURE_EXPIRED" },
      },
      "DEVICE_SIGNATURE_EXPIRED",
      /clock/,
    ],
    [
      "protocol",
      {
        code: "INVALID_REQUEST",
        message: "protocol mismatch",
        details: { code: "PROTOCOL_MISMATCH", expectedProtocol: 4 },
      },
      "PROTOCOL_MISMATCH",
      /minProtocol/,
    ],
    [
      "schema",
      {
        code: "INVALID_REQUEST",
        message: "invalid connect params: at /client/id: must be equal to one of the allowed values",
      },
      "INVALID_CONNECT_PARAMS",
      /client id\/mode/,
    ],
    [
      "unpaired",
      {
        code: "NOT_PAIRED",
        message: "pairing required: device is not approved yet",
        details: { code: "PAIRING_REQUIRED", reason: "not-paired", requestId: "r-1" },
      },
      "PAIRING_REQUIRED",
      /openclaw devices approve r-1/,
    ],
    [
      "scope upgrade",
      {
        code: "NOT_PAIRED",
        message: "pairing required: more scopes",
        details: { code: "PAIRING_REQUIRED", reason: "scope-upgrade", requestId: "r-2" },
      },
      "PAIRING_REQUIRED",
      /more scopes.*approve r-2/,
    ],
    [
      "origin",
      {
        code: "INVALID_REQUEST",
        message: "origin not allowed",
        details: { code: "CONTROL_UI_ORIGIN_NOT_ALLOWED", reason: "origin not allowed" },
      },
      "ORIGIN_NOT_ALLOWED",
      /allowedOrigins/,
    ],
    [
      "origin missing",
      {
        code: "INVALID_REQUEST",
        message: "origin not allowed",
        details: { code: "CONTROL_UI_ORIGIN_NOT_ALLOWED", reason: "origin missing or invalid" },
      },
      "ORIGIN_NOT_ALLOWED",
      /gateway-client/,
    ],
    [
      "control ui no device",
      {
        code: "INVALID_REQUEST",
        message: "control ui requires device identity",
        details: { code: "CONTROL_UI_DEVICE_IDENTITY_REQUIRED" },
      },
      "INVALID_CONNECT_PARAMS",
      /identity/,
    ],
    [
      "starting",
      {
        code: "UNAVAILABLE",
        message: "gateway starting; retry shortly",
        details: { reason: "startup-sidecars" },
        retryAfterMs: 500,
      },
      "GATEWAY_STARTING",
      /starting/,
    ],
    [
      "first frame not connect",
      { code: "INVALID_REQUEST", message: "invalid handshake: first request must be connect" },
      "INVALID_CONNECT_PARAMS",
      /connect parameters/,
    ],
  ];
  for (const [name, error, code, hint] of rows) {
    it(`maps "${name}" to ${code} with its fix`, () => {
      const err = fromGatewayError(error, { phase: "connect", subject: "connect to ws://x" });
      expect(err.code).toBe(code);
      expect(err.hint).toMatch(hint);
      expect(err.message).toContain(err.hint);
      expect(err.message.startsWith("[gateway-client] connect to ws://x: ")).toBe(true);
    });
  }

  it("maps RPC errors: missing scope and unknown method", () => {
    const scope = fromGatewayError(
      {
        code: "FORBIDDEN",
        message: "missing scope: operator.pairing",
        details: { code: "MISSING_SCOPE", missingScope: "operator.pairing" },
      },
      { phase: "rpc", subject: "request device.pair.list", method: "device.pair.list" },
    );
    expect(scope).toMatchObject({ code: "MISSING_SCOPE", layer: "rpc", method: "device.pair.list", retryable: false });
    const unknown = fromGatewayError(
      { code: "INVALID_REQUEST", message: "unknown method: no.such" },
      { phase: "rpc", subject: "request no.such" },
    );
    expect(unknown.code).toBe("GATEWAY_ERROR");
    expect(unknown.gatewayCode).toBe("INVALID_REQUEST");
  });

  it("marks UNAVAILABLE retryable whether or not the gateway set the flag (it did not run the request)", () => {
    // Measured during a gateway shutdown: most answers carry retryable:true, the last ones do not.
    for (const error of [
      { code: "UNAVAILABLE", message: "chat.send unavailable during gateway restart", retryable: true },
      { code: "UNAVAILABLE", message: "Error: Gateway request entry is closed" },
    ]) {
      const err = fromGatewayError(error, { phase: "rpc", subject: "request chat.history", method: "chat.history" });
      expect(err).toMatchObject({ code: "GATEWAY_ERROR", gatewayCode: "UNAVAILABLE", retryable: true });
    }
    const refused = fromGatewayError(
      { code: "INVALID_REQUEST", message: "This message ID was already used for different input" },
      { phase: "rpc", subject: "request chat.send", method: "chat.send" },
    );
    expect(refused.retryable).toBe(false);
  });

  it("redacts secrets in gateway details", () => {
    const err = fromGatewayError(
      {
        code: "INVALID_REQUEST",
        message: "x",
        details: { code: "AUTH_TOKEN_MISMATCH", token: "s3cret", nested: { deviceToken: "d3v" } },
      },
      { phase: "connect", subject: "s" },
    );
    expect(JSON.stringify(err.toJSON())).not.toMatch(/s3cret|d3v/);
  });

  it("has HTTP status hints for 200, 403, 426, 502, 504 and close-code hints for 1008, 1002, 1013", () => {
    expect(hintFor({ code: "UPGRADE_NOT_SWITCHED", httpStatus: 200 })).toContain("transport http { versions 1.1 }");
    expect(hintFor({ code: "PROXY_ATTRIBUTION_REQUIRED", httpStatus: 403 })).toContain("gateway.trustedProxies");
    for (const s of [426, 502, 504])
      expect(hintFor({ code: "UPGRADE_NOT_SWITCHED", httpStatus: s })).toBe(HTTP_STATUS_HINTS[s]);
    expect(hintFor({ code: "UPGRADE_NOT_SWITCHED", httpStatus: 599 })).toBe(HTTP_STATUS_HINTS[502]);
    for (const c of [1002, 1008, 1013])
      expect(hintFor({ code: "CONNECTION_CLOSED", closeCode: c })).toBe(CLOSE_CODE_HINTS[c]);
    for (const d of Object.keys(DETAIL_CODE_HINTS)) expect(DETAIL_CODE_HINTS[d]!.length).toBeGreaterThan(20);
  });

  it("formats messages as [gateway-client] subject: reason — hint", () => {
    const err = new GatewayError({
      code: "CONNECTION_REFUSED",
      subject: "connect to ws://127.0.0.1:1",
      reason: "connection refused (ECONNREFUSED)",
    });
    expect(err.message).toBe(
      `[gateway-client] connect to ws://127.0.0.1:1: connection refused (ECONNREFUSED) — ${CODE_HINTS.CONNECTION_REFUSED}`,
    );
    expect(err.layer).toBe("tcp");
    expect(err.retryable).toBe(true);
    expect(err.message).not.toMatch(/^Failed to connect$/);
  });

  it("a device-less connect that sent no credential is told to pass the token, not an identity", () => {
    // What openclaw 2026.9.6 answers a device-less client without a token (measured).
    const shape = {
      code: "NOT_PAIRED",
      message: "device identity required",
      details: { code: "DEVICE_IDENTITY_REQUIRED" },
    };
    const none = fromGatewayError(shape, { phase: "connect", subject: "connect", credentialsSent: false });
    expect(none).toMatchObject({ code: "AUTH_TOKEN_MISSING", detailCode: "DEVICE_IDENTITY_REQUIRED" });
    expect(none.hint).toBe(NO_CREDENTIALS_HINT);
    expect(none.hint).toMatch(/pass the token option/);
    expect(none.message).not.toContain("loadOrCreateIdentity");
    // With a token sent (e.g. through a proxy), the identity really is what is missing.
    const withToken = fromGatewayError(shape, { phase: "connect", subject: "connect", credentialsSent: true });
    expect(withToken.code).toBe("INVALID_CONNECT_PARAMS");
    expect(withToken.hint).toBe(DETAIL_CODE_HINTS.DEVICE_IDENTITY_REQUIRED);
  });

  it("the CLI words option hints as flags, and keeps computed hints", () => {
    expect(cliHint(NO_CREDENTIALS_HINT)).toMatch(/--token-file <file>.*--password-file/);
    expect(cliHint(CODE_HINTS.TLS_UNTRUSTED)).toMatch(/--ca <file>/);
    expect(cliHint(DETAIL_CODE_HINTS.DEVICE_IDENTITY_REQUIRED!)).toMatch(/--identity-dir/);
    const pairing = hintFor({ code: "PAIRING_REQUIRED", details: { requestId: "r-1" } });
    expect(cliHint(pairing)).toBe(pairing);
    const err = fromGatewayError(
      { code: "NOT_PAIRED", message: "device identity required", details: { code: "DEVICE_IDENTITY_REQUIRED" } },
      { phase: "connect", subject: "connect to ws://127.0.0.1:1", credentialsSent: false },
    );
    const cli = errorForCli(err);
    expect(cli.message).toBe(
      `[gateway-client] connect to ws://127.0.0.1:1: NOT_PAIRED: device identity required — ${cliHint(NO_CREDENTIALS_HINT)}`,
    );
    expect(cli.json).toMatchObject({ code: "AUTH_TOKEN_MISSING", hint: cliHint(NO_CREDENTIALS_HINT) });
  });
});
