import { connect, type Socket } from "node:net";
import { GatewayError } from "../errors.js";
import type { ResolvedAddress } from "./dns.js";
import { failed, osReason, passed, since } from "./step.js";
import type { DiagnoseStep } from "./types.js";

function tryConnect(
  address: string,
  port: number,
  timeoutMs: number,
): Promise<{ ok: true; ms: number } | { ok: false; error: NodeJS.ErrnoException; timedOut: boolean }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket: Socket = connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({
        ok: false,
        error: Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" }),
        timedOut: true,
      });
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      const ms = since(t0);
      socket.destroy();
      resolve({ ok: true, ms });
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: false, error, timedOut: false });
    });
  });
}

/** Layer 3: a TCP connection to the port, tried on each resolved address like the client would. */
export async function checkTcp(addresses: ResolvedAddress[], port: number, timeoutMs: number): Promise<DiagnoseStep> {
  const t0 = performance.now();
  const failures: string[] = [];
  let lastError: unknown;
  for (const { address } of addresses) {
    const r = await tryConnect(address, port, timeoutMs);
    const shown = address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
    if (r.ok) {
      const detail = `connected to ${shown}${failures.length ? ` (after ${failures.join("; ")})` : ""}`;
      return passed("tcp", since(t0), detail, { data: { address, port } });
    }
    lastError = r.error;
    failures.push(`${shown} ${r.error.code ?? osReason(r.error)}`);
  }
  const refused = failures.every((f) => /ECONNREFUSED/.test(f));
  const err = new GatewayError({
    code: refused ? "CONNECTION_REFUSED" : "CONNECT_TIMEOUT",
    subject: `TCP connect to port ${port}`,
    reason: refused ? `connection refused (${failures.join("; ")}): nothing is listening there` : failures.join("; "),
    cause: lastError,
  });
  return failed("tcp", since(t0), err, { data: { port, attempts: failures } });
}
