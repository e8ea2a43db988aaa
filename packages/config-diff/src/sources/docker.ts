import { spawn } from "node:child_process";
import { configInput, type LoadedConfig } from "../diff-configs.js";
import { ConfigDiffError } from "../errors.js";
import { parseJson5 } from "../load.js";

export interface DockerSourceOptions {
  /** The docker binary (default: $DOCKER or `docker` on PATH). */
  docker?: string;
  timeoutMs?: number;
}

/** `docker:<container>:<path>` → reads the file with `docker exec <container> cat <path>`. */
export function parseDockerSpec(spec: string): { container: string; path: string } {
  const rest = spec.slice("docker:".length);
  const i = rest.indexOf(":");
  const container = i < 0 ? "" : rest.slice(0, i);
  const path = i < 0 ? "" : rest.slice(i + 1);
  if (!container || !path.startsWith("/")) {
    throw new ConfigDiffError(
      "INVALID_OPTIONS",
      `${spec}: expected docker:<container>:<absolute path>, e.g. docker:openclaw:/home/node/.openclaw/openclaw.json`,
    );
  }
  return { container, path };
}

export function loadDockerSource(spec: string, options: DockerSourceOptions = {}): Promise<LoadedConfig> {
  const { container, path } = parseDockerSpec(spec);
  const bin = options.docker ?? process.env.DOCKER ?? "docker";
  const label = `docker:${container}:${path}`;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["exec", container, "cat", path], { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new ConfigDiffError(
          "DOCKER_FAILED",
          `${label}: cannot run ${bin} (${e.code ?? e.message}) — install the Docker CLI or set $DOCKER`,
          { file: label },
          { cause: e },
        ),
      );
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        // Docker's own stderr names the problem (no such container, permission denied); keep one line of it.
        const reason =
          err
            .split("\n")
            .map((l) => l.trim())
            .find(Boolean)
            ?.slice(0, 300) ?? (signal ? `killed by ${signal}` : "no output");
        reject(
          new ConfigDiffError(
            "DOCKER_FAILED",
            `${label}: docker exec failed (exit ${code ?? signal}): ${reason} — check the container name and the path`,
            { file: label },
          ),
        );
        return;
      }
      try {
        resolve(configInput(parseJson5(Buffer.concat(out).toString("utf8"), label), label, "docker"));
      } catch (e) {
        reject(e);
      }
    });
  });
}
