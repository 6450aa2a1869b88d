import { existsSync } from 'node:fs';
import { lstat, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { casFile, casRoot, hashFile, sha256, type FileEntry } from './cas.js';
import { INSTALL_RECORD, listVersionDirs } from './layout.js';
import { relinkFile } from './link.js';
import { npmOptions } from './npm-checks.js';
import type { NpmOptions } from './npm-config.js';
import { readRecord } from './record.js';
import { selectPackages, type LockPackages, type TreePackage } from './tree.js';
import { writeJsonAtomic } from '../fs/files.js';
import { readIndex, unpackTarball, writeIndex, type PackageIndex } from './unpack.js';

/** Written once every version folder of a store from before the content store has been moved onto it. */
export const layoutMarker = (store: string) => path.join(casRoot(store), 'layout.json');

/**
 * A store from before the content store (plain files in every version folder) is moved onto it the first time the
 * store lock is taken: each package's files are found in the npm cache by integrity (never downloaded again; a
 * package whose tarball is not there keeps its files as they are), and every file of the version folder that is
 * still what the package shipped becomes a link into the content store. A file that differs (a server wrote into
 * it) or that the package did not ship stays as it is. Each replacement is atomic and the version's record is
 * rewritten last, so a kill leaves a version working and the next run finishes the job.
 */
export async function migrateIfNeeded(ctx: Context): Promise<void> {
  const store = ctx.paths.store;
  if (existsSync(layoutMarker(store))) return;
  const old: string[] = [];
  for (const dir of await listVersionDirs(store)) {
    const record = await readRecord(dir);
    if (record && record.layout !== 'cas' && existsSync(path.join(dir, 'package-lock.json')) && existsSync(path.join(dir, 'node_modules'))) old.push(dir);
  }
  if (old.length > 0) {
    ctx.out.note(`Moving ${old.length} store version${old.length === 1 ? '' : 's'} onto the shared content store (once)`);
    const options = { ...npmOptions(ctx, { registryBaseUrl: undefined }), offline: true };
    for (const dir of old) await migrateVersion(store, options, dir).catch((error) => ctx.out.warn(`Left ${dir} as it was: ${(error as Error).message}`));
  }
  await writeJsonAtomic(layoutMarker(store), { layout: 'cas', since: new Date(ctx.now()).toISOString() });
}

async function migrateVersion(store: string, options: NpmOptions, dir: string): Promise<void> {
  const record = (await readRecord(dir))!;
  const lock = JSON.parse(await readFile(path.join(dir, 'package-lock.json'), 'utf8')) as { packages?: LockPackages };
  const packages = selectPackages(lock.packages ?? {}, `${record.identifier}@${record.version}`).filter((p) => existsSync(path.join(dir, ...p.location.split('/'))));
  const linked: Record<string, string> = {};
  const unindexed: string[] = [];
  for (const pkg of packages) {
    const index = (await readIndex(store, pkg.integrity)) ?? (await fromCache(store, options, pkg));
    if (!index) {
      unindexed.push(pkg.location);
      continue;
    }
    await relinkUnchanged(store, path.join(dir, ...pkg.location.split('/')), index);
    linked[pkg.location] = pkg.integrity;
  }
  const own: Record<string, FileEntry> = {};
  for (const name of ['package.json', 'package-lock.json']) {
    const data = await readFile(path.join(dir, name)).catch(() => undefined);
    if (data) own[name] = { h: sha256(data), s: data.length };
  }
  await writeJsonAtomic(path.join(dir, INSTALL_RECORD), { ...record, layout: 'cas', packages: linked, own, ...(unindexed.length ? { unindexed } : {}) });
}

/** The package's tarball from the npm cache only (offline), unpacked into the content store. */
async function fromCache(store: string, options: NpmOptions, pkg: TreePackage): Promise<PackageIndex | undefined> {
  try {
    const { default: pacote } = await import('pacote');
    const tarball = await pacote.tarball(`${pkg.name}@${pkg.version}`, { ...options, integrity: pkg.integrity, resolved: pkg.resolved });
    const index = await unpackTarball(store, tarball, { name: pkg.name, version: pkg.version, integrity: pkg.integrity });
    await writeIndex(store, index);
    return index;
  } catch {
    return undefined;
  }
}

/** Each file that is byte for byte what the package shipped becomes a link into the content store. */
async function relinkUnchanged(store: string, packageDir: string, index: PackageIndex): Promise<void> {
  for (const [rel, file] of Object.entries(index.files)) {
    const dest = path.join(packageDir, ...rel.split('/'));
    const info = await lstat(dest).catch(() => undefined);
    if (!info?.isFile() || info.size !== file.s) continue;
    const source = casFile(store, file.h, file.x);
    const stored = await stat(source).catch(() => undefined);
    if (!stored || (stored.ino === info.ino && stored.dev === info.dev)) continue;
    if ((await hashFile(dest)) !== file.h) continue;
    if (!relinkFile(source, dest)) return;
  }
}
