// A registry for a team, from folder to CDN: mirror an upstream registry with an allow file (incremental, status
// changes, idempotent), build the folder as a static site, serve it with a static file server no one here wrote
// (Python's http.server), and install a server through it. Real parts: an npm registry with the github-posts fixture,
// an upstream speaking v0.1, and the CLI.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { OFFICIAL_META, serverEntry, startMcpRegistry, type McpRegistry, type RegistryEntry } from './helpers/mcp-registry.js';
import { startNpmRegistry, type NpmRegistry } from './helpers/npm-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { packGithubPosts } from './helpers/world.js';

const MIRROR_META = 'dev.mcpm.registry/mirror';
const PYTHON = spawnSync('python3', ['--version']).status === 0;
let npm: NpmRegistry;
let upstream: McpRegistry;
let entries: RegistryEntry[];
let root: string;
let home: string;

beforeAll(async () => {
  npm = await startNpmRegistry(await packGithubPosts(['1.0.0', '1.1.0', '1.2.0']));
  const posts = (version: string, i: number, latest: boolean) => serverEntry('io.github.acme/github-posts', version, {
    identifier: 'github-posts', version, registryBaseUrl: npm.url,
    env: [{ name: 'POSTS_API_URL', isRequired: true }, { name: 'POSTS_API_TOKEN', isRequired: true, isSecret: true }],
  }, { isLatest: latest, publishedAt: `2025-11-0${i}T00:00:00Z` });
  const invalid = serverEntry('io.github.acme/other-broken', '1.0.0', { identifier: 'x', version: 'latest' });
  entries = [
    posts('1.0.0', 1, false),
    posts('1.1.0', 2, true),
    serverEntry('io.github.acme/other-tool', '1.0.0', { identifier: 'other-tool', version: '1.0.0' }, { publishedAt: '2025-11-03T00:00:00Z' }),
    serverEntry('io.github.acme/other-live', '2.0.0', { identifier: 'other-live', version: '2.0.0' }, { publishedAt: '2025-11-03T00:00:00Z' }),
    serverEntry('io.github.evil/not-approved', '1.0.0', { identifier: 'evil', version: '1.0.0' }, { publishedAt: '2025-11-04T00:00:00Z' }),
    invalid,
  ];
  // Upstream metadata of another namespace must pass through the mirror untouched.
  entries[1]!._meta['com.example.ratings/v1'] = { stars: 5 };
  upstream = await startMcpRegistry(entries);
  root = await makeTmpDir('mcpm-team-');
  home = path.join(root, 'home');
  mkdirSync(path.join(home, '.config', 'Claude'), { recursive: true });
  writeFileSync(path.join(home, '.config', 'Claude', 'claude_desktop_config.json'), '{}\n');
});
afterAll(async () => {
  await Promise.all([npm?.close(), upstream?.close()]);
  await cleanupTmpDirs();
});

const mcpm = (args: string[]) => runMcpm([...args, '--json'], { home, timeoutMs: 90_000 });
const official = (file: string) => JSON.parse(readFileSync(file, 'utf8'))._meta[OFFICIAL_META];

