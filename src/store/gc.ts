import { lstat, readdir, readFile, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { casRoot } from './cas.js';
import { listVersionDirs } from './layout.js';
import { readRecord } from './record.js';

export interface Collected {
  files: number;
  bytes: number;
  indexes: number;
  trees: number;
}

const HOUR = 60 * 60 * 1000;

/**
 * The content store's garbage collector, run by prune under the store lock. A file of the content store that no
 * version folder links to has one link left (its own name): it is removed. A package index no version uses and a
 * tree of a version no longer in the store are removed (a later install resolves and fetches again). Temporary
 * files older than an hour are a killed writer's leftovers (newer ones may be an install unpacking right now).
 */
export async function collectGarbage(store: string, now: number): Promise<Collected> {
  const root = casRoot(store);
  const out: Collected = { files: 0, bytes: 0, indexes: 0, trees: 0 };
  for (const shard of await readdir(path.join(root, 'files')).catch(() => [] as string[])) {
    const dir = path.join(root, 'files', shard);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const file = path.join(dir, name);
      const info = await lstat(file).catch(() => undefined);
      if (!info || info.nlink > 1) continue;
      await unlink(file).catch(() => undefined);
      out.files++;
      out.bytes += info.size;
    }
  }
  const usedIndexes = new Set<string>();
  const usedTrees = new Set<string>();
  for (const dir of await listVersionDirs(store)) {
    const record = await readRecord(dir);
    for (const integrity of Object.values(record?.packages ?? {})) usedIndexes.add(integrity);
    if (record?.tree) usedTrees.add(record.tree);
  }
  out.indexes = await sweepJson(path.join(root, 'index'), (value) => !usedIndexes.has(String(value.integrity)));
  out.trees = await sweepJson(path.join(root, 'trees'), (value) => !usedTrees.has(String(value.key)));
  for (const name of await readdir(path.join(root, 'tmp')).catch(() => [] as string[])) {
    const file = path.join(root, 'tmp', name);
    const info = await lstat(file).catch(() => undefined);
    if (info && now - info.mtimeMs > HOUR) await rm(file, { force: true });
  }
  return out;
}

/** Removes the JSON files of a keyed folder that `unused` says no one needs (and any that do not parse). */
async function sweepJson(folder: string, unused: (value: Record<string, unknown>) => boolean): Promise<number> {
  let removed = 0;
  for (const shard of await readdir(folder).catch(() => [] as string[])) {
    for (const name of await readdir(path.join(folder, shard)).catch(() => [] as string[])) {
      const file = path.join(folder, shard, name);
      // Not yet renamed into place: an atomic write under way (or a killed one's leftover, harmless).
      if (!name.endsWith('.json')) continue;
      let value: Record<string, unknown> | undefined;
      try {
        value = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      } catch {
        value = undefined;
      }
      if (!value || unused(value)) {
        await rm(file, { force: true });
        removed++;
      }
    }
  }
  return removed;
}
