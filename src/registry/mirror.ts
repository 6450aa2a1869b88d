import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { withFileLock, writeFileAtomicSafe } from '../fs/files.js';
import type { RawEntry } from './cache.js';
import type { RegistryRef } from './config.js';
import { fetchJson } from './http.js';
import { listAll, readList } from './sync.js';
import { MIRROR_META_KEY, OFFICIAL_META_KEY } from './types.js';
import { serverJsonValidator } from './validate.js';

/**
 * `mcpm registry mirror <upstream> <dir>`: a sub-registry in a folder that `registry serve` and `registry build`
 * read (`<dir>/<namespace>/<name>/<version>.json`, each `{ server, _meta }`).
 *
 * - Incremental: the first run (and any run after the allow file changed) lists everything with deleted entries;
 *   later runs ask only `updated_since=<newest updatedAt seen>`, so new versions, deprecations and deletions
 *   (kept as tombstone files, so clients syncing from the mirror learn of them) arrive in one request.
 * - The upstream `_meta` is kept as sent, its official status included; mirror.ts adds its own under
 *   MIRROR_META_KEY: from where, and when this copy last changed (which `registry serve` counts as the version's
 *   update time, so clients of the mirror see versions the allow file lets in later).
 * - With an allow file, only approved names are kept; a version no longer approved becomes a tombstone.
 * - Idempotent and safe to interrupt: files are written atomically and only when their content changes (a second
 *   run changes nothing in git), and the mirror's state (`.mcpm-mirror.json`, with `since`) is written last.
 */
export { MIRROR_META_KEY };
const STATE_FILE = '.mcpm-mirror.json';

export interface MirrorSummary {
  upstream: string;
  dir: string;
  mode: 'full' | 'incremental';
  added: number;
  updated: number;
  deleted: number;
  /** Versions no longer approved by the allow file, now tombstones. */
  unapproved: number;
  skipped: { notAllowed: number; invalid: number; local: number };
  /** Versions the mirror holds (deleted ones not counted). */
  versions: number;
  since?: string;
}

interface MirrorState {
  formatVersion: 1;
  upstream: string;
  since?: string;
  allowHash?: string;
  syncedAt: string;
}

interface MirrorFile {
  file: string;
  entry: RawEntry;
}

export async function mirrorRegistry(ctx: Context, ref: RegistryRef, dir: string, allowFile: string | undefined, options: { full?: boolean }): Promise<MirrorSummary> {
  const allow = allowFile === undefined ? undefined : await readAllow(allowFile);
  return withFileLock(path.join(dir, '.mcpm-registry'), async () => {
    const state = await readState(dir);
    if (state && state.upstream !== ref.url) {
      throw new McpmError('ECONFLICT', `${dir} mirrors ${state.upstream}, not ${ref.url}`, { hint: 'Mirror each upstream into a folder of its own (registry serve and build read one folder each).' });
    }
    const startedAt = new Date();
    const incremental = state?.since && ref.kind === 'api' && !options.full && state.allowHash === allow?.hash ? state.since : undefined;
    ctx.out.progress(incremental ? `Asking ${ref.url} for changes since ${incremental}...` : `Fetching the full listing of ${ref.url}...`);
    const listing = await fetchListing(ctx, ref, incremental);
    const existing = await mirroredFiles(dir);
    const valid = await serverJsonValidator();
    const summary: MirrorSummary = { upstream: ref.url, dir, mode: incremental ? 'incremental' : 'full', added: 0, updated: 0, deleted: 0, unapproved: 0, skipped: { notAllowed: 0, invalid: 0, local: 0 }, versions: 0 };
    let since = incremental;
    for (const raw of listing) {
      const upstreamMeta = official(raw);
      since = later(since, upstreamMeta.updatedAt ?? upstreamMeta.publishedAt, startedAt);
      const { name, version } = raw.server;
      if (allow && !allow.test(name)) {
        summary.skipped.notAllowed++;
        continue;
      }
      const server = normalize(raw.server);
      const deleted = upstreamMeta.status === 'deleted';
      if (!deleted && valid(server).length > 0) {
        summary.skipped.invalid++;
        continue;
      }
      const key = `${name}@${version}`;
      const file = path.join(dir, ...name.split('/'), `${version}.json`);
      const mine = existing.get(key);
      if (!mine && existing.has(`local:${key}`)) {
        summary.skipped.local++;
        continue;
      }
      const next: RawEntry = { server, _meta: { ...raw._meta, [MIRROR_META_KEY]: { upstream: ref.url, mirroredAt: startedAt.toISOString() } } };
      if (mine && same(mine.entry, next)) continue;
      if (!mine && deleted) continue; // never mirrored: nothing to take down here
      await writeEntry(file, next);
      if (!mine) summary.added++;
      else if (deleted && official(mine.entry).status !== 'deleted') summary.deleted++;
      else summary.updated++;
      existing.set(key, { file, entry: next });
    }
    // A full listing re-checks the allow file against what is already mirrored.
    if (!incremental && allow) {
      for (const [key, mine] of existing) {
        if (key.startsWith('local:') || allow.test(mine.entry.server.name) || official(mine.entry).status === 'deleted') continue;
        const tombstone = withStatus(mine.entry, 'deleted', 'no longer in the mirror\'s allow file', startedAt);
        await writeEntry(mine.file, tombstone);
        mine.entry = tombstone;
        summary.unapproved++;
      }
    }
    summary.versions = [...existing].filter(([key, m]) => !key.startsWith('local:') && official(m.entry).status !== 'deleted').length;
    const nextState: MirrorState = { formatVersion: 1, upstream: ref.url, ...(since ? { since } : {}), ...(allow ? { allowHash: allow.hash } : {}), syncedAt: new Date().toISOString() };
    await writeFileAtomicSafe(path.join(dir, STATE_FILE), `${JSON.stringify(nextState, null, 2)}\n`);
    return { ...summary, ...(since ? { since } : {}) };
  });
}

