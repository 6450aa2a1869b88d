import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { editorFor } from '../clients/editor.js';
import { samePath } from '../clients/paths.js';
import { readClientFile } from '../clients/write.js';
import { npmPackageOf, readForeignEntry } from '../plan/foreign.js';
import { createSources } from '../registry/registries.js';
import type { ServerVersion } from '../registry/types.js';
import { readState } from '../state/installed.js';
import { install } from '../install/index.js';
import { chooseClients } from '../clients/targets.js';

export interface ForeignEntry {
  client: string;
  file: string;
  key: string;
  command?: string;
  url?: string;
  package?: string;
  pinned?: string;
  /** The registry server it matches, when one does. */
  match?: { name: string; version: string; registry: string };
  adopted?: boolean;
}

/**
 * `mcpm import`: shows the entries mcpm did not write, matched to registry servers where their npm package is
 * known; with --adopt (or a yes on a TTY) installs each matched one at the version it pinned (else the latest) and
 * replaces the entry, keeping its key and env values.
 */
export async function importEntries(ctx: Context, options: { client?: string[]; adopt?: boolean }): Promise<ForeignEntry[]> {
  const state = readState(ctx);
  const managed = Object.values(state.servers).flatMap((s) => s.entries);
  const found: Array<ForeignEntry & { env: Record<string, string>; extraArgs: string[] }> = [];
  const locations = await chooseClients(ctx, options.client ?? ['all']).catch((error: unknown) => {
    if (error instanceof McpmError && error.code === 'ENOCLIENT') return [];
    throw error;
  });
  for (const location of locations) {
    const text = await readClientFile(location, 'read');
    if (text === undefined) continue;
    const editor = editorFor(location.client.format);
    for (const key of editor.keys(location.file, text, location.client.serversPath)) {
      if (managed.some((e) => e.client === location.client.id && samePath(e.file, location.file) && e.key === key)) continue;
      const launch = readForeignEntry(editor.get(location.file, text, location.client.serversPath, key));
      const npm = npmPackageOf(launch);
      found.push({
        client: location.client.id,
        file: location.file,
        key,
        ...(launch.command ? { command: [launch.command, ...launch.args].join(' ') } : {}),
        ...(launch.url ? { url: launch.url } : {}),
        ...(npm ? { package: npm.name, ...(npm.version ? { pinned: npm.version } : {}) } : {}),
        env: launch.env,
        extraArgs: npm?.rest ?? [],
      });
    }
  }
  const matches = new Map<string, ForeignEntry['match']>();
  for (const entry of found) {
    if (!entry.package) continue;
    if (!matches.has(entry.package)) matches.set(entry.package, await matchPackage(ctx, entry.package, entry.pinned));
    const match = matches.get(entry.package);
    if (match) entry.match = match;
  }
  const adoptable = found.filter((e) => e.match);
  let adopt = Boolean(options.adopt);
  if (!adopt && adoptable.length > 0 && ctx.prompter.available && !ctx.options.json) {
    adopt = await ctx.prompter.confirm(`Adopt ${adoptable.length} entr${adoptable.length === 1 ? 'y' : 'ies'} (${adoptable.map((e) => e.key).join(', ')}) into mcpm's store?`, true);
  }
  if (adopt) {
    for (const entry of adoptable) {
      await install(ctx, `${entry.match!.name}@${entry.match!.version}`, {
        client: [entry.client],
        as: entry.key,
        env: Object.entries(entry.env).map(([k, v]) => `${k}=${v}`),
        ...(entry.extraArgs.length ? { extraArgs: entry.extraArgs } : {}),
        adopt: true,
      });
      entry.adopted = true;
    }
  }
  return found.map(({ env: _env, extraArgs: _args, ...rest }) => rest);
}

/** The first registry with a server whose npm package is `name` decides; the pinned version is kept if it has it. */
async function matchPackage(ctx: Context, name: string, pinned: string | undefined): Promise<ForeignEntry['match']> {
  const query = name.slice(name.lastIndexOf('/') + 1);
  for (const source of createSources(ctx)) {
    let hits: ServerVersion[];
    try {
      hits = await source.search(query);
    } catch (error) {
      if (error instanceof McpmError) {
        ctx.out.warn(`${error.message}; skipped.`);
        continue;
      }
      throw error;
    }
    const hit = hits.find((h) => h.server.packages?.some((p) => p.registryType === 'npm' && p.identifier === name));
    if (!hit) continue;
    if (!pinned) return { name: hit.server.name, version: hit.server.version, registry: source.id };
    const versions = await source.versions(hit.server.name);
    const same = versions.find((v) => v.meta.status !== 'deleted' && v.server.packages?.some((p) => p.identifier === name && p.version === pinned));
    return { name: hit.server.name, version: same?.server.version ?? hit.server.version, registry: source.id };
  }
  return undefined;
}

export function renderImport(entries: ForeignEntry[]): string {
  if (entries.length === 0) return 'No entries that mcpm does not manage.';
  return entries
    .map((e) => {
      const what = e.command ?? e.url ?? '(unknown shape)';
      const match = e.match ? `matches ${e.match.name}@${e.match.version}${e.adopted ? ' (adopted)' : ''}` : e.package ? `npm ${e.package}: no registry match` : 'not an npm launch';
      return `${e.client}  ${e.key}: ${what}\n    ${match}`;
    })
    .join('\n') + (entries.some((e) => e.match && !e.adopted) ? '\nRun `mcpm import --adopt` to install the matched ones into mcpm\'s store.' : '');
}

export const commands = [
  defineCommand({
    name: 'import',
    description: 'find entries mcpm did not write, match them to registry servers, and adopt them on request',
    options: [
      { flags: '--client <id>', description: 'only this client (repeatable; default: every detected client)', repeatable: true },
      { flags: '--adopt', description: 'install every matched entry into the store and replace it (keeps its key and env values)' },
    ],
    run: async (ctx, { options }) => ({ result: await importEntries(ctx, { client: options.client, adopt: Boolean(options.adopt) }) }),
    render: renderImport,
  }),
];