describe('a registry for a team', () => {
  it('mirrors an upstream with an allow file: incremental, status changes, tombstones, idempotent', async () => {
    const dir = path.join(root, 'registry');
    const allow = path.join(root, 'allow.txt');
    writeFileSync(allow, '# approved servers\nio.github.acme/github-posts\nio.github.acme/other-*\n');
    const first = await mcpm(['registry', 'mirror', upstream.url, dir, '--allow', allow]);
    expect(first.json?.result, first.stderr).toMatchObject({ mode: 'full', added: 4, updated: 0, versions: 4, skipped: { notAllowed: 1, invalid: 1 } });
    const file = path.join(dir, 'io.github.acme', 'github-posts', '1.1.0.json');
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.server).toEqual(entries[1]!.server);
    expect(written._meta[OFFICIAL_META]).toEqual(entries[1]!._meta[OFFICIAL_META]);
    expect(written._meta['com.example.ratings/v1']).toEqual({ stars: 5 });
    expect(written._meta[MIRROR_META]).toEqual({ upstream: upstream.url, mirroredAt: expect.any(String) });
    expect(existsSync(path.join(dir, 'io.github.evil'))).toBe(false);

    // Again: one request for changes, nothing rewritten.
    const before = statSync(file).mtimeMs;
    const asked = upstream.requests.length;
    const again = await mcpm(['registry', 'mirror', upstream.url, dir, '--allow', allow]);
    expect(again.json.result).toMatchObject({ mode: 'incremental', added: 0, updated: 0, deleted: 0 });
    expect(upstream.requests.slice(asked)).toEqual([expect.stringMatching(/^GET \/v0\.1\/servers\?updated_since=.*include_deleted=true/)]);
    expect(statSync(file).mtimeMs).toBe(before);

    // Upstream: 1.0.0 deprecated, 1.2.0 published (the new latest), other-tool deleted.
    const now = () => new Date(Date.now() + 1000).toISOString();
    Object.assign(entries[0]!._meta[OFFICIAL_META], { status: 'deprecated', updatedAt: now() });
    Object.assign(entries[1]!._meta[OFFICIAL_META], { isLatest: false, updatedAt: now() });
    Object.assign(entries[2]!._meta[OFFICIAL_META], { status: 'deleted', updatedAt: now() });
    entries.push(serverEntry('io.github.acme/github-posts', '1.2.0', { identifier: 'github-posts', version: '1.2.0', registryBaseUrl: npm.url, env: [{ name: 'POSTS_API_URL', isRequired: true }, { name: 'POSTS_API_TOKEN', isRequired: true, isSecret: true }] }, { publishedAt: now() }));
    const changes = await mcpm(['registry', 'mirror', upstream.url, dir, '--allow', allow]);
    expect(changes.json.result).toMatchObject({ mode: 'incremental', added: 1, updated: 2, deleted: 1, versions: 4 });
    expect(official(path.join(dir, 'io.github.acme', 'github-posts', '1.0.0.json')).status).toBe('deprecated');
    expect(official(path.join(dir, 'io.github.acme', 'other-tool', '1.0.0.json')).status).toBe('deleted');

    // A narrower allow file: a full listing, and what is no longer approved becomes a tombstone.
    writeFileSync(allow, 'io.github.acme/github-posts\n');
    const narrowed = await mcpm(['registry', 'mirror', upstream.url, dir, '--allow', allow]);
    expect(narrowed.json.result).toMatchObject({ mode: 'full', unapproved: 1, versions: 3 });
    expect(official(path.join(dir, 'io.github.acme', 'other-live', '2.0.0.json'))).toMatchObject({ status: 'deleted', statusMessage: 'no longer in the mirror\'s allow file' });
    // Interrupted after writing files but before its state: the next run redoes the work and changes nothing.
    rmSync(path.join(dir, '.mcpm-mirror.json'));
    expect((await mcpm(['registry', 'mirror', upstream.url, dir, '--allow', allow])).json.result).toMatchObject({ mode: 'full', added: 0, updated: 0, deleted: 0 });
    // Another upstream into the same folder is refused.
    expect((await mcpm(['registry', 'mirror', npm.url.replace(/\/$/, ''), dir])).json.error.code).toBe('ECONFLICT');
  });

  it('builds the folder as a static site; Python\'s http.server serves it; mcpm searches and installs through it', async (ctx) => {
    if (!PYTHON) ctx.skip('python3 is not installed: the static site needs a third-party file server');
    const dir = path.join(root, 'registry');
    if (!existsSync(dir)) ctx.skip('needs the mirror of the previous test');
    const site = path.join(root, 'site');
    const build = await mcpm(['registry', 'build', dir, '--out', site]);
    expect(build.json?.result, build.stderr).toMatchObject({ out: site, servers: 3, versions: 5 });
    expect(readdirSync(path.join(site, 'v0.1', 'servers', 'io.github.acme', 'github-posts', 'versions')).sort()).toEqual(['1.0.0', '1.1.0', '1.2.0', 'index.html', 'latest']);
    // The deleted server is listed (so syncing clients learn of it) but has no versions of its own.
    expect(existsSync(path.join(site, 'v0.1', 'servers', 'io.github.acme', 'other-tool'))).toBe(false);

    const python = await startPython(site);
    try {
      const listing = await (await fetch(`${python.url}/v0.1/servers?limit=1&search=nothing`)).json();
      expect(listing.metadata.nextCursor).toBeUndefined();
      expect(listing.servers).toHaveLength(5);
      const latest = await (await fetch(`${python.url}/v0.1/servers/${encodeURIComponent('io.github.acme/github-posts')}/versions/latest`)).json();
      expect(latest.server.version).toBe('1.2.0');

      const search = await mcpm(['search', 'posts', '--registry', python.url]);
      expect(search.json?.result, search.stderr).toEqual([expect.objectContaining({ name: 'io.github.acme/github-posts', version: '1.2.0' })]);
      expect((await mcpm(['search', 'other', '--registry', python.url])).json.result).toEqual([]);
      const install = await runMcpm(['install', 'github-posts@1.1.0', '--client', 'claude-desktop', '--registry', python.url, '--env', 'POSTS_API_URL=http://127.0.0.1:9', '--env', 'POSTS_API_TOKEN=t', '--json'], { home, timeoutMs: 90_000 });
      expect(install.json?.result, install.stderr).toMatchObject({ name: 'io.github.acme/github-posts', version: '1.1.0', registry: python.url, package: { identifier: 'github-posts', version: '1.1.0' } });
      const entry = JSON.parse(readFileSync(path.join(home, '.config', 'Claude', 'claude_desktop_config.json'), 'utf8')).mcpServers['github-posts'];
      expect(entry.args.at(-1)).toContain(path.join('github-posts', '1.1.0'));
      expect(python.log()).toMatch(/"GET \/v0\.1\/servers\/\?include_deleted=true&limit=100 HTTP\/1\.1" 200/);
    } finally {
      python.stop();
    }
  });
});

/** `python3 -m http.server 0` on the site; resolves once it says where it listens. */
async function startPython(dir: string): Promise<{ url: string; log: () => string; stop: () => void }> {
  const child: ChildProcess = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`http.server did not start: ${output}`)), 15_000);
    const check = () => {
      const match = /port (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', () => reject(new Error(`http.server exited: ${output}`)));
  });
  return { url, log: () => output, stop: () => void child.kill('SIGTERM') };
}
