// The store lock: one holder at a time, and a holder that died (kill -9) does not make the next mcpm wait.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withOwnedLock } from '../../src/store/owned-lock.js';
import { cleanupTmpDirs, makeTmpDir } from '../helpers/tmp.js';

afterAll(cleanupTmpDirs);

describe('the store lock', () => {
  it('lets one holder in at a time', async () => {
    const lock = path.join(await makeTmpDir('mcpm-lock-'), 'store.lock');
    let inside = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 8 }, () => withOwnedLock(lock, async () => {
      most = Math.max(most, ++inside);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inside--;
    })));
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
    await withOwnedLock(lock, async () => expect(existsSync(lock)).toBe(true));
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
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(got).toBe(false);
    spawnSync('rm', ['-rf', lock]);
    await waiting;
    expect(got).toBe(true);
  });
});
