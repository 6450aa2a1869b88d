// @module-tag deep
// kill -9 at every phase of a fresh install (see test/helpers/fault-lab.ts for what is checked after each kill):
// after the manifest, after dependency install, around the rename into the store, after the secrets, before and
// after each client write (JSON, TOML, YAML), around the state write, and in the middle of a download (a kill while
// holding a client file's lock is in faults-upgrade.e2e.test.ts). Each time the rerun completes, the entries start, and uninstall gives the user's files back exactly.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTmpDirs } from './helpers/tmp.js';
import {
  LOOP_TIMEOUT, CLIENTS, INSTALL_POINTS, KEY, ORIGINALS, clientFlags, expectConsistent, expectFinal, fileOf, inputs, killedAt, killedMidDownload, launch, mcpm,
  mcpmDir, restore, setUpLab, snapshots, tearDownLab,
} from './helpers/fault-lab.js';

beforeAll(() => setUpLab('mcpm-faults-install-'));
afterAll(async () => {
  await tearDownLab();
  await cleanupTmpDirs();
});

const args = () => ['install', `${KEY}@1.0.0`, ...clientFlags, ...inputs(), '--json'];

async function rerunAndUninstall(label: string) {
  const rerun = await mcpm(args());
  expect(rerun.json?.ok, `${label}: rerun: ${rerun.stderr}${rerun.stdout}`).toBe(true);
  await expectFinal(label, '1.0.0');
  // Uninstall after the interrupted install still gives the user's files back byte for byte.
  const removed = await mcpm(['uninstall', KEY, '--json']);
  expect(removed.json?.ok, `${label}: uninstall: ${removed.stderr}`).toBe(true);
  for (const id of CLIENTS) expect(readFileSync(fileOf(id), 'utf8'), `${label}, rerun, uninstall: ${id}`).toBe(ORIGINALS[id]);
}

describe('kill -9 during install', () => {
  it(`at each of ${INSTALL_POINTS.length} points: nothing or all of it, and the rerun completes`, { timeout: LOOP_TIMEOUT }, async () => {
    for (const point of INSTALL_POINTS) {
      restore(snapshots.fresh);
      await killedAt(point, args());
      await expectConsistent(`install killed ${point}`, ['none', '1.0.0'], ['1.0.0']);
      await rerunAndUninstall(`install killed ${point}`);
    }
  });

  it('Ctrl-C in the middle of a download: exit 130 at once, files as before, no staging folder left', async () => {
    restore(snapshots.fresh);
    const { run, ms } = await killedMidDownload(args(), 'posts-format', 'SIGINT');
    expect(run.code, run.stderr).toBe(130);
    expect(run.json?.error?.code).toBe('ECANCELLED');
    // "At once" against the alternative, waiting for a tarball whose rest never comes (npm's fetch timeout, minutes).
    // The margin is wide because CI's machine is shared.
    expect(ms).toBeLessThan(10_000);
    await expectConsistent('install interrupted mid-download', ['none'], []);
    expect(readdirSync(path.join(mcpmDir(), 'store', '.staging'))).toEqual([]);
  });

  it('SIGTERM while the client files are written: the files already written are put back, exit 130', async () => {
    restore(snapshots.fresh);
    const run = await mcpm(args(), { MCPM_FAILPOINT: 'before-config-write:codex=SIGTERM' });
    expect(run.code, run.stderr).toBe(130);
    await expectConsistent('install interrupted between client writes', ['none'], []);
    for (const id of CLIENTS) expect(readFileSync(fileOf(id), 'utf8'), id).toBe(ORIGINALS[id]);
  });

  it('a staging folder left by a killed run is removed by the next run', async () => {
    restore(snapshots.fresh);
    const stale = path.join(mcpmDir(), 'store', '.staging', '999999-dead');
    mkdirSync(stale, { recursive: true });
    const run = await mcpm(args());
    expect(run.json?.ok, run.stderr).toBe(true);
    expect(existsSync(stale)).toBe(false);
  });

  it('in the middle of a download (the dependency\'s tarball half sent): no half version, and the rerun completes', async () => {
    restore(snapshots.fresh);
    await killedMidDownload(args(), 'posts-format');
    await expectConsistent('install killed mid-download', ['none'], []);
    const rerun = await mcpm(args());
    expect(rerun.json?.ok, rerun.stderr).toBe(true);
    await expectFinal('install killed mid-download', '1.0.0');
    await launch('claude-desktop', '1.0.0');
  });
});
