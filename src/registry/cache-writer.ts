import { rm } from 'node:fs/promises';
import { writeCacheFile } from './cache-files.js';
import { CACHE_FORMAT, SHARD_COUNT, officialMeta, shardFile, shardOf, type CacheMeta, type ChangeCounts, type IndexRow, type RawEntry, type RegistryCache } from './cache.js';
import { pickLatest } from './latest.js';
import { readServerResponse } from './types.js';

/**
 * Writing a registry's cache (see cache.ts for the layout). Only syncs load this module. meta.json is written last:
 * a cache without it (a first sync that was interrupted) does not exist for readers.
 */

/**
 * Replaces the cache with a full listing. Versions already cached keep their server.json (published versions never
 * change); only their status (_meta) is taken from the listing. Versions missing from it are gone altogether.
 */
export async function writeFull(cache: RegistryCache, listing: RawEntry[], kind: CacheMeta['kind'], startedAt = Date.now()): Promise<ChangeCounts> {
  const previous = cache.readMeta();
  const counts: ChangeCounts = { added: 0, changed: 0, deleted: 0, rewritten: 0 };
  const fresh = groupByShard(listing);
  const allRows: IndexRow[] = [];
  let versions = 0;
  let since: string | undefined;
  for (let shard = 0; shard < SHARD_COUNT; shard++) {
    const old = previous ? cache.readShard(shard) : new Map<string, RawEntry[]>();
    const next = fresh.get(shard) ?? new Map<string, RawEntry[]>();
    for (const [name, list] of next) next.set(name, merge(old.get(name) ?? [], list, counts, false));
    for (const [name, list] of old) {
      const kept = new Set((next.get(name) ?? []).map((e) => e.server.version));
      counts.deleted += list.filter((e) => !kept.has(e.server.version) && statusOf(e) !== 'deleted').length;
    }
    for (const [name, list] of next) {
      const row = indexRow(name, list);
      if (row) allRows.push(row);
      versions += list.filter((e) => statusOf(e) !== 'deleted').length;
      since = newest(since, list, startedAt);
    }
    await writeShard(cache, shard, next);
  }
  await writeIndex(cache, allRows);
  const now = new Date().toISOString();
  await writeMeta(cache, { formatVersion: CACHE_FORMAT, url: cache.url, kind, syncedAt: now, fullSyncAt: now, ...(since ? { since } : {}), versions, servers: allRows.length });
  return counts;
}

/** Applies an incremental listing (entries updated since `meta.since`, deleted ones included). */
export async function applyChanges(cache: RegistryCache, changes: RawEntry[], meta: CacheMeta, startedAt = Date.now()): Promise<ChangeCounts> {
  const counts: ChangeCounts = { added: 0, changed: 0, deleted: 0, rewritten: 0 };
  const touched = new Map<string, RawEntry[]>();
  let since = clampSince(meta.since, startedAt);
  let versionDelta = 0;
  for (const [shard, byName] of groupByShard(changes)) {
    const data = cache.readShard(shard);
    for (const [name, list] of byName) {
      const before = (data.get(name) ?? []).filter((e) => statusOf(e) !== 'deleted').length;
      const merged = merge(data.get(name) ?? [], list, counts, true);
      data.set(name, merged);
      touched.set(name, merged);
      versionDelta += merged.filter((e) => statusOf(e) !== 'deleted').length - before;
      since = newest(since, list, startedAt);
    }
    await writeShard(cache, shard, data);
  }
  const rows = cache.readIndexRows();
  for (const [name, list] of touched) {
    const row = indexRow(name, list);
    if (row) rows.set(name, row);
    else rows.delete(name);
  }
  await writeIndex(cache, [...rows.values()]);
  await writeMeta(cache, { ...meta, syncedAt: new Date().toISOString(), ...(since ? { since } : {}), failedAt: undefined, versions: meta.versions + versionDelta, servers: rows.size });
  return counts;
}

/** Marks an unchanged cache as checked just now (an incremental sync that found nothing new). */
export async function touch(cache: RegistryCache, meta: CacheMeta): Promise<CacheMeta> {
  const next = { ...meta, syncedAt: new Date().toISOString(), failedAt: undefined };
  await writeMeta(cache, next);
  return next;
}

/** Remembers that the registry could not be reached, so the next commands within the TTL do not wait for it again. */
export async function markFailed(cache: RegistryCache, meta: CacheMeta): Promise<void> {
  await writeMeta(cache, { ...meta, failedAt: new Date().toISOString() }).catch(() => undefined);
}

