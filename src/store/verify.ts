import { readFile, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { casFile, casRoot, hashFile } from './cas.js';
import { fetchPackage } from './fetch.js';
import { listVersionDirs } from './layout.js';
import { relinkFile } from './link.js';
import { npmOptions } from './npm-checks.js';
import { readRecord } from './record.js';
import { withStoreLock } from './store-lock.js';
import type { LockPackages } from './tree.js';
import { indexFile, readIndex } from './unpack.js';
import { rm } from 'node:fs/promises';

export interface CorruptFile {
  /** The content store's file. */
  file: string;
  hash: string;
  exec: boolean;
  /** Version folders that link it. */
  usedBy: string[];
}

/** Every file of the content store read and hashed: one whose content is not its name is corrupt. */
export async function verifyStore(store: string): Promise<CorruptFile[]> {
  const root = path.join(casRoot(store), 'files');
  const corrupt: CorruptFile[] = [];
  for (const shard of (await readdir(root).catch(() => [] as string[])).sort()) {
    for (const name of (await readdir(path.join(root, shard)).catch(() => [] as string[])).sort()) {
      const exec = name.endsWith('-exec');
      const hash = shard + name.replace(/-exec$/, '');
      const file = path.join(root, shard, name);
      if ((await hashFile(file).catch(() => '')) !== hash) corrupt.push({ file, hash, exec, usedBy: [] });
    }
  }
  if (corrupt.length > 0) {
    const bad = new Set(corrupt.map((c) => `${c.hash}${c.exec ? '-exec' : ''}`));
    for (const { dir, affected } of await affectedVersions(store, bad)) {
      for (const c of corrupt) if (affected.some((a) => a.files.includes(`${c.hash}${c.exec ? '-exec' : ''}`))) c.usedBy.push(dir);
    }
  }
  return corrupt;
}

interface Affected {
  location: string;
  integrity: string;
  /** hash[-exec] of its corrupt files, and the paths inside the package that hold them. */
  files: string[];
  paths: string[];
}

async function affectedVersions(store: string, bad: Set<string>): Promise<Array<{ dir: string; affected: Affected[] }>> {
  const out: Array<{ dir: string; affected: Affected[] }> = [];
  for (const dir of await listVersionDirs(store)) {
    const record = await readRecord(dir);
    const affected: Affected[] = [];
    for (const [location, integrity] of Object.entries(record?.packages ?? {})) {
      const index = await readIndex(store, integrity);
      if (!index) continue;
      const hit = Object.entries(index.files).filter(([, f]) => bad.has(`${f.h}${f.x ? '-exec' : ''}`));
      if (hit.length > 0) affected.push({ location, integrity, files: hit.map(([, f]) => `${f.h}${f.x ? '-exec' : ''}`), paths: hit.map(([p]) => p) });
    }
    if (affected.length > 0) out.push({ dir, affected });
  }
  return out;
}

/**
 * Repairs corrupt files under the store lock: the bad copies leave the content store, each package that had one is
 * fetched again (its tarball checked against its integrity, from the npm cache or the registry), and in every version
 * folder that linked a bad copy the file is replaced, atomically, by a link to the good one. Files a server created
 * or changed there are left alone. Returns the version folders repaired.
 */
export async function repairStore(ctx: Context, corrupt: CorruptFile[]): Promise<string[]> {
  const store = ctx.paths.store;
  return withStoreLock(ctx, async () => {
    const bad = new Set(corrupt.map((c) => `${c.hash}${c.exec ? '-exec' : ''}`));
    const badInodes = new Set<string>();
    for (const c of corrupt) {
      const info = await stat(c.file).catch(() => undefined);
      if (info) badInodes.add(`${info.dev}:${info.ino}`);
      await unlink(c.file).catch(() => undefined);
    }
    const versions = await affectedVersions(store, bad);
    const refetched = new Map<string, Awaited<ReturnType<typeof fetchPackage>>>();
    const options = npmOptions(ctx, { registryBaseUrl: undefined });
    for (const { dir, affected } of versions) {
      const lock = JSON.parse(await readFile(path.join(dir, 'package-lock.json'), 'utf8')) as { packages?: LockPackages };
      for (const a of affected) {
        let index = refetched.get(a.integrity);
        if (!index) {
          const entry = lock.packages?.[a.location] ?? {};
          await rm(indexFile(store, a.integrity), { force: true });
          const name = entry.name ?? a.location.slice(a.location.lastIndexOf('node_modules/') + 13);
          index = await fetchPackage(store, options, { name, version: entry.version ?? '', resolved: entry.resolved ?? '', integrity: a.integrity }, `${name}@${entry.version}`);
          refetched.set(a.integrity, index);
        }
        for (const rel of a.paths) {
          const dest = path.join(dir, ...a.location.split('/'), ...rel.split('/'));
          const info = await stat(dest).catch(() => undefined);
          if (info && !badInodes.has(`${info.dev}:${info.ino}`)) continue; // not the bad copy any more: someone's own file
          const file = index.files[rel]!;
          relinkFile(casFile(store, file.h, file.x), dest);
        }
      }
    }
    return versions.map((v) => v.dir);
  });
}
