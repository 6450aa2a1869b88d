import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import path from 'node:path';

/**
 * The content-addressed file store, as pnpm's: every file of every npm package once, named by the SHA-256 of its
 * content, read-only. Store version folders are trees of hard links into it, so the MCP SDK that ten servers use
 * is on disk once. Layout under `<store>/.cas/`:
 *
 *   files/<2 hex>/<62 hex>[-exec]   the content; mode 0444, or 0555 for executables (a separate entry, since the
 *                                   mode belongs to the inode that every link shares)
 *   index/<2 hex>/<62 hex>.json     one per package tarball, named by the SHA-256 of its npm integrity string:
 *                                   its files (path -> hash, size, executable). Written after its files are in place.
 *   trees/<2 hex>/<62 hex>.json     one per npm package version installed (registry + name + version): the
 *                                   package-lock `packages` it was installed with, so installing it again needs no
 *                                   resolution. Written after the version folder is in place.
 *   tmp/                            files being written; renamed into files/ once whole
 *   store.lock/                     the store lock (installs link under it, prune collects under it)
 *
 * Every write is a whole temporary file renamed into place, so a kill leaves a file whole or absent, never half.
 * A file's name is its content's hash, so writing one that exists already is skipped, and writing it twice is the
 * same file.
 */
export const CAS = '.cas';

export interface FileEntry {
  /** SHA-256 of the content, hex. */
  h: string;
  /** Size in bytes. */
  s: number;
  /** Executable (stored as a separate -exec file). */
  x?: 1;
}

export const casRoot = (store: string) => path.join(store, CAS);

const filesRoots = new Map<string, string>();

export function casFile(store: string, hash: string, exec: boolean | 1 | undefined): string {
  let root = filesRoots.get(store);
  if (root === undefined) filesRoots.set(store, (root = path.join(store, CAS, 'files')));
  // Called for every file an install links (thousands): joined by hand under a root joined once, since path.join
  // would only re-check what is already normal, and that cost an install about 10 ms.
  return `${root}${path.sep}${hash.slice(0, 2)}${path.sep}${hash.slice(2)}${exec ? '-exec' : ''}`;
}

/** `<2 hex>/<62 hex>.json` under index/ or trees/, for any key. */
export function keyedJson(store: string, kind: 'index' | 'trees', key: string): string {
  const hash = createHash('sha256').update(key).digest('hex');
  return path.join(store, CAS, kind, hash.slice(0, 2), `${hash.slice(2)}.json`);
}

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Read-only: a server writing into its own folder cannot change a file that other versions share. */
export const fileMode = (exec: boolean | 1 | undefined) => (exec ? 0o555 : 0o444);

const made = new Set<string>();
function ensureDirSync(dir: string): void {
  if (made.has(dir)) return;
  mkdirSync(dir, { recursive: true });
  made.add(dir);
}

function tmpName(store: string): string {
  const dir = path.join(store, CAS, 'tmp');
  ensureDirSync(dir);
  return path.join(dir, `${process.pid}-${randomBytes(6).toString('hex')}`);
}

/**
 * Puts content into the store (synchronously: a package's files are small and many, and thread-pool round trips
 * would cost more than the writes). Returns its hash. Content already there is not written again.
 */
export function putBuffer(store: string, data: Buffer, exec: boolean): string {
  const hash = sha256(data);
  const target = casFile(store, hash, exec);
  if (existsSync(target)) return hash;
  const tmp = tmpName(store);
  const fd = openSync(tmp, 'wx', fileMode(exec));
  try {
    try {
      for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at);
    } finally {
      closeSync(fd);
    }
    ensureDirSync(path.dirname(target));
    renameSync(tmp, target);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  return hash;
}

/** A large file written in pieces as it is read (a 200 MB file is never held in memory), then renamed by its hash. */
export class LargeFileWriter {
  private readonly tmp: string;
  private readonly fd: number;
  private readonly hasher = createHash('sha256');
  size = 0;

  constructor(private readonly store: string, private readonly exec: boolean) {
    this.tmp = tmpName(store);
    this.fd = openSync(this.tmp, 'wx', fileMode(exec));
  }

  write(chunk: Buffer): void {
    this.hasher.update(chunk);
    for (let at = 0; at < chunk.length; ) at += writeSync(this.fd, chunk, at, chunk.length - at);
    this.size += chunk.length;
  }

  finish(): string {
    closeSync(this.fd);
    const hash = this.hasher.digest('hex');
    const target = casFile(this.store, hash, this.exec);
    if (existsSync(target)) {
      rmSync(this.tmp, { force: true });
    } else {
      ensureDirSync(path.dirname(target));
      renameSync(this.tmp, target);
    }
    return hash;
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.tmp, { force: true });
  }
}

/** SHA-256 of a file on disk, streamed. */
export function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hasher = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hasher.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hasher.digest('hex')));
  });
}
