import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { readState, requireInstalled } from '../state/installed.js';
import { install } from '../install/index.js';
import { outdated } from './outdated.js';
import { recordedRange } from '../plan/version.js';

/**
 * `mcpm update [name...]`: moves each server to the newest version its recorded range allows (`--latest`: the
 * newest of all, and the range becomes ^that). The previous version stays in the store for `mcpm rollback`.
 */
export async function update(ctx: Context, names: string[], options: { latest?: boolean; acceptTools?: boolean }) {
  const updated: Array<{ name: string; from: string; to: string }> = [];
  const current: string[] = [];
  /** Newer versions outside the recorded range: not taken without --latest, but said. */
  const beyond: Array<{ name: string; key: string; current: string; latest: string; range: string }> = [];
  for (const row of await outdated(ctx, names)) {
    const target = options.latest ? row.latest : row.wanted;
    if (row.latest !== target) beyond.push({ name: row.name, key: row.key, current: target, latest: row.latest, range: row.range });
    if (target === row.current) {
      current.push(row.name);
      continue;
    }
    // The range outdated read (recorded, or ^the version first installed) stays the range: an update within it
    // must not narrow it to the exact version it moved to.
    // The new version's tools are learnt, said (changed since the installed pins) and judged by policy before any
    // entry moves (trust/pin-install.ts); --accept-tools takes a change policy.block-on-drift would refuse.
    await install(ctx, `${row.name}@${target}`, { recordRange: options.latest ? recordedRange(undefined, target) : row.range, ...(options.acceptTools ? { acceptTools: true } : {}) });
    updated.push({ name: row.name, from: row.current, to: target });
  }
  return { updated, upToDate: current, ...(beyond.length ? { beyond } : {}) };
}

export function renderUpdate(result: Awaited<ReturnType<typeof update>>): string {
  const lines = result.updated.map((u) => `Updated ${u.name} ${u.from} -> ${u.to}`);
  if (lines.length === 0) lines.push(result.beyond ? 'Everything is up to date within its recorded range.' : 'Everything is up to date.');
  for (const b of result.beyond ?? []) lines.push(`${b.name}: ${b.latest} is out, outside ${b.range} (\`mcpm update ${b.key || b.name} --latest\` takes it)`);
  return lines.join('\n');
}

/** `mcpm rollback <name>`: back to the version installed before the current one, from the store. */
export async function rollback(ctx: Context, name: string) {
  const server = requireInstalled(readState(ctx), name);
  const previous = server.previousVersions[server.previousVersions.length - 1];
  if (!previous) {
    throw new McpmError('ENOVERSION', `${server.name} has no previous version to return to`, {
      hint: 'Rollback returns to the version installed before the last update; `mcpm prune` may have removed it.',
    });
  }
  // The version is in the store, and its server.json in the state: rolling back needs no registry.
  const recorded = server.previousServers?.[previous];
  // The same bytes that ran before the update: block-on-drift does not stand between the user and going back.
  await install(ctx, `${server.name}@${previous}`, { recordRange: recordedRange(server.range, previous), acceptTools: true, ...(recorded ? { resolved: { server: recorded, registry: server.registry } } : {}) });
  ctx.out.note(`${server.name} is back at ${previous}${recorded ? ' (from the store, without asking the registry)' : ''}`);
  return { name: server.name, from: server.version, to: previous };
}

export const commands = [
  defineCommand({
    name: 'update',
    description: 'update within the recorded range (--latest: to the newest, crossing it)',
    arguments: [['[names...]', 'servers to update (default: all)']],
    options: [
      { flags: '--latest', description: 'move to the newest version even outside the recorded range' },
      { flags: '--accept-tools', description: 'take the new version although its tools differ from the pins (policy.block-on-drift refuses otherwise)' },
    ],
    run: async (ctx, { args, options }) => ({ result: await update(ctx, args.names ?? [], { latest: Boolean(options.latest), acceptTools: Boolean(options.acceptTools) }) }),
    render: renderUpdate,
  }),
  defineCommand({
    name: 'rollback',
    description: 'return a server to the version installed before the last update',
    arguments: [['<name>', 'full name, short name or entry key']],
    run: async (ctx, { args }) => ({ result: await rollback(ctx, args.name) }),
    render: (result) => `Rolled ${result.name} back from ${result.from} to ${result.to}`,
  }),
];
