// The client's supervisor: persistent retries, the pairing wait, reconnect-now, the identity
// loader and the lifecycle hooks. Scripted servers for what the real gateway cannot be made to do
// on demand (refuse, then accept); the pairing wait against the real gateway (tests/peer).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Peer } from "../../../tests/peer/peer.mjs";
import { sharedPeer } from "../../../tests/peer/shared-peer.mjs";
import { scratchDirs } from "../../../tests/scratch-dir.js";
import { GatewayClient } from "../src/client.js";
import { GatewayError } from "../src/errors.js";
import { generateIdentity, loadOrCreateIdentity } from "../src/identity.js";
import { approveDevice } from "../src/pairing/approver.js";
import type { ClientState } from "../src/types.js";
import { type FakeConn, startFakeGateway, until } from "./fake-gateway.js";

const scratch = scratchDirs();

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function track(c: GatewayClient): GatewayClient {
  cleanups.push(() => c.close());
  return c;
}

/** Refuses the first `n` connects with the gateway's token-mismatch answer, then says hello. */
async function refusingGateway(n: number) {
  const gw = await startFakeGateway(async (conn: FakeConn) => {
    conn.challenge();
    if (conn.index < n) {
      await conn.refuse({
        code: "INVALID_REQUEST",
        message: "unauthorized: gateway token mismatch",
        details: { code: "AUTH_TOKEN_MISMATCH" },
      });
      conn.ws.close(1008, "unauthorized: gateway token mismatch");
      return;
    }
    await conn.hello();
  });
  cleanups.push(() => gw.close());
  return gw;
}

describe("supervisor (scripted gateway)", () => {
  it("persistent: keeps retrying after an error a retry cannot fix, every maxDelayMs, until it connects", async () => {
    const gw = await refusingGateway(2);
    const c = track(
      new GatewayClient({
        url: gw.url,
        token: "t",
        reconnect: { initialDelayMs: 20, maxDelayMs: 150, persistent: true },
      }),
    );
    const states: ClientState[] = [];
    c.onState((s) => states.push(s.state));
    const first = await c.connect().catch((e) => e);
    expect(first).toMatchObject({ code: "AUTH_TOKEN_MISMATCH" });
    expect(c.state).toBe("failed");
    await until(() => c.state === "connected", 5_000);
    expect(gw.conns).toHaveLength(3);
    expect(states.filter((s) => s === "failed")).toHaveLength(2);
    expect(c.lastError).toBeUndefined();
  });

  it("not persistent: stays failed; reconnectNow() tries again at once", async () => {
    const gw = await refusingGateway(1);
    const c = track(new GatewayClient({ url: gw.url, token: "t", reconnect: { initialDelayMs: 20, maxDelayMs: 50 } }));
    await expect(c.connect()).rejects.toMatchObject({ code: "AUTH_TOKEN_MISMATCH" });
    await new Promise((r) => setTimeout(r, 200));
    expect(gw.conns).toHaveLength(1);
    expect(c.state).toBe("failed");
    c.reconnectNow();
    await until(() => c.state === "connected", 3_000);
    expect(gw.conns).toHaveLength(2);
    c.reconnectNow(); // connected: nothing to do
    await new Promise((r) => setTimeout(r, 50));
    expect(gw.conns).toHaveLength(2);
  });

  it("lifecycle hooks mark each layer in order; a hook that throws does not break the connection", async () => {
    const gw = await refusingGateway(0);
    const seen: string[] = [];
    let skew: number | undefined;
    const c = track(
      new GatewayClient({
        url: gw.url,
        token: "t",
        identity: generateIdentity(),
        deviceTokenStore: false,
        reconnect: false,
        lifecycle: {
          connecting: ({ attempt }) => seen.push(`connecting ${attempt}`),
          upgraded: () => seen.push("upgraded"),
          challenge: (ch) => {
            seen.push("challenge");
            skew = ch.ts - Date.now();
            throw new Error("a broken hook");
          },
          connectSent: ({ signedAt }) => seen.push(`connect sent (signed: ${typeof signedAt === "number"})`),
          connected: (hello) => seen.push(`connected ${hello.server.version}`),
        },
      }),
    );
    await c.connect();
    expect(seen).toEqual(["connecting 1", "upgraded", "challenge", "connect sent (signed: true)", "connected fake-1"]);
    expect(Math.abs(skew!)).toBeLessThan(5_000);
  });

  it("an identity loader runs before the first attempt; its failure is that attempt's error, retried", async () => {
    const gw = await refusingGateway(0);
    let calls = 0;
    const identity = generateIdentity();
    const c = track(
      new GatewayClient({
        url: gw.url,
        token: "t",
        deviceTokenStore: false,
        identity: async () => {
          if (++calls === 1) throw new Error("EACCES: permission denied, mkdir '/var/lib/x'");
          return identity;
        },
        reconnect: { initialDelayMs: 20, maxDelayMs: 100, persistent: true },
      }),
    );
    const err = await c.connect().catch((e) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: "INVALID_OPTIONS", layer: "config" });
    expect(err.message).toMatch(/identity loader failed: EACCES/);
    expect(gw.conns).toHaveLength(0);
    await until(() => c.state === "connected", 3_000);
    expect(c.identity?.deviceId).toBe(identity.deviceId);
    expect(gw.conns[0]!.received[0].params.device.id).toBe(identity.deviceId);
  });
});

