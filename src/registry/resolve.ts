import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { selectVersion } from '../plan/version.js';
import { EMBEDDED_ID } from './config.js';
import { embeddedHeader } from './embedded.js';
import { latestOfEach } from './latest.js';
import { createSources } from './registries.js';
import { defaultEntryKey, isGenericWord, matchesShortName } from './short-name.js';
import { closeNames } from './suggest.js';
import type { RegistrySource } from './source.js';
import type { ServerVersion } from './types.js';

export interface ResolvedServer {
  name: string;
  source: RegistrySource;
  /** Every version that source knows, deleted ones included. */
  versions: ServerVersion[];
}

/**
 * Finds one server by full name, short name or package identifier (`@modelcontextprotocol/server-memory`, a PyPI
 * or image name, as READMEs print them). Registries are asked in priority order; one that fails is skipped with a
 * warning; the first that knows any match decides. Several matches in that registry are an error listing every
 * one of them (or, on a TTY, a choice). A generic word (`server`, `mcp`) names no server: it is ambiguous, never a
 * match. Not found: the error names the registries actually searched and suggests close names.
 */
export async function resolveServer(ctx: Context, name: string): Promise<ResolvedServer> {
  if (isGenericWord(name)) {
    throw new McpmError('EAMBIGUOUS', `"${name}" is too general to name one server`, {
      hint: `Search for what the server does (\`mcpm search <word>\`), then install it by its full name.`,
    });
  }
  const sources = createSources(ctx);
  const failed = new Map<RegistrySource, McpmError>();
  const lookUp = async (): Promise<ResolvedServer | undefined> => {
    for (const source of sources) {
      if (failed.has(source)) continue;
      try {
        const found = await lookUpIn(ctx, source, name);
        if (found) return found;
      } catch (error) {
        if (!(error instanceof McpmError) || !['ENETWORK', 'EREGISTRY'].includes(error.code)) throw error;
        ctx.out.warn(`${error.message}; skipped. ${error.hint}`);
        failed.set(source, error);
      }
    }
    return undefined;
  };
  const found = await lookUp();
  if (found) return found;
  // Not in any cache younger than its TTL: it may have been published since. Refresh those caches once, ask again.
  let refreshed = false;
  for (const source of sources) if (!failed.has(source) && (await source.refresh?.())) refreshed = true;
  const again = refreshed ? await lookUp() : undefined;
  if (again) return again;
  if (failed.size === sources.length) throw noRegistry(`to look up ${name}`, [...failed.values()], 'Check your network, or use the embedded index: --registry embedded.');
  const searched = sources.filter((source) => !failed.has(source));
  const skipped = failed.size > 0 ? ` (${[...failed.keys()].map((s) => s.id).join(', ')} could not be asked)` : '';
  const close = await suggestions(name, searched);
  const word = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  throw new McpmError('ENOTFOUND', `No server named "${name}" in ${searched.map((s) => s.id).join(', ')}${skipped}`, {
    hint: close.length > 0 ? `Did you mean ${close.join(' or ')}?` : `Search with \`mcpm search ${word}\`, or check the spelling.`,
  });
}

async function lookUpIn(ctx: Context, source: RegistrySource, name: string): Promise<ResolvedServer | undefined> {
  if (name.includes('/') && !name.startsWith('@')) {
    const found = await byFullName(source, name);
    if (found) return found;
  } else if (!name.includes('/')) {
    const found = await byShortName(ctx, source, name);
    if (found) return found;
  }
  return byIdentifier(ctx, source, name);
}

/**
 * Close names from the registries searched and the embedded index (the cache answers without the network), shown
 * by their short name where that is unique, else by full name.
 */
async function suggestions(name: string, searched: RegistrySource[]): Promise<string[]> {
  const known = new Set<string>();
  const { EmbeddedIndexSource } = await import('./embedded.js');
  const pool = searched.some((s) => s.id === EMBEDDED_ID) ? searched : [...searched, new EmbeddedIndexSource()];
  for (const source of pool) {
    try {
      for (const entry of await source.search('')) known.add(entry.server.name);
    } catch {
      // Suggestions are a courtesy: a registry that cannot list its names offers none.
    }
  }
  const wellKnown = new Set(embeddedHeader().wellKnown);
  const close = closeNames(name, known, wellKnown);
  const byShort = new Map<string, number>();
  for (const full of known) {
    const key = defaultEntryKey(full);
    byShort.set(key, (byShort.get(key) ?? 0) + 1);
  }
  return close.map((full) => (byShort.get(defaultEntryKey(full)) === 1 || wellKnown.has(full) ? defaultEntryKey(full) : full));
}

