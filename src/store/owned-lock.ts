import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { McpmError } from '../errors.js';
import { onInterrupt } from '../interrupt.js';

interface Owner {
  pid: number;
  host: string;
  token: string;
}

const HEARTBEAT_MS = 2_000;
/** A lock whose owner cannot be asked (another host) is taken over when its heartbeat is this old. */
const STALE_MS = 10_000;

/**
 * An inter-process lock that knows its owner, for the store lock: a process killed while holding it (kill -9, a
 * crash) releases it at once, not after a stale timeout, because the next mcpm sees that the owner's pid is gone.
 *
 * The lock is a folder `<name>` holding an `owner` file. It is made whole elsewhere and renamed into place, which
 * fails while a lock is there (a folder that is not empty cannot be replaced), so owner and lock appear together.
 * A lock whose owner is dead (same host) or silent for STALE_MS (another host) is moved aside under a unique name,
 * and removed only if it is the one that was judged dead; a live lock moved aside by a race is put back.
 */
export async function withOwnedLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const me: Owner = { pid: process.pid, host: os.hostname(), token: randomBytes(8).toString('hex') };
  for (let attempt = 0; ; attempt++) {
    if (tryAcquire(lock, me)) break;
    takeOverIfAbandoned(lock);
    if (attempt >= 200) {
      throw new McpmError('EFS', `Cannot lock ${lock} (busy)`, { hint: 'Another mcpm is working on the store (an install or a prune); try again when it is done.' });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, 5 * 1.2 ** attempt) * (0.5 + Math.random())));
  }
  const ownerFile = path.join(lock, 'owner');
  const heartbeat = setInterval(() => {
    try {
      utimesSync(ownerFile, new Date(), new Date());
    } catch {
      // the folder is gone: nothing to keep alive
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  // Ctrl-C ends the process at once (see interrupt.ts): the lock goes with it.
  const forget = onInterrupt(() => release(lock, me));
  try {
    return await fn();
  } finally {
    forget();
    clearInterval(heartbeat);
    release(lock, me);
  }
}

function tryAcquire(lock: string, me: Owner): boolean {
  const ready = `${lock}.${me.token}.new`;
  try {
    mkdirSync(ready, { recursive: true });
    writeFileSync(path.join(ready, 'owner'), JSON.stringify(me));
  } catch (error) {
    rmSync(ready, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new McpmError('EFS', `Cannot lock ${lock} (${code ?? 'error'})`, {
      hint: 'Check the permissions of that folder and the disk space; nothing was changed there.',
      cause: error,
    });
  }
  try {
    renameSync(ready, lock);
    return true;
  } catch (error) {
    rmSync(ready, { recursive: true, force: true });
    // Held: a folder that is not empty cannot be replaced (Windows refuses any folder).
    if (['EEXIST', 'ENOTEMPTY', 'EPERM', 'EACCES', 'EBUSY'].includes((error as NodeJS.ErrnoException).code ?? '')) return false;
    throw error;
  }
}

function readOwner(lock: string): Owner | 'missing' | 'unreadable' {
  try {
    return JSON.parse(readFileSync(path.join(lock, 'owner'), 'utf8')) as Owner;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
}

function abandoned(lock: string, owner: Owner): boolean {
  if (owner.host === os.hostname()) return !processAlive(owner.pid);
  try {
    return Date.now() - statSync(path.join(lock, 'owner')).mtimeMs > STALE_MS;
  } catch {
    return false;
  }
}

function takeOverIfAbandoned(lock: string): void {
  const owner = readOwner(lock);
  if (owner === 'missing' || owner === 'unreadable' || !abandoned(lock, owner)) return;
  const aside = `${lock}.${randomBytes(6).toString('hex')}.dead`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = readOwner(aside);
  if (moved !== 'missing' && moved !== 'unreadable' && moved.token !== owner.token) {
    // A race moved a live lock aside: put it back (it is ours to return; no one can hold the name meanwhile but a
    // lock made in these microseconds, and then the rename fails and that one stands).
    try {
      renameSync(aside, lock);
      return;
    } catch {
      // fall through and clear it
    }
  }
  rmSync(aside, { recursive: true, force: true });
}

function release(lock: string, me: Owner): void {
  const owner = readOwner(lock);
  if (owner === 'missing' || owner === 'unreadable' || owner.token !== me.token) return;
  const gone = `${lock}.${me.token}.released`;
  try {
    renameSync(lock, gone);
    rmSync(gone, { recursive: true, force: true });
  } catch {
    // already gone
  }
}

/** The process exists (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
