import { defineCommand } from './spec.js';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Context } from '../context.js';
import { formatAge } from '../duration.js';
import { McpmError } from '../errors.js';
import {
  DEFAULT_REGISTRIES,
  checkRegistryName,
  checkTokenEnv,
  configuredRegistries,
  deriveName,
  effectiveRegistries,
  normalizeRegistryUrl,
  registryKind,
  type ListSource,
} from '../registry/config.js';
import { cacheFor } from '../registry/cache.js';
import { embeddedHeader } from '../registry/embedded.js';
import { updateSettings, type RegistryConfig, type Settings } from '../settings.js';
import { hasStoredToken, storeToken } from '../state/registry-tokens.js';
import { table } from './list.js';
import type { SyncRow } from './registry-sync.js';
import { hostingCommands } from './registry-hosting.js';

export interface ListedRegistry {
  priority: number;
  name: string;
  url: string;
  type: 'api' | 'index' | 'embedded';
  tokenEnv?: string;
  tokenStored?: boolean;
  cache?: { syncedAt: string; ageMs: number; versions: number; servers: number; failedAt?: string };
  /** The embedded index: a snapshot of a registry, of this date (`npm run index:refresh` makes it). */
  snapshot?: { asOf?: string; generatedAt?: string; source?: string; servers: number };
}

/** The effective list, highest priority first, with where it comes from. Tokens are described, never shown. */
export function registryList(ctx: Context): { from: ListSource; file: string; registries: ListedRegistry[] } {
  const { from, registries } = effectiveRegistries(ctx);
  return {
    from,
    file: ctx.paths.configFile,
    registries: registries.map((ref, i) => {
      const meta = ref.kind === 'embedded' || !/^https?:/i.test(ref.url) ? undefined : cacheFor(ctx, ref.url).readMeta();
      const snapshot = ref.kind === 'embedded' ? embeddedHeader() : undefined;
      return {
        priority: i + 1,
        name: ref.name,
        url: ref.url,
        type: ref.kind,
        ...(ref.tokenEnv ? { tokenEnv: ref.tokenEnv } : {}),
        ...(ref.configured && !ref.tokenEnv && hasStoredToken(ctx, ref.name, ref.url) ? { tokenStored: true } : {}),
        ...(meta ? { cache: { syncedAt: meta.syncedAt, ageMs: ctx.now() - Date.parse(meta.syncedAt), versions: meta.versions, servers: meta.servers, ...(meta.failedAt ? { failedAt: meta.failedAt } : {}) } } : {}),
        ...(snapshot ? { snapshot: { asOf: snapshot.asOf, generatedAt: snapshot.generatedAt, source: snapshot.source, servers: snapshot.servers } } : {}),
      };
    }),
  };
}

const FROM: Record<ListSource, string> = {
  flag: 'from --registry',
  env: 'from MCPM_REGISTRY',
  config: 'from config.json',
  default: 'the defaults: nothing configured',
};

export function renderRegistryList(result: ReturnType<typeof registryList>): string {
  const rows = result.registries.map((r) => [
    String(r.priority),
    r.name,
    r.url,
    r.type,
    r.tokenEnv ? `$${r.tokenEnv}` : r.tokenStored ? 'stored' : '-',
    r.snapshot ? `snapshot of ${r.snapshot.asOf?.slice(0, 10) ?? 'unknown date'}, ${r.snapshot.servers} servers` : r.type === 'embedded' || !/^https?:/i.test(r.url) ? 'local' : r.cache ? `${formatAge(r.cache.ageMs)} ago, ${r.cache.versions} versions` : 'not yet',
  ]);
  return `Registries, highest priority first (${FROM[result.from]}):\n${table(['#', 'NAME', 'URL', 'TYPE', 'TOKEN', 'SYNCED'], rows)}`;
}

export interface AddOptions {
  name?: string;
  tokenEnv?: string;
  tokenStdin?: boolean;
  last?: boolean;
}

/**
 * Adds a registry to config.json, first (highest priority) unless --last: a private registry's names are then
 * never shadowed by a public one. The first add writes the list that was in effect (the defaults, or a comma
 * string) as objects, so adding does not silently drop the official registry and the embedded index.
 */
