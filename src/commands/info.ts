import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { parseNameSpec } from '../plan/version.js';
import { inputRequests } from '../plan/inputs.js';
import { resolveVersion } from '../registry/resolve.js';
import { defaultEntryKey } from '../registry/short-name.js';
import { findInstalled, readState } from '../state/installed.js';
import { oneLine } from '../output.js';

export async function info(ctx: Context, spec: string) {
  const { name, range } = parseNameSpec(spec);
  const installed = findInstalled(readState(ctx), name);
  const { resolved, chosen } = await resolveVersion(ctx, installed?.name ?? name, range);
  const { server } = chosen;
  return {
    name: server.name,
    title: server.title,
    description: server.description ?? '',
    version: server.version,
    status: chosen.meta.status ?? 'active',
    registry: resolved.source.id,
    registryName: resolved.source.name,
    key: defaultEntryKey(server.name),
    repository: server.repository?.url,
    versions: resolved.versions.map((v) => ({ version: v.server.version, status: v.meta.status ?? 'active', publishedAt: v.meta.publishedAt })),
    packages: (server.packages ?? []).map((p) => ({
      registryType: p.registryType,
      identifier: p.identifier,
      version: p.version,
      transport: p.transport?.type ?? 'stdio',
      inputs: inputRequests(p).map((r) => ({ kind: r.kind, name: r.name, required: r.isRequired, secret: r.isSecret, description: r.description })),
    })),
    remotes: (server.remotes ?? []).map((r) => ({ type: r.type, url: r.url })),
    installed: installed ? { version: installed.version, clients: installed.entries.map((e) => e.client) } : undefined,
  };
}

export function renderInfo(result: Awaited<ReturnType<typeof info>>): string {
  const lines = [
    `${result.name}@${result.version}${result.status !== 'active' ? ` (${result.status})` : ''}`,
    oneLine(result.description),
    '',
    `registry:   ${result.registryName === result.registry ? result.registry : `${result.registryName} (${result.registry})`}`,
    `entry key:  ${result.key}`,
  ];
  if (result.repository) lines.push(`repository: ${result.repository}`);
  if (result.installed) lines.push(`installed:  ${result.installed.version} in ${result.installed.clients.join(', ')}`);
  const live = result.versions.filter((v) => v.status !== 'deleted').map((v) => v.version + (v.status === 'deprecated' ? ' (deprecated)' : ''));
  lines.push(`versions:   ${live.join(', ')}`);
  for (const p of result.packages) {
    lines.push('', `package: ${p.registryType} ${p.identifier}@${p.version} (${p.transport})`);
    for (const input of p.inputs) {
      lines.push(`  ${input.kind === 'env' ? 'env' : 'arg'} ${input.name}${input.required ? ' (required)' : ''}${input.secret ? ' (secret)' : ''}${input.description ? `: ${oneLine(input.description)}` : ''}`);
    }
  }
  for (const r of result.remotes) lines.push('', `remote: ${r.type} ${r.url}`);
  return lines.join('\n');
}

export const commands = [
  defineCommand({
    name: 'info',
    description: 'show a server\'s versions, packages and inputs',
    arguments: [['<name>', 'full name, short name or entry key, optionally @range']],
    run: async (ctx, { args }) => ({ result: await info(ctx, args.name) }),
    render: renderInfo,
  }),
];
