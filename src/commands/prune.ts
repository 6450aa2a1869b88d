import { defineCommand } from './spec.js';
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { collectGarbage } from '../store/gc.js';
import { listVersionDirs } from '../store/layout.js';
import { removeStaleStaging } from '../store/staging.js';
import { pinnedVersions, withStoreLock } from '../store/store-lock.js';
import { keepServerData, keptLines, type KeptData } from '../store/server-data.js';
import { readState, updateState } from '../state/installed.js';

/**
 * `mcpm prune`: removes store versions that nothing references (versions kept for rollback, leftovers), then
 * collects the content store: files no version folder links to any more, and what it remembered of versions no
 * longer there. All under the store lock, so an install running meanwhile never loses a file it is linking.
 */
export async function prune(ctx: Context, options: { purge?: boolean } = {}) {
  return withStoreLock(ctx, async () => {
    // Staging folders of killed runs first (they are never in use: their process is gone).
    const staging = await removeStaleStaging(ctx.paths.store);
    const state = readState(ctx);
    // In use: what the state records, and what installs running right now are about to record.
    const inUse = new Set([...Object.values(state.servers).flatMap((s) => (s.storePath ? [path.resolve(s.storePath)] : [])), ...(await pinnedVersions(ctx.paths.store))]);
    const removed: Array<{ path: string; bytes: number }> = [];
    const kept: KeptData[] = [];
    for (const dir of await listVersionDirs(ctx.paths.store)) {
      if (inUse.has(path.resolve(dir))) continue;
      try {
        // What the server wrote in that version is the user's: kept aside (or, with --purge, deleted with it).
        if (!options.purge) {
          const [namespace, name, version] = path.relative(ctx.paths.store, dir).split(path.sep);
          const data = await keepServerData(dir, { keptRoot: ctx.paths.kept, store: ctx.paths.store, server: `${namespace}/${name}`, version: version!, now: ctx.now() });
          if (data) kept.push(data);
        }
        // What removing the folder frees by itself: files with no other link. Files it shared with the content
        // store are freed below, when nothing else links them.
        const bytes = await unsharedSize(dir);
        await rm(dir, { recursive: true, force: true });
        removed.push({ path: dir, bytes });
      } catch (error) {
        // An uninstall of that server removed the folder meanwhile (keeping its data itself): nothing left to do.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    await updateState(ctx, (next) => {
      for (const server of Object.values(next.servers)) {
        server.previousVersions = [];
        delete server.previousServers;
      }
    });
    const collected = await collectGarbage(ctx.paths.store, ctx.now());
    return {
      removed,
      collected: { files: collected.files, bytes: collected.bytes },
      freedBytes: removed.reduce((sum, r) => sum + r.bytes, 0) + collected.bytes,
      ...(staging.length ? { staging } : {}),
      ...(kept.length ? { kept } : {}),
    };
  });
}

async function unsharedSize(target: string): Promise<number> {
  const info = await lstat(target).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.nlink > 1 ? 0 : info.size;
  let total = 0;
  for (const entry of await readdir(target)) total += await unsharedSize(path.join(target, entry));
  return total;
}

export function renderPrune(result: Awaited<ReturnType<typeof prune>>): string {
  const mb = (result.freedBytes / 1048576).toFixed(1);
  if (result.removed.length === 0 && result.collected.files === 0) return 'Nothing to prune.';
  const versions = result.removed.length > 0 ? `Removed ${result.removed.length} unused store version${result.removed.length === 1 ? '' : 's'}` : 'No unused store version';
  const files = result.collected.files > 0 ? `; ${result.collected.files} file${result.collected.files === 1 ? '' : 's'} no version uses left the content store` : '';
  return [`${versions}${files}; freed ${mb} MiB`, ...keptLines(result.kept)].join('\n');
}


export const commands = [
  defineCommand({
    name: 'prune',
    description: 'remove store versions that nothing references, and the stored files no version uses',
    options: [{ flags: '--purge', description: 'also delete what servers wrote inside the removed versions (kept by default)' }],
    run: async (ctx, { options }) => ({ result: await prune(ctx, { purge: Boolean(options.purge) }) }),
    render: renderPrune,
  }),
];
