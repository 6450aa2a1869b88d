import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { failpoint } from '../failpoints.js';
import { casFile, fileMode, type FileEntry } from './cas.js';
import { filesLaidOut } from './dev-files.js';
import type { PackageIndex } from './unpack.js';

/** Where a file cannot be a hard link (another filesystem, a filesystem without them, too many links): a copy. */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

export interface LinkJob {
  location: string;
  index: PackageIndex;
  /** Real, writable copies (a package whose install scripts will write into its folder). */
  copy?: boolean;
  /** false: the package's source maps and type declarations are left out (see dev-files.ts). */
  devFiles?: boolean;
}

export interface LinkResult {
  files: number;
  copied: number;
  /** Packages some of whose files were not in the content store (removed meanwhile): fetch them and link again. */
  missing: LinkJob[];
}

/**
 * Lays out packages in a version folder as hard links into the content store: real folders, real files (every link
 * is the file itself, not a pointer), exactly the paths npm would write, so Node's module resolution, `__dirname`
 * and the entry's absolute bin path behave as in any node_modules. Synchronous on purpose: thousands of link calls
 * cost less than the thread-pool round trips of async ones; the loop yields now and then so the store lock's
 * heartbeat keeps running.
 */
export async function linkPackages(store: string, root: string, jobs: LinkJob[], state: { copyMode?: boolean } = {}): Promise<LinkResult> {
  const result: LinkResult = { files: 0, copied: 0, missing: [] };
  // Each job's files, listed once for the folders, the count and the links.
  const laidOut = jobs.map((job) => filesLaidOut(job.index, job.devFiles !== false));
  makeFolders(root, jobs, laidOut);
  const total = laidOut.reduce((sum, files) => sum + files.length, 0);
  let done = 0;
  for (const [at, job] of jobs.entries()) {
    const base = `${root}/${job.location}`;
    // Dev files wanted from a package unpacked without them: fetched again, like files a prune removed.
    let missing = job.devFiles !== false && job.index.devFiles === false;
    // The paths are normal already (packagePath in unpack.ts made each index's paths, the lock each location):
    // joined by hand, as casFile's.
    for (const [rel, file] of missing ? [] : laidOut[at]!) {
      const dest = `${base}/${rel}`;
      const outcome = placeFile(store, file, dest, Boolean(job.copy), state);
      if (outcome === 'missing') missing = true;
      else if (outcome === 'copied') result.copied++;
      result.files++;
      if (++done === total >> 1) failpoint('during-link');
      if (done % 2000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    if (missing) result.missing.push(job);
  }
  return result;
}

/** Every folder once, parents first, one mkdir each (a recursive mkdir per file costs several system calls). */
function makeFolders(root: string, jobs: LinkJob[], laidOut: Array<Array<[string, FileEntry]>>): void {
  const dirs = new Set<string>();
  for (const [at, job] of jobs.entries()) {
    const parts = job.location.split('/');
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    for (const [rel] of laidOut[at]!) {
      let at = rel.lastIndexOf('/');
      while (at > 0) {
        const dir = `${job.location}/${rel.slice(0, at)}`;
        if (dirs.has(dir)) break;
        dirs.add(dir);
        at = rel.lastIndexOf('/', at - 1);
      }
    }
  }
  mkdirSync(root, { recursive: true });
  for (const dir of [...dirs].sort()) {
    try {
      mkdirSync(`${root}/${dir}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function placeFile(store: string, file: FileEntry, dest: string, copy: boolean, state: { copyMode?: boolean }): 'linked' | 'copied' | 'missing' {
  const source = casFile(store, file.h, file.x);
  try {
    if (copy) return copyOut(source, dest, true);
    if (state.copyMode) return copyOut(source, dest, false);
    try {
      linkSync(source, dest);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') {
        // Two entries at one path (a case-insensitive filesystem, a bundled copy): the later wins, as in npm.
        rmSync(dest, { force: true });
        linkSync(source, dest);
      } else if (NO_LINK.has(code)) {
        state.copyMode = true;
        return copyOut(source, dest, false);
      } else {
        throw error;
      }
    }
    return 'linked';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(source)) return 'missing';
    throw error;
  }
}

/** A copy is read-only like a link (the same rule for every version), unless scripts are to write into it. */
function copyOut(source: string, dest: string, writable: boolean): 'copied' {
  rmSync(dest, { force: true });
  copyFileSync(source, dest);
  const exec = source.endsWith('-exec');
  chmodSync(dest, writable ? (exec ? 0o755 : 0o644) : fileMode(exec));
  return 'copied';
}

/**
 * Replaces a file of a version folder by a hard link to the content store's copy, atomically (a link beside it,
 * renamed over it): a reader sees the old file or the new link, never neither. False where links are impossible.
 */
export function relinkFile(source: string, dest: string): boolean {
  const tmp = `${dest}.mcpm-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    linkSync(source, tmp);
  } catch (error) {
    if (NO_LINK.has((error as NodeJS.ErrnoException).code ?? '')) return false;
    throw error;
  }
  try {
    renameSync(tmp, dest);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  return true;
}
