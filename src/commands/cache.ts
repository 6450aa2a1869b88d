import { defineCommand } from './spec.js';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { removeStaleStaging } from '../store/staging.js';

/**
 * `mcpm cache clean`: empties mcpm's cache folder (registry caches and the npm package cache). Nothing installed
 * depends on it: the store, state, secrets and settings live elsewhere. Registries are fetched again when next used.
 */
export async function cacheClean(ctx: Context) {
  await removeStaleStaging(ctx.paths.store);
  const dir = ctx.paths.cache;
  const bytes = await sizeOf(dir);
  const removed = (await readdir(dir).catch(() => [] as string[])).map((name) => path.join(dir, name));
  for (const entry of removed) await rm(entry, { recursive: true, force: true, maxRetries: 3 });
  return { path: dir, removed, bytes };
}

async function sizeOf(target: string): Promise<number> {
  let info;
  try {
    info = await stat(target);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of await readdir(target)) total += await sizeOf(path.join(target, name));
  return total;
}

export function renderCacheClean(result: Awaited<ReturnType<typeof cacheClean>>): string {
  if (result.removed.length === 0) return `The cache (${result.path}) was already empty.`;
  return `Removed ${(result.bytes / 1048576).toFixed(1)} MiB from ${result.path} (${result.removed.map((p) => path.basename(p)).join(', ')})`;
}

export const group = { name: 'cache', description: 'mcpm\'s caches (registry data, npm packages)' };

export const commands = [
  defineCommand({
    name: 'cache clean',
    description: 'empty mcpm\'s caches; registries are fetched again when next used',
    run: async (ctx) => ({ result: await cacheClean(ctx) }),
    render: renderCacheClean,
  }),
];