async function fetchListing(ctx: Context, ref: RegistryRef, since: string | undefined): Promise<RawEntry[]> {
  if (ref.kind === 'api') return listAll(ctx, ref, { timeoutMs: ctx.timeoutMs }, since ? { updated_since: since } : {});
  if (/^https?:\/\//i.test(ref.url)) return readList(await fetchJson(ref.url, { timeoutMs: ctx.timeoutMs, maxBytes: 128 * 1024 * 1024 }), ref);
  let text: string;
  try {
    text = await readFile(ref.url, 'utf8');
  } catch (error) {
    throw new McpmError('EREGISTRY', `Cannot read the index ${ref.url} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'Give an MCP registry URL, or the path of a { "servers": [...] } index.' });
  }
  try {
    return readList(JSON.parse(text), ref);
  } catch (error) {
    if (error instanceof McpmError) throw error;
    throw new McpmError('EPARSE', `The index ${ref.url} is not valid JSON`, { hint: 'Fix the file.' });
  }
}

/** The allow file: one name or pattern per line (`*` matches any run of characters), `#` comments. */
async function readAllow(file: string): Promise<{ test: (name: string) => boolean; hash: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new McpmError('ENOTFOUND', `Cannot read the allow file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'Give a file with one server name or pattern per line, e.g. io.github.acme/*.' });
  }
  const lines = text.split('\n').map((line) => line.replace(/#.*/, '').trim()).filter(Boolean);
  const patterns = lines.map((line) => new RegExp(`^${line.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`));
  return { test: (name) => patterns.some((pattern) => pattern.test(name)), hash: createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16) };
}

async function readState(dir: string): Promise<MirrorState | undefined> {
  try {
    const state = JSON.parse(await readFile(path.join(dir, STATE_FILE), 'utf8')) as MirrorState;
    return state.formatVersion === 1 && typeof state.upstream === 'string' ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Every version file in the folder: the mirror's own by key, others (hand-written, published) as `local:<key>`. */
async function mirroredFiles(dir: string): Promise<Map<string, MirrorFile>> {
  const found = new Map<string, MirrorFile>();
  const walk = async (folder: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && entry.name.endsWith('.json')) {
        let raw: any;
        try {
          raw = JSON.parse(await readFile(full, 'utf8'));
        } catch {
          continue;
        }
        const server = raw && typeof raw === 'object' && 'server' in raw ? raw.server : raw;
        if (typeof server?.name !== 'string' || typeof server?.version !== 'string') continue;
        const key = `${server.name}@${server.version}`;
        if (raw._meta?.[MIRROR_META_KEY]) found.set(key, { file: full, entry: raw as RawEntry });
        else found.set(`local:${key}`, { file: full, entry: { server } });
      }
    }
  };
  await walk(dir);
  return found;
}

function official(entry: RawEntry): { status?: string; updatedAt?: string; publishedAt?: string } {
  const meta = entry._meta?.[OFFICIAL_META_KEY];
  return meta && typeof meta === 'object' ? (meta as { status?: string }) : {};
}

/** The same upstream content (server.json and upstream metadata), whenever the mirror last wrote it. */
function same(a: RawEntry, b: RawEntry): boolean {
  const strip = (entry: RawEntry) => JSON.stringify({ server: entry.server, _meta: { ...entry._meta, [MIRROR_META_KEY]: undefined } });
  return strip(a) === strip(b);
}

function withStatus(entry: RawEntry, status: string, message: string, at: Date): RawEntry {
  const mirror = (entry._meta?.[MIRROR_META_KEY] ?? {}) as Record<string, unknown>;
  return {
    server: entry.server,
    _meta: {
      ...entry._meta,
      [OFFICIAL_META_KEY]: { ...official(entry), status, statusMessage: message, statusChangedAt: at.toISOString(), updatedAt: at.toISOString() },
      [MIRROR_META_KEY]: { ...mirror, mirroredAt: at.toISOString(), removed: message },
    },
  };
}

/** `"repository": {}` and `"$schema": ""` mean "none" in real entries; everything else is kept as sent. */
function normalize(server: RawEntry['server']): RawEntry['server'] {
  const copy = { ...server };
  if (copy.repository && typeof copy.repository === 'object' && Object.keys(copy.repository).length === 0) delete copy.repository;
  if (copy.$schema === '') delete copy.$schema;
  return copy;
}

/** The later of two stamps, never later than the run's start (a far-future updatedAt must not become since). */
function later(current: string | undefined, stamp: string | undefined, cap: Date): string | undefined {
  if (typeof stamp !== 'string' || Number.isNaN(Date.parse(stamp))) return current;
  const value = Date.parse(stamp) > cap.getTime() ? cap.toISOString() : stamp;
  return current === undefined || Date.parse(value) > Date.parse(current) ? value : current;
}

async function writeEntry(file: string, entry: RawEntry): Promise<void> {
  await writeFileAtomicSafe(file, `${JSON.stringify(entry, null, 2)}\n`);
}
