import { readFileSync } from "node:fs";
import { configInput, type LoadedConfig } from "../diff-configs.js";
import { ConfigDiffError } from "../errors.js";
import { parseJson5, readTextFile, resolveIncludes } from "../load.js";

export interface FileSourceOptions {
  /** Resolve `$include` directives (off by default: the runtime file keeps them as authored). */
  resolveIncludes?: boolean;
  /** Extra include roots, like OpenClaw's OPENCLAW_INCLUDE_ROOTS. */
  includeRoots?: string[];
}

export function loadFileSource(file: string, options: FileSourceOptions = {}): LoadedConfig {
  const text = readTextFile(file);
  let value = parseJson5(text, file);
  if (options.resolveIncludes)
    value = resolveIncludes(value, { configPath: file, allowedRoots: options.includeRoots ?? [] });
  return configInput(value, file, "file");
}

export function loadStdinSource(
  options: FileSourceOptions = {},
  readStdin: () => string = () => readFileSync(0, "utf8"),
): LoadedConfig {
  let text: string;
  try {
    text = readStdin();
  } catch (err) {
    throw new ConfigDiffError(
      "FILE_UNREADABLE",
      "<stdin>: cannot read standard input — pipe a config into --source -",
      { file: "<stdin>" },
      { cause: err },
    );
  }
  let value = parseJson5(text, "<stdin>");
  if (options.resolveIncludes)
    value = resolveIncludes(value, {
      configPath: `${process.cwd()}/stdin.json5`,
      allowedRoots: options.includeRoots ?? [],
    });
  return configInput(value, "<stdin>", "stdin");
}
