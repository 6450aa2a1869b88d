// kill -9 at every phase of an upgrade (installing 1.1.0 over an installed 1.0.0) and of uninstall, in three clients
// (JSON, TOML, YAML), and while holding a client file's lock; see test/helpers/fault-lab.ts for what is checked after
// each kill. Between two client writes some files start 1.0.0 and some 1.1.0, each entry whole, and `mcpm list`
// shows 1.0.0 until the state says 1.1.0.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTmpDirs } from './helpers/tmp.js';
import {
  INSTALL_POINTS, KEY, UNINSTALL_POINTS, expectConsistent, expectFinal, killedAt, killedMidDownload, launch, mcpm, mcpmDir, restore, setUpLab,
  snapshots, storeOf, tearDownLab,
} from './helpers/fault-lab.js';

beforeAll(() => setUpLab('mcpm-faults-upgrade-'));
afterAll(async () => {
  await tearDownLab();
  await cleanupTmpDirs();
});

const upgrade = ['install', KEY, '--json'];

describe('kill -9 during an upgrade', () => {
  it(`at each of ${INSTALL_POINTS.length} points: the old or the new version, and the rerun completes`, async () => {
    for (const point of INSTALL_POINTS) {
      restore(snapshots.installed);
      await killedAt(point, upgrade);
      await expectConsistent(`upgrade killed ${point}`, ['1.0.0', '1.1.0'], ['1.0.0', '1.1.0']);
      const rerun = await mcpm(upgrade);
      expect(rerun.json, `${point}: rerun: ${rerun.stderr}`).toMatchObject({ ok: true, result: { version: '1.1.0' } });
      await expectFinal(`upgrade killed ${point}`, '1.1.0');
      if (point === 'after-config-write:claude-desktop') await launch('goose', '1.1.0');
    }
  });

  it('in the middle of the new version\'s download: still 1.0.0, no half 1.1.0, and the rerun completes', async () => {
    restore(snapshots.installed);
    await killedMidDownload(upgrade, 'github-posts');
    await expectConsistent('upgrade killed mid-download', ['1.0.0'], ['1.0.0']);
    expect(existsSync(path.join(storeOf(), '1.1.0'))).toBe(false);
    const rerun = await mcpm(upgrade);
    expect(rerun.json, rerun.stderr).toMatchObject({ ok: true, result: { version: '1.1.0', previousVersion: '1.0.0' } });
    await expectFinal('upgrade killed mid-download', '1.1.0');
    await launch('codex', '1.1.0');
  });
});

describe('kill -9 holding a client file\'s lock', () => {
  it('during an upgrade, just before writing Codex\'s file: the lock goes stale and the rerun completes', async () => {
    restore(snapshots.installed);
    await killedAt('config-write-locked:codex', upgrade);
    await expectConsistent('upgrade killed holding the lock', ['1.0.0'], ['1.0.0', '1.1.0'], { lockLeft: true });
    const started = Date.now();
    const rerun = await mcpm(upgrade);
    expect(rerun.json, rerun.stderr).toMatchObject({ ok: true, result: { version: '1.1.0' } });
    expect(Date.now() - started, 'waited for the lock to go stale, not forever').toBeLessThan(40_000);
    await expectFinal('upgrade killed holding the lock', '1.1.0');
  });
});

describe('kill -9 during uninstall', () => {
  it(`at each of ${UNINSTALL_POINTS.length} points: installed or not, and the rerun completes`, async () => {
    for (const point of UNINSTALL_POINTS) {
      restore(snapshots.installed);
      await killedAt(point, ['uninstall', KEY, '--json']);
      await expectConsistent(`uninstall killed ${point}`, ['none', '1.0.0'], ['1.0.0']);
      const rerun = await mcpm(['uninstall', KEY, '--json']);
      expect(rerun.json?.ok, `${point}: rerun: ${rerun.stderr}${rerun.stdout}`).toBe(true);
      await expectFinal(`uninstall killed ${point}`, undefined);
      expect(existsSync(storeOf()), `${point}: the store is gone`).toBe(false);
      expect(existsSync(path.join(mcpmDir(), 'secrets', 'io.github.acme', 'github-posts.env')), `${point}: the secrets are gone`).toBe(false);
    }
  });
});
