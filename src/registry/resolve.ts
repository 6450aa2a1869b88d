import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { latestOfEach } from './latest.js';
import { createSources } from './registries.js';
import { matchesShortName } from './short-name.js';
import type { RegistrySource } from './source.js';
import type { ServerVersion } from './types.js';

export interface ResolvedServer {
  name: string;
  source: RegistrySource;
  /** Every version that source knows, deleted ones included. */
  versions: ServerVersion[];
}

/**
 * Finds one server by full name or short name. Registries are asked in priority order; one that fails is skipped
 * with a warning; the first that knows any match decides. Several matches in that registry are an error listing
 * every one of them (or, on a TTY, a choice).
 */
export async function resolveServer(ctx: Context, name: string): Promise<ResolvedServer> {
  const sources = createSources(ctx);
  const failures: McpmError[] = [];
  for (const source of sources) {
    try {
      const found = name.includes('/') ? await byFullName(source, name) : await byShortName(ctx, source, name);
      if (found) return found;
    } catch (error) {
      if (!(error instanceof McpmError) || !['ENETWORK', 'EREGISTRY'].includes(error.code)) throw error;
      ctx.out.warn(`${error.message}; skipped. ${error.hint}`);
      failures.push(error);
    }
  }
  if (failures.length === sources.length) throw noRegistry(`to look up ${name}`, failures, 'Check your network, or use the embedded index: --registry embedded.');
  throw new McpmError('ENOTFOUND', `No server named "${name}" in ${sources.map((s) => s.id).join(', ')}`, {
    hint: `Search with \`mcpm search ${name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name}\`, or check the spelling.`,
  });
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
  const matches = latestOfEach(await source.search(shortName)).filter((entry) => matchesShortName(entry.server.name, shortName));
  if (matches.length === 0) return undefined;
  let chosen = matches[0]!.server.name;
  if (matches.length > 1) {
    const names = matches.map((entry) => entry.server.name).sort();
    if (!ctx.prompter.available || ctx.options.json) {
      throw new McpmError('EAMBIGUOUS', `"${shortName}" matches ${names.length} servers in ${source.id}: ${names.join(', ')}`, {
        hint: `Use the full name, for example \`mcpm install ${names[0]}\`.`,
      });
    }
    chosen = await ctx.prompter.select(
      `"${shortName}" matches several servers in ${source.id}; which one?`,
      matches.map((entry) => ({ title: entry.server.name, value: entry.server.name, description: entry.server.description })),
    );
  }
  const versions = await source.versions(chosen);
  return { name: chosen, source, versions: versions.length > 0 ? versions : matches.filter((m) => m.server.name === chosen) };
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