export async function registryAdd(ctx: Context, spec: string, options: AddOptions) {
  const url = normalizeRegistryUrl(spec, ctx.cwd);
  if (options.tokenEnv && options.tokenStdin) throw new McpmError('EUSAGE', '--token-env and --token-stdin cannot be used together', { hint: 'A registry takes its token from one place.' });
  const tokenEnv = options.tokenEnv ? checkTokenEnv(options.tokenEnv) : undefined;
  if ((tokenEnv || options.tokenStdin) && !/^https?:\/\//i.test(url)) {
    throw new McpmError('EUSAGE', 'Only a registry reached over http(s) can have a token', { hint: 'Drop --token-env/--token-stdin for local files and "embedded".' });
  }
  const token = options.tokenStdin ? await readToken(ctx, options.name ?? url) : undefined;
  if (registryKind(url) === 'index' && !/^https?:\/\//i.test(url) && !url.startsWith('file:') && !existsSync(url)) {
    ctx.out.warn(`${url} does not exist (yet); mcpm will skip this registry with a warning until it does`);
  }
  const result = await updateSettings(ctx.paths.configFile, (settings) => {
    const current = listInEffect(settings, ctx.cwd);
    const name = checkRegistryName(options.name ?? deriveName(url, current.map((r) => r.name)));
    const sameName = current.find((r) => r.name === name);
    const sameUrl = current.find((r) => r.url === url);
    if (sameUrl && sameUrl.name !== name) {
      throw new McpmError('ECONFLICT', `${url} is already configured as "${sameUrl.name}"`, { hint: `Use that name, or run \`mcpm registry remove ${sameUrl.name}\` first.` });
    }
    if (sameName && sameName.url !== url) {
      throw new McpmError('ECONFLICT', `A registry named "${name}" is already configured (${sameName.url})`, { hint: `Choose another --name, or run \`mcpm registry remove ${name}\` first.` });
    }
    const entry: RegistryConfig = { name, url, ...(tokenEnv ? { tokenEnv } : {}) };
    // Adding the same registry again updates where its token comes from and keeps its place unless --last.
    const others = current.filter((r) => r.name !== name);
    const list = sameName && !options.last ? current.map((r) => (r.name === name ? entry : r)) : options.last ? [...others, entry] : [entry, ...others];
    settings.registries = list;
    return { entry, updated: Boolean(sameName), list };
  });
  const { entry, updated, list } = result;
  // The token comes from what this add said: a re-add without --token-stdin forgets a stored one.
  if (token !== undefined) await storeToken(ctx, entry.name, entry.url, token);
  else if (updated) await storeToken(ctx, entry.name, entry.url, undefined);
  warnOverridden(ctx);
  return {
    name: entry.name,
    url: entry.url,
    type: registryKind(entry.url),
    priority: list.findIndex((r) => r.name === entry.name) + 1,
    ...(entry.tokenEnv ? { tokenEnv: entry.tokenEnv } : {}),
    ...(token !== undefined ? { tokenStored: true } : {}),
    updated,
    registries: list.map((r) => r.name),
  };
}

