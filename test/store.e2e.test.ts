// The content-addressed store as a user meets it: two versions of github-posts share their files (hard links into
// store/.cas, read-only, in real folders), a server writing into its folder cannot change another version's files,
// a reinstall after uninstall needs no network, prune collects what no version uses, doctor finds a corrupt stored
// file and --fix fetches it again, a store from before the content store is moved onto it without downloading
// anything, and where links are impossible the version is made of read-only copies.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedFiles, userFiles } from '../src/store/contents.js';
import { AS_NOBODY, runMcpm } from './helpers/cli.js';
import { connectToEntry } from './helpers/mcp-client.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { TOKEN, startWorld, type World } from './helpers/world.js';

let world: World;
let home: string;
let configFile: string;
const NOBODY = 65534;
const ROOT = process.getuid?.() === 0;
const probe = (command: string, args: string[]) => {
  try {
    return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
};
const SETPRIV = ROOT && probe('setpriv', [...AS_NOBODY, 'true']);

beforeAll(async () => {
  world = await startWorld({ versions: ['1.0.0', '1.1.0'] });
  const root = await makeTmpDir('mcpm-store-');
  chmodSync(root, 0o755);
  home = path.join(root, 'home');
  configFile = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
  mkdirSync(path.dirname(configFile), { recursive: true });
  writeFileSync(configFile, '{\n  "mcpServers": {}\n}\n');
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

const mcpm = (args: string[]) => runMcpm([...args, '--registry', world.registryUrl, '--json'], { home, timeoutMs: 60_000 });
const inputs = ['--client', 'claude-desktop', '--env', `POSTS_API_URL=${'http://127.0.0.1:9'}`, '--env', `POSTS_API_TOKEN=${TOKEN}`];
const store = () => path.join(home, '.mcpm', 'store');
const version = (v: string) => path.join(store(), 'io.github.acme', 'github-posts', v);
const casFiles = () => readdirSync(path.join(store(), '.cas', 'files')).flatMap((shard) => readdirSync(path.join(store(), '.cas', 'files', shard)).map((n) => path.join(store(), '.cas', 'files', shard, n)));
const inode = (file: string) => `${statSync(file).dev}:${statSync(file).ino}`;
const SHARED = ['node_modules', 'posts-format', 'index.js'];
const HOOK = fileURLToPath(new URL('./fixtures/hooks/log-modules.mjs', import.meta.url));

/** Every file under a folder, relative; symlinks are listed too (there must be none). */
function walk(dir: string, rel = ''): Array<{ rel: string; stat: ReturnType<typeof lstatSync> }> {
  return readdirSync(path.join(dir, rel)).flatMap((name) => {
    const child = rel ? `${rel}/${name}` : name;
    const stat = lstatSync(path.join(dir, child));
    return stat.isDirectory() ? walk(dir, child) : [{ rel: child, stat }];
  });
}

async function launches(expected: string) {
  const entry = JSON.parse(readFileSync(configFile, 'utf8')).mcpServers['github-posts'];
  const server = await connectToEntry(entry, { home });
  try {
    expect(server.client.getServerVersion()?.version).toBe(expected);
  } finally {
    await server.close();
  }
}

describe('the content store', () => {
  it('two versions share every file they have in common: hard links, read-only, in real folders', async () => {
    expect((await mcpm(['install', 'github-posts@1.0.0', ...inputs])).json?.ok).toBe(true);
    const upgrade = await mcpm(['install', 'github-posts@1.1.0']);
    expect(upgrade.json, upgrade.stderr).toMatchObject({ ok: true, result: { version: '1.1.0', previousVersion: '1.0.0' } });
    expect(inode(path.join(version('1.0.0'), ...SHARED))).toBe(inode(path.join(version('1.1.0'), ...SHARED)));
    expect(statSync(path.join(version('1.1.0'), ...SHARED)).nlink).toBe(3); // the store's name and two versions
    expect(inode(path.join(version('1.0.0'), 'node_modules', 'github-posts', 'package.json'))).not.toBe(inode(path.join(version('1.1.0'), 'node_modules', 'github-posts', 'package.json')));
    for (const { rel, stat } of walk(version('1.1.0'))) {
      expect(stat.isFile(), `${rel} is a file, not a link`).toBe(true);
      if (rel.startsWith('node_modules/')) expect(stat.mode & 0o222, `${rel} is read-only`).toBe(0);
    }
    expect(statSync(path.join(version('1.1.0'), 'node_modules', 'github-posts', 'index.js')).mode & 0o111).not.toBe(0);
    const installed = await installedFiles(version('1.1.0'));
    expect(installed?.map((f) => f.path)).toEqual(expect.arrayContaining(['node_modules/posts-format/index.js', 'node_modules/github-posts/index.js', 'package-lock.json']));
    expect(await userFiles(version('1.1.0'))).toEqual([]);
    await launches('1.1.0');
  });

  it('a server writing into its folder: its new files are its own, the installed files refuse the write, the other version never changes', async (ctx) => {
    if (ROOT && !SETPRIV) return ctx.skip('root ignores read-only modes and setpriv is missing, so no unprivileged server can be run');
    const dir = version('1.1.0');
    const before = readFileSync(path.join(version('1.0.0'), ...SHARED), 'utf8');
    // The server runs as the store's owner would (as nobody when the test runs as root, owning the folders).
    if (SETPRIV) for (const { rel } of [{ rel: '' }, ...walkDirs(dir)]) chownSync(path.join(dir, rel), NOBODY, NOBODY);
    const script = `const fs = require('fs'), p = require('path'), d = ${JSON.stringify(dir)};
      let refused = '';
      try { fs.writeFileSync(p.join(d, 'node_modules/posts-format/index.js'), 'changed'); } catch (e) { refused = e.code; }
      fs.writeFileSync(p.join(d, 'node_modules/github-posts/cache.json'), '{}');
      fs.rmSync(p.join(d, 'node_modules/posts-format/mark.js')); fs.writeFileSync(p.join(d, 'node_modules/posts-format/mark.js'), 'mine');
      process.stdout.write(refused);`;
    const run = SETPRIV ? spawnSync('setpriv', [...AS_NOBODY, process.execPath, '-e', script], { encoding: 'utf8' }) : spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('EACCES');
    expect(readFileSync(path.join(version('1.0.0'), ...SHARED), 'utf8')).toBe(before);
    expect(readFileSync(path.join(version('1.0.0'), 'node_modules', 'posts-format', 'mark.js'), 'utf8')).not.toBe('mine');
    expect(await userFiles(dir)).toEqual([
      { path: 'node_modules/github-posts/cache.json', reason: 'created' },
      { path: 'node_modules/posts-format/mark.js', reason: 'changed' },
    ]);
  });

  it('reinstalling after uninstall links from the store with no network; prune then frees what no version uses', async () => {
    expect((await mcpm(['uninstall', 'github-posts'])).json?.ok).toBe(true);
    const requests = world.npmRequests.length;
    const log = path.join(home, 'modules.log');
    writeFileSync(log, '');
    const again = await runMcpm(['install', 'github-posts@1.1.0', ...inputs, '--registry', world.registryUrl, '--json'], { home, env: { NODE_OPTIONS: `--import=${HOOK}`, MODULE_LOG: log } });
    expect(again.json, again.stderr).toMatchObject({ ok: true, result: { version: '1.1.0' } });
    expect(world.npmRequests.slice(requests), 'no request to the npm registry').toEqual([]);
    // Linking only: neither pacote, arborist nor tar is loaded.
    expect(readFileSync(log, 'utf8').split('\n').filter((url) => /node_modules\/(pacote|@npmcli\/arborist|tar)\//.test(url))).toEqual([]);
    expect(readdirSync(path.dirname(version('1.1.0')))).toEqual(['1.1.0']);
    const files = casFiles().length;
    const pruned = await mcpm(['prune']);
    expect(pruned.json?.result, pruned.stderr).toMatchObject({ removed: [], collected: { files: expect.any(Number) } });
    expect(pruned.json.result.collected.files).toBeGreaterThan(0); // 1.0.0's package.json and lock left with it
    expect(casFiles().length).toBe(files - pruned.json.result.collected.files);
    for (const file of casFiles()) expect(statSync(file).nlink, file).toBeGreaterThan(1);
    await launches('1.1.0');
  });

  it('source maps and type declarations are left out unless dev-files is set; then a reinstall fetches them again', async () => {
    const devFiles = ['index.d.ts', 'index.js.map'].map((name) => path.join(version('1.1.0'), 'node_modules', 'posts-format', name));
    expect(devFiles.filter((file) => existsSync(file))).toEqual([]);
    expect(existsSync(path.join(version('1.1.0'), 'node_modules', 'posts-format', 'index.js'))).toBe(true);
    expect((await installedFiles(version('1.1.0')))?.map((f) => f.path).filter((p) => p.includes('index.d.ts'))).toEqual([]);
    expect((await mcpm(['config', 'set', 'dev-files', 'true'])).json?.ok).toBe(true);
    try {
      expect((await mcpm(['uninstall', 'github-posts'])).json?.ok).toBe(true);
      const again = await mcpm(['install', 'github-posts@1.1.0', ...inputs]);
      expect(again.json, again.stderr).toMatchObject({ ok: true, result: { version: '1.1.0' } });
      for (const file of devFiles) expect(statSync(file).nlink, `${file} is a link into the store`).toBe(2);
      expect(await userFiles(version('1.1.0'))).toEqual([]);
      await launches('1.1.0');
    } finally {
      expect((await mcpm(['config', 'unset', 'dev-files'])).json?.ok).toBe(true);
    }
  });

  it('doctor finds a stored file whose content is not its hash; --fix fetches the package again and relinks it', async () => {
    const file = path.join(version('1.1.0'), ...SHARED);
    const good = readFileSync(file, 'utf8');
    const stored = casFiles().find((f) => inode(f) === inode(file))!;
    chmodSync(stored, 0o644);
    writeFileSync(stored, 'module.exports = () => { throw new Error("bit rot") }\n');
    const found = await mcpm(['doctor']);
    expect(found.code).toBe(1);
    expect(found.json.result.problems).toEqual([expect.objectContaining({ kind: 'store-corrupt', message: expect.stringContaining('io.github.acme/github-posts/1.1.0') })]);
    const fixed = await mcpm(['doctor', '--fix']);
    expect(fixed.json?.result, fixed.stderr).toMatchObject({ ok: true, problems: [{ kind: 'store-corrupt', fixed: expect.any(String) }] });
    expect(readFileSync(file, 'utf8')).toBe(good);
    expect(statSync(file).nlink).toBe(2);
    expect((await mcpm(['doctor'])).json?.result).toMatchObject({ ok: true, problems: [] });
    await launches('1.1.0');
  });

  it('a version folder deleted by hand: doctor --fix puts it back from the state\'s lock and the stored files, with no network', async () => {
    rmSync(version('1.1.0'), { recursive: true, force: true });
    rmSync(path.join(store(), '.cas', 'trees'), { recursive: true, force: true }); // only the state's lock has the tree
    const requests = world.npmRequests.length;
    const fixed = await mcpm(['doctor', '--fix']);
    expect(fixed.json?.result.problems, fixed.stderr).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'store-missing', fixed: expect.any(String) })]));
    expect(world.npmRequests.slice(requests), 'no request to the npm registry').toEqual([]);
    await launches('1.1.0');
  });

  it('a store from before the content store: moved onto it without downloading, the server\'s own files left as they are', async () => {
    const dir = version('1.1.0');
    // Today's layout before this store: plain files (as arborist wrote them), a record without `layout`.
    const plain = `${dir}.plain`;
    cpSync(dir, plain, { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    cpSync(plain, dir, { recursive: true });
    rmSync(plain, { recursive: true, force: true });
    for (const { rel } of walk(dir)) chmodSync(path.join(dir, rel), 0o644);
    const record = JSON.parse(readFileSync(path.join(dir, 'mcpm-install.json'), 'utf8'));
    for (const key of ['layout', 'packages', 'own', 'tree']) delete record[key];
    writeFileSync(path.join(dir, 'mcpm-install.json'), JSON.stringify(record));
    rmSync(path.join(store(), '.cas'), { recursive: true, force: true });
    writeFileSync(path.join(dir, 'node_modules', 'github-posts', 'notes.txt'), 'my notes');
    writeFileSync(path.join(dir, 'node_modules', 'posts-format', 'mark.js'), 'mine');
    expect(statSync(path.join(dir, ...SHARED)).nlink).toBe(1);

    const requests = world.npmRequests.length;
    const run = await runMcpm(['prune', '--registry', world.registryUrl], { home });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Moving 1 store version onto the shared content store (once)');
    expect(world.npmRequests.slice(requests), 'nothing downloaded again').toEqual([]);
    expect(statSync(path.join(dir, ...SHARED)).nlink).toBe(2);
    expect(statSync(path.join(dir, ...SHARED)).mode & 0o222).toBe(0);
    expect(readFileSync(path.join(dir, 'node_modules', 'github-posts', 'notes.txt'), 'utf8')).toBe('my notes');
    expect(readFileSync(path.join(dir, 'node_modules', 'posts-format', 'mark.js'), 'utf8')).toBe('mine');
    expect(await userFiles(dir)).toEqual(expect.arrayContaining([
      { path: 'node_modules/github-posts/notes.txt', reason: 'created' },
      { path: 'node_modules/posts-format/mark.js', reason: 'changed' },
    ]));
    await launches('1.1.0');
    // Done once: the next command finds the marker and moves nothing.
    expect((await mcpm(['prune'])).stderr).not.toContain('Moving');
  });
});

describe('where hard links are impossible', () => {
  it('the content store on another filesystem: the version is made of read-only copies, and works', async (ctx) => {
    if (!ROOT || !probe('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', '/mnt']) || !probe('umount', ['/mnt'])) return ctx.skip('mount -t tmpfs is not permitted here');
    const cas = path.join(store(), '.cas');
    rmSync(cas, { recursive: true, force: true });
    mkdirSync(cas, { recursive: true });
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', cas]).status).toBe(0);
    try {
      const run = await mcpm(['install', 'github-posts@1.0.0', ...inputs]);
      expect(run.json?.ok, run.stderr + run.stdout).toBe(true);
      const file = path.join(version('1.0.0'), ...SHARED);
      expect(statSync(file).nlink).toBe(1);
      expect(statSync(file).mode & 0o222).toBe(0);
      await launches('1.0.0');
    } finally {
      spawnSync('umount', ['-l', cas]);
    }
  });
});

function walkDirs(dir: string, rel = ''): Array<{ rel: string }> {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) => {
    const child = rel ? `${rel}/${d.name}` : d.name;
    return [{ rel: child }, ...walkDirs(dir, child)];
  });
}

