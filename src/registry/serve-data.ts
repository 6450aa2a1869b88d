import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import versionGt from 'semver/functions/gt.js';
import validVersion from 'semver/functions/valid.js';
import { McpmError } from '../errors.js';
import { MIRROR_META_KEY, OFFICIAL_META_KEY, isValidServerName, type OfficialMeta } from './types.js';

/**
 * What `mcpm registry serve` serves: a static index (`{ "servers": [{ "server", "_meta" }] }`, e.g. a registry
 * dump), or a folder (searched recursively) of server.json files, one server version per file. A file may also
 * be a `{ "server", "_meta" }` wrapper, to mark a version deprecated or deleted. JSON files that are not server.json
 * (no name and version) are ignored; files that do not parse, or name a server invalidly, are skipped with a warning. Versions without registry
 * metadata get status active, the file's modification time as publishedAt/updatedAt, and isLatest computed per
 * name (the highest semver, else the newest), as the official registry would.
 */
export interface ServedEntry {
  server: { name: string; version: string; [key: string]: unknown };
  _meta: Record<string, unknown> & { [OFFICIAL_META_KEY]: ServedMeta };
}

/** The registry's own metadata of a version: exactly the fields the v0.1 API allows there (no others). */
export interface ServedMeta {
  status: string;
  statusMessage?: string;
  statusChangedAt?: string;
  publishedAt: string;
  updatedAt: string;
  isLatest: boolean;
}

export interface ServedData {
  /** Sorted by name, then version: the order pages and cursors follow. */
  entries: ServedEntry[];
  servers: number;
  /** Files skipped, with why (said once at start). */
  skipped: string[];
  /** For a folder: the file each version came from (`name@version` -> path), which a status change rewrites. */
  files: Map<string, string>;
}

const SKIP_DIRS = new Set(['node_modules', '.git']);