describe("supervisor against the real gateway", () => {
  let peer: Peer;
  beforeAll(async () => {
    // Loopback devices are asked to pair (cli/cli with a device; gateway-client/backend never is).
    peer = await sharedPeer("unapproved");
  }, 460_000);
  afterAll(async () => {
    await peer?.stop();
  });

  const waitingClient = async (name: string, pairingIntervalMs: number) =>
    track(
      new GatewayClient({
        url: peer.url,
        token: peer.token,
        identity: await loadOrCreateIdentity(scratch("gc-sup-")),
        clientId: "cli",
        clientMode: "cli",
        displayName: name,
        scopes: ["operator.read", "operator.write", "operator.pairing"],
        reconnect: { initialDelayMs: 100, maxDelayMs: 1_000, pairingIntervalMs },
      }),
    );

  it("waits for approval by itself (keeping the request alive) and connects once approved from its own pairing access", async () => {
    const client = await waitingClient("gc-supervisor-wait", 300);
    const err = (await client.connect().catch((e) => e)) as GatewayError;
    expect(err.code).toBe("PAIRING_REQUIRED");
    const requestId = err.pairing!.requestId;
    // It keeps reconnecting in the background without a connect() call.
    const before = client.connectionAttempts;
    await until(() => client.connectionAttempts >= before + 2, 30_000);
    expect(["pairing_required", "connecting", "handshaking"]).toContain(client.state);
    const connected = new Promise<void>((resolve) =>
      client.onState((c) => {
        if (c.state === "connected") resolve();
      }),
    );
    // Not connected yet: the approval goes through a short-lived device-less loopback connection.
    const approved = await client.withPairingAccess((target) => approveDevice(target, requestId));
    expect(approved.requestId).toBe(requestId);
    await connected;
    expect(client.hello?.auth.scopes).toEqual(expect.arrayContaining(["operator.pairing"]));
  });

  it("reconnectNow() picks up an approval at once instead of at the next poll", async () => {
    const client = await waitingClient("gc-supervisor-now", 120_000);
    const err = (await client.connect().catch((e) => e)) as GatewayError;
    expect(err.code).toBe("PAIRING_REQUIRED");
    await client.withPairingAccess((target) => approveDevice(target, err.pairing!.requestId));
    const t0 = Date.now();
    client.reconnectNow();
    await until(() => client.state === "connected", 20_000);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});
