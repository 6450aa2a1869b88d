import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { cacheFor, type CacheMeta, type ChangeCounts, type RawEntry } from './cache.js';
import { applyChanges, touch, writeFull } from './cache-writer.js';
import type { RegistryRef } from './config.js';
import { fetchJson } from './http.js';
import { readServerResponse } from './types.js';

/**
 * Syncing a registry into its cache. The first sync (and `registry sync --full`) pages through the whole listing
 * with `cursor`; later ones ask only for `updated_since=<newest updatedAt seen>`, which the API answers with
 * deleted entries included, so deletions and status changes reach the cache. A static index over http(s) is
 * fetched whole each time.
 */
const PAGE_LIMIT = 100;
/** 10,000 pages of 100 is a million versions, far beyond any registry today; a registry paging on is cut off. */
const MAX_PAGES = 10_000;
/** Paging as a whole may take this many timeouts: a registry paging forever, however slowly, is cut off. */
const PAGING_BUDGET = 10;

export interface SyncSummary {
  name: string;
  url: string;
  mode: 'full' | 'incremental' | 'none';
  added: number;
  changed: number;
  deleted: number;
  /** Live versions and servers in the cache after the sync. */
  versions: number;
  servers: number;
  syncedAt: string;
}

/**
 * Brings one registry's cache up to date, under the cache's lock (two mcpm processes never interleave writes).
 * `notBefore`: if another process finished a sync after this moment while we waited for the lock, its result is
 * used instead of asking the registry again.
 */
export async function syncRegistry(
  ctx: Context,
  ref: RegistryRef,
  token: string | undefined,
  options: { full?: boolean; notBefore?: number } = {},
): Promise<SyncSummary> {
  const cache = cacheFor(ctx, ref.url);
  const { withFileLock } = await import('../fs/files.js');
  return withFileLock(path.join(cache.dir, 'meta.json'), async () => {
    const meta = cache.readMeta();
    if (meta && options.notBefore !== undefined && Date.parse(meta.syncedAt) >= options.notBefore && !meta.failedAt) {
      return summary(ref, 'none', { added: 0, changed: 0, deleted: 0, rewritten: 0 }, meta);
    }
    const fetchOptions = { timeoutMs: ctx.timeoutMs, token };
    const incremental = meta && meta.kind === 'api' && ref.kind === 'api' && meta.since && !options.full ? meta : undefined;
    let counts: ChangeCounts;
    if (ref.kind === 'index') {
      ctx.out.progress(`Fetching the index ${ref.name}...`);
      counts = await writeFull(cache, readList(await fetchJson(ref.url, { ...fetchOptions, maxBytes: 512 * 1024 * 1024 }), ref), 'index');
    } else if (incremental) {
      const changes = await listAll(ctx, ref, fetchOptions, { updated_since: incremental.since! });
      if (changes.length === 0) {
        const touched = await touch(cache, incremental);
        return summary(ref, 'incremental', { added: 0, changed: 0, deleted: 0, rewritten: 0 }, touched);
      }
      counts = await applyChanges(cache, changes, incremental);
    } else {
      ctx.out.progress(`Fetching the full listing of registry ${ref.name} (${ref.url})...`);
      counts = await writeFull(cache, await listAll(ctx, ref, fetchOptions, {}), 'api');
    }
    if (counts.rewritten > 0) {
      ctx.out.warn(`Registry ${ref.name} sent different contents for ${counts.rewritten} version(s) it had already published; mcpm keeps the contents it saw first (\`mcpm cache clean\` forgets them)`);
    }
    const after = cache.readMeta();
    if (!after) throw new McpmError('EFS', `The cache of registry ${ref.name} could not be read back (${cache.dir})`, { hint: 'Run `mcpm cache clean` and try again.' });
    return summary(ref, incremental ? 'incremental' : 'full', counts, after);
  });
}

function summary(ref: RegistryRef, mode: SyncSummary['mode'], counts: ChangeCounts, meta: CacheMeta): SyncSummary {
  return { name: ref.name, url: ref.url, mode, added: counts.added, changed: counts.changed, deleted: counts.deleted, versions: meta.versions, servers: meta.servers, syncedAt: meta.syncedAt };
}

/** Every page of `GET /v0.1/servers` with deleted entries, following nextCursor; a cursor seen twice is an error. */
async function listAll(ctx: Context, ref: RegistryRef, options: { timeoutMs: number; token?: string }, params: Record<string, string>): Promise<RawEntry[]> {
  const base = ref.url.replace(/\/+$/, '');
  const entries: RawEntry[] = [];
  const seen = new Set<string>();
  const deadline = Date.now() + options.timeoutMs * PAGING_BUDGET;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    if (page > 0 && Date.now() > deadline) throw endlessPaging(ref, `keeps returning more pages (still paging after ${Math.round((options.timeoutMs * PAGING_BUDGET) / 1000)} s)`);
    const query = new URLSearchParams({ ...params, include_deleted: 'true', limit: String(PAGE_LIMIT) });
    if (cursor) query.set('cursor', cursor);
    const body = await fetchJson(`${base}/v0.1/servers?${query}`, options);
    if (body === undefined) {
      throw new McpmError('EREGISTRY', `Registry ${ref.name} (${ref.url}) has no /v0.1/servers listing (HTTP 404)`, {
        hint: 'Check that the URL is the base URL of an MCP registry speaking the v0.1 API.',
      });
    }
    entries.push(...readList(body, ref));
    const next = (body as { metadata?: { nextCursor?: unknown } }).metadata?.nextCursor;
    if (typeof next !== 'string' || next === '') return entries;
    if (seen.has(next)) throw endlessPaging(ref, 'keeps returning more pages (a cursor it had already returned)');
    seen.add(next);
    cursor = next;
    if (page % 20 === 19) ctx.out.progress(`  ${entries.length} versions so far...`);
  }
  throw endlessPaging(ref, `keeps returning more pages (over ${MAX_PAGES} pages)`);
}

/** The usable entries of a `{ servers: [...] }` document, kept in the registry's own shape. */
function readList(body: unknown, ref: RegistryRef): RawEntry[] {
  const servers = (body as { servers?: unknown })?.servers;
  if (!Array.isArray(servers)) {
    throw new McpmError('EREGISTRY', `Registry ${ref.name} (${ref.url}) answered with something that is not a server list`, {
      hint: 'Check that the URL points at an MCP registry speaking the v0.1 API, or at a { "servers": [...] } index.',
    });
  }
  return servers.filter((raw): raw is RawEntry => readServerResponse(raw, ref.url) !== undefined);
}

function endlessPaging(ref: RegistryRef, what: string): McpmError {
  return new McpmError('EREGISTRY', `Registry ${ref.name} (${ref.url}) ${what}; the sync was stopped`, {
    hint: 'The registry is misbehaving; its previous cache (if any) is still used. Try again later.',
  });
}
