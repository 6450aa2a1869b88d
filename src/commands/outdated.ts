import { defineCommand } from './spec.js';
import { McpmError } from '../errors.js';
import { selectVersion } from '../plan/version.js';
import { resolveServer } from '../registry/resolve.js';
import { readState, requireInstalled, type InstalledServer } from '../state/installed.js';
import { deriveContext, type Context } from '../context.js';
import { table } from './list.js';
import { recordedRange } from '../plan/version.js';

export interface OutdatedRow {
  name: string;
  key: string;
  current: string;
  /** The newest version the recorded range allows. */
  wanted: string;
  /** The newest of all. */
  latest: string;
  range: string;
  registry: string;
}

/** For each installed server: the installed version, the newest its recorded range allows, the newest of all. */
export async function outdated(ctx: Context, names: string[] = []): Promise<OutdatedRow[]> {
  const rows: OutdatedRow[] = [];
  for (const server of selectServers(ctx, names)) {
    const range = recordedRange(server.range, server.version);
    // Only the registry the server came from answers for it (another registry may list another publisher's
    // package under the name). Versions are the question here: ask it now instead of trusting a fresh cache.
    const resolved = await resolveServer(deriveContext(ctx, { registry: server.registry, cacheTtlMs: 0 }), server.name);
    const latest = selectVersion(server.name, resolved.versions, undefined).server.version;
    let wanted = server.version;
    try {
      wanted = selectVersion(server.name, resolved.versions, range).server.version;
    } catch (error) {
      if (!(error instanceof McpmError && error.code === 'ENOVERSION')) throw error;
    }
    rows.push({ name: server.name, key: server.entries[0]?.key ?? '', current: server.version, wanted, latest, range, registry: resolved.source.id });
  }
  return rows;
}

export function selectServers(ctx: Context, names: string[]): InstalledServer[] {
  const state = readState(ctx);
  if (names.length === 0) return Object.values(state.servers).sort((a, b) => a.name.localeCompare(b.name));
  return names.map((name) => requireInstalled(state, name));
}

export function isOutdated(row: OutdatedRow): boolean {
  return row.current !== row.wanted || row.current !== row.latest;
}

export function renderOutdated(rows: OutdatedRow[]): string {
  const behind = rows.filter(isOutdated);
  if (behind.length === 0) return rows.length === 0 ? 'No servers installed.' : 'Everything is up to date.';
  return table(['KEY', 'SERVER', 'CURRENT', 'WANTED', 'LATEST'], behind.map((r) => [r.key, r.name, r.current, r.wanted, r.latest]));
}

export const commands = [
  defineCommand({
    name: 'outdated',
    description: 'installed version, the newest the recorded range allows, the newest of all',
    arguments: [['[names...]', 'servers to check (default: all)']],
    options: [{ flags: '--exit-code', description: 'exit 1 when something is outdated (for scripts)' }],
    run: async (ctx, { args, options }) => {
      const result = await outdated(ctx, args.names ?? []);
      return { result, exitCode: options.exitCode && result.some(isOutdated) ? 1 : 0 };
    },
    render: renderOutdated,
  }),
];
