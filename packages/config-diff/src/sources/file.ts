import { configInput, type LoadedConfig } from "../diff-configs.js";
import { parseJson5, type ReadLimits, readConfigFile, readStdinBounded, resolveIncludes } from "../load.js";

export interface FileSourceOptions extends ReadLimits {
  /** Resolve `$include` directives (off by default: the runtime file keeps them as authored). */
  resolveIncludes?: boolean;
  /** Extra include roots, like OpenClaw's OPENCLAW_INCLUDE_ROOTS. */
  includeRoots?: string[];
}

/** Reads a config file: a regular file of at most `maxBytes` (2 MiB), within `timeoutMs` (10 s). */
export async function loadFileSource(file: string, options: FileSourceOptions = {}): Promise<LoadedConfig> {
  const text = await readConfigFile(file, options);
  let value = parseJson5(text, file);
  if (options.resolveIncludes)
    value = resolveIncludes(value, { configPath: file, allowedRoots: options.includeRoots ?? [] });
  return configInput(value, file, "file");
}

export async function loadStdinSource(
  options: FileSourceOptions = {},
  readStdin: () => Promise<string> = () => readStdinBounded(process.stdin, options),
): Promise<LoadedConfig> {
  const text = await readStdin();
  let value = parseJson5(text, "<stdin>");
  if (options.resolveIncludes)
    value = resolveIncludes(value, {
      configPath: `${process.cwd()}/stdin.json5`,
      allowedRoots: options.includeRoots ?? [],
    });
  return configInput(value, "<stdin>", "stdin");
}