export async function loadServed(source: string): Promise<ServedData> {
  let info;
  try {
    info = await stat(source);
  } catch (error) {
    throw new McpmError('EFS', `Cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'Give a static index (.json) or a folder of server.json files.' });
  }
  const skipped: string[] = [];
  const found: Array<{ raw: unknown; file: string; mtime: Date }> = [];
  const folder = info.isDirectory();
  if (info.isDirectory()) {
    // Read many files at once (a folder may hold 100,000 versions); `found` keeps the sorted order of the files.
    const files = await jsonFiles(source);
    const read: Array<{ raw: unknown; file: string; mtime: Date } | undefined> = new Array(files.length);
    for (let i = 0; i < files.length; i += 64) {
      await Promise.all(files.slice(i, i + 64).map(async (file, j) => {
        const parsed = await readJson(file, skipped);
        if (parsed !== undefined) read[i + j] = { raw: parsed, file, mtime: (await stat(file)).mtime };
      }));
    }
    for (const item of read) if (item) found.push(item);
  } else {
    const parsed = await readJson(source, []);
    if (parsed === undefined) throw new McpmError('EPARSE', `${source} is not valid JSON`, { hint: 'Fix the file; a static index is { "servers": [{ "server": {...}, "_meta": {...} }] }.' });
    const list = (parsed as { servers?: unknown }).servers;
    if (Array.isArray(list)) for (const raw of list) found.push({ raw, file: source, mtime: info.mtime });
    else found.push({ raw: parsed, file: source, mtime: info.mtime });
  }
  return build(found, skipped, folder);
}

function build(found: Array<{ raw: unknown; file: string; mtime: Date }>, skipped: string[], folder: boolean): ServedData {
  const byKey = new Map<string, ServedEntry>();
  const files = new Map<string, string>();
  const flagged = new Map<string, number>();
  for (const { raw, file, mtime } of found) {
    const wrapped = raw && typeof raw === 'object' && 'server' in raw ? (raw as { server: unknown; _meta?: Record<string, unknown> }) : { server: raw };
    const server = wrapped.server as ServedEntry['server'] | undefined;
    // Other JSON in the repository (package.json, tsconfig.json, ...) is not a server version: ignored quietly.
    if (!server || typeof server !== 'object' || typeof server.name !== 'string' || typeof server.version !== 'string') continue;
    if (!server.name.includes('/') || server.name.startsWith('@')) continue; // an npm package.json, not a server
    if (!isValidServerName(server.name)) {
      skipped.push(`${file}: "${server.name}" is not a valid server name (namespace/name)`);
      continue;
    }
    const key = `${server.name}@${server.version}`;
    if (byKey.has(key)) {
      skipped.push(`${file}: ${key} is already served from another file`);
      continue;
    }
    const given = (wrapped._meta?.[OFFICIAL_META_KEY] ?? {}) as OfficialMeta & { statusMessage?: unknown; statusChangedAt?: unknown };
    const stamp = mtime.toISOString();
    const publishedAt = typeof given.publishedAt === 'string' ? given.publishedAt : stamp;
    // A mirrored version changed here when the mirror last wrote it (an allow file may let in an old version today):
    // clients syncing from this registry with updated_since must see it as updated then.
    const mirroredAt = (wrapped._meta?.[MIRROR_META_KEY] as { mirroredAt?: unknown } | undefined)?.mirroredAt;
    const givenUpdated = typeof given.updatedAt === 'string' ? given.updatedAt : publishedAt;
    const updatedAt = typeof mirroredAt === 'string' && Date.parse(mirroredAt) > Date.parse(givenUpdated) ? mirroredAt : givenUpdated;
    if (given.isLatest === true) flagged.set(server.name, (flagged.get(server.name) ?? 0) + 1);
    if (folder) files.set(key, file);
    byKey.set(key, {
      server,
      _meta: {
        ...(wrapped._meta ?? {}),
        [OFFICIAL_META_KEY]: {
          status: typeof given.status === 'string' ? given.status : 'active',
          ...(typeof given.statusMessage === 'string' ? { statusMessage: given.statusMessage } : {}),
          ...(typeof given.statusChangedAt === 'string' ? { statusChangedAt: given.statusChangedAt } : {}),
          publishedAt,
          updatedAt,
          isLatest: given.isLatest === true,
        },
      },
    });
  }
  const entries = [...byKey.values()].sort((a, b) => compareKeys([a.server.name, a.server.version], [b.server.name, b.server.version]));
  const byName = new Map<string, ServedEntry[]>();
  for (const entry of entries) byName.set(entry.server.name, [...(byName.get(entry.server.name) ?? []), entry]);
  // A name whose files flag exactly one latest version keeps it (a mirror keeps upstream's); otherwise computed.
  for (const [name, list] of byName) if (flagged.get(name) !== 1) markLatest(list);
  return { entries, servers: byName.size, skipped, files };
}

/**
 * Names whose source says nothing about which version is latest: the highest semver, else the newest published,
 * among versions not deleted (as the official registry computes it).
 */
function markLatest(list: ServedEntry[]): void {
  for (const entry of list) meta(entry).isLatest = false;
  const live = list.filter((e) => meta(e).status !== 'deleted');
  const valid = live.filter((e) => validVersion(e.server.version));
  const latest = valid.length > 0
    ? valid.reduce((a, b) => (versionGt(b.server.version, a.server.version) ? b : a))
    : live.reduce<ServedEntry | undefined>((a, b) => (!a || meta(b).publishedAt > meta(a).publishedAt ? b : a), undefined);
  if (latest) meta(latest).isLatest = true;
}

/**
 * The data with one version added or replaced (a publish, a status change), kept sorted, `isLatest` computed again
 * for that name. Copies the list: requests under way keep reading the data they started with.
 */
export function withEntry(data: ServedData, entry: ServedEntry, file: string): ServedData {
  const key: [string, string] = [entry.server.name, entry.server.version];
  const entries = [...data.entries];
  let at = 0;
  let high = entries.length;
  while (at < high) {
    const mid = (at + high) >>> 1;
    if (compareKeys([entries[mid]!.server.name, entries[mid]!.server.version], key) < 0) at = mid + 1;
    else high = mid;
  }
  const replacing = entries[at] !== undefined && compareKeys([entries[at]!.server.name, entries[at]!.server.version], key) === 0;
  entries.splice(at, replacing ? 1 : 0, entry);
  let first = at;
  while (first > 0 && entries[first - 1]!.server.name === entry.server.name) first--;
  let end = at + 1;
  while (end < entries.length && entries[end]!.server.name === entry.server.name) end++;
  const isNewName = end - first === 1 && !replacing;
  for (let i = first; i < end; i++) {
    const e = entries[i]!;
    entries[i] = { ...e, _meta: { ...e._meta, [OFFICIAL_META_KEY]: { ...meta(e) } } };
  }
  markLatest(entries.slice(first, end));
  const files = new Map(data.files).set(`${entry.server.name}@${entry.server.version}`, file);
  return { entries, servers: data.servers + (isNewName ? 1 : 0), skipped: data.skipped, files };
}

/** Every version of one name (entries are sorted by name: a binary search, not a scan of 100,000 versions). */
export function versionsOf(data: ServedData, name: string): ServedEntry[] {
  const { entries } = data;
  let [low, high] = [0, entries.length];
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (entries[mid]!.server.name < name) low = mid + 1;
    else high = mid;
  }
  const found: ServedEntry[] = [];
  for (let i = low; i < entries.length && entries[i]!.server.name === name; i++) found.push(entries[i]!);
  return found;
}

const serialized = new WeakMap<ServedEntry, string>();

/** An entry as JSON, made once: a listing page or a static site repeats the same entries many times. */
export function entryJson(entry: ServedEntry): string {
  let text = serialized.get(entry);
  if (text === undefined) serialized.set(entry, (text = JSON.stringify(entry)));
  return text;
}

export function meta(entry: ServedEntry) {
  return entry._meta[OFFICIAL_META_KEY];
}

/** Keys order the listing and cursors: by name, then version, as plain strings (stable and cheap). */
export function compareKeys(a: [string, string], b: [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}

async function jsonFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await jsonFiles(full)));
    else if (entry.isFile() && entry.name.endsWith('.json')) files.push(full);
  }
  return files;
}

async function readJson(file: string, skipped: string[]): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    skipped.push(`${file}: ${error instanceof SyntaxError ? 'not valid JSON' : `cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`}`);
    return undefined;
  }
}
