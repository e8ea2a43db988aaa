import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { GatewayError } from "../errors.js";
import { failed, osReason, passed, since } from "./step.js";
import type { DiagnoseStep } from "./types.js";

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Layer 2: every address the name resolves to, through the same resolver `ws`/node:net use. */
export async function checkDns(
  host: string,
  timeoutMs: number,
): Promise<{ step: DiagnoseStep; addresses?: ResolvedAddress[] }> {
  const t0 = performance.now();
  const family = isIP(host);
  if (family) {
    const addresses = [{ address: host, family }];
    return {
      step: passed("dns", since(t0), `${host} is an IP address, no lookup`, { data: { addresses } }),
      addresses,
    };
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const addresses = await Promise.race([
      lookup(host, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEOUT" })),
          timeoutMs,
        );
      }),
    ]);
    if (!addresses.length) throw Object.assign(new Error("no addresses"), { code: "ENODATA" });
    const list = addresses.map((a) => a.address);
    return {
      step: passed("dns", since(t0), `${host} → ${list.join(", ")}`, { data: { addresses } }),
      addresses,
    };
  } catch (cause) {
    const err = new GatewayError({
      code: "DNS_LOOKUP_FAILED",
      subject: `resolve ${host}`,
      reason: osReason(cause),
      cause,
    });
    return { step: failed("dns", since(t0), err) };
  } finally {
    clearTimeout(timer);
  }
}
