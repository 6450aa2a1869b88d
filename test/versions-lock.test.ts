// Deliberate upgrades and reproducible setups: outdated, update (within the range and --latest), rollback, prune,
// and a project's mcpm.json + mcpm-lock.json installing identically in a fresh HOME.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { listenLocal } from './helpers/http.js';
import { startMcpRegistry, serverEntry, OFFICIAL_META, type RegistryEntry } from './helpers/mcp-registry.js';
import { startNpmRegistry } from './helpers/npm-registry.js';
import { packFixture } from './helpers/pack.js';
import { startPostsApi } from './helpers/posts-api.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { FIXTURES, packGithubPosts, SERVER, TOKEN } from './helpers/world.js';

let entries: RegistryEntry[];
let registryUrl: string;
let npmUrl: string;
let postsUrl: string;
const closers: Array<() => Promise<void>> = [];

const entryFor = (version: string, day: number) =>
  serverEntry(SERVER, version, {
    identifier: 'github-posts',
    version,
    registryBaseUrl: npmUrl,
    env: [
      { name: 'POSTS_API_URL', isRequired: true },
      { name: 'POSTS_API_TOKEN', isRequired: true, isSecret: true },
    ],
  }, { isLatest: true, publishedAt: `2025-11-${String(day).padStart(2, '0')}T00:00:00Z` });

/** Publishes a version: it becomes the registry's latest. */
function publish(version: string, day: number) {
  for (const entry of entries) entry._meta[OFFICIAL_META].isLatest = false;
  entries.push(entryFor(version, day));
}

beforeAll(async () => {
  const npm = await startNpmRegistry(await packGithubPosts(['1.0.0', '1.1.0', '1.2.0', '2.0.0']));
  npmUrl = npm.url;
  entries = [entryFor('1.0.0', 1)];
  const registry = await startMcpRegistry(entries);
  registryUrl = registry.url;
  const posts = await startPostsApi(TOKEN);
  postsUrl = posts.url;
  closers.push(npm.close, registry.close, posts.close);
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  await cleanupTmpDirs();
});

const inputs = () => ['--env', `POSTS_API_URL=${postsUrl}`, '--env', 'POSTS_API_TOKEN'];
const mcpm = (home: string, args: string[], cwd?: string) =>
  runMcpm([...args, '--registry', registryUrl], { home, cwd, env: { POSTS_API_TOKEN: TOKEN }, timeoutMs: 90_000 });
const entryArgs = (home: string) => JSON.parse(readFileSync(path.join(home, '.cursor', 'mcp.json'), 'utf8')).mcpServers['github-posts'].args.at(-1) as string;

