// Pairing against the real gateway with autoApproveLocal:false: a cli/cli device waits, a
// device-less gateway-client/backend loopback connection (shared token, operator.pairing)
// approves — the backend itself is never asked to pair on loopback (protocol ref, Later findings).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Peer } from "../../../tests/peer/peer.mjs";
import { sharedPeer } from "../../../tests/peer/shared-peer.mjs";
import {
  approveDevice,
  type DeviceIdentity,
  GatewayClient,
  GatewayError,
  listPairing,
  loadOrCreateIdentity,
  onPairingEvents,
  type PairingInfo,
  type PairingResolved,
  type PendingDevice,
  rejectDevice,
  waitForApproval,
} from "../src/index.js";

let peer: Peer;
let approver: GatewayClient;
let tmp: string;
const clients: GatewayClient[] = [];

function deviceClient(identity: DeviceIdentity, displayName: string, scopes?: string[]): GatewayClient {
  const c = new GatewayClient({
    url: peer.url,
    token: peer.token,
    identity,
    clientId: "cli",
    clientMode: "cli",
    // Distinct per identity: silent pairings of one client cluster prune each other.
    displayName,
    scopes,
    reconnect: false,
  });
  clients.push(c);
  return c;
}

async function pendingError(c: GatewayClient): Promise<GatewayError> {
  const err = await c.connect().then(
    () => {
      throw new Error("expected PAIRING_REQUIRED, got hello-ok");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  expect((err as GatewayError).code).toBe("PAIRING_REQUIRED");
  return err as GatewayError;
}

beforeAll(async () => {
  peer = await sharedPeer("unapproved"); // autoApproveLocal:false, shared with other files
  tmp = mkdtempSync(join(tmpdir(), "missionctl-pairing-"));
  // A connection can only grant scopes it holds: the approver holds what the devices ask for.
  approver = new GatewayClient({
    url: peer.url,
    token: peer.token,
    scopes: ["operator.read", "operator.write", "operator.approvals", "operator.pairing"],
    reconnect: false,
  });
  await approver.connect();
}, 450_000);

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
});