/** Removes a registry (by name or URL) from config.json, with its stored token and its cache. */
export async function registryRemove(ctx: Context, nameOrUrl: string) {
  const { removed, list } = await updateSettings(ctx.paths.configFile, (settings) => {
    const current = listInEffect(settings, ctx.cwd);
    const target = current.find((r) => r.name === nameOrUrl) ?? current.find((r) => r.url === safeNormalize(nameOrUrl, ctx.cwd));
    if (!target) {
      throw new McpmError('ENOTFOUND', `No configured registry named "${nameOrUrl}"`, { hint: `Configured: ${current.map((r) => r.name).join(', ') || 'none'}. See \`mcpm registry list\`.` });
    }
    const rest = current.filter((r) => r !== target);
    settings.registries = rest;
    return { removed: target, list: rest };
  });
  await storeToken(ctx, removed.name, removed.url, undefined);
  if (/^https?:\/\//i.test(removed.url)) await rm(cacheFor(ctx, removed.url).dir, { recursive: true, force: true });
  if (list.length === 0) ctx.out.warn('No registries are configured any more: mcpm uses the defaults (the official registry, then the embedded index)');
  warnOverridden(ctx);
  return { name: removed.name, url: removed.url, registries: list.map((r) => r.name) };
}

/** What config.json means now: its list, or the defaults when it has none (or an empty one). */
function listInEffect(settings: Settings, cwd: string): RegistryConfig[] {
  const configured = configuredRegistries(settings, cwd);
  return configured.length > 0 ? configured : DEFAULT_REGISTRIES.map((r) => ({ ...r }));
}

function warnOverridden(ctx: Context): void {
  if (ctx.env.MCPM_REGISTRY) ctx.out.warn('MCPM_REGISTRY is set: it overrides the configured list until it is unset');
}

function safeNormalize(spec: string, cwd: string): string | undefined {
  try {
    return normalizeRegistryUrl(spec, cwd);
  } catch {
    return undefined;
  }
}

/** The token comes from stdin (piped) or a masked prompt: never from the command line, where it would be seen. */
async function readToken(ctx: Context, name: string): Promise<string> {
  let token: string;
  if (process.stdin.isTTY) {
    if (!ctx.prompter.available) throw new McpmError('EUSAGE', 'No token on stdin', { hint: 'Pipe it: `printf %s "$TOKEN" | mcpm registry add <url> --token-stdin`.' });
    token = await ctx.prompter.text(`Token for ${name}`, { secret: true });
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    token = Buffer.concat(chunks).toString('utf8');
  }
  token = token.replace(/[\r\n]+$/, '');
  if (token === '' || /[\r\n]/.test(token)) {
    throw new McpmError('EUSAGE', token === '' ? 'The token given on stdin is empty' : 'The token given on stdin has several lines', { hint: 'Pipe exactly the token: `printf %s "$TOKEN" | mcpm registry add <url> --token-stdin`.' });
  }
  return token;
}

export function renderSync(rows: SyncRow[]): string {
  if (rows.length === 0) return 'Nothing to sync.';
  return table(
    ['NAME', 'SYNC', 'ADDED', 'CHANGED', 'DELETED', 'SERVERS', 'VERSIONS'],
    rows.map((r) => ('error' in r ? [r.name, `failed: ${r.error.message}`, '', '', '', '', ''] : [r.name, r.mode, String(r.added), String(r.changed), String(r.deleted), String(r.servers), String(r.versions)])),
  );
}

export const group = { name: 'registry', description: 'the registries mcpm asks, their caches, and a registry server of your own' };

export const commands = [
  defineCommand({
    name: 'registry list',
    aliases: ['ls'],
    description: 'the registries in effect, highest priority first, with their tokens (never shown) and caches',
    run: async (ctx) => ({ result: registryList(ctx) }),
    render: renderRegistryList,
  }),
  defineCommand({
    name: 'registry add',
    description: 'add a registry to config.json, first (highest priority) unless --last',
    arguments: [['<url>', 'an MCP registry (v0.1 API), an http(s) URL or path of a static .json index, or "embedded"']],
    options: [
      { flags: '--name <name>', description: 'what to call it (default: from the URL)' },
      { flags: '--token-env <VAR>', description: 'send the bearer token held in this environment variable (to this registry only)' },
      { flags: '--token-stdin', description: 'read a bearer token from stdin (or a masked prompt) into mcpm\'s secret store' },
      { flags: '--last', description: 'add it with the lowest priority instead' },
    ],
    run: async (ctx, { args, options }) => ({ result: await registryAdd(ctx, args.url, options) }),
    render: (result) => {
      const token = result.tokenEnv ? `, token from $${result.tokenEnv}` : result.tokenStored ? ', token stored' : '';
      return `${result.updated ? 'Updated' : 'Added'} registry ${result.name} (${result.url}${token}) at priority ${result.priority}: ${result.registries.join(', ')}`;
    },
  }),
  defineCommand({
    name: 'registry remove',
    aliases: ['rm'],
    description: 'remove a registry from config.json, with its stored token and cache',
    arguments: [['<name>', 'its name (or URL)']],
    run: async (ctx, { args }) => ({ result: await registryRemove(ctx, args.name) }),
    render: (result) => `Removed registry ${result.name} (${result.url}); registries now: ${result.registries.join(', ') || 'the defaults'}`,
  }),
  defineCommand({
    name: 'registry sync',
    description: 'refresh the local cache of registries now',
    arguments: [['[names...]', 'registries to sync (default: every cached one in effect)']],
    options: [{ flags: '--full', description: 'fetch the whole listing again instead of the changes' }],
    run: async (ctx, { args, options }) => {
      const { registrySync } = await import('./registry-sync.js');
      return { result: await registrySync(ctx, args.names ?? [], { full: Boolean(options.full) }) };
    },
    render: renderSync,
  }),
  ...hostingCommands,
];