describe('outdated, update, rollback, prune', () => {
  let home: string;
  beforeAll(async () => {
    home = await makeTmpDir('mcpm-versions-');
  });

  it('records ^version when no range is given, and outdated shows current, wanted and latest', async () => {
    const run = await mcpm(home, ['install', 'github-posts', '--client', 'cursor', '--json', ...inputs()]);
    expect(run.json?.result.version, run.stderr).toBe('1.0.0');
    const globalManifest = JSON.parse(readFileSync(path.join(home, '.mcpm', 'state', 'mcpm.json'), 'utf8'));
    expect(globalManifest.servers[SERVER]).toMatchObject({ range: '^1.0.0', clients: ['cursor'], key: 'github-posts' });
    const globalLock = JSON.parse(readFileSync(path.join(home, '.mcpm', 'state', 'mcpm-lock.json'), 'utf8'));
    expect(globalLock.servers[SERVER]).toMatchObject({ version: '1.0.0', package: { identifier: 'github-posts', integrity: expect.stringMatching(/^sha512-/) } });
    expect(Object.keys(globalLock.servers[SERVER].dependencies)).toContain('node_modules/posts-format');

    publish('1.1.0', 2);
    publish('2.0.0', 3);
    const report = await mcpm(home, ['outdated', '--json']);
    expect(report.code).toBe(0);
    expect(report.json.result).toEqual([expect.objectContaining({ name: SERVER, current: '1.0.0', wanted: '1.1.0', latest: '2.0.0', range: '^1.0.0' })]);
    const strict = await mcpm(home, ['outdated', '--exit-code']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/github-posts\s+io\.github\.acme\/github-posts\s+1\.0\.0\s+1\.1\.0\s+2\.0\.0/);
  });

  it('update stays within the range; --latest crosses it and records the new range', async () => {
    const within = await mcpm(home, ['update', '--json']);
    expect(within.json?.result.updated, within.stderr).toEqual([{ name: SERVER, from: '1.0.0', to: '1.1.0' }]);
    expect(entryArgs(home)).toContain(`${path.sep}1.1.0${path.sep}`);
    const again = await mcpm(home, ['update', 'github-posts', '--json']);
    // 2.0.0 is outside ^1.0.0: not taken, but said, with the command that takes it.
    expect(again.json.result).toEqual({ updated: [], upToDate: [SERVER], beyond: [{ name: SERVER, key: 'github-posts', current: '1.1.0', latest: '2.0.0', range: '^1.0.0' }] });
    const said = await runMcpm(['update', 'github-posts', '--registry', registryUrl], { home, timeoutMs: 90_000 });
    expect(said.stdout).toBe(`Everything is up to date within its recorded range.\n${SERVER}: 2.0.0 is out, outside ^1.0.0 (\`mcpm update github-posts --latest\` takes it)\n`);

    const latest = await mcpm(home, ['update', '--latest', '--json']);
    expect(latest.json?.result.updated, latest.stderr).toEqual([{ name: SERVER, from: '1.1.0', to: '2.0.0' }]);
    expect(entryArgs(home)).toContain(`${path.sep}2.0.0${path.sep}`);
    const report = await mcpm(home, ['outdated', '--json']);
    expect(report.json.result[0]).toMatchObject({ current: '2.0.0', wanted: '2.0.0', latest: '2.0.0', range: '^2.0.0' });
    // The versions before stay in the store until prune.
    expect(readdirSync(path.join(home, '.mcpm', 'store', 'io.github.acme', 'github-posts')).sort()).toEqual(['1.0.0', '1.1.0', '2.0.0']);
  });

  it('rollback returns to the version before, and prune frees the rest', async () => {
    const back = await mcpm(home, ['rollback', 'github-posts', '--json']);
    expect(back.json?.result, back.stderr).toEqual({ name: SERVER, from: '2.0.0', to: '1.1.0' });
    expect(entryArgs(home)).toContain(`${path.sep}1.1.0${path.sep}`);
    const pruned = await mcpm(home, ['prune', '--json']);
    expect(pruned.json.result.removed.map((r: { path: string }) => path.basename(r.path)).sort()).toEqual(['1.0.0', '2.0.0']);
    expect(pruned.json.result.freedBytes).toBeGreaterThan(1000);
    expect(readdirSync(path.join(home, '.mcpm', 'store', 'io.github.acme', 'github-posts'))).toEqual(['1.1.0']);
    const none = await mcpm(home, ['rollback', 'github-posts', '--json']);
    expect(none.json.error).toMatchObject({ code: 'ENOVERSION' });
  });

  it('a version its registry deletes (or takes down) is flagged by outdated, list and doctor', async () => {
    const meta = entries.find((e) => e.server.version === '1.1.0')!._meta[OFFICIAL_META];
    Object.assign(meta, { status: 'deleted', updatedAt: new Date().toISOString() });
    const report = await mcpm(home, ['outdated', '--json']);
    expect(report.json.result[0]).toMatchObject({ current: '1.1.0', status: 'deleted' });
    expect((await mcpm(home, ['outdated'])).stdout).toContain('1.1.0 (deleted)');
    expect((await mcpm(home, ['list', '--json'])).json.result[0]).toMatchObject({ version: '1.1.0', registryStatus: 'deleted' });
    expect((await mcpm(home, ['list'])).stdout).toContain('1.1.0 (deleted in its registry)');
    const doctor = await mcpm(home, ['doctor', '--json']);
    expect(doctor.json.result.problems).toContainEqual(expect.objectContaining({ kind: 'registry-status', message: expect.stringContaining('deleted (or taken down) in its registry') }));
    Object.assign(meta, { status: 'active', updatedAt: new Date().toISOString() });
    await mcpm(home, ['outdated', '--json']);
    expect((await mcpm(home, ['list', '--json'])).json.result[0].registryStatus).toBeUndefined();
  });
});

