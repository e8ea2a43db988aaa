export interface SignedPayloadInput {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  signedAtMs: number;
  /** auth.token ?? auth.deviceToken ?? "" — the password is never signed. */
  token: string;
  nonce: string;
  platform?: string;
  deviceFamily?: string;
}

/** The gateway trims and lowercases ASCII A–Z only (not a locale-aware toLowerCase). */
export function normalizeMetadataField(value: string | undefined): string {
  return (value ?? "").trim().replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

export function buildSignedPayloadV3(p: SignedPayloadInput): string {
  return [
    "v3",
    p.deviceId,
    p.clientId,
    p.clientMode,
    p.role,
    p.scopes.join(","),
    String(p.signedAtMs),
    p.token,
    p.nonce,
    normalizeMetadataField(p.platform),
    normalizeMetadataField(p.deviceFamily),
  ].join("|");
}

export function buildSignedPayloadV2(p: SignedPayloadInput): string {
  return [
    "v2",
    p.deviceId,
    p.clientId,
    p.clientMode,
    p.role,
    p.scopes.join(","),
    String(p.signedAtMs),
    p.token,
    p.nonce,
  ].join("|");
}

export function buildSignedPayload(version: "v2" | "v3", p: SignedPayloadInput): string {
  return version === "v2" ? buildSignedPayloadV2(p) : buildSignedPayloadV3(p);
}

/** Which credential goes in the signature's token field. */
export function signatureToken(auth: { token?: string; deviceToken?: string; bootstrapToken?: string }): string {
  return auth.token ?? auth.deviceToken ?? auth.bootstrapToken ?? "";
}
