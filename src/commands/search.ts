import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { createSources } from '../registry/registries.js';
import { noRegistry } from '../registry/resolve.js';
import type { ServerVersion } from '../registry/types.js';
import { table } from './list.js';
import { matchesShortName } from '../registry/short-name.js';

export interface SearchHit {
  name: string;
  description: string;
  version: string;
  packageTypes: string[];
  registry: string;
  /** The registry's configured (or derived) name: `mcpm registry list` shows them. */
  registryName: string;
  deprecated?: boolean;
}

/** Searches every registry; a name found in several comes from the highest one. A registry that fails is skipped. */
export async function search(ctx: Context, query: string): Promise<SearchHit[]> {
  const sources = createSources(ctx);
  const hits = new Map<string, SearchHit>();
  const ranks = new Map<string, number>();
  const failures: McpmError[] = [];
  for (const source of sources) {
    let found: ServerVersion[];
    try {
      found = await source.search(query);
    } catch (error) {
      if (!(error instanceof McpmError)) throw error;
      ctx.out.warn(`${error.message}; skipped. ${error.hint}`);
      failures.push(error);
      continue;
    }
    for (const { server, meta, registry } of found) {
      if (hits.has(server.name) || meta.status === 'deleted') continue;
      const types = [...(server.packages ?? []).map((p) => p.registryType ?? 'unknown'), ...((server.remotes?.length ?? 0) > 0 ? ['remote'] : [])];
      ranks.set(server.name, rankOf(server, query));
      hits.set(server.name, {
        name: server.name,
        description: server.description ?? '',
        version: server.version,
        packageTypes: [...new Set(types)],
        registry,
        registryName: source.name,
        ...(meta.status === 'deprecated' ? { deprecated: true } : {}),
      });
    }
  }
  if (failures.length === sources.length) throw noRegistry('', failures, 'Check your network, or search the embedded index: --registry embedded.');
  // Sorting is stable: within a rank, registries' priority order and each registry's own order stay.
  return [...hits.values()].sort((a, b) => ranks.get(a.name)! - ranks.get(b.name)!);
}

/**
 * Name matches first: the short name itself (`memory`), then a name containing the query, then a package
 * identifier (`@modelcontextprotocol/server-memory`), then the title or description.
 */
function rankOf(server: ServerVersion['server'], query: string): number {
  const needle = query.toLowerCase();
  if (matchesShortName(server.name, query) || server.name.toLowerCase() === needle) return 0;
  if (server.name.toLowerCase().includes(needle)) return 1;
  if ((server.packages ?? []).some((p) => (p.identifier ?? '').toLowerCase().includes(needle))) return 2;
  return 3;
}

export function renderSearch(hits: SearchHit[]): string {
  if (hits.length === 0) return 'No servers found.';
  // Which registry a hit came from matters only when several answered.
  const several = new Set(hits.map((h) => h.registryName)).size > 1;
  return table(
    ['NAME', 'VERSION', 'TYPE', ...(several ? ['REGISTRY'] : []), 'DESCRIPTION'],
    hits.map((h) => [h.name, h.version, h.packageTypes.join(',') || '-', ...(several ? [h.registryName] : []), `${h.deprecated ? '(deprecated) ' : ''}${h.description}`.slice(0, 80)]),
  );
}

export const commands = [
  defineCommand({
    name: 'search',
    description: 'search the registries for MCP servers',
    arguments: [['<query>', 'words to look for in server names']],
    run: async (ctx, { args }) => ({ result: await search(ctx, args.query) }),
    render: renderSearch,
  }),
];
