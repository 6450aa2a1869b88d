import { readFileSync } from 'node:fs';
import { McpmError } from './errors.js';
import { parseData } from './json.js';

/** A registry as `mcpm registry add` stores it. The token itself is never here: only where to read it. */
export interface RegistryConfig {
  /** What users type (`registry remove team`, `--registry team`) and what `info` shows. */
  name: string;
  /** An MCP registry (v0.1 API), an http(s) URL or path of a static index, or "embedded". */
  url: string;
  /** The environment variable holding this registry's bearer token. */
  tokenEnv?: string;
}

/** mcpm's settings file (config.json). Every key is optional; unknown keys are kept for later versions. */
export interface Settings {
  /**
   * Registries, highest priority first: a comma-separated string (the original form, still read), or a list of
   * strings and RegistryConfig objects (what `mcpm registry add` writes). "embedded" is the built-in index.
   */
  registries?: string | Array<string | RegistryConfig>;
  /** Registry timeout in milliseconds. */
  timeout?: number;
  /** The current profile (`mcpm profile use`). */
  profile?: string;
  /** How long cached registry data is used without asking the registry again, in milliseconds. */
  cacheTtl?: number;
  /** Where secret values are kept: "file" (the default) or "keychain". */
  secrets?: string;
  /** Versions younger than this (ms) are skipped when choosing (src/supply/release-age.ts). */
  'min-release-age'?: number;
  /** The user's supply-chain policy (src/supply/policy-load.ts reads it, with the MCPM_POLICY file). */
  policy?: Record<string, unknown>;
  /** Entries start `mcpm run --guard <name>`, which withholds tools that changed since they were pinned. */
  guard?: boolean;
  /** Versions installed from now on keep their packages' source maps and type declarations (see store/dev-files.ts). */
  'dev-files'?: boolean;
}

export function readSettings(file: string): Settings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new McpmError('EFS', `Cannot read ${file} (${(error as NodeJS.ErrnoException).code})`, { hint: 'Check its permissions.' });
  }
  return parseSettings(file, text);
}

export function parseSettings(file: string, text: string | undefined): Settings {
  if (text === undefined || text.trim() === '') return {};
  try {
    const value = parseData(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Settings) : {};
  } catch {
    throw new McpmError('EPARSE', `${file} is not valid JSON`, { hint: 'Fix the file or delete it to return to the defaults.' });
  }
}

/**
 * Read-modify-write of config.json under its lock, written atomically (temp file, fsync, rename), so two mcpm
 * processes changing settings both land and a reader never sees half a file. Imported lazily by the commands that
 * write: reading settings must stay cheap.
 */
export async function updateSettings<T>(file: string, change: (settings: Settings) => T): Promise<T> {
  const { readTextIfExists, withFileLock, writeFileAtomicSafe } = await import('./fs/files.js');
  return withFileLock(file, async () => {
    const settings = parseSettings(file, await readTextIfExists(file));
    const result = change(settings);
    await writeFileAtomicSafe(file, `${JSON.stringify(settings, null, 2)}\n`);
    return result;
  });
}
