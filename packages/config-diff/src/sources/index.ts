import type { LoadedConfig } from "../diff-configs.js";
import { loadDockerSource } from "./docker.js";
import { type FileSourceOptions, loadFileSource, loadStdinSource } from "./file.js";
import { type GatewaySourceOptions, loadGatewaySource } from "./gateway.js";

export interface LoadSourceOptions extends FileSourceOptions, Omit<GatewaySourceOptions, "client"> {
  /** Deadline for every source: a file read, docker exec, or the gateway's config.get. */
  timeoutMs?: number;
  docker?: string;
  gatewayClient?: GatewaySourceOptions["client"];
}

/** Loads `-` (stdin), a file path, `docker:<container>:<path>` or `gateway:<ws url>`. */
export async function loadConfigSource(spec: string, options: LoadSourceOptions = {}): Promise<LoadedConfig> {
  if (spec === "-") return loadStdinSource(options);
  if (spec.startsWith("docker:"))
    return loadDockerSource(spec, {
      ...(options.docker ? { docker: options.docker } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  if (spec.startsWith("gateway:")) {
    const { gatewayClient, ...rest } = options;
    return loadGatewaySource(spec, { ...rest, ...(gatewayClient ? { client: gatewayClient } : {}) });
  }
  return loadFileSource(spec, options);
}
