import { defineCommand } from './spec.js';
import { McpmError } from '../errors.js';
import { selectVersion } from '../plan/version.js';
import { resolveServer } from '../registry/resolve.js';
import { byName, readState, requireInstalled, updateState, type InstalledServer } from '../state/installed.js';
import { deriveContext, type Context } from '../context.js';
import { table } from './list.js';
import { recordedRange } from '../plan/version.js';
import { oldEnough } from '../supply/release-age.js';
import type { ToolPreview } from '../trust/preview.js';

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
  /** The installed version is deprecated, or deleted (taken down) in its registry. */
  status?: 'deprecated' | 'deleted';
  /** --tools: the wanted version's tools (else the latest's) against the installed pins (trust/preview.ts). */
  tools?: ToolPreview;
}

/** For each installed server: the installed version, the newest its recorded range allows, the newest of all. */
export async function outdated(ctx: Context, names: string[] = [], options: { tools?: boolean } = {}): Promise<OutdatedRow[]> {
  const rows: OutdatedRow[] = [];
  for (const server of selectServers(ctx, names)) {
    const range = recordedRange(server.range, server.version);
    // Only the registry the server came from answers for it (another registry may list another publisher's
    // package under the name). Versions are the question here: ask it now instead of trusting a fresh cache.
    let resolved;
    try {
      resolved = await resolveServer(deriveContext(ctx, { registry: server.registry, cacheTtlMs: 0 }), server.name);
    } catch (error) {
      // The registry answered, and no longer lists the server at all: every version deleted or taken down.
      if (!(error instanceof McpmError && error.code === 'ENOTFOUND')) throw error;
      rows.push({ name: server.name, key: server.entries[0]?.key ?? '', current: server.version, wanted: server.version, latest: server.version, range, registry: server.registry, status: 'deleted' });
      continue;
    }
    const installed = resolved.versions.find((v) => v.server.version === server.version);
    const status = !installed || installed.meta.status === 'deleted' ? 'deleted' : installed.meta.status === 'deprecated' ? 'deprecated' : undefined;
    let latest = server.version;
    let wanted = server.version;
    // Versions younger than the release-age cut-off are not offered (update would refuse them).
    const eligible = await oldEnough(ctx, resolved.versions, server.version);
    try {
      latest = selectVersion(server.name, eligible, undefined).server.version;
      wanted = selectVersion(server.name, eligible, range).server.version;
    } catch (error) {
      if (!(error instanceof McpmError && error.code === 'ENOVERSION')) throw error;
    }
    rows.push({ name: server.name, key: server.entries[0]?.key ?? '', current: server.version, wanted, latest, range, registry: resolved.source.id, ...(status ? { status } : {}) });
  }
  await recordStatus(ctx, rows);
  if (options.tools) {
    // Opt-in: it downloads each newer version into the store and starts it (nothing else of the install happens).
    const { previewTools } = await import('../trust/preview.js');
    // The version `update` takes, else the one `update --latest` takes (the preview says which).
    for (const row of rows) {
      const next = row.wanted !== row.current ? row.wanted : row.latest !== row.current ? row.latest : undefined;
      if (next) row.tools = await previewTools(ctx, row.name, next);
    }
  }
  return rows;
}

/** What the registry said of each installed version, kept so list and doctor can say it without asking again. */
async function recordStatus(ctx: Context, rows: OutdatedRow[]): Promise<void> {
  const state = readState(ctx);
  const changed = rows.filter((r) => state.servers[r.name] && state.servers[r.name]!.registryStatus?.status !== r.status);
  if (changed.length === 0) return;
  await updateState(ctx, (next) => {
    for (const row of changed) {
      const server = next.servers[row.name];
      if (!server) continue;
      if (row.status) server.registryStatus = { status: row.status, checkedAt: new Date(ctx.now()).toISOString() };
      else delete server.registryStatus;
    }
  });
}

export function selectServers(ctx: Context, names: string[]): InstalledServer[] {
  const state = readState(ctx);
  if (names.length === 0) return Object.values(state.servers).sort(byName);
  return names.map((name) => requireInstalled(state, name));
}

export function isOutdated(row: OutdatedRow): boolean {
  return row.current !== row.wanted || row.current !== row.latest || row.status !== undefined;
}

export function renderOutdated(rows: OutdatedRow[]): string {
  const behind = rows.filter(isOutdated);
  if (behind.length === 0) return rows.length === 0 ? 'No servers installed.' : 'Everything is up to date.';
  const tools = behind.some((r) => r.tools);
  const toolsColumn = (r: OutdatedRow) => (r.tools ? `${r.tools.summary}${r.tools.findings ? ` (${r.tools.findings} description finding${r.tools.findings === 1 ? '' : 's'}: \`mcpm audit\` after updating)` : ''}` : '');
  return table(['KEY', 'SERVER', 'CURRENT', 'WANTED', 'LATEST', ...(tools ? ['TOOLS (NEW VS PINS)'] : [])], behind.map((r) => [r.key, r.name, `${r.current}${r.status ? ` (${r.status})` : ''}`, r.wanted, r.latest, ...(tools ? [toolsColumn(r)] : [])]));
}

export const commands = [
  defineCommand({
    name: 'outdated',
    description: 'installed version, the newest the recorded range allows, the newest of all',
    arguments: [['[names...]', 'servers to check (default: all)']],
    options: [
      { flags: '--exit-code', description: 'exit 1 when something is outdated (for scripts)' },
      { flags: '--tools', description: 'download each wanted version into the store, start it and show how its tools differ from the pins (no entry moves)' },
    ],
    run: async (ctx, { args, options }) => {
      const result = await outdated(ctx, args.names ?? [], { tools: Boolean(options.tools) });
      return { result, exitCode: options.exitCode && result.some(isOutdated) ? 1 : 0 };
    },
    render: renderOutdated,
  }),
];