async function byFullName(source: RegistrySource, name: string): Promise<ResolvedServer | undefined> {
  let versions = await source.versions(name);
  if (versions.length === 0) {
    // Names differ only in case in real registries; accept a unique case-insensitive match.
    const candidates = latestOfEach(await source.search(name.slice(name.lastIndexOf('/') + 1)));
    const same = candidates.filter((entry) => entry.server.name.toLowerCase() === name.toLowerCase());
    if (same.length !== 1 || !same[0]) return undefined;
    versions = await source.versions(same[0].server.name);
    name = same[0].server.name;
  }
  return versions.length > 0 ? { name, source, versions } : undefined;
}

async function byShortName(ctx: Context, source: RegistrySource, shortName: string): Promise<ResolvedServer | undefined> {
  let matches = latestOfEach(await source.search(shortName)).filter((entry) => matchesShortName(entry.server.name, shortName));
  // In the embedded index (a whole registry's snapshot), a short name that one of its hand-checked popular servers
  // answers to means that server: `memory` is the reference memory server, as it was before the snapshot grew.
  if (matches.length > 1 && source.id === EMBEDDED_ID) {
    const wellKnown = new Set(embeddedHeader().wellKnown);
    const known = matches.filter((entry) => wellKnown.has(entry.server.name));
    if (known.length === 1) matches = known;
  }
  return chooseAmong(ctx, source, shortName, matches);
}

/** A package identifier as a registry lists it: npm and NuGet names, a PyPI project, a container image. */
async function byIdentifier(ctx: Context, source: RegistrySource, identifier: string): Promise<ResolvedServer | undefined> {
  const matches = latestOfEach(await source.search(identifier)).filter((entry) => (entry.server.packages ?? []).some((p) => sameIdentifier(p.registryType, p.identifier, identifier)));
  return chooseAmong(ctx, source, identifier, matches);
}

/** The same package: exactly, or as PyPI compares project names, or an image without its tag, digest or docker.io. */
export function sameIdentifier(type: string | undefined, listed: string | undefined, typed: string): boolean {
  if (!listed) return false;
  const a = listed.toLowerCase();
  const b = typed.toLowerCase();
  if (a === b) return true;
  if (type === 'pypi') return a.replace(/[-_.]+/g, '-') === b.replace(/[-_.]+/g, '-');
  if (type === 'oci') {
    const bare = (image: string) => image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^/:]+$/, '').replace(/^docker\.io\//, '').replace(/^library\//, '');
    return bare(a) === bare(b);
  }
  return false;
}

/** One match is the server; several are EAMBIGUOUS naming every one (on a TTY, a choice); none is undefined. */
async function chooseAmong(ctx: Context, source: RegistrySource, typed: string, matches: ServerVersion[]): Promise<ResolvedServer | undefined> {
  if (matches.length === 0) return undefined;
  let chosen = matches[0]!.server.name;
  if (matches.length > 1) {
    const names = matches.map((entry) => entry.server.name).sort();
    if (!ctx.prompter.available || ctx.options.json) {
      throw new McpmError('EAMBIGUOUS', `"${typed}" matches ${names.length} servers in ${source.id}: ${names.join(', ')}`, {
        hint: `Use the full name, for example \`mcpm install ${names[0]}\`.`,
      });
    }
    chosen = await ctx.prompter.select(
      `"${typed}" matches several servers in ${source.id}; which one?`,
      matches.map((entry) => ({ title: entry.server.name, value: entry.server.name, description: entry.server.description })),
    );
  }
  const versions = await source.versions(chosen);
  return { name: chosen, source, versions: versions.length > 0 ? versions : matches.filter((m) => m.server.name === chosen) };
}

/**
 * A server and the version a range picks. A version missing from a cache younger than its TTL may have been
 * published since: the cache is refreshed once and the choice made again.
 */
export async function resolveVersion(ctx: Context, name: string, range: string | undefined): Promise<{ resolved: ResolvedServer; chosen: ServerVersion }> {
  const resolved = await resolveServer(ctx, name);
  try {
    return { resolved, chosen: selectVersion(resolved.name, resolved.versions, range) };
  } catch (error) {
    if (!(error instanceof McpmError) || error.code !== 'ENOVERSION' || !(await resolved.source.refresh?.())) throw error;
    const again = { ...resolved, versions: await resolved.source.versions(resolved.name) };
    return { resolved: again, chosen: selectVersion(again.name, again.versions, range) };
  }
}

/**
 * Every registry failed: the error says why, one reason per registry (each also warned about as it happened), so
 * that `--json` callers see it too. ENETWORK when none could be reached, else EREGISTRY.
 */
export function noRegistry(what: string, failures: McpmError[], hint: string): McpmError {
  const network = failures.every((failure) => failure.code === 'ENETWORK');
  const reasons = failures.map((failure) => (failure.message.length > 200 ? `${failure.message.slice(0, 200)}...` : failure.message)).join('; ');
  const message = `${network ? 'No registry could be reached' : 'No registry gave a usable answer'}${what ? ` ${what}` : ''}${reasons ? ` (${reasons})` : ''}`;
  return new McpmError(network ? 'ENETWORK' : 'EREGISTRY', message, { hint });
}
