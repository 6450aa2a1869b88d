import { readFileSync } from 'node:fs';
import path from 'node:path';
import clean from 'semver/functions/clean.js';
import { McpmError } from '../errors.js';
import { casFile, keyedJson, LargeFileWriter, putBuffer, sha256, type FileEntry } from './cas.js';
import { isDevFile } from './dev-files.js';
import { writeJsonAtomic } from '../fs/files.js';

/** One package tarball's files in the content store: written after every file is in place, read instead of the tarball. */
export interface PackageIndex {
  name: string;
  version: string;
  integrity: string;
  /** Path inside the package ('/' separated) -> its content. */
  files: Record<string, FileEntry>;
  /** false: the package's dev files (dev-files.ts) are listed but their content was not stored. */
  devFiles?: false;
}

export const indexFile = (store: string, integrity: string) => keyedJson(store, 'index', integrity);

/** Read synchronously: an install reads a hundred of these small files, and thread-pool round trips cost more. */
export async function readIndex(store: string, integrity: string): Promise<PackageIndex | undefined> {
  try {
    const index = JSON.parse(readFileSync(indexFile(store, integrity), 'utf8')) as PackageIndex;
    return index.integrity === integrity && index.files && typeof index.files === 'object' ? index : undefined;
  } catch {
    return undefined;
  }
}

export const writeIndex = (store: string, index: PackageIndex) => writeJsonAtomic(indexFile(store, index.integrity), index);

/** Files above this size are written in pieces as they are read rather than held in memory. */
const LARGE = 8 << 20;

/**
 * Unpacks a package tarball (already checked against its integrity) into the content store and returns its index.
 * What lands is what npm's own extraction would put on disk: the first path component stripped, regular files
 * only (links, devices and fifos are dropped), nothing that walks up or is absolute, `.gitignore` named
 * `.npmignore` as npm names it, and the package's bins executable.
 */
export async function unpackTarball(store: string, tarball: Buffer, meta: { name: string; version: string; integrity: string }, options: { devFiles: boolean } = { devFiles: true }): Promise<PackageIndex> {
  const { Parser } = await import('tar');
  const files = new Map<string, FileEntry>();
  const dirs = new Set<string>();
  const ignores = new Set<string>();
  let manifest: Buffer | undefined;
  let leftOut = false;
  const add = (rel: string, entry: FileEntry) => {
    // A later entry replaces an earlier one at the same path, and a file where a folder is needed gives way.
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      files.delete(dir);
      dirs.add(dir);
    }
    if (dirs.has(rel)) for (const other of [...files.keys()]) if (other.startsWith(`${rel}/`)) files.delete(other);
    dirs.delete(rel);
    files.set(rel, entry);
  };
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({ strict: false });
    parser.on('entry', (entry) => {
      const rel = packagePath(entry.path);
      if (rel === undefined || !/^(File|OldFile|ContiguousFile)$/.test(entry.type)) {
        entry.resume();
        return;
      }
      let target = rel;
      const base = path.posix.basename(rel);
      if (base === '.npmignore') ignores.add(rel);
      if (base === '.gitignore') {
        target = rel.replace(/\.gitignore$/, '.npmignore');
        if (ignores.has(target)) {
          entry.resume();
          return;
        }
      }
      const exec = ((entry.mode ?? 0) & 0o111) !== 0;
      if (entry.size > LARGE) {
        const writer = new LargeFileWriter(store, exec);
        entry.on('data', (chunk: Buffer) => writer.write(chunk));
        entry.on('error', () => writer.abort());
        entry.on('end', () => add(target, { h: writer.finish(), s: writer.size, ...(exec ? { x: 1 as const } : {}) }));
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => {
        const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        if (target === 'package.json') manifest = data;
        // A dev file left out is still listed (the index is the whole tarball), its content not stored.
        const stored = options.devFiles || !isDevFile(meta.name, target);
        if (!stored) leftOut = true;
        add(target, { h: stored ? putBuffer(store, data, exec) : sha256(data), s: data.length, ...(exec ? { x: 1 as const } : {}) });
      });
    });
    parser.on('error', reject);
    parser.on('abort', reject);
    parser.on('end', () => resolve());
    parser.end(tarball);
  });
  const json = parseManifest(manifest);
  if (typeof json.name === 'string' && typeof json.version === 'string') assertSamePackage(meta, { name: json.name, version: json.version });
  for (const bin of binPaths(json.bin)) {
    const file = files.get(bin);
    // As npm does: a declared bin is executable whatever its mode in the tarball.
    if (file && !file.x) files.set(bin, { ...file, h: putBuffer(store, readFileSync(casFile(store, file.h, false)), true), x: 1 });
  }
  return { ...meta, files: Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), ...(leftOut ? { devFiles: false as const } : {}) };
}

/**
 * The store and npm's cache find a tarball by its integrity alone, so a lock that gives a package the integrity of
 * another tarball (another package, or an older version of the same one, already in the cache or in the same
 * install) would get that tarball, genuine and matching its hash, under the wrong name. The package.json inside
 * says what the tarball is; it must be the package the tree wants.
 */
export function assertSamePackage(wanted: { name: string; version: string }, found: { name: string; version: string }): void {
  const version = (v: string) => clean(v, { loose: true }) ?? v.trim();
  if (found.name === wanted.name && (found.version === wanted.version || version(found.version) === version(wanted.version))) return;
  throw new McpmError('EINTEGRITY', `The tarball given for ${wanted.name}@${wanted.version} is ${found.name}@${found.version}: the lock gives it another package's integrity`, {
    hint: 'Nothing was installed. Remove that entry from the lock file (or the whole lock) and install again.',
  });
}

/** A tarball's package.json, or {} when it has none or it does not parse. */
function parseManifest(manifest: Buffer | undefined): { name?: unknown; version?: unknown; bin?: unknown } {
  try {
    const json = JSON.parse(manifest?.toString('utf8') ?? '') as unknown;
    return json && typeof json === 'object' ? json : {};
  } catch {
    return {};
  }
}

/** The path inside the package, or undefined for a path that is empty, walks up or would leave the folder. */
export function packagePath(raw: string): string | undefined {
  const parts = raw.replaceAll('\\', '/').replace(/^([a-zA-Z]:)?\/+/, '').split('/').slice(1);
  const kept = parts.filter((part) => part !== '' && part !== '.');
  if (kept.length === 0 || kept.some((part) => part === '..' || part.includes('\0'))) return undefined;
  return kept.join('/');
}

function binPaths(bin: unknown): string[] {
  const values = typeof bin === 'string' ? [bin] : bin && typeof bin === 'object' ? Object.values(bin) : [];
  return values.filter((v): v is string => typeof v === 'string').map((v) => packagePath(`package/${v}`)).filter((v): v is string => v !== undefined);
}
