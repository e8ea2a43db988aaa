import type { OperatorScope } from "./enums.js";

/** What a client asks for unless told otherwise: enough to read and to steer sessions. */
export const DEFAULT_SCOPES: readonly OperatorScope[] = ["operator.read", "operator.write"];

/** Scopes with which a connection may list, approve and reject device pairing requests. */
export const PAIRING_SCOPES: readonly OperatorScope[] = ["operator.pairing", "operator.admin"];

/**
 * Whether `granted` covers `required`: the scope itself, or operator.admin, which covers every
 * operator scope. (The gateway also lets operator.write call read methods; a device token's
 * approved scopes are compared without that rule, so it is not applied here.)
 */
export function hasScope(granted: readonly string[], required: string): boolean {
  return granted.includes(required) || (required.startsWith("operator.") && granted.includes("operator.admin"));
}

/** The scopes of `wanted` that `granted` does not cover. */
export function missingScopes(granted: readonly string[], wanted: readonly string[]): string[] {
  return wanted.filter((s) => !hasScope(granted, s));
}
