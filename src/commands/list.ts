import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { oneLine } from '../output.js';
import { byName, readState, type InstalledServer } from '../state/installed.js';
import { readGatewayClients } from '../serve/gateway-clients.js';

export interface ListedServer {
  name: string;
  key: string;
  version: string;
  /** `identifier@version` of the package (an oci image by its pinned reference, a bundle by its URL), or `remote <url>`. */
  package: string;
  registry: string;
  clients: Array<{ client: string; file: string; key: string; scope: string; disabled?: boolean; gateway?: boolean }>;
  /** What the registry said of the installed version when last asked (`outdated`, `update`): deprecated, deleted. */
  registryStatus?: string;
}

/** Reads only mcpm's state file: no registry, no client files, so it stays as fast as a bare node start. */
export function list(ctx: Context): ListedServer[] {
  const state = readState(ctx);
  const gateway = readGatewayClients(ctx);
  for (const name of Object.keys(state.pending ?? {})) {
    ctx.out.warn(`An install of ${name} was interrupted; run \`mcpm install ${name}\` to complete it`);
  }
  for (const [name, journal] of Object.entries(state.toggling ?? {})) {
    ctx.out.warn(`${journal.enable ? 'An enable' : 'A disable'} of ${name} was interrupted; run \`mcpm ${journal.enable ? 'enable' : 'disable'} ${name}\` to complete it`);
  }
  for (const name of Object.keys(state.removing ?? {})) {
    if (!state.servers[name]) ctx.out.warn(`An uninstall of ${name} was interrupted; run \`mcpm uninstall ${name}\` to finish it`);
  }
  return Object.values(state.servers)
    .sort(byName)
    .map((server) => ({
      name: server.name,
      key: server.entries[0]?.key ?? '',
      version: server.version,
      package: server.package ? packageLabel(server.package) : `remote ${server.remote?.url ?? ''}`,
      registry: server.registry,
      clients: server.entries.map((entry) => ({
        client: entry.client,
        file: entry.file,
        key: entry.key,
        scope: entry.scope ?? 'user',
        ...(entry.disabled ? { disabled: true } : {}),
        // Its own entry is off there because the client reaches it through `mcpm serve`.
        ...(Object.hasOwn(gateway, entry.client) && gateway[entry.client]!.servers.includes(server.name) ? { gateway: true } : {}),
      })),
      ...(server.registryStatus ? { registryStatus: server.registryStatus.status } : {}),
    }));
}

function packageLabel(pkg: NonNullable<InstalledServer['package']>): string {
  if (pkg.registryType === 'oci') return pkg.image ?? pkg.identifier;
  if (pkg.registryType === 'mcpb') return pkg.identifier;
  return `${pkg.identifier}@${pkg.version}`;
}

export function renderList(servers: ListedServer[]): string {
  if (servers.length === 0) return 'No servers installed. Try `mcpm search <query>` and `mcpm install <name>`.';
  const clients = (s: ListedServer) => s.clients.map((c) => `${c.client}${c.scope === 'project' ? ' (project)' : ''}${c.gateway ? ' (via mcpm gateway)' : c.disabled ? ' (disabled)' : ''}`).join(', ') || '-';
  const rows = servers.map((s) => [s.key, s.name, `${s.version}${s.registryStatus ? ` (${s.registryStatus} in its registry)` : ''}`, clients(s)]);
  return table(['KEY', 'SERVER', 'VERSION', 'CLIENTS'], rows);
}

export function table(header: string[], cells: string[][]): string {
  const rows = cells.map((row) => row.map(oneLine));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export const commands = [
  defineCommand({
    name: 'list',
    description: 'list installed servers, their versions and clients',
    run: async (ctx) => ({ result: list(ctx) }),
    render: renderList,
  }),
];
