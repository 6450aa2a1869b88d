import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { configuredRegistries, effectiveRegistries, registryKind, registryToken, type RegistryRef } from '../registry/config.js';
import { syncRegistry, type SyncSummary } from '../registry/sync.js';

export type SyncRow = SyncSummary | { name: string; url: string; error: { code: string; message: string } };

/**
 * `mcpm registry sync [name...] [--full]`: refreshes the caches of the registries in effect (or the named ones) now,
 * whatever their age. One that fails is reported in its row with a warning; if every one fails, the command fails.
 */
export async function registrySync(ctx: Context, names: string[], options: { full?: boolean }): Promise<SyncRow[]> {
  const refs = chooseRefs(ctx, names);
  if (refs.length === 0) {
    ctx.out.note('No registry in the list is reached over the network; local indexes and the embedded index need no sync.');
    return [];
  }
  const rows: SyncRow[] = [];
  const failures: McpmError[] = [];
  for (const ref of refs) {
    try {
      rows.push(await syncRegistry(ctx, ref, registryToken(ctx, ref), { full: options.full }));
    } catch (error) {
      if (!(error instanceof McpmError) || !['ENETWORK', 'EREGISTRY'].includes(error.code)) throw error;
      ctx.out.warn(`${error.message}. ${error.hint}`);
      failures.push(error);
      rows.push({ name: ref.name, url: ref.url, error: { code: error.code, message: error.message } });
    }
  }
  if (failures.length === refs.length) {
    const first = failures[0]!;
    throw new McpmError(first.code, refs.length === 1 ? first.message : `No registry could be synced (${failures.length} failed)`, { hint: first.hint });
  }
  return rows;
}

function chooseRefs(ctx: Context, names: string[]): RegistryRef[] {
  const effective = effectiveRegistries(ctx).registries;
  const remote = (ref: RegistryRef) => /^https?:\/\//i.test(ref.url) && ref.kind !== 'embedded';
  if (names.length === 0) return effective.filter(remote);
  const configured = configuredRegistries(ctx.settings(), ctx.cwd).map((c): RegistryRef => ({ ...c, kind: registryKind(c.url), configured: true }));
  return names.map((name) => {
    const ref = effective.find((r) => r.name === name || r.url === name) ?? configured.find((r) => r.name === name || r.url === name);
    if (!ref) {
      throw new McpmError('ENOTFOUND', `No registry named "${name}"`, { hint: `Known: ${[...new Set([...effective, ...configured].map((r) => r.name))].join(', ')}. See \`mcpm registry list\`.` });
    }
    if (!remote(ref)) throw new McpmError('EUSAGE', `Registry ${name} is read from this machine and has no cache to sync`, { hint: 'Only registries reached over http(s) are cached.' });
    return ref;
  });
}
