import { lstatSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { casFile, hashFile } from './cas.js';
import { INSTALL_RECORD } from './layout.js';
import { readRecord } from './record.js';
import { filesLaidOut } from './dev-files.js';
import { readIndex } from './unpack.js';

/** A file mcpm put in a store version folder. */
export interface InstalledFile {
  /** Relative to the version folder, '/' separated. */
  path: string;
  /** SHA-256 of the content mcpm put there, hex. */
  hash: string;
  size: number;
  executable: boolean;
}

/** A file in a store version folder that is not what mcpm put there: the user's (or the server's) data. */
export interface UserFile {
  path: string;
  /** created: mcpm put nothing at that path; changed: mcpm put a file there and its content is no longer that. */
  reason: 'created' | 'changed';
}

/**
 * Which files of an npm store version folder are mcpm's: every file of every package it unpacked there (from the
 * content store's index of each package, as the version's record lists them), the files of packages whose install
 * scripts ran (as they were right after), and mcpm's own package.json, package-lock.json and mcpm-install.json.
 * Undefined when the folder does not say (a pypi or mcpb version, or a version of a package whose tarball was not
 * in the cache when an old store was moved onto the content store): then every file there must be taken as data.
 */
export async function installedFiles(storePath: string): Promise<InstalledFile[] | undefined> {
  const record = await readRecord(storePath);
  if (!record || record.layout !== 'cas' || !record.packages || (record.unindexed?.length ?? 0) > 0) return undefined;
  const store = storeOf(storePath);
  const out: InstalledFile[] = [];
  for (const [location, integrity] of Object.entries(record.packages)) {
    const index = await readIndex(store, integrity);
    if (!index) return undefined;
    for (const [rel, file] of filesLaidOut(index, record.devFiles !== false)) out.push({ path: `${location}/${rel}`, hash: file.h, size: file.s, executable: file.x === 1 });
  }
  for (const [location, files] of Object.entries(record.scripted ?? {})) {
    for (const [rel, file] of Object.entries(files)) out.push({ path: `${location}/${rel}`, hash: file.h, size: file.s, executable: file.x === 1 });
  }
  for (const [name, file] of Object.entries(record.own ?? {})) out.push({ path: name, hash: file.h, size: file.s, executable: false });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The files of a store version folder that mcpm did not put there, or that changed since: what a server wrote into
 * its own folder (a cache, a database, settings). A file still linked to the content store's copy is taken as
 * unchanged without reading it (the copy is read-only; `verify` hashes it anyway, for a server run as root, which
 * read-only modes do not stop); any other is compared by its hash. Undefined when installedFiles cannot tell.
 */
export async function userFiles(storePath: string, options: { verify?: boolean } = {}): Promise<UserFile[] | undefined> {
  const installed = await installedFiles(storePath);
  if (!installed) return undefined;
  const store = storeOf(storePath);
  const known = new Map(installed.map((file) => [file.path, file]));
  // In walk order; a file whose content must be read to tell is hashed after the walk, keeping its place.
  const out: Array<UserFile | { path: string; file: string; hash: string }> = [];
  // Synchronous: a version folder has thousands of files, and a thread-pool round trip per lstat costs more than it.
  const walk = (relative: string) => {
    const dir = relative ? path.join(storePath, ...relative.split('/')) : storePath;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const rel = relative ? `${relative}/${name}` : name;
      let info;
      try {
        info = lstatSync(path.join(dir, name));
      } catch {
        continue;
      }
      if (info.isDirectory()) {
        walk(rel);
        continue;
      }
      if (rel === INSTALL_RECORD) continue;
      const mine = known.get(rel);
      if (!mine || !info.isFile()) {
        out.push({ path: rel, reason: 'created' });
        continue;
      }
      if (info.size !== mine.size) {
        out.push({ path: rel, reason: 'changed' });
        continue;
      }
      let stored;
      try {
        stored = statSync(casFile(store, mine.hash, mine.executable));
      } catch {
        stored = undefined;
      }
      const linked = stored && stored.ino === info.ino && stored.dev === info.dev;
      // A link to the stored copy is unchanged unless the stored copy itself was (doctor checks those).
      if (!linked || options.verify) out.push({ path: rel, file: path.join(dir, name), hash: mine.hash });
    }
  };
  walk('');
  const found: UserFile[] = [];
  for (const item of out) {
    if ('reason' in item) found.push(item);
    else if ((await hashFile(item.file)) !== item.hash) found.push({ path: item.path, reason: 'changed' });
  }
  return found;
}

/** `<store>/<namespace>/<name>/<version>` -> `<store>`. */
function storeOf(storePath: string): string {
  return path.resolve(storePath, '..', '..', '..');
}
