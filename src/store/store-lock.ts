import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { ensureDir } from '../fs/files.js';
import { processAlive, withOwnedLock } from '../fs/owned-lock.js';
import { casRoot } from './cas.js';
import { migrateIfNeeded } from './migrate.js';

/**
 * The store lock: installs hold it while they link a version folder, prune while it collects unused files, doctor
 * while it repairs, so a file is never collected between an install's check and its link. Downloads and unpacking
 * happen outside it (they only add files). The first time it is taken on a store from before the content store,
 * the version folders there are moved onto it (see migrate.ts).
 */
export async function withStoreLock<T>(ctx: Context, fn: () => Promise<T>): Promise<T> {
  const root = casRoot(ctx.paths.store);
  await ensureDir(root);
  return withOwnedLock(path.join(root, 'store.lock'), async () => {
    await migrateIfNeeded(ctx);
    return fn();
  }, { busyHint: 'Another mcpm is working on the store (an install or a prune); try again when it is done.' });
}

/**
 * An install pins the version folder it is about to record (under the store lock, with the check that it exists),
 * so a prune running before the state names it does not take it away. A pin lives as long as its process: pins of
 * processes that are gone are ignored and removed by prune.
 */
export async function pinVersion(store: string, dir: string): Promise<void> {
  const pins = path.join(casRoot(store), 'pins');
  await mkdir(pins, { recursive: true });
  await appendFile(path.join(pins, String(process.pid)), `${path.resolve(dir)}\n`);
}

export async function pinnedVersions(store: string): Promise<Set<string>> {
  const pins = path.join(casRoot(store), 'pins');
  const out = new Set<string>();
  for (const name of await readdir(pins).catch(() => [] as string[])) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      for (const dir of (await readFile(path.join(pins, name), 'utf8').catch(() => '')).split('\n')) if (dir) out.add(dir);
    } else {
      await rm(path.join(pins, name), { force: true });
    }
  }
  return out;
}