afterAll(async () => {
  await approver?.close();
  await peer?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("pairing", () => {
  it("pending with a requestId → approveDevice from a second connection → waitForApproval completes", async () => {
    const identity = await loadOrCreateIdentity(join(tmp, "rpc"));
    const requested: PendingDevice[] = [];
    const resolved: PairingResolved[] = [];
    const off = onPairingEvents(approver, { requested: (p) => requested.push(p), resolved: (r) => resolved.push(r) });
    const waiting = deviceClient(identity, "pairing-approve-rpc");

    const err = await pendingError(waiting);
    const p = err.pairing!;
    expect(p).toMatchObject({
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      deviceId: identity.deviceId,
      role: "operator",
      scopes: ["operator.read", "operator.write"],
      approveCommand: `openclaw devices approve ${p.requestId}`,
    });
    expect(err.hint).toContain(`openclaw devices approve ${p.requestId}`);
    expect(waiting.state).toBe("pairing_required");

    const list = await listPairing(approver);
    const row = list.pending.find((r) => r.requestId === p.requestId);
    expect(row).toMatchObject({ deviceId: identity.deviceId, clientId: "cli", displayName: "pairing-approve-rpc" });

    const pendings: PairingInfo[] = [];
    const approved = new Promise<void>((resolve, reject) => {
      const hello = waitForApproval(waiting, {
        intervalMs: 300,
        timeoutMs: 30_000,
        onPending: (info) => {
          pendings.push(info);
          if (pendings.length === 1) approveDevice(approver, info.requestId).then(() => undefined, reject);
        },
      });
      hello.then((h) => {
        expect(h.auth.scopes).toEqual(["operator.read", "operator.write"]);
        resolve();
      }, reject);
    });
    await approved;
    expect(pendings[0]!.requestId).toBe(p.requestId);
    expect(waiting.state).toBe("connected");
    await expect(waiting.request("health")).resolves.toMatchObject({ ok: true });

    const after = await listPairing(approver);
    expect(after.pending.some((r) => r.requestId === p.requestId)).toBe(false);
    expect(after.paired.find((d) => d.deviceId === identity.deviceId)).toMatchObject({ approvedVia: "owner" });
    await expect.poll(() => requested.some((r) => r.deviceId === identity.deviceId)).toBe(true);
    await expect.poll(() => resolved.find((r) => r.requestId === p.requestId)?.decision).toBe("approved");
    off();
  });

  it("approved with the gateway's own `openclaw devices approve` while waitForApproval keeps the request alive", async () => {
    const identity = await loadOrCreateIdentity(join(tmp, "cli"));
    const waiting = deviceClient(identity, "pairing-approve-cli");
    const { requestId } = (await pendingError(waiting)).pairing!;
    let cliDone: Promise<{ status: number | null; stdout: string; stderr: string }> | undefined;
    const hello = await waitForApproval(waiting, {
      intervalMs: 500,
      timeoutMs: 60_000,
      onPending: (info) => {
        // The same request stays pending across reconnects: that is what keeps it from expiring.
        expect(info.requestId).toBe(requestId);
        cliDone ??= peer.cliAsync(["devices", "approve", requestId, "--json"]);
      },
    });
    expect(hello.protocol).toBe(4);
    const res = await cliDone!;
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain(identity.deviceId);
  });

  it("a paired device asking for more scopes → PAIRING_REQUIRED reason scope-upgrade → approved → granted", async () => {
    const identity = await loadOrCreateIdentity(join(tmp, "upgrade"));
    const first = deviceClient(identity, "pairing-scope-upgrade");
    const { requestId } = (await pendingError(first)).pairing!;
    await approveDevice(approver, requestId);
    await expect(waitForApproval(first, { intervalMs: 200, timeoutMs: 20_000 })).resolves.toMatchObject({
      protocol: 4,
    });
    await first.close();

    const wider = ["operator.read", "operator.write", "operator.approvals"];
    const second = new GatewayClient({
      url: peer.url,
      token: peer.token,
      identity,
      clientId: "cli",
      clientMode: "cli",
      displayName: "pairing-scope-upgrade",
      scopes: wider,
      reconnect: false,
      // The stored device token only covers the approved scopes; the shared token lets the
      // gateway file a scope-upgrade request instead of answering AUTH_SCOPE_MISMATCH.
      deviceTokenStore: false,
    });
    clients.push(second);
    const err = await pendingError(second);
    expect(err.pairing).toMatchObject({ reason: "scope-upgrade", scopes: wider, deviceId: identity.deviceId });
    expect(err.hint).toMatch(/more scopes than approved/);
    await approveDevice(approver, err.pairing!.requestId);
    const hello = await waitForApproval(second, { intervalMs: 200, timeoutMs: 20_000 });
    expect(hello.auth.scopes).toEqual(expect.arrayContaining(wider));
  });

  it("rejectDevice resolves the request as rejected; the next attempt files a new one", async () => {
    const identity = await loadOrCreateIdentity(join(tmp, "reject"));
    const waiting = deviceClient(identity, "pairing-reject");
    const { requestId } = (await pendingError(waiting)).pairing!;
    const resolved: PairingResolved[] = [];
    const off = onPairingEvents(approver, { resolved: (r) => resolved.push(r) });
    await expect(rejectDevice(approver, requestId)).resolves.toEqual({ requestId });
    await expect.poll(() => resolved.find((r) => r.requestId === requestId)?.decision).toBe("rejected");
    off();
    const again = await pendingError(waiting);
    expect(again.pairing!.requestId).not.toBe(requestId);
  });

  it("waitForApproval rejects on timeout with the approve command, and stops at once on abort", async () => {
    const identity = await loadOrCreateIdentity(join(tmp, "timeout"));
    const waiting = deviceClient(identity, "pairing-timeout");
    const t0 = Date.now();
    const err = (await waitForApproval(waiting, { intervalMs: 300, timeoutMs: 1_500 }).catch((e) => e)) as GatewayError;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.code).toBe("PAIRING_REQUIRED");
    expect(err.message).toMatch(/not approved after \d+ s/);
    expect(err.hint).toContain(`openclaw devices approve ${err.pairing!.requestId}`);
    expect(Date.now() - t0).toBeLessThan(5_000);

    const ac = new AbortController();
    const pending = waitForApproval(waiting, {
      intervalMs: 10_000,
      timeoutMs: 60_000,
      signal: ac.signal,
      onPending: () => ac.abort(),
    });
    const t1 = Date.now();
    await expect(pending).rejects.toMatchObject({ code: "REQUEST_ABORTED" });
    expect(Date.now() - t1).toBeLessThan(3_000);
  });

  it("listPairing without operator.pairing fails with MISSING_SCOPE and its fix", async () => {
    const reader = new GatewayClient({ url: peer.url, token: peer.token, reconnect: false });
    clients.push(reader);
    await reader.connect();
    await expect(listPairing(reader)).rejects.toMatchObject({
      code: "MISSING_SCOPE",
      hint: expect.stringMatching(/scope/),
    });
  });

  it("approving scopes the approver does not hold → MISSING_SCOPE naming the scope and the fix", async () => {
    const identity = await loadOrCreateIdentity(join(tmp, "narrow"));
    const waiting = deviceClient(identity, "pairing-narrow-approver");
    const { requestId } = (await pendingError(waiting)).pairing!;
    const narrow = new GatewayClient({
      url: peer.url,
      token: peer.token,
      scopes: ["operator.read", "operator.pairing"],
      reconnect: false,
    });
    clients.push(narrow);
    await narrow.connect();
    const err = (await approveDevice(narrow, requestId).catch((e) => e)) as GatewayError;
    expect(err).toMatchObject({ code: "MISSING_SCOPE", details: { missingScope: "operator.write" } });
    expect(err.hint).toContain(`openclaw devices approve ${requestId}`);
  });
});