async function writeShard(cache: RegistryCache, shard: number, data: Map<string, RawEntry[]>): Promise<void> {
  const file = cache.file('servers', shardFile(shard));
  if (data.size === 0) {
    await rm(file, { force: true });
    return;
  }
  await writeCacheFile(file, JSON.stringify({ formatVersion: CACHE_FORMAT, servers: Object.fromEntries(data) }));
}

async function writeIndex(cache: RegistryCache, rows: IndexRow[]): Promise<void> {
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const header = JSON.stringify({ formatVersion: CACHE_FORMAT, servers: rows.length });
  await writeCacheFile(cache.file('index.jsonl'), `${header}\n${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
}

async function writeMeta(cache: RegistryCache, meta: CacheMeta): Promise<void> {
  await writeCacheFile(cache.file('meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
}

function groupByShard(entries: RawEntry[]): Map<number, Map<string, RawEntry[]>> {
  const shards = new Map<number, Map<string, RawEntry[]>>();
  for (const entry of entries) {
    const shard = shardOf(entry.server.name);
    let byName = shards.get(shard);
    if (!byName) shards.set(shard, (byName = new Map()));
    const list = byName.get(entry.server.name);
    if (list) list.push(entry);
    else byName.set(entry.server.name, [entry]);
  }
  return shards;
}

function statusOf(entry: RawEntry): string {
  return officialMeta(entry).status ?? 'active';
}

/**
 * Upserts `incoming` into `existing` by version. A version already cached keeps its server.json and takes the
 * incoming _meta (status, isLatest, updatedAt). Incremental listings keep the versions they do not mention.
 */
function merge(existing: RawEntry[], incoming: RawEntry[], counts: ChangeCounts, keepUnmentioned: boolean): RawEntry[] {
  const byVersion = new Map(existing.map((e) => [e.server.version, e]));
  const result = new Map<string, RawEntry>(keepUnmentioned ? byVersion : []);
  for (const entry of incoming) {
    const old = byVersion.get(entry.server.version);
    if (!old) {
      // A version first seen as a tombstone was never usable here: nothing was added or deleted.
      if (statusOf(entry) !== 'deleted') counts.added++;
      result.set(entry.server.version, entry);
      continue;
    }
    if (JSON.stringify(old.server) !== JSON.stringify(entry.server)) counts.rewritten++;
    const [before, after] = [statusOf(old), statusOf(entry)];
    if (before !== after) {
      if (after === 'deleted') counts.deleted++;
      else counts.changed++;
    }
    result.set(entry.server.version, { server: old.server, ...(entry._meta ? { _meta: entry._meta } : {}) });
  }
  return [...result.values()];
}

/**
 * The newest updatedAt (else publishedAt) among the entries, never later than `nowMs` (when the sync started): one
 * entry stamped in the far future would otherwise become `since`, and every later change (deletions, takedowns)
 * would be older than it and never asked for again. The sync's start is safe: whatever changes later is newer.
 */
function newest(current: string | undefined, entries: RawEntry[], nowMs: number): string | undefined {
  let best = current;
  let bestMs = current ? Date.parse(current) : -Infinity;
  for (const entry of entries) {
    const meta = officialMeta(entry);
    const stamp = meta.updatedAt ?? meta.publishedAt;
    if (typeof stamp !== 'string') continue;
    const ms = Date.parse(stamp);
    if (ms > bestMs) [best, bestMs] = [stamp, ms];
  }
  return clampSince(best, nowMs);
}

/** A `since` no later than `nowMs` (a cache written before the clamp existed may hold a date in the future). */
export function clampSince(since: string | undefined, nowMs: number): string | undefined {
  if (since === undefined) return undefined;
  const ms = Date.parse(since);
  return Number.isNaN(ms) ? undefined : ms > nowMs ? new Date(nowMs).toISOString() : since;
}

/** The search row of a server: its latest live version, or none when every version is deleted. */
function indexRow(name: string, list: RawEntry[]): IndexRow | undefined {
  const versions = list.flatMap((raw) => readServerResponse(raw, '') ?? []);
  const latest = pickLatest(versions);
  if (!latest) return undefined;
  const { server, meta } = latest;
  const packages = (server.packages ?? []).map((p): [string, string] => [String(p.registryType ?? 'unknown'), String(p.identifier ?? '')]);
  const remotes = (server.remotes ?? []).map((r) => String(r.type ?? 'unknown'));
  return [name, str(server.title), str(server.description), server.version, meta.status ?? 'active', packages, remotes];
}

const str = (value: unknown) => (typeof value === 'string' ? value : '');
