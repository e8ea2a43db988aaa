// Delivery under faults (issue 12): tasks dispatched at a steady rate to a real OpenClaw gateway
// (tests/peer) answering through the stub model, while the gateway is SIGTERMed and restarted on
// the same port and state dir in the middle of runs, and mc-server is SIGKILLed and started again
// on the same database. Per task: delivered exactly once (chat.history), `review` with the model's
// reply (its marker) or `failed` with a real reason, none stuck, and every transition seen on an
// SSE stream that reconnects across the kills. Bounded in count and time, loopback only.
//
//   FAULTS_N=8 (tasks; restarts and kills default to max(1, floor(N/5)) each: 1 in the test command, 10 at
//   N=50; the defects this harness found each have their own test in mc-server's delivery.test.ts)
//   FAULTS_RESTARTS, FAULTS_KILLS, FAULTS_TIMEOUT_S (the whole run), FAULTS_SEED
// Needs `npm run build` (mc-server runs as a process, from dist/).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { messageText } from "@missionctl/gateway-client";
import { afterAll, describe, expect, it } from "vitest";
import { openReconnectingStream } from "../../packages/mc-server/tests/helpers.js";
import { type StubModel, startStubModel } from "../../packages/mc-server/tests/stub-model.js";
import { freePort, type Peer, startPeer } from "../peer/peer.mjs";
import { retrying, SERVER_BIN, type ServerProcess, serverProcess } from "./harness.js";

const N = Number(process.env.FAULTS_N ?? 8);
const RESTARTS = Number(process.env.FAULTS_RESTARTS ?? Math.max(1, Math.floor(N / 5)));
const KILLS = Number(process.env.FAULTS_KILLS ?? Math.max(1, Math.floor(N / 5)));
const TIMEOUT_MS = Number(process.env.FAULTS_TIMEOUT_S ?? 900 + 60 * (RESTARTS + KILLS)) * 1000;
let seed = Number(process.env.FAULTS_SEED ?? 12);
/** Deterministic per seed: the same run can be replayed. */
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "missionctl-faults-"));
let stub: StubModel | undefined;
let peer: Peer | undefined;
let server: ServerProcess | undefined;
let stream: ReturnType<typeof openReconnectingStream> | undefined;

afterAll(async () => {
  await stream?.close();
  await server?.stop();
  await peer?.stop();
  await stub?.close();
  // mc-server's log next to the figures: what each delivery went through, for a failed run.
  const log = join(dir, "mc-server.log");
  if (existsSync(log)) {
    mkdirSync(join(root, "test-results"), { recursive: true });
    copyFileSync(log, join(root, "test-results", "faults-mc-server.log"));
  }
  rmSync(dir, { recursive: true, force: true });
});

interface Planned {
  i: number;
  marker: string;
  /** A run still inside the model call when the next fault comes. */
  slow: boolean;
  /** The stub refuses it (HTTP 400): the task must fail with the gateway's reason. */
  refused: boolean;
  id?: string;
}

type Msg = { role: string; content: unknown; stopReason?: string; idempotencyKey?: string };
const text = (m: Msg) => messageText(m as never);

