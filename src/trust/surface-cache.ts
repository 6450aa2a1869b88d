import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { writeJsonAtomic } from '../fs/files.js';
import type { RawSurface } from './surface.js';

/**
 * Surfaces learnt by an install's handshake, kept in mcpm's cache folder (`surfaces/<key>.json`, emptied by
 * `mcpm cache clean`) so that starting the very same bytes the very same way again is not needed to know what they
 * show: a reinstall, an install after an uninstall, an update that `mcpm outdated --tools` already looked at. Only
 * installs (and outdated --tools) use it; check, trust diff/accept and run --guard always start the server, and are
 * what detects a server whose tools change between two starts.
 */

/** Bump when what the key covers changes: older entries are then never found. */
const KEY_FORMAT = 1;

/** What the same start is: the package's bytes and the exact launch (secret values only as hashes of them). */
export interface LaunchIdentity {
  registryType: string;
  identifier: string;
  version: string;
  /** The stored package's integrity (the tarball's hash). */
  integrity: string;
  command: string;
  /** With each secret value already replaced by sha256Hex of it. */
  args: string[];
  /** Every variable the launch sets (secret ones included), each value hashed here. */
  env: Record<string, string>;
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** Pure: the cache key of one way of starting one package's bytes. */
export function surfaceKey(launch: LaunchIdentity): string {
  const env = Object.keys(launch.env)
    .sort()
    .map((name) => [name, sha256Hex(launch.env[name]!)]);
  const identity = [KEY_FORMAT, launch.registryType, launch.identifier, launch.version, launch.integrity, launch.command, launch.args, env];
  return sha256Hex(JSON.stringify(identity));
}

interface CachedSurface {
  formatVersion: number;
  /** For a person looking in the folder: which server and version it is. */
  server: string;
  version: string;
  learntAt: string;
  surface: RawSurface;
}

const fileOf = (ctx: Context, key: string) => path.join(ctx.paths.cache, 'surfaces', `${key}.json`);

export async function readCachedSurface(ctx: Context, key: string): Promise<RawSurface | undefined> {
  try {
    const cached = JSON.parse(await readFile(fileOf(ctx, key), 'utf8')) as CachedSurface;
    const { surface } = cached;
    if (cached.formatVersion !== KEY_FORMAT || !surface || ![surface.tools, surface.prompts, surface.resourceTemplates].every(Array.isArray)) return undefined;
    return surface;
  } catch {
    // Missing or unreadable: the server is started, as without a cache.
    return undefined;
  }
}

/** Best effort: a cache that cannot be written only costs the next install a start. */
export async function saveCachedSurface(ctx: Context, key: string, about: { server: string; version: string }, surface: RawSurface): Promise<void> {
  const file = fileOf(ctx, key);
  const record: CachedSurface = { formatVersion: KEY_FORMAT, ...about, learntAt: new Date(ctx.now()).toISOString(), surface: { tools: surface.tools, prompts: surface.prompts, resourceTemplates: surface.resourceTemplates } };
  try {
    await writeJsonAtomic(file, record);
  } catch {
    // ignored on purpose (see above)
  }
}
