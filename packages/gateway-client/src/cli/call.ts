import * as z from "zod";
import { MAX_PARAMS_DEPTH, nestsDeeperThan } from "../protocol/encode.js";
import { clientFrom } from "./connect.js";
import { type CliIo, EXIT_OK, UsageError } from "./io.js";
import { CONNECTION_HELP, identityFor, parseCommand, requireUrl, resolveSettings } from "./settings.js";

export const CALL_HELP = `Usage: missionctl-gateway call <method> [json-params] [options]

Connects, sends one request and prints the response payload as JSON.
  missionctl-gateway call health
  missionctl-gateway call chat.history '{"sessionKey":"agent:main:main"}'
Uses device.json from the identity folder when there is one, device-less otherwise.
Default scopes: operator.read,operator.write (--scopes to change).

${CONNECTION_HELP}

Exit status: 0 the gateway answered ok, 1 an error (printed with its fix), 2 usage error.`;

const methodSchema = z.string().regex(/^[A-Za-z][\w.-]*$/, "a method name looks like health or sessions.list");

export async function callCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("call", argv);
  if (values.help) {
    io.stdout(`${CALL_HELP}\n`);
    return EXIT_OK;
  }
  const [method, rawParams, ...rest] = positionals;
  if (!method) throw new UsageError("missing <method>", "call");
  if (rest.length)
    throw new UsageError(`unexpected arguments: ${rest.join(" ")} (quote the JSON params as one argument)`, "call");
  const m = methodSchema.safeParse(method);
  if (!m.success) throw new UsageError(`method ${JSON.stringify(method)}: ${m.error.issues[0]?.message}`, "call");
  let params: unknown;
  if (rawParams !== undefined) {
    try {
      params = JSON.parse(rawParams);
    } catch (e) {
      throw new UsageError(`json-params is not valid JSON (${(e as Error).message})`, "call");
    }
    if (nestsDeeperThan(params, MAX_PARAMS_DEPTH))
      throw new UsageError(
        `json-params nests deeper than ${MAX_PARAMS_DEPTH} levels of objects and arrays: send flatter params`,
        "call",
      );
  }
  const s = resolveSettings("call", values, io);
  const client = clientFrom(s, requireUrl(s, "call"), await identityFor(s));
  try {
    await client.connect();
    const payload = await client.request(method, params, { timeoutMs: s.timeoutMs });
    let text: string;
    try {
      text = JSON.stringify(payload ?? null, null, 2);
    } catch (e) {
      throw new Error(`the gateway's answer to ${method} cannot be printed as JSON (${(e as Error).message})`);
    }
    io.stdout(`${text}\n`);
    return EXIT_OK;
  } finally {
    await client.close();
  }
}
