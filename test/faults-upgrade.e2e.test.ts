// @module-tag deep
// kill -9 at every phase of an upgrade (installing 1.1.0 over an installed 1.0.0) and of uninstall, in three clients
// (JSON, TOML, YAML), and while holding a client file's lock; see test/helpers/fault-lab.ts for what is checked after
// each kill. Between two client writes some files start 1.0.0 and some 1.1.0, each entry whole, and `mcpm list`
// shows 1.0.0 until the state says 1.1.0.
import { existsSync, readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTmpDirs } from './helpers/tmp.js';
import {
  LOOP_TIMEOUT, CLIENTS, INSTALL_POINTS, KEY, ORIGINALS, UNINSTALL_POINTS, expectConsistent, fileOf, expectFinal, killedAt, killedMidDownload, launch, mcpm, mcpmDir, restore, setUpLab,
  snapshots, storeOf, tearDownLab,
} from './helpers/fault-lab.js';

beforeAll(() => setUpLab('mcpm-faults-upgrade-'));
afterAll(async () => {
  await tearDownLab();
  await cleanupTmpDirs();
});

const upgrade = ['install', KEY, '--json'];

describe('kill -9 during an upgrade', () => {
  it(`at each of ${INSTALL_POINTS.length} points: the old or the new version, and the rerun completes`, { timeout: LOOP_TIMEOUT }, async () => {
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
  it('during an upgrade, just before writing Codex\'s file: the rerun takes the dead mcpm\'s lock over at once and completes', async () => {
    restore(snapshots.installed);
    await killedAt('config-write-locked:codex', upgrade);
    await expectConsistent('upgrade killed holding the lock', ['1.0.0'], ['1.0.0', '1.1.0'], { lockLeft: true });
    // The lock looks freshly touched for the next hour, so it can never go stale (10 s untouched) during the rerun:
    // the rerun completes only because the lock names its owner, whose pid is gone. (A wait of its own would end in
    // EFS "busy" after a minute of retries.) No clock in the assertion: CI's machine is shared.
    const lock = `${fileOf('codex')}.lock`;
    const anHourAhead = new Date(Date.now() + 3_600_000);
    utimesSync(lock, anHourAhead, anHourAhead);
    utimesSync(path.join(lock, 'owner'), anHourAhead, anHourAhead);
    const rerun = await mcpm(upgrade);
    expect(rerun.json, rerun.stderr).toMatchObject({ ok: true, result: { version: '1.1.0' } });
    await expectFinal('upgrade killed holding the lock', '1.1.0');
  });
});

describe('kill -9 during enable and disable', () => {
  const files = () => Object.fromEntries(CLIENTS.map((id) => [id, readFileSync(fileOf(id), 'utf8')]));

  it('disable killed after each client file: running it again completes, enable gives back the same bytes', async () => {
    for (const id of CLIENTS) {
      restore(snapshots.installed);
      const installed = files();
      await killedAt(`toggle-after-config-write:${id}`, ['disable', KEY, '--json']);
      const list = await mcpm(['list']);
      expect(list.stderr, id).toContain('disable of io.github.acme/github-posts was interrupted');
      const again = await mcpm(['disable', KEY, '--json']);
      expect(again.json?.ok, `${id}: ${again.stderr}`).toBe(true);
      const on = await mcpm(['enable', KEY, '--json']);
      expect(on.json?.ok, `${id}: ${on.stderr}`).toBe(true);
      expect(files(), id).toEqual(installed);
    }
  });

  it('enable killed after a client file: running it again completes; uninstall then leaves no entry behind', async () => {
    restore(snapshots.installed);
    const installed = files();
    expect((await mcpm(['disable', KEY, '--json'])).json?.ok).toBe(true);
    await killedAt('toggle-after-config-write:claude-desktop', ['enable', KEY, '--json']);
    const again = await mcpm(['enable', KEY, '--json']);
    expect(again.json?.ok, again.stderr).toBe(true);
    expect(files()).toEqual(installed);
    // And from the same interrupted point, uninstall: every file is the user's again.
    expect((await mcpm(['disable', KEY, '--json'])).json?.ok).toBe(true);
    await killedAt('toggle-after-config-write:claude-desktop', ['enable', KEY, '--json']);
    expect((await mcpm(['uninstall', KEY, '--json'])).json?.ok).toBe(true);
    for (const id of CLIENTS) expect(readFileSync(fileOf(id), 'utf8'), id).toBe(ORIGINALS[id]);
  });
});

describe('kill -9 during uninstall', () => {
  it(`at each of ${UNINSTALL_POINTS.length} points: installed or not, and the rerun completes`, { timeout: LOOP_TIMEOUT }, async () => {
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
