import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { writeCacheFile } from './cache-files.js';
import { pickLatest } from './latest.js';
import { OFFICIAL_META_KEY, readServerResponse, type OfficialMeta, type ServerVersion } from './types.js';

/**
 * The local copy of one registry, in `<cache>/registries/<id>/`:
 *
 * - `meta.json`: format version, URL, when it was synced, and `since` (the newest updatedAt seen: the next
 *   incremental sync asks for `updated_since=<since>`);
 * - `servers/<xx>.json`: every version the registry listed (deleted ones kept as tombstones), as `{ server, _meta }`,
 *   spread over 256 shards by a hash of the server name, so `info`/`install` read one small file;
 * - `index.jsonl`: the search index: a header line, then one JSON array per server (its latest live version's
 *   name, title, description, version, status, packages, remote types), so `search` reads one compact file and
 *   parses only the lines that contain the query.
 *
 * Every file carries `formatVersion`; a cache in another format is treated as absent and rebuilt from the registry
 * (that is the migration: a cache can always be fetched again).
 */
export const CACHE_FORMAT = 1;
const SHARD_COUNT = 256;

/** An entry as the registry sent it (the v0.1 ServerResponse): kept whole, read leniently when used. */
export interface RawEntry {
  server: { name: string; version: string; [key: string]: unknown };
  _meta?: Record<string, unknown>;
}

export interface CacheMeta {
  formatVersion: number;
  url: string;
  kind: 'api' | 'index';
  /** When the last successful sync finished (this machine's clock). */
  syncedAt: string;
  /** When the last full listing was fetched. */
  fullSyncAt: string;
  /** The newest updatedAt (else publishedAt) among the entries: the next updated_since. */
  since?: string;
  /** When the last attempt to reach the registry failed, if it failed after the last sync. */
  failedAt?: string;
  versions: number;
  servers: number;
}

/** One line of the search index: name, title, description, version, status, [[registryType, identifier]], remote types. */
export type IndexRow = [string, string, string, string, string, Array<[string, string]>, string[]];

export interface ChangeCounts {
  added: number;
  changed: number;
  deleted: number;
  /** Published versions whose server.json differed from the one already cached (kept: published versions never change). */
  rewritten: number;
}

export class RegistryCache {
  constructor(readonly dir: string, readonly url: string) {}

