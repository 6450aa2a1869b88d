import { defineCommand } from './spec.js';
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { STAGING } from '../store/layout.js';
import { removeStaleStaging } from '../store/staging.js';
import { readState, updateState } from '../state/installed.js';

/** `mcpm prune`: removes store versions that nothing references (versions kept for rollback, leftovers). */
export async function prune(ctx: Context) {
  // Staging folders of killed runs first (they are never in use: their process is gone).
  const staging = await removeStaleStaging(ctx.paths.store);
  const state = readState(ctx);
  const inUse = new Set(Object.values(state.servers).flatMap((s) => (s.storePath ? [path.resolve(s.storePath)] : [])));
  const removed: Array<{ path: string; bytes: number }> = [];
  for (const dir of await versionDirs(ctx.paths.store)) {
    if (inUse.has(path.resolve(dir))) continue;
    const bytes = await sizeOf(dir);
    await rm(dir, { recursive: true, force: true });
    removed.push({ path: dir, bytes });
  }
  await updateState(ctx, (next) => {
    for (const server of Object.values(next.servers)) {
      server.previousVersions = [];
      delete server.previousServers;
    }
  });
  return { removed, freedBytes: removed.reduce((sum, r) => sum + r.bytes, 0), ...(staging.length ? { staging } : {}) };
}

/** `<store>/<namespace>/<name>/<version>` folders. Staging is left alone: an install may be using it right now. */
async function versionDirs(store: string): Promise<string[]> {
  const list = async (dir: string) => (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => path.join(dir, d.name));
  const out: string[] = [];
  for (const namespace of await list(store)) {
    if (path.basename(namespace) === STAGING) continue;
    for (const name of await list(namespace)) out.push(...(await list(name)));
  }
  return out;
}

async function sizeOf(target: string): Promise<number> {
  const info = await lstat(target).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(target)) total += await sizeOf(path.join(target, entry));
  return total;
}

export function renderPrune(result: Awaited<ReturnType<typeof prune>>): string {
  if (result.removed.length === 0) return 'Nothing to prune.';
  const mb = (result.freedBytes / 1048576).toFixed(1);
  return `Removed ${result.removed.length} unused store version${result.removed.length === 1 ? '' : 's'}, freeing ${mb} MiB`;
}

export const commands = [
  defineCommand({
    name: 'prune',
    description: 'remove store versions that nothing references',
    run: async (ctx) => ({ result: await prune(ctx) }),
    render: renderPrune,
  }),
];
