import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { scratchDirs } from "../../../tests/scratch-dir.js";
import { runCli } from "../src/index.js";
import { buildOnce, expectGolden, FIXTURES, PKG, type RunResult, runBin } from "./helpers.js";

const scratch = scratchDirs();

const ref = ["--source", "tests/fixtures/reference-source.json5", "--runtime", "tests/fixtures/reference-runtime.json"];
const canary = ["--source", "tests/fixtures/canary-source.json5", "--runtime", "tests/fixtures/canary-runtime.json"];

/** Every output any test in this file produced, for the canary check at the end. */
const seen: string[] = [];
type RunOptions = NonNullable<Parameters<typeof runBin>[1]>;
/**
 * The built binary, spawned: once per exit code and wherever the process itself is what is tested
 * (stdin, PATH, a FIFO that would block it, deep nesting on its own stack, --color, the env of a CI
 * step). Each spawn costs ~0.7 CPU-s, and the test command is CPU-bound.
 */
const spawned = async (args: string[], opts?: RunOptions): Promise<RunResult> => {
  const r = await runBin(args, opts);
  seen.push(r.stdout, r.stderr);
  return r;
};
/** Everything else in-process: runCli is what the binary runs (src/cli/bin.ts), with the same environment. */
const run = async (args: string[], opts: Omit<RunOptions, "input"> = {}): Promise<RunResult> => {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...(opts.env ?? {}) },
    cwd: opts.cwd ?? PKG,
    isTTY: false,
  }).catch(() => 2); // as the binary's exit code on a rejection
  seen.push(stdout, stderr);
  return { code, stdout, stderr };
};

beforeAll(() => buildOnce(), 240_000);