  private file(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  /** The cache's metadata, or undefined when there is no usable cache (absent, another format, unreadable). */
  readMeta(): CacheMeta | undefined {
    const meta = readJson(this.file('meta.json')) as CacheMeta | undefined;
    if (!meta || meta.formatVersion !== CACHE_FORMAT || meta.url !== this.url || typeof meta.syncedAt !== 'string') return undefined;
    return meta;
  }

  /** Servers whose name, title or description contains the query (case-insensitive): their latest live version. */
  search(query: string, registry: string): ServerVersion[] {
    let text: string;
    try {
      text = readFileSync(this.file('index.jsonl'), 'utf8');
    } catch {
      return [];
    }
    const lines = text.split('\n');
    if (!isCurrentHeader(lines[0])) return [];
    const needle = query.toLowerCase();
    // The raw line is JSON: a query with characters JSON escapes cannot be found in it as typed; parse every line.
    const prefilter = !/["\\\u0000-\u001f]/.test(needle);
    const lower = prefilter ? text.toLowerCase().split('\n') : lines;
    const hits: ServerVersion[] = [];
    for (let i = 1; i < lines.length; i++) {
      if (prefilter && !lower[i]!.includes(needle)) continue;
      const line = lines[i]!;
      if (line === '') continue;
      let row: IndexRow;
      try {
        row = JSON.parse(line) as IndexRow;
      } catch {
        continue;
      }
      if (row[0].toLowerCase().includes(needle) || row[1].toLowerCase().includes(needle) || row[2].toLowerCase().includes(needle)) hits.push(rowToVersion(row, registry));
    }
    return hits;
  }

  /** Every cached version of one server, tombstones included. */
  entries(name: string): RawEntry[] {
    return this.readShard(shardOf(name)).get(name) ?? [];
  }

  /**
   * Replaces the cache with a full listing. Versions already cached keep their server.json (published versions
   * never change); only their status (_meta) is taken from the listing.
   */
  async writeFull(listing: RawEntry[], kind: CacheMeta['kind']): Promise<ChangeCounts> {
    const previous = this.readMeta();
    const counts: ChangeCounts = { added: 0, changed: 0, deleted: 0, rewritten: 0 };
    const fresh = groupByShard(listing);
    const allRows: IndexRow[] = [];
    let versions = 0;
    let since: string | undefined;
    for (let shard = 0; shard < SHARD_COUNT; shard++) {
      const old = previous ? this.readShard(shard) : new Map<string, RawEntry[]>();
      const next = fresh.get(shard) ?? new Map<string, RawEntry[]>();
      for (const [name, list] of next) next.set(name, merge(old.get(name) ?? [], list, counts, false));
      // Versions missing from a full listing are gone from the registry altogether.
      for (const [name, list] of old) {
        const kept = new Set((next.get(name) ?? []).map((e) => e.server.version));
        counts.deleted += list.filter((e) => !kept.has(e.server.version) && statusOf(e) !== 'deleted').length;
      }
      for (const [name, list] of next) {
        const row = indexRow(name, list);
        if (row) allRows.push(row);
        versions += list.filter((e) => statusOf(e) !== 'deleted').length;
        since = newest(since, list);
      }
      await this.writeShard(shard, next);
    }
    await this.writeIndex(allRows);
    const now = new Date().toISOString();
    await this.writeMeta({ formatVersion: CACHE_FORMAT, url: this.url, kind, syncedAt: now, fullSyncAt: now, ...(since ? { since } : {}), versions, servers: allRows.length });
    return counts;
  }

  /** Applies an incremental listing (entries updated since `meta.since`, deleted ones included). */
  async applyChanges(changes: RawEntry[], meta: CacheMeta): Promise<ChangeCounts> {
    const counts: ChangeCounts = { added: 0, changed: 0, deleted: 0, rewritten: 0 };
    const touched = new Map<string, RawEntry[]>();
    let since = meta.since;
    let versionDelta = 0;
    for (const [shard, byName] of groupByShard(changes)) {
      const data = this.readShard(shard);
      for (const [name, list] of byName) {
        const before = (data.get(name) ?? []).filter((e) => statusOf(e) !== 'deleted').length;
        const merged = merge(data.get(name) ?? [], list, counts, true);
        data.set(name, merged);
        touched.set(name, merged);
        versionDelta += merged.filter((e) => statusOf(e) !== 'deleted').length - before;
        since = newest(since, list);
      }
      await this.writeShard(shard, data);
    }
    const rows = this.readIndexRows();
    for (const [name, list] of touched) {
      const row = indexRow(name, list);
      if (row) rows.set(name, row);
      else rows.delete(name);
    }
    await this.writeIndex([...rows.values()]);
    await this.writeMeta({ ...meta, syncedAt: new Date().toISOString(), ...(since ? { since } : {}), failedAt: undefined, versions: meta.versions + versionDelta, servers: rows.size });
    return counts;
  }

  /** Marks an unchanged cache as checked just now (an incremental sync that found nothing new). */
  async touch(meta: CacheMeta): Promise<CacheMeta> {
    const next = { ...meta, syncedAt: new Date().toISOString(), failedAt: undefined };
    await this.writeMeta(next);
    return next;
  }

  async markFailed(meta: CacheMeta): Promise<void> {
    await this.writeMeta({ ...meta, failedAt: new Date().toISOString() }).catch(() => undefined);
  }

  private readShard(shard: number): Map<string, RawEntry[]> {
    const data = readJson(this.file('servers', shardFile(shard))) as { formatVersion?: number; servers?: Record<string, RawEntry[]> } | undefined;
    if (!data || data.formatVersion !== CACHE_FORMAT || !data.servers) return new Map();
    return new Map(Object.entries(data.servers));
  }

  private async writeShard(shard: number, data: Map<string, RawEntry[]>): Promise<void> {
    const file = this.file('servers', shardFile(shard));
    if (data.size === 0) {
      await rm(file, { force: true });
      return;
    }
    await writeCacheFile(file, JSON.stringify({ formatVersion: CACHE_FORMAT, servers: Object.fromEntries(data) }));
  }

  private readIndexRows(): Map<string, IndexRow> {
    const rows = new Map<string, IndexRow>();
    let text: string;
    try {
      text = readFileSync(this.file('index.jsonl'), 'utf8');
    } catch {
      return rows;
    }
    const lines = text.split('\n');
    if (!isCurrentHeader(lines[0])) return rows;
    for (const line of lines.slice(1)) {
      if (line === '') continue;
      const row = JSON.parse(line) as IndexRow;
      rows.set(row[0], row);
    }
    return rows;
  }

  private async writeIndex(rows: IndexRow[]): Promise<void> {
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const header = JSON.stringify({ formatVersion: CACHE_FORMAT, servers: rows.length });
    await writeCacheFile(this.file('index.jsonl'), `${header}\n${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
  }

  /** Written last: a cache without meta.json (a first sync that was interrupted) does not exist for readers. */
  private async writeMeta(meta: CacheMeta): Promise<void> {
    await writeCacheFile(this.file('meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function isCurrentHeader(line: string | undefined): boolean {
  try {
    return (JSON.parse(line ?? '') as { formatVersion?: unknown }).formatVersion === CACHE_FORMAT;
  } catch {
    return false;
  }
}

function shardOf(name: string): number {
  return createHash('sha1').update(name).digest()[0]!;
}

function shardFile(shard: number): string {
  return `${shard.toString(16).padStart(2, '0')}.json`;
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

export function officialMeta(entry: RawEntry): OfficialMeta {
  const meta = entry._meta?.[OFFICIAL_META_KEY];
  return meta && typeof meta === 'object' ? (meta as OfficialMeta) : {};
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

function newest(current: string | undefined, entries: RawEntry[]): string | undefined {
  let best = current;
  let bestMs = current ? Date.parse(current) : -Infinity;
  for (const entry of entries) {
    const meta = officialMeta(entry);
    const stamp = meta.updatedAt ?? meta.publishedAt;
    if (typeof stamp !== 'string') continue;
    const ms = Date.parse(stamp);
    if (ms > bestMs) [best, bestMs] = [stamp, ms];
  }
  return best;
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

/**
 * A search hit as a ServerVersion carrying only what the index holds (name, title, description, version, status,
 * package types and identifiers, remote types). Commands that need the whole server.json ask versions().
 */
function rowToVersion(row: IndexRow, registry: string): ServerVersion {
  const [name, title, description, version, status, packages, remotes] = row;
  return {
    server: {
      name,
      version,
      ...(title ? { title } : {}),
      description,
      packages: packages.map(([registryType, identifier]) => ({ registryType, identifier })),
      remotes: remotes.map((type) => ({ type })),
    },
    meta: { status, isLatest: true },
    registry,
  };
}
