// @module-tag deep
// The disk fills up, folders are read-only, a file stands where a folder should be. Each time: a clear one-line
// error (EFS, naming the path and the reason), no stack trace, and nothing lost: the client files, mcpm's state and
// the store are as they were (a failed upgrade leaves the old version working), no half-written or temporary file
// remains, and once the cause is gone the same command succeeds.
//
// Disk full uses small tmpfs mounts; read-only folders run mcpm as `nobody` through setpriv (root writes into
// read-only folders anyway). Where this machine allows neither, those tests are skipped and say why.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { AS_NOBODY, runMcpm, type RunResult } from './helpers/cli.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { SERVER, TOKEN, startWorld, type World } from './helpers/world.js';

const ORIGINAL = '{\n  "mcpServers": {\n    "weather": { "command": "npx", "args": ["-y", "weather-mcp"] }\n  }\n}\n';
const NOBODY = 65534;

/** Can this process mount a tmpfs? (root in a container may not be allowed to.) */
function probe(command: string, args: string[]): boolean {
  try {
    return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
}
const probeDir = path.join(process.env.TMPDIR ?? '/tmp', `mcpm-tmpfs-probe-${process.pid}`);
mkdirSync(probeDir, { recursive: true });
const TMPFS = probe('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probeDir]) && probe('umount', [probeDir]);
rmSync(probeDir, { recursive: true, force: true });
const SETPRIV = process.getuid?.() === 0 && probe('setpriv', [...AS_NOBODY, 'true']);
const NO_TMPFS = 'mount -t tmpfs is not permitted here, so a full disk cannot be made';
const NO_SETPRIV = 'not root or no setpriv here, so mcpm cannot be run as an unprivileged user';

let world: World;
const mounts: string[] = [];

beforeAll(async () => {
  world = await startWorld({ versions: ['1.0.0', '1.1.0'] });
});
afterAll(async () => {
  for (const dir of mounts.reverse()) spawnSync('umount', ['-l', dir]);
  await world.close();
  await cleanupTmpDirs();
});

function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0777`, 'tmpfs', dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mount failed: ${result.stderr}`);
  mounts.push(dir);
  // Runs before makeTmpDir's removal of the folder (onTestFinished hooks run last registered first).
  onTestFinished(() => {
    if (spawnSync('umount', [dir]).status === 0) mounts.splice(mounts.indexOf(dir), 1);
  });
}

