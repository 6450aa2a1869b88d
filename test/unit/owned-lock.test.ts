// The locks (the store's, and each file's) and atomic writes: one holder at a time, a holder that died (kill -9)
// does not make the next mcpm wait, an older mcpm's lock is respected; a write lands whole or not at all.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withFileLock, writeFileAtomicSafe } from '../../src/fs/files.js';
import { withOwnedLock } from '../../src/fs/owned-lock.js';
import { cleanupTmpDirs, makeTmpDir } from '../helpers/tmp.js';

afterAll(cleanupTmpDirs);

const busy = { busyHint: 'Try again.' };

describe('the store lock', () => {
  it('lets one holder in at a time', async () => {
    const lock = path.join(await makeTmpDir('mcpm-lock-'), 'store.lock');
    let inside = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 8 }, () => withOwnedLock(lock, async () => {
      most = Math.max(most, ++inside);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inside--;
    }, busy)));
    expect(most).toBe(1);
    expect(readdirSync(path.dirname(lock))).toEqual([]);
  });

  it('a lock whose owner was killed is taken over at once', async () => {
    const dir = await makeTmpDir('mcpm-lock-');
    const lock = path.join(dir, 'store.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    mkdirSync(lock);
    writeFileSync(path.join(lock, 'owner'), JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), token: 'gone' }));
    const started = Date.now();
    await withOwnedLock(lock, async () => expect(existsSync(lock)).toBe(true), busy);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a lock held by a live process is waited for', async () => {
    const lock = path.join(await makeTmpDir('mcpm-lock-'), 'store.lock');
    mkdirSync(lock);
    writeFileSync(path.join(lock, 'owner'), JSON.stringify({ pid: process.ppid, host: os.hostname(), token: 'alive' }));
    let got = false;
    const waiting = withOwnedLock(lock, async () => {
      got = true;
    }, busy);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(got).toBe(false);
    spawnSync('rm', ['-rf', lock]);
    await waiting;
    expect(got).toBe(true);
  });
});

describe('the lock of a file mcpm edits', () => {
  const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

  it('one left by a killed mcpm is taken over at once, not after it goes stale', async () => {
    const dir = await makeTmpDir('mcpm-lock-');
    const file = path.join(dir, 'installed.json');
    mkdirSync(`${file}.lock`);
    writeFileSync(path.join(`${file}.lock`, 'owner'), JSON.stringify({ pid: deadPid(), host: os.hostname(), token: 'gone' }));
    const started = Date.now();
    await withFileLock(file, async () => writeFileAtomicSafe(file, '{}\n'));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(readdirSync(dir)).toEqual(['installed.json']);
  });

  it('an older mcpm\'s lock (an empty folder kept fresh) is waited for, and taken over once 10 s old', async () => {
    const dir = await makeTmpDir('mcpm-lock-');
    const file = path.join(dir, 'mcp.json');
    mkdirSync(`${file}.lock`);
    let got = false;
    const waiting = withFileLock(file, async () => {
      got = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(got).toBe(false);
    const old = new Date(Date.now() - 11_000);
    utimesSync(`${file}.lock`, old, old);
    await waiting;
    expect(got).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('while held, the lock is a folder at <file>.lock with its owner, so any other mcpm waits', async () => {
    const dir = await makeTmpDir('mcpm-lock-');
    const file = path.join(dir, 'config.toml');
    await withFileLock(file, async () => {
      expect(JSON.parse(readFileSync(path.join(`${file}.lock`, 'owner'), 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname() });
    });
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('an atomic write', () => {
  it('keeps the mode of the file it replaces, or sets the one asked for, and leaves nothing beside it', async () => {
    const dir = await makeTmpDir('mcpm-write-');
    const file = path.join(dir, 'server.env');
    writeFileSync(file, 'A=1\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    await writeFileAtomicSafe(file, 'A=2\n');
    expect(readFileSync(file, 'utf8')).toBe('A=2\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await writeFileAtomicSafe(path.join(dir, 'new.json'), '{}\n', { mode: 0o640 });
    expect(statSync(path.join(dir, 'new.json')).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).sort()).toEqual(['new.json', 'server.env']);
  });

  it('that fails leaves the file as it was and no temporary file', async () => {
    const dir = await makeTmpDir('mcpm-write-');
    const file = path.join(dir, 'settings.json');
    writeFileSync(file, '{"keep":true}\n');
    mkdirSync(path.join(dir, 'blocked'));
    // A folder where the file should go: the rename fails after the temporary file was written.
    const error = await writeFileAtomicSafe(path.join(dir, 'blocked'), '{}\n').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EFS', message: expect.stringContaining('Cannot write') });
    expect(readFileSync(file, 'utf8')).toBe('{"keep":true}\n');
    expect(readdirSync(dir).sort()).toEqual(['blocked', 'settings.json']);
  });
});
