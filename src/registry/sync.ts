import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { cacheFor, type CacheMeta, type ChangeCounts, type RawEntry } from './cache.js';
import { applyChanges, clampSince, touch, writeFull } from './cache-writer.js';
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
/**
 * What one sync may take in all, whatever the pages look like: each response is capped (64 MiB), but endless large
 * pages would still grow the heap without bound. Both are far above a real registry (the official one lists a
 * few thousand versions in a few MiB; the bench syncs 100,000 versions in about 60 MiB).
 */
export const SYNC_MAX_BYTES = 128 * 1024 * 1024;
export const SYNC_MAX_VERSIONS = 200_000;

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
    // The moment the sync started: `since` is never later (an entry stamped in the future must not hide changes).
    const startedAt = Date.now();
    const incremental = meta && meta.kind === 'api' && ref.kind === 'api' && meta.since && !options.full ? meta : undefined;
    let counts: ChangeCounts;
    if (ref.kind === 'index') {
      ctx.out.progress(`Fetching the index ${ref.name}...`);
      const list = readList(await fetchJson(ref.url, { ...fetchOptions, maxBytes: SYNC_MAX_BYTES, tooLarge: () => overBudget(ref, `more than ${SYNC_MAX_BYTES / 1048576} MiB`) }), ref);
      if (list.length > SYNC_MAX_VERSIONS) throw overBudget(ref, `more than ${SYNC_MAX_VERSIONS.toLocaleString('en-US')} versions`);
      counts = await writeFull(cache, list, 'index', startedAt);
    } else if (incremental) {
      const changes = await listAll(ctx, ref, fetchOptions, { updated_since: clampSince(incremental.since, startedAt)! });
      if (changes.length === 0) {
        const touched = await touch(cache, incremental);
        return summary(ref, 'incremental', { added: 0, changed: 0, deleted: 0, rewritten: 0 }, touched);
      }
      counts = await applyChanges(cache, changes, incremental, startedAt);
    } else {
      ctx.out.progress(`Fetching the full listing of registry ${ref.name} (${ref.url})...`);
      counts = await writeFull(cache, await listAll(ctx, ref, fetchOptions, {}), 'api', startedAt);
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
export async function listAll(ctx: Context, ref: RegistryRef, options: { timeoutMs: number; token?: string }, params: Record<string, string>): Promise<RawEntry[]> {
  const base = ref.url.replace(/\/+$/, '');
  const entries: RawEntry[] = [];
  const seen = new Set<string>();
  const deadline = Date.now() + options.timeoutMs * PAGING_BUDGET;
  const received = { bytes: 0 };
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    if (page > 0 && Date.now() > deadline) throw endlessPaging(ref, `keeps returning more pages (still paging after ${Math.round((options.timeoutMs * PAGING_BUDGET) / 1000)} s)`);
    const query = new URLSearchParams({ ...params, include_deleted: 'true', limit: String(PAGE_LIMIT) });
    if (cursor) query.set('cursor', cursor);
    // Each page may use what is left of the sync's byte budget (at most the usual cap of one response).
    const left = SYNC_MAX_BYTES - received.bytes;
    const body = await fetchJson(`${base}/v0.1/servers?${query}`, {
      ...options,
      received,
      ...(left < 64 * 1024 * 1024 ? { maxBytes: left, tooLarge: () => overBudget(ref, `more than ${SYNC_MAX_BYTES / 1048576} MiB in ${page + 1} pages`) } : {}),
    });
    if (body === undefined) {
      throw new McpmError('EREGISTRY', `Registry ${ref.name} (${ref.url}) has no /v0.1/servers listing (HTTP 404)`, {
        hint: 'Check that the URL is the base URL of an MCP registry speaking the v0.1 API.',
      });
    }
    for (const entry of readList(body, ref)) entries.push(entry);
    if (entries.length > SYNC_MAX_VERSIONS) throw overBudget(ref, `more than ${SYNC_MAX_VERSIONS.toLocaleString('en-US')} versions in ${page + 1} pages`);
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
export function readList(body: unknown, ref: RegistryRef): RawEntry[] {
  const servers = (body as { servers?: unknown })?.servers;
  if (!Array.isArray(servers)) {
    throw new McpmError('EREGISTRY', `Registry ${ref.name} (${ref.url}) answered with something that is not a server list`, {
      hint: 'Check that the URL points at an MCP registry speaking the v0.1 API, or at a { "servers": [...] } index.',
    });
  }
  return servers.filter((raw): raw is RawEntry => readServerResponse(raw, ref.url) !== undefined);
}

/** The sync's total budget is spent: stopped before the heap grows further. */
function overBudget(ref: RegistryRef, what: string): McpmError {
  return new McpmError('EREGISTRY', `Registry ${ref.name} (${ref.url}) sent ${what}, over what one sync may take; the sync was stopped`, {
    hint: 'The registry is misbehaving (or far larger than any known one); its previous cache (if any) is still used.',
  });
}

function endlessPaging(ref: RegistryRef, what: string): McpmError {
  return new McpmError('EREGISTRY', `Registry ${ref.name} (${ref.url}) ${what}; the sync was stopped`, {
    hint: 'The registry is misbehaving; its previous cache (if any) is still used. Try again later.',
  });
}