describe("config-diff CLI: goldens", () => {
  for (const format of ["human", "json", "json-patch", "github"]) {
    it(`reference deployment, --format ${format}`, async () => {
      const r = await (format === "human" ? spawned : run)([...ref, "--format", format]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(1);
      expectGolden(`reference.${format}.txt`, r.stdout);
    });
    it(`every disposition with secrets, --format ${format} --verbose --lint`, async () => {
      const r = await run([...canary, "--format", format, "--verbose", "--lint"]);
      expect(r.code).toBe(1);
      expectGolden(`canary.${format}.txt`, r.stdout);
    });
  }

  it("the reference case reports exactly the allowedOrigins drift, and --lint flags allowInsecureAuth", async () => {
    const r = await run([...ref, "--format", "json", "--lint"]);
    const report = JSON.parse(r.stdout);
    expect(report.formatVersion).toBe("1.0");
    expect(report.changes.filter((c: { disposition: string }) => c.disposition === "drift")).toEqual([
      expect.objectContaining({
        pointer: "/gateway/controlUi/allowedOrigins/0",
        kind: "removed",
        before: "https://javisi.ewutelo.cloud",
      }),
      expect.objectContaining({
        pointer: "/gateway/controlUi/allowedOrigins/1",
        kind: "removed",
        before: "https://mc.ewutelo.cloud",
      }),
    ]);
    expect(report.lint.filter((f: { side: string }) => f.side === "source")).toEqual([
      expect.objectContaining({
        pointer: "/gateway/controlUi/allowInsecureAuth",
        severity: "error",
        rule: "removed-key",
      }),
    ]);
    const human = await run([...ref, "--lint"]);
    expect(human.stdout).toMatch(
      /✖ lint \(source\) gateway\.controlUi\.allowInsecureAuth no longer exists.*last good config/,
    );
    expect(human.stdout).toMatch(/fix: remove gateway\.controlUi\.allowInsecureAuth/);
  });

  it("github: annotations on stdout, Markdown summary appended to $GITHUB_STEP_SUMMARY", async () => {
    const dir = scratch("cd-gh-");
    const summary = join(dir, "summary.md");
    writeFileSync(summary, "# earlier step\n");
    const r = await spawned([...canary, "--format", "github"], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    expect(
      r.stdout
        .split("\n")
        .filter(Boolean)
        .every((l) => /^::(error|warning) /.test(l)),
    ).toBe(true);
    const md = readFileSync(summary, "utf8");
    seen.push(md);
    expect(md).toMatch(/^# earlier step\n## config-diff: drift found/);
    expect(md).toContain("| changed | `gateway.auth.token` | *** (before, literal) → *** (after, literal) | drift |");
  });
});

describe("config-diff CLI: behaviour", () => {
  it("exit 0 without drift; env resolve from --env-file; presence mode", async () => {
    expect(
      (
        await spawned([
          "--source",
          "tests/fixtures/reference-runtime.json",
          "--runtime",
          "tests/fixtures/reference-runtime.json",
        ])
      ).code,
    ).toBe(0);
    const resolved = await run([
      ...canary,
      "--env-mode",
      "resolve",
      "--env-file",
      "tests/fixtures/canary.env",
      "--format",
      "json",
    ]);
    const changes = JSON.parse(resolved.stdout).changes as { pointer: string }[];
    expect(changes.map((c) => c.pointer)).not.toContain("/models/providers/main/apiKey");
    expect(changes.map((c) => c.pointer)).not.toContain("/logging/file");
    const presence = await run([...canary, "--env-mode", "presence", "--format", "json"]);
    expect(
      JSON.parse(presence.stdout).changes.find(
        (c: { pointer: string }) => c.pointer === "/models/providers/main/apiKey",
      ).disposition,
    ).toBe("unverifiable");
  });

  it("--fail-on unverifiable and --exit-zero", async () => {
    const src = join(scratch("cd-u-"), "s.json");
    writeFileSync(src, JSON.stringify({ gateway: { remote: { token: "x" } } }));
    const rt = src.replace("s.json", "r.json");
    writeFileSync(rt, JSON.stringify({ gateway: { remote: { token: "__OPENCLAW_REDACTED__" } } }));
    expect((await run(["--source", src, "--runtime", rt])).code).toBe(0);
    expect((await run(["--source", src, "--runtime", rt, "--fail-on", "unverifiable"])).code).toBe(1);
    expect((await run([...ref, "--exit-zero"])).code).toBe(0);
  });

  it("reads the source from stdin and the ignore file from the working directory", async () => {
    const text = readFileSync(join(FIXTURES, "reference-source.json5"), "utf8");
    const r = await spawned(
      ["--source", "-", "--runtime", "tests/fixtures/reference-runtime.json", "--format", "json"],
      {
        input: text,
      },
    );
    expect(JSON.parse(r.stdout).sources.source).toEqual({ label: "<stdin>", kind: "stdin" });
    const dir = scratch("cd-ign-");
    writeFileSync(join(dir, ".config-diff.yaml"), readFileSync(join(FIXTURES, "ignore-valid.yaml")));
    const withFile = await run(
      [
        "--source",
        join(FIXTURES, "canary-source.json5"),
        "--runtime",
        join(FIXTURES, "canary-runtime.json"),
        "--format",
        "json",
      ],
      { cwd: dir },
    );
    const rep = JSON.parse(withFile.stdout);
    expect(rep.rules.filter((x: { origin: string }) => x.origin === "file")).toEqual([
      { pattern: "/gateway/auth/rateLimit/**", origin: "file", reason: "tuned on the server", suppressed: 1 },
      { pattern: "/logging/level", origin: "file", suppressed: 1 },
    ]);
    // arrays: /gateway/trustedProxies ordered → index-wise comparison
    expect(rep.changes.find((c: { pointer: string }) => c.pointer === "/gateway/trustedProxies/1")).toMatchObject({
      kind: "removed",
      disposition: "drift",
    });
  });

  it("reads docker:<container>:<path> through `docker exec <c> cat <path>`", async () => {
    const dir = scratch("cd-docker-");
    const fake = join(dir, "docker");
    writeFileSync(
      fake,
      `#!/bin/sh
# fake docker CLI: docker exec <container> cat <path>
[ "$1" = exec ] && [ "$3" = cat ] || { echo "unexpected args: $*" >&2; exit 64; }
if [ "$2" != openclaw ]; then echo "Error response from daemon: No such container: $2" >&2; exit 1; fi
case "$4" in /home/node/.openclaw/openclaw.json) cat "${join(FIXTURES, "reference-runtime.json")}";; *) echo "cat: $4: No such file or directory" >&2; exit 1;; esac
`,
    );
    chmodSync(fake, 0o755);
    const env = { PATH: `${dir}:${process.env.PATH}` };
    const ok = await spawned(
      [
        "--source",
        "tests/fixtures/reference-source.json5",
        "--runtime",
        "docker:openclaw:/home/node/.openclaw/openclaw.json",
        "--format",
        "json",
      ],
      { env },
    );
    expect(ok.code).toBe(1);
    const rep = JSON.parse(ok.stdout);
    expect(rep.sources.runtime).toEqual({
      label: "docker:openclaw:/home/node/.openclaw/openclaw.json",
      kind: "docker",
    });
    expect(rep.summary.drift).toBe(2);
    const missing = await spawned(
      ["--source", "tests/fixtures/reference-source.json5", "--runtime", "docker:nope:/x.json"],
      { env },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      "[config-diff] docker:nope:/x.json: docker exec failed (exit 1): Error response from daemon: No such container: nope — check the container name and the path\n",
    );
  });

  it("colour only on a TTY, NO_COLOR respected, --color forces it", async () => {
    const capture = async (isTTY: boolean, env: Record<string, string>, extra: string[] = []) => {
      let out = "";
      await runCli([...ref, ...extra], {
        stdout: (s) => (out += s),
        stderr: () => undefined,
        env,
        cwd: join(FIXTURES, "..", ".."),
        isTTY,
      });
      return out;
    };
    expect(await capture(true, {})).toContain("\u001b[");
    expect(await capture(true, { NO_COLOR: "1" })).not.toContain("\u001b[");
    expect(await capture(false, {})).not.toContain("\u001b[");
    expect((await spawned([...ref, "--color"])).stdout).toContain("\u001b[31m");
  });
});

describe("config-diff CLI: bad input exits 2 with a precise message", () => {
  it("unreadable file", async () => {
    const r = await run([
      "--source",
      "tests/fixtures/does-not-exist.json",
      "--runtime",
      "tests/fixtures/reference-runtime.json",
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^\[config-diff\] \S*tests\/fixtures\/does-not-exist\.json: no such file — check the path/,
    );
    const dir = await run(["--source", "tests/fixtures", "--runtime", "tests/fixtures/reference-runtime.json"]);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toMatch(/tests\/fixtures: is a directory/);
  });
  it("invalid JSON5 names file:line:col without the text", async () => {
    const r = await run([
      "--source",
      "tests/fixtures/invalid.json5",
      "--runtime",
      "tests/fixtures/reference-runtime.json",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\[config-diff\] \S*tests\/fixtures\/invalid\.json5:3:\d+: invalid JSON5 syntax — /);
  });
  it("a bad ignore file", async () => {
    const r = await run([...ref, "--ignore-file", "tests/fixtures/ignore-bad.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("ignore-bad.yaml: invalid ignore file:");
    expect(r.stderr).toMatch(/ignore\.0: must be a JSON pointer glob starting with "\/"/);
    expect(r.stderr).toMatch(/unknownKey/);
  });
  it("an unknown format, a bad flag, a bad env file", async () => {
    const f = await spawned([...ref, "--format", "xml"]);
    expect([f.code, f.stderr]).toEqual([
      2,
      '[config-diff] unknown --format "xml": use one of human, json, json-patch, github — see config-diff --help\n',
    ]);
    const flag = await run([...ref, "--frmat", "json"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/bad arguments: .*--frmat/);
    const env = await run([...canary, "--env-mode", "resolve", "--env-file", "tests/fixtures/bad.env"]);
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/bad\.env:2: expected KEY=VALUE/);
    const missing = await run(["--runtime", "x.json"]);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      "[config-diff] --source is required — see config-diff --help\n",
    ]);
  });
});

describe("secrets", () => {
  it("no canary secret appears in any output, summary or error message", async () => {
    // Make sure this runs after the others and that the canary runs really happened.
    const extra = [
      await run([
        ...canary,
        "--format",
        "json",
        "--env-mode",
        "resolve",
        "--env-file",
        "tests/fixtures/canary.env",
        "--verbose",
      ]),
      await run([...canary, "--verbose", "--lint", "--no-builtin-ignores", "--no-normalize"]),
      await run([...canary, "--format", "json-patch", "--no-builtin-ignores"]),
    ];
    expect(extra.every((r) => r.code === 1)).toBe(true);
    expect(seen.length).toBeGreaterThan(20);
    const all = seen.join("\n");
    expect(all).toContain("***");
    expect(all).not.toMatch(/CANARY/);
    // The fixtures do hold the canaries.
    expect(readFileSync(join(FIXTURES, "canary-runtime.json"), "utf8")).toMatch(/CANARY/);
    expect(readFileSync(join(FIXTURES, "invalid.json5"), "utf8")).toMatch(/CANARY/);
  });
});

// Issue 13: inputs an attacker controls (a config file path, a runtime file, a gateway URL) and
// secrets that sit where no key pattern finds them.
describe("config-diff CLI: hardening", () => {
  const refSource = ["--source", "tests/fixtures/reference-source.json5"];
  const leak = ["--source", "tests/fixtures/leak-source.json5", "--runtime", "tests/fixtures/leak-runtime.json"];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for raw control characters
  const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

  it("masks secrets by position and by value in all four formats (arrays, URLs, auth headers, copies)", async () => {
    const dir = scratch("config-diff-leak-");
    const summary = join(dir, "summary.md");
    writeFileSync(summary, "");
    const outputs: string[] = [];
    for (const format of ["human", "json", "json-patch", "github"]) {
      const r = await run([...leak, "--format", format, "--verbose"], {
        env: format === "github" ? { GITHUB_STEP_SUMMARY: summary } : {},
      });
      expect(r.code, `${format}: ${r.stderr}`).toBe(1);
      outputs.push(r.stdout, r.stderr);
    }
    outputs.push(readFileSync(summary, "utf8"));
    const all = outputs.join("\n");
    expect(all).not.toMatch(/LEAK/);
    expect(all).not.toContain("TEVBSy1i"); // the Basic credential, base64
    // The drift itself is still reported, with the structure around each secret kept.
    const json = JSON.parse(outputs[2]!);
    const at = (p: string) => json.changes.filter((c: { pointer: string }) => c.pointer.startsWith(p));
    expect(at("/gateway/auth/tokens").length).toBeGreaterThan(0);
    expect(at("/gateway/auth/tokens").every((c: { sensitive: boolean }) => c.sensitive)).toBe(true);
    expect(at("/models/providers/main/baseUrl")[0]).toMatchObject({
      before: "https://llm.example/v1?token=***&region=eu",
      after: "https://llm.example/v1?token=***&region=eu",
    });
    expect(at("/models/providers/main/headers/Authorization")[0]).toMatchObject({ sensitive: true });
    expect(at("/channels/webhook/notes")[0]).toMatchObject({ sensitive: true, after: "***" });
    expect(at("/channels/webhook/url")[0].after).toBe("https://hooks.example/in?access_token=***");
    expect(at("/tools/proxy")[0].after).toBe("http://proxyuser:***@proxy.example:3128");
    expect(JSON.stringify(at("/tools/curl"))).toContain("Authorization: ***");
  });

  it("--runtime /dev/zero is refused at once (not a regular file), exit 2", async () => {
    const started = Date.now();
    const r = await spawned([...refSource, "--runtime", "/dev/zero"]);
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toBe(
      "[config-diff] /dev/zero: is a character device, not a regular file — pass the config file itself (pipe other input into --source - or --runtime -)\n",
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("a FIFO is refused instead of blocking, an oversize file with the limit, exit 2", async () => {
    const dir = scratch("config-diff-inputs-");
    const fifo = join(dir, "runtime.fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const started = Date.now();
    const f = await spawned([...refSource, "--runtime", fifo]);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain(`${fifo}: is a FIFO (named pipe), not a regular file`);
    const big = join(dir, "big.json");
    writeFileSync(big, `{"pad":"${"x".repeat(3 * 1024 * 1024)}"}`);
    const b = await run([...refSource, "--runtime", big]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/big\.json: is 31457\d\d bytes, above the limit of 2097152 — .*--max-file-bytes/);
    expect(Date.now() - started).toBeLessThan(30_000);
    const raised = await run(["--source", big, "--runtime", big, "--max-file-bytes", String(4 * 1024 * 1024)]);
    expect(raised.code, raised.stderr).toBe(0);
  });

  it("5,000 levels of nesting is an input error, not an unexpected error", async () => {
    const dir = scratch("config-diff-deep-");
    const deep = join(dir, "deep.json5");
    writeFileSync(deep, `${"{a:".repeat(5000)}1${"}".repeat(5000)}`);
    const r = await spawned([...refSource, "--runtime", deep]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/deep\.json5: nests deeper than 100 levels of objects and arrays — /);
    expect(r.stderr).not.toMatch(/unexpected error|please report/);
  });

  it("a gateway: URL carrying a token is refused without printing it, naming --token-file", async () => {
    const r = await run([...refSource, "--runtime", "gateway:ws://127.0.0.1:1/?token=LEAK-url-token-c3"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\[config-diff\] gateway:ws:\/\/127\.0\.0\.1:1\/\?token=\*\*\*: carries a credential/);
    expect(r.stderr).toContain("--token-file");
    expect(r.stderr).not.toMatch(/LEAK|unexpected error/);
  });

  it("escape sequences in keys and values are shown inert in every format", async () => {
    const dir = scratch("config-diff-esc-");
    const a = join(dir, "a.json5");
    const b = join(dir, "b.json");
    writeFileSync(a, '{ gateway: { mode: "local" } }');
    writeFileSync(b, '{"gateway":{"mode":"local","\\u001b]0;pwned\\u0007\\u001b[2K":"x\\u009b2J"}}');
    for (const format of ["human", "json", "json-patch", "github"]) {
      const r = await run(["--source", a, "--runtime", b, "--format", format]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout, format).not.toMatch(RAW_CONTROL);
    }
    const human = await run(["--source", a, "--runtime", b]);
    expect(human.stdout).toContain('gateway["\\u001b]0;pwned\\u0007\\u001b[2K"]: "x\\u009b2J" only in the runtime');
    const colour = await run(["--source", a, "--runtime", b, "--color"]);
    // Our own colour codes only: ESC followed by "[<digits>m".
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test strips real SGR sequences
    expect(colour.stdout.replace(/\u001b\[\d+m/g, "")).not.toMatch(RAW_CONTROL);
  });
});
