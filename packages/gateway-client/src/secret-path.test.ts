import { describe, expect, it } from "vitest";
import { isSecretName } from "./redact.js";
import { isSecretHeaderName } from "./redact-text.js";
import { isSecretPath, SecretPath } from "./secret-path.js";

/** The verdict on the whole dotted path, as config-diff computed it per node before the steps. */
function wholePath(keys: readonly string[]): boolean {
  if (keys.length === 0) return false;
  const path = keys.join(".");
  return (
    path.toLowerCase().includes("localservice.env.") || isSecretName(path) || isSecretHeaderName(keys.at(-1) ?? "")
  );
}

// Words of the patterns, cut where a match could cross a dot, and their near misses.
const WORDS = [
  ...["api", "Key", "keyring", "apiKey", "API", "key", "myapi", "ap", "i", "encrypt", "PRIVATE", "private_"],
  ...["password", "passwordFile", "secret", "token", "tokens", "maxTokens", "tokenBudget", "my-token", "auth"],
  ...["credentials", "serviceAccount", "serviceAccountRef", "bearer", "cookies", "Authorization", "Set-Cookie"],
  ...["localService", "mylocalservice", "env", "ENV", "env.x", "localService.env", "a.b", "x", "", " token "],
];

describe("SecretPath", () => {
  it("gives the whole-path verdict for every path of up to three keys", () => {
    let checked = 0;
    const visit = (keys: string[], at: SecretPath) => {
      if (keys.length > 0) {
        expect.soft(at.secret, JSON.stringify(keys)).toBe(wholePath(keys));
        checked++;
      }
      if (keys.length === 3) return;
      for (const w of WORDS) visit([...keys, w], at.child(w));
    };
    visit([], SecretPath.root);
    expect(checked).toBe(WORDS.length + WORDS.length ** 2 + WORDS.length ** 3);
  });

  it("names what a user expects as secret, and not its neighbours", () => {
    expect(isSecretPath(["gateway", "auth", "token"])).toBe(true);
    expect(isSecretPath(["gateway", "auth", "tokens"])).toBe(true);
    expect(isSecretPath(["models", "providers", "x", "api", "key"])).toBe(true);
    expect(isSecretPath(["models", "providers", "x", "localService", "env", "HOME"])).toBe(true);
    expect(isSecretPath(["models", "providers", "x", "headers", "Authorization"])).toBe(true);
    expect(isSecretPath(["models", "providers", "x", "maxTokens"])).toBe(false);
    expect(isSecretPath(["auth", "passwordFile"])).toBe(false);
    expect(isSecretPath(["models", "providers", "x", "localService", "envFile"])).toBe(false);
    expect(isSecretPath([])).toBe(false);
  });

  it("keeps the memo bounded and out of reach of huge keys", () => {
    const long = `${"a".repeat(100_000)}token`;
    expect(SecretPath.root.child(long).secret).toBe(true);
    for (let i = 0; i < 10_000; i++) SecretPath.root.child(`id-${i}`);
    expect(SecretPath.root.child("id-1").secret).toBe(false);
  });
});