describe.skipIf(!existsSync(SERVER_BIN))(
  `delivery under faults (${N} tasks, ${RESTARTS} gateway restarts, ${KILLS} server kills)`,
  () => {
    it(
      "every task: delivered exactly once, the right outcome, none stuck, every transition on the stream",
      async () => {
        const started = Date.now();
        const deadline = started + TIMEOUT_MS - 60_000;
        stub = await startStubModel();
        const peerOpts = { stubModelUrl: stub.url, startTimeoutMs: 240_000, dir: join(dir, "peer") };
        peer = await startPeer(peerOpts).catch((err: Error) => {
          console.warn(`peer start failed once, retrying: ${err.message.split("\n")[0]}`);
          return startPeer(peerOpts);
        });
        const port = await freePort();
        server = serverProcess({
          port,
          dir: join(dir, "mc"),
          logFile: join(dir, "mc-server.log"),
          env: { OPENCLAW_GATEWAY_URL: peer.url, OPENCLAW_GATEWAY_TOKEN: peer.token },
        });
        mkdirSync(join(dir, "mc"), { recursive: true });
        await server.start();
        const url = server.url;
        stream = openReconnectingStream(`${url}/api/events`, { retryMs: 500 });
        // Connected and the agent known before the load starts.
        await retrying(`${url}/api/agents/sync`, { method: "POST" }, deadline);

        const plan: Planned[] = Array.from({ length: N }, (_, i) => ({
          i,
          marker: `MARKER-f${i}`,
          slow: i % 4 === 1,
          refused: i % 10 === 7,
        }));
        const dispatchOne = async (p: Planned) => {
          const created = await retrying(
            `${url}/api/tasks`,
            {
              method: "POST",
              key: `faults-create-${p.i}`,
              body: {
                title: `fault task ${p.i}`,
                description: `${p.marker}${p.slow ? " DELAY-15000" : ""}${p.refused ? " FAIL-400" : ""}`,
                assignedAgentId: "main",
              },
            },
            deadline,
          );
          expect(created.status, JSON.stringify(created.body)).toBe(201);
          p.id = created.body.task.id;
          const dispatched = await retrying(
            `${url}/api/tasks/${p.id}/dispatch`,
            { method: "POST", key: `faults-dispatch-${p.i}` },
            deadline,
          );
          expect(dispatched.status, JSON.stringify(dispatched.body)).toBe(202);
        };

        // The load: batches between faults, the faults interleaved, each while runs are in flight.
        const faults: ("restart" | "kill")[] = [];
        for (let k = 0; k < Math.max(RESTARTS, KILLS); k++) {
          if (k < RESTARTS) faults.push("restart");
          if (k < KILLS) faults.push("kill");
        }
        for (let k = faults.length - 1; k > 0; k--) {
          const j = Math.floor(random() * (k + 1));
          [faults[k], faults[j]] = [faults[j]!, faults[k]!];
        }
        const perBatch = Math.ceil(N / (faults.length + 1));
        let next = 0;
        const log: string[] = [];
        const note = (s: string) => {
          const line = `${((Date.now() - started) / 1000).toFixed(1)}s ${s}`;
          log.push(line);
          if (process.env.FAULTS_VERBOSE) console.log(line);
        };
        for (const fault of [...faults, null]) {
          for (let b = 0; b < perBatch && next < N; b++) {
            await dispatchOne(plan[next++]!);
            await new Promise((r) => setTimeout(r, 100 + random() * 400));
          }
          if (!fault) break;
          // Let the batch reach the gateway: some runs are preparing, some inside the model call.
          await new Promise((r) => setTimeout(r, 500 + random() * 2_500));
          if (fault === "restart") {
            note("gateway: SIGTERM + start on the same port and state dir");
            await peer.restart().catch(async (err: Error) => {
              console.warn(`peer restart failed once, retrying: ${err.message.split("\n")[0]}`);
              await peer!.restart();
            });
            note("gateway: ready");
          } else {
            note("mc-server: SIGKILL");
            await server.kill();
            await new Promise((r) => setTimeout(r, random() * 1_000));
            await server.start();
            note("mc-server: started on the same database");
          }
        }
        while (next < N) await dispatchOne(plan[next++]!);
        note("all dispatched");

        // Settled: review or failed, every one.
        const final = new Map<string, any>();
        while (Date.now() < deadline) {
          const r = await retrying(`${url}/api/tasks?limit=500`, { method: "GET" }, deadline);
          for (const t of r.body.tasks) final.set(t.id, t);
          if (plan.every((p) => ["review", "failed"].includes(final.get(p.id!)?.status))) break;
          await new Promise((r) => setTimeout(r, 1_000));
        }
        note("settled");
        await new Promise((r) => setTimeout(r, 2_000)); // the last frames on their way

        const stuck: string[] = [];
        const lost: string[] = [];
        const duplicated: string[] = [];
        const wrong: string[] = [];
        const missingOnStream: string[] = [];
        let redeliveries = 0;
        const seen = new Map<number, string>(); // task event id → type, from the stream
        for (const f of stream.frames)
          if (f.event === "task.event" && f.id !== null) seen.set(Number(f.id), f.data.type);
        const streamIds = stream.frames.filter((f) => f.id !== null).map((f) => Number(f.id));

        for (const p of plan) {
          const task = final.get(p.id!);
          if (!task) {
            lost.push(`${p.i}: created (201) but not listed`);
            continue;
          }
          const ev = (await retrying(`${url}/api/tasks/${p.id}/events`, { method: "GET" }, deadline)).body;
          const key = encodeURIComponent(`agent:main:missionctl-task-${p.id}`);
          const hist = await retrying(`${url}/api/openclaw/sessions/${key}/history`, { method: "GET" }, deadline);
          const msgs: Msg[] = hist.body?.messages ?? [];
          const shape = msgs.map(
            (m) => `${m.role}:${m.stopReason ?? ""}:${m.idempotencyKey ?? ""}:${text(m).slice(0, 50)}`,
          );
          const why = `task ${p.i} ${p.id} (${task.status})\n  ${shape.join("\n  ")}\n  outbox ${JSON.stringify(ev.outbox)}`;
          redeliveries += ev.outbox.reduce((n: number, o: { redeliveries: number }) => n + o.redeliveries, 0);
          if (task.status !== "review" && task.status !== "failed") {
            stuck.push(why);
            continue;
          }
          const answers = msgs.filter(
            (m) => m.role === "assistant" && m.stopReason !== "error" && text(m).includes(p.marker),
          );
          const delivered = msgs.filter((m) => m.role === "user" && m.idempotencyKey?.startsWith("missionctl-task-"));
          if (p.refused) {
            const reason = ev.events.find((e: { type: string }) => e.type === "run.error")?.payload?.error ?? "";
            if (task.status !== "failed" || !/LLM request failed|Agent failed|rejected/i.test(reason))
              wrong.push(`${why}\n  expected failed with the model's refusal, got: ${reason}`);
            continue;
          }
          const reply = ev.events.find((e: { type: string }) => e.type === "run.reply")?.payload?.text ?? "";
          if (task.status !== "review" || !reply.includes(p.marker)) {
            wrong.push(`${why}\n  reply: ${JSON.stringify(reply)}`);
            continue;
          }
          if (answers.length !== 1) duplicated.push(`${why}\n  ${answers.length} answers carry the marker`);
          // No delivery after the answer: the task reached the agent again only when a turn ended without one.
          const answerAt = msgs.indexOf(answers[0]!);
          if (delivered.some((m) => msgs.indexOf(m) > answerAt))
            duplicated.push(`${why}\n  delivered again after its answer`);
          for (const e of ev.events as { id: number; type: string }[])
            if (!seen.has(e.id)) missingOnStream.push(`task ${p.i}: event ${e.id} (${e.type})`);
        }
        const summary = {
          tasks: N,
          restarts: RESTARTS,
          kills: KILLS,
          lost: lost.length,
          duplicated: duplicated.length,
          stuck: stuck.length,
          wrong: wrong.length,
          missingOnStream: missingOnStream.length,
          review: plan.filter((p) => final.get(p.id!)?.status === "review").length,
          failedAsExpected: plan.filter((p) => p.refused && final.get(p.id!)?.status === "failed").length,
          redeliveries,
          streamConnections: stream.connections,
          serverStarts: server.starts,
          seconds: Math.round((Date.now() - started) / 1000),
          loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
        };
        mkdirSync(join(root, "test-results"), { recursive: true });
        writeFileSync(
          join(root, "test-results", "faults.json"),
          `${JSON.stringify({ summary, log, lost, duplicated, stuck, wrong, missingOnStream }, null, 2)}\n`,
        );
        console.log(`[faults] ${JSON.stringify(summary)}`);
        expect(lost, lost.join("\n\n")).toEqual([]);
        expect(duplicated, duplicated.join("\n\n")).toEqual([]);
        expect(stuck, stuck.join("\n\n")).toEqual([]);
        expect(wrong, wrong.join("\n\n")).toEqual([]);
        expect(missingOnStream, missingOnStream.slice(0, 20).join("\n")).toEqual([]);
        // The stream's ids only grew, also across the server's restarts.
        expect(new Set(streamIds).size).toBe(streamIds.length);
        expect([...streamIds].sort((a, b) => a - b)).toEqual(streamIds);
        expect(stream.connections).toBeGreaterThan(KILLS);
        const logs = await server.logLines();
        const refused = logs.filter((l) => l.msg === "delivery refused by the gateway");
        expect(refused, JSON.stringify(refused)).toEqual([]);
        expect(logs.filter((l) => /could not record/.test(l.msg ?? ""))).toEqual([]);
      },
      TIMEOUT_MS,
    );
  },
);