describe('a project reproduces from mcpm.json + mcpm-lock.json', () => {
  let firstHome: string;
  let project: string;
  beforeAll(async () => {
    firstHome = await makeTmpDir('mcpm-project-a-');
    project = path.join(firstHome, 'repo');
    mkdirSync(project);
    const run = await mcpm(firstHome, ['install', 'github-posts@^1.1.0', '--scope', 'project', '--client', 'claude-code', '--client', 'cursor', '--json', ...inputs()], project);
    expect(run.json?.result.version, run.stderr).toBe('1.1.0');
  });

  it('writes the lock with the package integrity and the whole dependency tree, and no secret', () => {
    const lock = JSON.parse(readFileSync(path.join(project, 'mcpm-lock.json'), 'utf8'));
    expect(lock.lockfileVersion).toBe(1);
    expect(lock.servers[SERVER]).toMatchObject({ version: '1.1.0', registry: registryUrl, package: { identifier: 'github-posts', version: '1.1.0', integrity: expect.stringMatching(/^sha512-/) } });
    expect(lock.servers[SERVER].dependencies['node_modules/posts-format']).toMatchObject({ version: '1.0.0', integrity: expect.stringMatching(/^sha512-/) });
    for (const file of ['mcpm.json', 'mcpm-lock.json', '.mcp.json', path.join('.cursor', 'mcp.json')]) {
      expect(readFileSync(path.join(project, file), 'utf8')).not.toContain(TOKEN);
    }
  });

  it('installs the locked version and identical entries in a fresh HOME, even after a newer version appears', async () => {
    publish('1.2.0', 4);
    const secondHome = await makeTmpDir('mcpm-project-b-');
    const clone = path.join(secondHome, 'checkout');
    mkdirSync(clone);
    for (const file of ['mcpm.json', 'mcpm-lock.json']) cpSync(path.join(project, file), path.join(clone, file));
    const nested = path.join(clone, 'src', 'deep');
    mkdirSync(nested, { recursive: true });
    // Neither secrets nor anyone's input values are in the project's files: without them, the install stops and names them.
    const missing = await runMcpm(['install', '--registry', registryUrl, '--json'], { home: secondHome, cwd: nested });
    expect(missing.json?.error).toMatchObject({ code: 'EINPUT', message: 'Missing required inputs: POSTS_API_URL, POSTS_API_TOKEN' });
    const run = await runMcpm(['install', '--json', '--env', `POSTS_API_URL=${postsUrl}`, '--env', 'POSTS_API_TOKEN'], { home: secondHome, cwd: nested, env: { POSTS_API_TOKEN: TOKEN } });
    expect(run.json?.result.servers.map((s: any) => s.version), run.stderr).toEqual(['1.1.0']);
    for (const file of ['.mcp.json', path.join('.cursor', 'mcp.json')]) {
      const first = readFileSync(path.join(project, file), 'utf8').replaceAll(firstHome, '<HOME>').replaceAll(project, '<PROJECT>');
      const second = readFileSync(path.join(clone, file), 'utf8').replaceAll(secondHome, '<HOME>').replaceAll(clone, '<PROJECT>');
      expect(second).toBe(first);
    }
    expect(JSON.parse(readFileSync(path.join(clone, 'mcpm.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(path.join(project, 'mcpm.json'), 'utf8')));
  });

  /** `mcpm install` in a fresh checkout of the project whose lock `edit` changed first, in a fresh HOME. */
  async function installWithEditedLock(prefix: string, edit: (lock: any) => void) {
    const home = await makeTmpDir(prefix);
    const clone = path.join(home, 'checkout');
    mkdirSync(clone);
    cpSync(path.join(project, 'mcpm.json'), path.join(clone, 'mcpm.json'));
    const lock = JSON.parse(readFileSync(path.join(project, 'mcpm-lock.json'), 'utf8'));
    edit(lock);
    writeFileSync(path.join(clone, 'mcpm-lock.json'), JSON.stringify(lock, null, 2));
    const run = await runMcpm(['install', '--json', '--env', `POSTS_API_URL=${postsUrl}`, '--env', 'POSTS_API_TOKEN'], { home, cwd: clone, env: { POSTS_API_TOKEN: TOKEN } });
    return { run, home, clone };
  }

  /** No client file written, and no version reached the store (mcpm may have created its own empty folders). */
  function expectNothingInstalled(home: string, clone: string) {
    expect(existsSync(path.join(clone, '.mcp.json'))).toBe(false);
    expect(existsSync(path.join(home, '.mcpm', 'store', 'io.github.acme', 'github-posts', '1.1.0'))).toBe(false);
  }

  it('refuses a lock whose integrity no longer matches what is downloaded, writing nothing', async () => {
    const { run, home, clone } = await installWithEditedLock('mcpm-project-c-', (lock) => {
      lock.servers[SERVER].package.integrity = 'sha512-' + Buffer.alloc(64, 1).toString('base64');
    });
    expect(run.json?.error, run.stderr).toMatchObject({ code: 'EINTEGRITY', message: expect.stringContaining('lock file') });
    expectNothingInstalled(home, clone);
  });

  it('a lock that gives a dependency the integrity of another package in the same install: EINTEGRITY, nothing written', async () => {
    // The store finds a tarball by its integrity alone: without a look at the package.json inside, posts-format's
    // folder would be filled with github-posts' genuine files (src/store/unpack.ts, assertSamePackage).
    const { run, home, clone } = await installWithEditedLock('mcpm-project-e-', (lock) => {
      lock.servers[SERVER].dependencies['node_modules/posts-format'].integrity = lock.servers[SERVER].package.integrity;
    });
    expect(run.json?.error, run.stderr).toMatchObject({ code: 'EINTEGRITY', message: 'The tarball given for posts-format@1.0.0 is github-posts@1.1.0: the lock gives it another package\'s integrity' });
    expect(run.json.error.hint).toMatch(/^Nothing was installed/);
    expectNothingInstalled(home, clone);
  });

  it('a lock that sends a dependency\'s download to another host: the registry\'s tarball or nothing, that host never asked', async () => {
    // A dependency's tarball is fetched from the lock's URL directly only when that URL is the registry's own for
    // that name and version (src/store/fetch.ts); any other URL goes through the registry's packument, as before.
    const other = await packFixture(path.join(FIXTURES, 'posts-format'), { description: 'not what the registry published' });
    const asked: string[] = [];
    const elsewhere = await listenLocal((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': other.tarball.length });
      res.end(other.tarball);
    });
    try {
      const { run, home, clone } = await installWithEditedLock('mcpm-project-d-', (lock) => {
        Object.assign(lock.servers[SERVER].dependencies['node_modules/posts-format'], { resolved: `${elsewhere.url}/posts-format/-/posts-format-1.0.0.tgz`, integrity: other.integrity });
      });
      expect(run.json?.error, run.stderr).toMatchObject({ code: 'EINTEGRITY', message: expect.stringContaining('posts-format@1.0.0') });
      expect(asked).toEqual([]);
      expectNothingInstalled(home, clone);
    } finally {
      await elsewhere.close();
    }
  });
});
