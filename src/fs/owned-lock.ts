import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
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
/** A lock whose owner cannot be asked (another host, or no owner file) is taken over when it is this old. */
const STALE_MS = 10_000;

export interface LockOptions {
  /** What to tell the user when the lock stays busy (a minute of retries). */
  busyHint: string;
}

/**
 * An inter-process lock that knows its owner, for the store and for every file mcpm edits: a process killed while
 * holding it (kill -9, a crash) releases it at once, not after a stale timeout, because the next mcpm sees that the
 * owner's pid is gone.
 *
 * The lock is a folder `<name>` holding an `owner` file. It is taken with mkdir (which fails while any lock is there)
 * and the owner is then written with O_EXCL. Both steps keep locks of older mcpm versions meaningful: their file
 * locks were empty folders kept fresh by their mtime (proper-lockfile), their store lock a folder renamed into
 * place with its owner. A lock whose owner is dead (same host), silent for STALE_MS (another host), or that has no
 * owner and has not been touched for STALE_MS, is moved aside under a unique name and removed only if it is still
 * the one that was judged abandoned; a live lock moved aside by a race is put back. While held, the heartbeat
 * touches the folder and its owner file.
 */
export async function withOwnedLock<T>(lock: string, fn: () => Promise<T>, options: LockOptions): Promise<T> {
  const me: Owner = { pid: process.pid, host: os.hostname(), token: randomBytes(8).toString('hex') };
  for (let attempt = 0; ; attempt++) {
    if (tryAcquire(lock, me)) break;
    takeOverIfAbandoned(lock);
    if (attempt >= 200) throw new McpmError('EFS', `Cannot lock ${lock} (busy)`, { hint: options.busyHint });
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, 5 * 1.2 ** attempt) * (0.5 + Math.random())));
  }
  const ownerFile = path.join(lock, 'owner');
  const heartbeat = setInterval(() => {
    const now = new Date();
    for (const touched of [lock, ownerFile]) {
      try {
        utimesSync(touched, now, now);
      } catch {
        // the folder is gone: nothing to keep alive
      }
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
  try {
    mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw cannotLock(lock, error);
  }
  try {
    // O_EXCL: if an older mcpm replaced the empty folder with its own whole lock meanwhile, that lock stands.
    writeFileSync(path.join(lock, 'owner'), JSON.stringify(me), { flag: 'wx' });
    return true;
  } catch (error) {
    // EEXIST: that older lock stands; ENOENT: the folder was moved aside meanwhile. Either way what is at the name
    // now is not ours to remove.
    if (['EEXIST', 'ENOENT'].includes((error as NodeJS.ErrnoException).code ?? '')) return false;
    rmSync(lock, { recursive: true, force: true });
    throw cannotLock(lock, error);
  }
}

function cannotLock(lock: string, error: unknown): McpmError {
  return new McpmError('EFS', `Cannot lock ${lock} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
    hint: 'Check the permissions of that folder and the disk space; nothing was changed there.',
    cause: error,
  });
}

function readOwner(lock: string): Owner | 'missing' | 'unreadable' {
  try {
    return JSON.parse(readFileSync(path.join(lock, 'owner'), 'utf8')) as Owner;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
}

const untouchedFor = (file: string): number => {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
};

/** The lock's holder, when it is gone: its token ('' for a lock without an owner), else undefined. */
function abandonedBy(lock: string): string | undefined {
  const owner = readOwner(lock);
  // Being written this instant, or damaged: an owner that cannot be read is judged by the folder's age.
  if (owner === 'missing' || owner === 'unreadable') return untouchedFor(lock) > STALE_MS ? '' : undefined;
  const gone = owner.host === os.hostname() ? !processAlive(owner.pid) : untouchedFor(path.join(lock, 'owner')) > STALE_MS;
  return gone ? owner.token : undefined;
}

function takeOverIfAbandoned(lock: string): void {
  const judged = abandonedBy(lock);
  if (judged === undefined) return;
  const aside = `${lock}.${randomBytes(6).toString('hex')}.dead`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // someone else moved it first
  }
  if (abandonedBy(aside) !== judged) {
    // A race moved a live lock aside: put it back (no one can hold the name meanwhile but a lock made in these
    // microseconds, and then the rename fails and that one stands).
    try {
      renameSync(aside, lock);
      return;
    } catch {
      // fall through and clear it
    }
  }
  rmSync(aside, { recursive: true, force: true });
}

/** Ours (the token says so): the owner file, then the folder. No other name appears beside a client's file. */
function release(lock: string, me: Owner): void {
  const owner = readOwner(lock);
  if (owner === 'missing' || owner === 'unreadable' || owner.token !== me.token) return;
  try {
    unlinkSync(path.join(lock, 'owner'));
    rmdirSync(lock);
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
