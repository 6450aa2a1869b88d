import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { failpoint } from '../failpoints.js';
import { sha256, type FileEntry } from './cas.js';
import { fetchPackage } from './fetch.js';
import { INSTALL_RECORD } from './layout.js';
import { linkPackages, type LinkJob } from './link.js';
import type { NpmOptions } from './npm-config.js';
import { npmCall } from './npm-errors.js';
import type { NpmInstallRecord } from './record.js';
import { scriptedFiles } from './scripts.js';
import { createStaging } from './staging.js';
import { pinVersion, withStoreLock } from './store-lock.js';
import { storeVersionLock, storeVersionPackage, writeTreeRecord, type LockPackages, type TreePackage } from './tree.js';
import { indexFile, writeIndex, type PackageIndex } from './unpack.js';

export interface VersionJob {
  target: string;
  options: NpmOptions;
  spec: string;
  identifier: string;
  version: string;
  tree: LockPackages;
  treeKey: string;
  /** Remember the tree in the content store (not when it came from there). */
  writeTree: boolean;
  packages: TreePackage[];
  indexes: Map<string, PackageIndex>;
  allowScripts: boolean;
  /** Keep the packages' source maps and type declarations (see dev-files.ts). */
  devFiles: boolean;
  record: NpmInstallRecord;
}

/**
 * Builds a version folder from packages whose files are in the content store, under the store lock (so prune
 * cannot collect a file between its check and its link), and renames it into place. Returns false when another
 * mcpm put the same version in place first (theirs is whole; it is used).
 */
export async function buildVersion(ctx: Context, job: VersionJob): Promise<boolean> {
  const store = ctx.paths.store;
  return withStoreLock(ctx, async () => {
    if (existsSync(path.join(job.target, INSTALL_RECORD))) {
      await pinVersion(store, job.target);
      return false;
    }
    const { dir: staging, done } = await createStaging(store);
    try {
      const jobs: LinkJob[] = job.packages.map((p) => ({ location: p.location, index: job.indexes.get(p.integrity)!, copy: job.allowScripts && p.hasInstallScript, devFiles: job.devFiles }));
      const state = {};
      ctx.out.progress(`Linking ${job.spec} and its dependencies from the store`);
      const linked = await linkPackages(store, staging, jobs, state);
      if (linked.missing.length > 0) {
        // Files removed since they were checked (a prune, a person): fetch those packages again and link them.
        for (const missing of linked.missing) {
          const pkg = job.packages.find((p) => p.location === missing.location)!;
          missing.index = await fetchPackage(store, job.options, pkg, job.spec, job.devFiles);
        }
        const again = await linkPackages(store, staging, linked.missing, state);
        if (again.missing.length > 0) {
          throw new McpmError('EFS', `Files of ${again.missing.map((m) => m.location).join(', ')} vanish from the store as they are written`, {
            hint: 'Something else is removing files under the store folder; stop it and try again.',
          });
        }
      }
      // A package's presence in the store is recorded once its files are there; prune may have dropped the record.
      for (const { index } of jobs) if (!existsSync(indexFile(store, index.integrity))) await writeIndex(store, index);

      const own: Record<string, FileEntry> = {};
      const writeOwn = async (name: string, value: unknown) => {
        const text = `${JSON.stringify(value, null, 2)}\n`;
        await writeFile(path.join(staging, name), text, { mode: 0o444 });
        own[name] = { h: sha256(text), s: Buffer.byteLength(text) };
      };
      await writeOwn('package.json', storeVersionPackage(job.identifier, job.version));
      await writeOwn('package-lock.json', storeVersionLock(job.identifier, job.version, job.tree));
      const scripted = jobs.filter((j) => j.copy);
      const record: NpmInstallRecord = {
        ...job.record,
        layout: 'cas',
        tree: job.treeKey,
        packages: Object.fromEntries(jobs.filter((j) => !j.copy).map((j) => [j.location, j.index.integrity])),
        own,
        ...(job.devFiles ? {} : { devFiles: false as const }),
      };
      if (job.allowScripts) {
        record.scripts = true;
        if (scripted.length > 0) {
          ctx.out.progress(`Running the install scripts of ${scripted.map((j) => j.location.slice(j.location.lastIndexOf('node_modules/') + 13)).join(', ')}`);
          await runScripts(staging, job);
          record.scripted = await scriptedFiles(staging, scripted.map((j) => j.location), jobs.map((j) => j.location));
        }
      }
      await writeFile(path.join(staging, INSTALL_RECORD), `${JSON.stringify(record, null, 2)}\n`);
      await mkdir(path.dirname(job.target), { recursive: true });
      failpoint('before-store-rename');
      await pinVersion(store, job.target);
      await rename(staging, job.target);
      failpoint('after-store-rename');
      if (job.writeTree) {
        await writeTreeRecord(store, { key: job.treeKey, identifier: job.identifier, version: job.version, integrity: job.record.integrity ?? '', packages: job.tree, ...(job.record.supply ? { supply: job.record.supply } : {}) }).catch(() => undefined);
      }
      return true;
    } catch (error) {
      throw asStoreError(error, job.target);
    } finally {
      await done();
    }
  });
}

/** A file system failure while building (a full disk, a read-only folder) names the folder, never a stack trace. */
function asStoreError(error: unknown, target: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (error instanceof McpmError || !code) return error;
  return new McpmError('EFS', `Cannot write the store version ${target} (${code})`, {
    hint: 'Check the disk space and the permissions of the store folder; nothing was installed.',
    cause: error,
  });
}

/** The install scripts of the packages laid out as copies, run by arborist in dependency order. */
async function runScripts(staging: string, job: VersionJob): Promise<void> {
  const { default: Arborist } = await import('@npmcli/arborist');
  const arborist = new Arborist({ ...job.options, path: staging, ignoreScripts: false, audit: false, fund: false });
  await npmCall(job.spec, () => arborist.rebuild({}));
}
