// The integration project's globalSetup: serves the shared gateways of shared-peer.mjs to the test
// files over loopback HTTP (the forks cannot reach this process otherwise), booting each on the
// first request, so a run of files that share none boots none. Stops them when the run ends.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { type StubModel, startStubModel } from "../../packages/mc-server/tests/stub-model.js";
import { type Peer, startPeer } from "./peer.mjs";
import { SHARED_PEERS } from "./shared-peer.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    sharedPeers: { url: string; key: string };
  }
}

export default async function setup(project: TestProject) {
  const peers = new Map<string, Promise<Peer>>();
  // One stub model for the shared gateways that answer through it (`stubModel: true`), started with the first.
  let stub: Promise<StubModel> | null = null;
  const boot = async (options: { stubModel?: boolean }) => {
    const { stubModel, ...rest } = options;
    if (!stubModel) return startPeer(rest);
    stub ??= startStubModel();
    return startPeer({ ...rest, stubModelUrl: (await stub).url });
  };
  const key = randomBytes(24).toString("hex");
  const server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname.slice(1));
    const options = (SHARED_PEERS as Record<string, object>)[name];
    if (req.method !== "POST" || req.headers.authorization !== `Bearer ${key}` || !options) {
      res.writeHead(404).end();
      return;
    }
    let peer = peers.get(name);
    if (!peer) {
      peer = boot(options);
      peers.set(name, peer);
      // A start that failed twice fails the files waiting now; the next file asking tries again.
      peer.catch(() => peers.get(name) === peer && peers.delete(name));
    }
    peer.then(
      (p) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(p)),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("sharedPeers", { url: `http://127.0.0.1:${port}`, key });
  return async () => {
    server.close();
    for (const peer of peers.values())
      await peer.then(
        (p) => p.stop(),
        () => undefined,
      );
    await stub?.then(
      (s) => s.close(),
      () => undefined,
    );
  };
}
