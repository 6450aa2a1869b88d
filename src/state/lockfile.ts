import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { McpmError } from '../errors.js';
import type { SupplyRecord } from '../supply/record.js';
import { parseData, record } from '../json.js';
import { readTextIfExists, withFileLock, writeFileAtomicSafe } from '../fs/files.js';
import type { LockPins } from '../trust/surface.js';

/**
 * `mcpm-lock.json`: what was resolved, so a setup reproduces exactly elsewhere: the server version, the registry
 * it came from, the package with its integrity, and the package's whole dependency tree (from the store version's
 * package-lock.json). Installing from it refuses a package whose integrity no longer matches.
 */
export interface LockedServer {
  version: string;
  registry: string;
  package?: { registryType: string; identifier: string; version: string; registryBaseUrl?: string; integrity?: string; resolved?: string; image?: string; fileSha256?: string };
  /** package-lock.json `packages` of the store version, without its root. */
  dependencies?: Record<string, unknown>;
  remote?: { transport: string; url: string };
  /** npm: registry signatures and provenance as found at install; installing from the lock refuses weaker ones. */
  supply?: SupplyRecord;
  /** The tool pins' hashes (see trust/surface.ts lockPins; versioned by their own formatVersion). */
  pins?: LockPins;
}

export interface LockFile {
  lockfileVersion: number;
  servers: Record<string, LockedServer>;
}

export const LOCKFILE_VERSION = 1;

export function lockPath(dir: string): string {
  return path.join(dir, 'mcpm-lock.json');
}

export async function readLock(dir: string): Promise<LockFile> {
  const file = lockPath(dir);
  const text = await readTextIfExists(file);
  if (text === undefined) return { lockfileVersion: LOCKFILE_VERSION, servers: record<LockedServer>() };
  try {
    const lock = parseData(text) as LockFile;
    if (lock.lockfileVersion > LOCKFILE_VERSION) {
      throw new McpmError('EUNSUPPORTED', `${file} was written by a newer mcpm (lockfileVersion ${lock.lockfileVersion})`, { hint: 'Upgrade mcpm.' });
    }
    return { lockfileVersion: LOCKFILE_VERSION, servers: lock.servers ?? record<LockedServer>() };
  } catch (error) {
    if (error instanceof McpmError) throw error;
    throw new McpmError('EPARSE', `${file} is not valid JSON`, { hint: 'Restore it from version control; mcpm left it untouched.' });
  }
}

/** `backup`: keep the last good copy beside it (mcpm's own global lock; a project's lock is in version control). */
export async function updateLock(dir: string, change: (lock: LockFile) => void, options: { backup?: boolean } = {}): Promise<void> {
  const file = lockPath(dir);
  await withFileLock(file, async () => {
    const lock = await readLock(dir);
    change(lock);
    const sorted = Object.fromEntries(Object.entries(lock.servers).sort(([a], [b]) => a.localeCompare(b)));
    const text = `${JSON.stringify({ lockfileVersion: LOCKFILE_VERSION, servers: sorted }, null, 2)}\n`;
    await writeFileAtomicSafe(file, text);
    if (options.backup) await writeFileAtomicSafe(`${file}.bak`, text);
  });
}

/** The dependency tree of a store version, as its package-lock.json recorded it (root removed). */
export async function storeTree(storePath: string): Promise<Record<string, unknown> | undefined> {
  try {
    const lock = JSON.parse(await readFile(path.join(storePath, 'package-lock.json'), 'utf8')) as { packages?: Record<string, unknown> };
    const { '': _root, ...packages } = lock.packages ?? {};
    return packages;
  } catch {
    return undefined;
  }
}
