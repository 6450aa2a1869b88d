import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ensureDir } from '../fs/files.js';
import { onInterrupt } from '../interrupt.js';
import { STAGING } from './layout.js';
import { processAlive } from '../fs/owned-lock.js';

/**
 * Staging folders: a version is built in `<store>/.staging/<pid>-<random>` and renamed into place whole. A folder
 * is removed when its build fails, at once when the command is interrupted, and, when mcpm was killed (kill -9, a
 * crash), by the next command that stages, prune, doctor --fix or cache clean: its process is gone.
 */
export async function createStaging(store: string): Promise<{ dir: string; done: () => Promise<void> }> {
  const root = path.join(store, STAGING);
  await removeStaleStaging(store);
  const dir = path.join(root, `${process.pid}-${randomBytes(4).toString('hex')}`);
  await ensureDir(dir);
  const unregister = onInterrupt(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    done: async () => {
      unregister();
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

/** Removes staging folders whose process is gone (or, for names older than this scheme, that are an hour old). */
export async function removeStaleStaging(store: string): Promise<string[]> {
  const root = path.join(store, STAGING);
  const removed: string[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const dir = path.join(root, name);
    if (!(await isStale(name, dir))) continue;
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    removed.push(dir);
  }
  return removed;
}

async function isStale(name: string, dir: string): Promise<boolean> {
  const pid = Number(name.split('-')[0]);
  // Names of the previous scheme started with a timestamp in ms, far above any pid.
  if (Number.isInteger(pid) && pid > 0 && pid < 2 ** 22) return pid !== process.pid && !processAlive(pid);
  const info = await stat(dir).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > 60 * 60 * 1000;
}
