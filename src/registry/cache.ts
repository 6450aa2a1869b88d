import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { cacheId } from './config.js';
import { shortHash } from './hash.js';
import { OFFICIAL_META_KEY, type OfficialMeta, type ServerVersion } from './types.js';

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
export const SHARD_COUNT = 256;

/** The reading side lives here (what `search`, `info` and `install` load); writing is in cache-writer.ts. */
export function cacheFor(ctx: Context, url: string): RegistryCache {
  return new RegistryCache(path.join(registriesCacheDir(ctx), cacheId(url)), url);
}

export function registriesCacheDir(ctx: Context): string {
  return path.join(ctx.paths.cache, 'registries');
}

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

  file(...parts: string[]): string {
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
    return searchIndexText(text, query, registry);
  }

  /** Every cached version of one server, tombstones included. */
  entries(name: string): RawEntry[] {
    return this.readShard(shardOf(name)).get(name) ?? [];
  }

  /** One shard: server name -> its cached versions. Empty when absent or in another format. */
  readShard(shard: number): Map<string, RawEntry[]> {
    const data = readJson(this.file('servers', shardFile(shard))) as { formatVersion?: number; servers?: Record<string, RawEntry[]> } | undefined;
    if (!data || data.formatVersion !== CACHE_FORMAT || !data.servers) return new Map();
    return new Map(Object.entries(data.servers));
  }

  /** The search index as rows by name (for an incremental update). */
  readIndexRows(): Map<string, IndexRow> {
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

}

/**
 * Searches a search index (a header line, then one IndexRow per line): the rows whose name, title, description or
 * a package identifier (npm, pypi, oci, nuget) contains the query, case-insensitively. Only lines that contain the query are parsed. Shared by registry caches
 * and the embedded index, which ships one in this shape.
 */
export function searchIndexText(text: string, query: string, registry: string): ServerVersion[] {
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
    const identifiers = row[5].some(([, identifier]) => identifier.toLowerCase().includes(needle));
    if (identifiers || row[0].toLowerCase().includes(needle) || row[1].toLowerCase().includes(needle) || row[2].toLowerCase().includes(needle)) hits.push(rowToVersion(row, registry));
  }
  return hits;
}

export function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export function isCurrentHeader(line: string | undefined): boolean {
  try {
    return (JSON.parse(line ?? '') as { formatVersion?: unknown }).formatVersion === CACHE_FORMAT;
  } catch {
    return false;
  }
}

export function shardOf(name: string): number {
  return parseInt(shortHash(name).slice(-2), 16);
}

export function shardFile(shard: number): string {
  return `${shard.toString(16).padStart(2, '0')}.json`;
}

export function officialMeta(entry: RawEntry): OfficialMeta {
  const meta = entry._meta?.[OFFICIAL_META_KEY];
  return meta && typeof meta === 'object' ? (meta as OfficialMeta) : {};
}

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
