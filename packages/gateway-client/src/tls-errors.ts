import type { GatewayErrorCode } from "./errors.js";

/**
 * The one table of certificate failures: Node/OpenSSL verification codes → our code. Used by
 * the client's transport (a failed wss:// connect) and by the doctor's TLS layer.
 */
const TLS_FAILURES: Readonly<Record<string, GatewayErrorCode>> = {
  CERT_HAS_EXPIRED: "TLS_EXPIRED",
  CERT_NOT_YET_VALID: "TLS_EXPIRED",
  // Signed by nobody this client trusts.
  DEPTH_ZERO_SELF_SIGNED_CERT: "TLS_UNTRUSTED",
  SELF_SIGNED_CERT_IN_CHAIN: "TLS_UNTRUSTED",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "TLS_UNTRUSTED",
  UNABLE_TO_GET_ISSUER_CERT: "TLS_UNTRUSTED",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "TLS_UNTRUSTED",
  CERT_UNTRUSTED: "TLS_UNTRUSTED",
  CERT_CHAIN_TOO_LONG: "TLS_UNTRUSTED",
  CERT_SIGNATURE_FAILURE: "TLS_UNTRUSTED",
  CERT_REVOKED: "TLS_UNTRUSTED",
  ERR_TLS_CERT_ALTNAME_INVALID: "TLS_HOSTNAME_MISMATCH",
  // Raised by this client's own certificate pin.
  TLS_FINGERPRINT_MISMATCH: "TLS_FINGERPRINT_MISMATCH",
};

/** Our code for a certificate verification code, or undefined when it is not one. */
export function tlsFailureCode(code: string | undefined): GatewayErrorCode | undefined {
  return code ? TLS_FAILURES[code] : undefined;
}

/** A few words for a certificate failure: `certificate not trusted (SELF_SIGNED_CERT_IN_CHAIN)`. */
export function tlsFailureReason(ours: GatewayErrorCode, code: string): string {
  switch (ours) {
    case "TLS_EXPIRED":
      return `certificate not valid now (${code})`;
    case "TLS_UNTRUSTED":
      return `certificate not trusted (${code})`;
    case "TLS_HOSTNAME_MISMATCH":
      return `certificate does not match the host name (${code})`;
    default:
      return code;
  }
}