/** Fills the filesystem holding `dir` to the last byte; returns the filler file to delete. */
function fill(dir: string): string {
  const filler = path.join(dir, '.filler');
  const fd = openSync(filler, 'w');
  try {
    for (const size of [1 << 20, 1 << 12, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

interface Home {
  home: string;
  mcpmHome: string;
  configFile: string;
  run(args: string[], options?: { asNobody?: boolean }): Promise<RunResult>;
}

async function makeHome(options: { mcpmHome?: (home: string) => string } = {}): Promise<Home> {
  const root = await makeTmpDir('mcpm-fs-');
  chmodSync(root, 0o755);
  const home = path.join(root, 'home');
  const mcpmHome = options.mcpmHome?.(root) ?? path.join(home, '.mcpm');
  const configFile = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
  mkdirSync(path.dirname(configFile), { recursive: true });
  writeFileSync(configFile, ORIGINAL);
  return {
    home,
    mcpmHome,
    configFile,
    run: (args, runOptions = {}) =>
      runMcpm([...args, '--registry', world.registryUrl, '--json'], { home, env: { MCPM_HOME: mcpmHome }, timeoutMs: 60_000, asNobody: runOptions.asNobody }),
  };
}

const installArgs = (version = '') => ['install', `github-posts${version}`, '--client', 'claude-desktop', '--env', `POSTS_API_URL=${world.postsUrl}`, '--env', `POSTS_API_TOKEN=${TOKEN}`];

function expectClearFailure(run: RunResult, code: RegExp, message: RegExp) {
  expect(run.code, run.stderr + run.stdout).toBe(1);
  expect(run.json?.error?.code, run.stdout).toMatch(code);
  expect(run.json.error.message).toMatch(message);
  expect(run.json.error.message).not.toContain('\n');
  expect(run.json.error.hint).toEqual(expect.any(String));
  expect(run.stderr).not.toMatch(/\n\s+at |Unexpected error/);
}

/** Everything mcpm keeps is as it was: state bytes, store versions (each whole), no staging leftovers. */
function mcpmSnapshot(h: Home) {
  const state = path.join(h.mcpmHome, 'state', 'installed.json');
  const store = path.join(h.mcpmHome, 'store', 'io.github.acme', 'github-posts');
  const versions = existsSync(store) ? readdirSync(store).sort() : [];
  for (const version of versions) expect(existsSync(path.join(store, version, 'mcpm-install.json')), `${version} is whole`).toBe(true);
  const staging = path.join(h.mcpmHome, 'store', '.staging');
  return { state: existsSync(state) ? readFileSync(state, 'utf8') : undefined, versions, staging: existsSync(staging) ? readdirSync(staging) : [] };
}

/** Nothing beside the client file but the file and its backup (a whole copy of the original, if any). */
function expectClientFolderClean(h: Home) {
  const name = path.basename(h.configFile);
  const beside = readdirSync(path.dirname(h.configFile)).filter((n) => n !== name && n !== '.filler');
  for (const extra of beside) {
    expect(extra, `left beside the client file: ${beside.join(', ')}`).toBe(`${name}.mcpm-backup`);
    expect(readFileSync(`${h.configFile}.mcpm-backup`, 'utf8'), 'the backup is a whole copy').toBe(ORIGINAL);
  }
}

describe('disk full', () => {
  it('while upgrading into the store: the old version stays installed and working; with space again the upgrade completes', async (ctx) => {
    if (!TMPFS) return ctx.skip(NO_TMPFS);
    const h = await makeHome({ mcpmHome: (root) => path.join(root, 'disk', 'mcpm') });
    mountTmpfs(path.dirname(h.mcpmHome), '16m');
    const first = await h.run(installArgs('@1.0.0'));
    expect(first.json?.ok, first.stderr).toBe(true);
    const installed = readFileSync(h.configFile, 'utf8');
    const before = mcpmSnapshot(h);
    const filler = fill(path.dirname(h.mcpmHome));

    const upgrade = await h.run(['install', 'github-posts']);
    expectClearFailure(upgrade, /^E(FS|PACKAGE)$/, /ENOSPC|no space/i);
    expect(readFileSync(h.configFile, 'utf8')).toBe(installed);
    expect(mcpmSnapshot(h)).toEqual(before);
    const list = await h.run(['list']);
    expect(list.json?.result, list.stderr).toEqual([expect.objectContaining({ name: SERVER, version: '1.0.0' })]);
    const entry = JSON.parse(installed).mcpServers['github-posts'];
    expect(existsSync(entry.args.at(-1)), 'the 1.0.0 entry still has its bin').toBe(true);

    unlinkSync(filler);
    const again = await h.run(['install', 'github-posts']);
    expect(again.json, again.stderr).toMatchObject({ ok: true, result: { version: '1.1.0', previousVersion: '1.0.0' } });
  });

  it('for mcpm\'s state: the install is rolled back, the state file keeps its bytes', async (ctx) => {
    if (!TMPFS) return ctx.skip(NO_TMPFS);
    const h = await makeHome();
    const first = await h.run(installArgs('@1.0.0'));
    expect(first.json?.ok, first.stderr).toBe(true);
    // The state folder gets a tiny disk of its own, holding the current state file, then fills up.
    const stateDir = path.join(h.mcpmHome, 'state');
    const state = readFileSync(path.join(stateDir, 'installed.json'), 'utf8');
    rmSync(stateDir, { recursive: true });
    mountTmpfs(stateDir, '1m');
    writeFileSync(path.join(stateDir, 'installed.json'), state);
    const installed = readFileSync(h.configFile, 'utf8');
    const before = mcpmSnapshot(h);
    fill(stateDir);

    const upgrade = await h.run(['install', 'github-posts']);
    // Taking the state's lock writes its owner file, so the full disk may show there first.
    expectClearFailure(upgrade, /^EFS$/, /Cannot (write|lock) .*installed\.json(\.lock)? \(ENOSPC\)/);
    expect(readFileSync(h.configFile, 'utf8')).toBe(installed);
    expect(mcpmSnapshot(h)).toEqual(before); // 1.1.0 was built, then removed again
    expect(readdirSync(stateDir).filter((n) => n !== '.filler')).toEqual(['installed.json']);
  });

  it('for the client file\'s folder: the file, its backup and the store are as they were', async (ctx) => {
    if (!TMPFS) return ctx.skip(NO_TMPFS);
    const h = await makeHome();
    const folder = path.dirname(h.configFile);
    rmSync(folder, { recursive: true });
    mountTmpfs(folder, '64k');
    writeFileSync(h.configFile, ORIGINAL);
    const filler = fill(folder);

    const run = await h.run(installArgs());
    expectClearFailure(run, /^EFS$/, /ENOSPC/);
    expect(readFileSync(h.configFile, 'utf8')).toBe(ORIGINAL);
    expectClientFolderClean(h);
    expect(mcpmSnapshot(h)).toEqual({ state: expect.anything(), versions: [], staging: [] });
    expect((await h.run(['list'])).json?.result).toEqual([]);

    unlinkSync(filler);
    const again = await h.run(installArgs());
    expect(again.json?.ok, again.stderr).toBe(true);
    expect(readFileSync(`${h.configFile}.mcpm-backup`, 'utf8')).toBe(ORIGINAL);
  });
});

describe('read-only folders (mcpm run as nobody)', () => {
  async function nobodyHome(): Promise<Home> {
    const h = await makeHome();
    // nobody owns HOME and mcpm's folder; each test then takes away what it is about.
    for (const dir of [h.home, path.join(h.home, '.config'), path.dirname(h.configFile)]) chownSync(dir, NOBODY, NOBODY);
    chownSync(h.configFile, NOBODY, NOBODY);
    return h;
  }

  it('a client folder nobody may write: EFS, file untouched, nothing installed', async (ctx) => {
    if (!SETPRIV) return ctx.skip(NO_SETPRIV);
    const h = await nobodyHome();
    chownSync(path.dirname(h.configFile), 0, 0);
    chmodSync(path.dirname(h.configFile), 0o755);
    const run = await h.run(installArgs(), { asNobody: true });
    expectClearFailure(run, /^EFS$/, /EACCES/);
    expect(readFileSync(h.configFile, 'utf8')).toBe(ORIGINAL);
    expectClientFolderClean(h);
    expect(mcpmSnapshot(h).versions).toEqual([]);
    expect((await h.run(['list'], { asNobody: true })).json?.result).toEqual([]);
  });

  it('a read-only client file (mode 0444) is not replaced behind the user\'s back', async (ctx) => {
    if (!SETPRIV) return ctx.skip(NO_SETPRIV);
    const h = await nobodyHome();
    chmodSync(h.configFile, 0o444);
    const run = await h.run(installArgs(), { asNobody: true });
    expectClearFailure(run, /^EFS$/, /read-only|EACCES/);
    expect(readFileSync(h.configFile, 'utf8')).toBe(ORIGINAL);
    expectClientFolderClean(h);
    expect(mcpmSnapshot(h).versions).toEqual([]);
  });

  it('mcpm\'s own folder read-only: EFS naming it, the client file untouched', async (ctx) => {
    if (!SETPRIV) return ctx.skip(NO_SETPRIV);
    const h = await nobodyHome();
    mkdirSync(h.mcpmHome, { mode: 0o755 }); // owned by root
    const run = await h.run(installArgs(), { asNobody: true });
    expectClearFailure(run, /^EFS$/, /EACCES/);
    expect(run.json.error.message).toContain(h.mcpmHome);
    expect(readFileSync(h.configFile, 'utf8')).toBe(ORIGINAL);
    expectClientFolderClean(h);
  });
});

describe('a file where a folder should be', () => {
  it('the client\'s folder', async () => {
    const h = await makeHome();
    rmSync(path.dirname(h.configFile), { recursive: true });
    writeFileSync(path.dirname(h.configFile), 'not a folder');
    const run = await h.run(installArgs());
    expectClearFailure(run, /^EFS$/, /ENOTDIR|EEXIST/);
    expect(readFileSync(path.dirname(h.configFile), 'utf8')).toBe('not a folder');
    expect(mcpmSnapshot(h).versions).toEqual([]);
  });

  for (const folder of ['store', 'state', 'secrets']) {
    it(`mcpm's ${folder} folder`, async () => {
      const h = await makeHome();
      mkdirSync(h.mcpmHome, { recursive: true });
      writeFileSync(path.join(h.mcpmHome, folder), 'not a folder');
      const run = await h.run(installArgs());
      expectClearFailure(run, /^EFS$/, /ENOTDIR|EEXIST/);
      expect(run.json.error.message).toContain(path.join(h.mcpmHome, folder));
      expect(readFileSync(h.configFile, 'utf8')).toBe(ORIGINAL);
      expectClientFolderClean(h);
      expect(readFileSync(path.join(h.mcpmHome, folder), 'utf8')).toBe('not a folder');
      const list = await h.run(['list']);
      if (folder === 'state') expectClearFailure(list, /^EFS$/, /ENOTDIR/);
      else expect(list.json?.result, list.stderr).toEqual([]);
    });
  }
});
