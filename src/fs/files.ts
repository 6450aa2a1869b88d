import { chmodSync, chownSync, closeSync, constants, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, readlink, copyFile, access, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { McpmError } from '../errors.js';

/**
 * Runs `fn` holding an inter-process lock on `file` (a `<file>.lock` folder beside it, as npm and pnpm do), so
 * two mcpm processes editing the same file both land. The lock names its owner (see owned-lock.ts): one left by a
 * killed mcpm is taken over at once, one of another host (a shared folder) after 10 s without its heartbeat.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  await ensureDir(path.dirname(file));
  // Imported here, not at the top: `mcpm list` and `search` read files without locking and must not load crypto.
  const { withOwnedLock } = await import('./owned-lock.js');
  return withOwnedLock(`${file}.lock`, fn, { busyHint: 'Another mcpm may be running; try again. A lock left by an mcpm on another machine expires after 10 seconds.' });
}

/**
 * Where writing `file` lands: the file itself, or, when it is a symbolic link (a dotfiles repository, say), the file
 * the link names, followed through links, whether it exists yet or not. Writing there keeps the link a link.
 */
export async function linkTarget(file: string): Promise<string> {
  let current = file;
  for (let hop = 0; hop < 40; hop++) {
    let target: string;
    try {
      target = await readlink(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EINVAL' || code === 'ENOENT' || code === 'UNKNOWN') return current; // not a link (or nothing there)
      throw error;
    }
    current = path.resolve(path.dirname(current), target);
  }
  throw new McpmError('EFS', `${file} is a chain of more than 40 symbolic links`, { hint: 'Point it at a file directly.' });
}

/** Removes a file mcpm created; through a link, the file it names (the link stays, as it was before). */
export async function removeFile(file: string): Promise<void> {
  await rm(await linkTarget(file), { force: true });
}

/**
 * Temp file beside the target, fsync, rename: a reader sees the old file or the new one, never a mix. Keeps the
 * file's mode (and, for root, its owner) unless `mode` is given. Synchronous calls, as the lock's: an install makes
 * about ten such writes in a row, and a thread-pool round trip per call cost more than the call.
 */
export async function writeFileAtomicSafe(link: string, text: string, options: { mode?: number } = {}): Promise<void> {
  const file = await linkTarget(link);
  await ensureDir(path.dirname(file));
  try {
    await retryBusy(async () => writeAtomicSync(file, text, options.mode));
  } catch (error) {
    throw new McpmError('EFS', `Cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'Check the disk space and the permissions of that folder; the file was left as it was.',
      cause: error,
    });
  }
}

/** A temporary name beside `file`. Math.random, not node:crypto: commands that only read (search) load this file. */
const tmpBeside = (file: string) => `${file}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`;

function writeAtomicSync(file: string, text: string, mode: number | undefined): void {
  const before = statSync(file, { throwIfNoEntry: false });
  const tmp = tmpBeside(file);
  const keep = mode ?? (before ? before.mode & 0o7777 : undefined);
  const fd = openSync(tmp, 'wx', keep ?? 0o666);
  try {
    try {
      writeFileSync(fd, text, 'utf8');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // open() applies the umask: the mode asked for (or the old file's) is set as it is.
    if (keep !== undefined) chmodSync(tmp, keep);
    if (before && process.getuid?.() === 0) chownSync(tmp, before.uid, before.gid);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new McpmError('EFS', `Cannot read ${file} (${code ?? 'error'})`, {
      hint: code === 'EISDIR' ? 'A folder stands where the file should be; move it away.' : 'Check its permissions.',
      cause: error,
    });
  }
}

/**
 * The first time mcpm changes a file it does not own, it keeps the original beside it as `<file>.mcpm-backup`: copied
 * to a temporary name and renamed, so a full disk or a kill never leaves a truncated backup that would pass for one.
 */
export async function backupOnce(file: string): Promise<void> {
  const backup = `${file}.mcpm-backup`;
  if (await access(backup).then(() => true, () => false)) return;
  const partial = `${backup}.${process.pid}.tmp`;
  try {
    await copyFile(file, partial);
    await rename(partial, backup);
  } catch (error) {
    await rm(partial, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !(await access(file).then(() => true, () => false))) return; // no file: nothing to keep
    throw new McpmError('EFS', `Cannot keep a backup of ${file} (${code ?? 'error'})`, {
      hint: 'Check the disk space and the permissions of that folder; the file was left as it was.',
      cause: error,
    });
  }
}

/**
 * A file the user cannot write is not replaced behind their back (the atomic rename would go around its mode).
 * Root may write anything, as everywhere else.
 */
export async function assertWritable(file: string): Promise<void> {
  try {
    await access(file, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw new McpmError('EFS', `${file} is read-only (${code ?? 'error'})`, {
      hint: 'mcpm does not change files you cannot write: make it writable (chmod u+w) if mcpm should edit it, or choose another client.',
      cause: error,
    });
  }
}

export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new McpmError('EFS', `Cannot create the folder ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'Check that no file stands in its place and that you may write there.',
      cause: error,
    });
  }
}

/**
 * On Windows an editor, a virus scanner or the indexer may hold the file open for a moment, and the rename over
 * it fails with EPERM/EBUSY/EACCES; retrying briefly is what npm and VS Code do too.
 */
async function retryBusy<T>(fn: () => Promise<T>, attempts = process.platform === 'win32' ? 8 : 1): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= attempts || !['EPERM', 'EBUSY', 'EACCES'].includes(code ?? '')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    }
  }
}

/**
 * Whole or absent: a temporary file renamed into place, without locking or fsync, for files whose every writer
 * writes the same content or that a later run can do without (the content store's records, caches).
 */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = tmpBeside(file);
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, file);
}
