// `mcpm registry serve`: a static index or a folder of server.json files over the v0.1 read API, started as a child
// process on port 0, used by mcpm itself (search, info, install) and checked on the wire.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { OFFICIAL_META, serverEntry } from './helpers/mcp-registry.js';
import { startNpmRegistry, type NpmRegistry } from './helpers/npm-registry.js';
import { startServe } from './helpers/serve-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { packGithubPosts } from './helpers/world.js';

const DUMP = new URL('../../shared/registry/official-2025-12-02.json', import.meta.url).pathname;
let npm: NpmRegistry;

beforeAll(async () => {
  npm = await startNpmRegistry(await packGithubPosts(['1.0.0', '1.1.0']));
});
afterAll(async () => {
  await npm.close();
  await cleanupTmpDirs();
});

const postsJson = (version: string) => ({
  $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
  name: 'io.github.acme/github-posts',
  description: 'Posts from the acme API',
  version,
  packages: [{ registryType: 'npm', registryBaseUrl: npm.url, identifier: 'github-posts', version, transport: { type: 'stdio' } }],
});
const getJson = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as any };
};

describe('mcpm registry serve', () => {
  it('serves a folder of server.json files (recursively), computing the latest version; mcpm installs from it', async () => {
    const dir = await makeTmpDir('mcpm-serve-dir-');
    const home = await makeTmpDir('mcpm-serve-home-');
    mkdirSync(path.join(dir, 'servers', 'posts'), { recursive: true });
    mkdirSync(path.join(dir, 'servers', 'other'), { recursive: true });
    writeFileSync(path.join(dir, 'servers', 'posts', '1.0.0.json'), JSON.stringify(postsJson('1.0.0')));
    writeFileSync(path.join(dir, 'servers', 'posts', 'server.json'), JSON.stringify(postsJson('1.1.0')));
    // A wrapper marks a version deprecated; registry metadata in the file is kept.
    writeFileSync(path.join(dir, 'servers', 'posts', '0.9.0.json'), JSON.stringify({ server: postsJson('0.9.0'), _meta: { [OFFICIAL_META]: { status: 'deprecated' } } }));
    writeFileSync(path.join(dir, 'servers', 'other', 'server.json'), JSON.stringify({ ...postsJson('3.0.0'), name: 'io.github.acme/other-tool', description: 'Another tool' }));
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'team-registry', version: '1.0.0' }));
    writeFileSync(path.join(dir, 'servers', 'broken.json'), '{ nope');
    const served = await startServe(dir, { home: dir });
    try {
      expect(served.stderr()).toMatch(/Serving 4 versions of 2 servers from .* at http:\/\/127\.0\.0\.1:\d+/);
      expect(served.stderr()).toMatch(/warning Skipped .*broken\.json: not valid JSON/);
      expect(served.stderr()).not.toContain('package.json');

      const latest = await getJson(`${served.url}/v0.1/servers/${encodeURIComponent('io.github.acme/github-posts')}/versions/latest`);
      expect(latest.body.server.version).toBe('1.1.0');
      expect(latest.body._meta[OFFICIAL_META]).toMatchObject({ status: 'active', isLatest: true, publishedAt: expect.any(String) });

      const configFile = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
      mkdirSync(path.dirname(configFile), { recursive: true });
      writeFileSync(configFile, '{}\n');
      const search = await runMcpm(['search', 'acme', '--registry', served.url, '--json'], { home });
      expect(search.json.result.map((h: any) => `${h.name}@${h.version}`)).toEqual(['io.github.acme/github-posts@1.1.0', 'io.github.acme/other-tool@3.0.0']);
      const info = await runMcpm(['info', 'github-posts', '--registry', served.url, '--json'], { home });
      expect(info.json.result.versions.map((v: any) => `${v.version}:${v.status}`)).toEqual(['0.9.0:deprecated', '1.0.0:active', '1.1.0:active']);
      const install = await runMcpm(['install', 'github-posts', '--client', 'claude-desktop', '--registry', served.url, '--json', '--env', 'POSTS_API_URL=http://x', '--env', 'POSTS_API_TOKEN=y'], { home, timeoutMs: 60_000 });
      expect(install.json, install.stderr).toMatchObject({ ok: true, result: { name: 'io.github.acme/github-posts', version: '1.1.0', registry: served.url } });
      expect(JSON.parse(readFileSync(configFile, 'utf8')).mcpServers['github-posts'].args.at(-1)).toContain(path.join('github-posts', '1.1.0'));

      // SIGHUP reloads the folder (after a git pull): a new version appears.
      writeFileSync(path.join(dir, 'servers', 'posts', '1.2.0.json'), JSON.stringify(postsJson('1.2.0')));
      served.signal('SIGHUP');
      await expect.poll(() => served.stderr()).toMatch(/Reloaded: 5 versions of 2 servers/);
      expect((await getJson(`${served.url}/v0.1/servers?version=latest&search=posts`)).body.servers.map((s: any) => s.server.version)).toEqual(['1.2.0']);
    } finally {
      const stopped = await served.stop('SIGINT');
      expect(stopped.code).toBe(0);
    }
  });

  it('serves a static index over the v0.1 API: paging, filters, updated_since with deletions, 404s, and a --json summary', async () => {
    const dir = await makeTmpDir('mcpm-serve-index-');
    const entries = [
      ...Array.from({ length: 5 }, (_, i) => serverEntry(`io.github.acme/s${i}`, '1.0.0', { identifier: `s${i}`, version: '1.0.0' }, { publishedAt: `2025-01-0${i + 1}T00:00:00Z` })),
      serverEntry('io.github.acme/gone', '1.0.0', { identifier: 'gone', version: '1.0.0' }, { status: 'deleted', publishedAt: '2025-03-01T00:00:00Z' }),
    ];
    writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ servers: entries }));
    const served = await startServe(path.join(dir, 'index.json'), { home: dir, args: ['--json'] });
    try {
      // Pages of 2 follow nextCursor to the end; deleted entries are hidden by default.
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const { body } = await getJson(`${served.url}/v0.1/servers?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        seen.push(...body.servers.map((s: any) => s.server.name));
        cursor = body.metadata.nextCursor;
        if (!cursor) break;
      }
      expect(seen).toEqual(['io.github.acme/s0', 'io.github.acme/s1', 'io.github.acme/s2', 'io.github.acme/s3', 'io.github.acme/s4']);
      const since = await getJson(`${served.url}/v0.1/servers?updated_since=2025-01-04T00:00:00Z`);
      expect(since.body.servers.map((s: any) => s.server.name)).toEqual(['io.github.acme/gone', 'io.github.acme/s4']);
      expect((await getJson(`${served.url}/v0.1/servers?include_deleted=true&search=GONE`)).body.servers).toHaveLength(1);
      expect(await getJson(`${served.url}/v0.1/servers/${encodeURIComponent('io.github.acme/gone')}/versions`)).toMatchObject({ status: 404, type: 'application/problem+json' });
      expect((await getJson(`${served.url}/v0.1/servers?cursor=bogus`)).status).toBe(400);
      expect((await getJson(`${served.url}/v0.1/servers?updated_since=yesterday`)).status).toBe(400);
      expect((await getJson(`${served.url}/v0.1/servers/${encodeURIComponent('io.github.acme/s3')}/versions/1.0.0`)).body.server.name).toBe('io.github.acme/s3');

      const home = await makeTmpDir('mcpm-serve-home-');
      const sync = await runMcpm(['registry', 'sync', '--registry', served.url, '--json'], { home });
      expect(sync.json.result[0]).toMatchObject({ mode: 'full', servers: 5, versions: 5 });
    } finally {
      const stopped = await served.stop('SIGTERM');
      expect(stopped.code).toBe(0);
      expect(JSON.parse(stopped.stdout)).toMatchObject({ ok: true, result: { url: served.url, servers: 6, versions: 6, requests: expect.any(Number), stoppedBy: 'SIGTERM' } });
    }
  });

  it('with --token-env, refuses requests without the token', async () => {
    const dir = await makeTmpDir('mcpm-serve-token-');
    writeFileSync(path.join(dir, 'server.json'), JSON.stringify(postsJson('1.0.0')));
    const served = await startServe(dir, { home: dir, args: ['--token-env', 'SERVE_TOKEN'], env: { SERVE_TOKEN: 'sekret-1' } });
    try {
      expect((await fetch(`${served.url}/v0.1/servers`)).status).toBe(401);
      expect((await fetch(`${served.url}/v0.1/servers`, { headers: { authorization: 'Bearer sekret-1' } })).status).toBe(200);
      expect(served.stderr()).not.toContain('sekret-1');
    } finally {
      await served.stop();
    }
    const missing = await runMcpm(['registry', 'serve', dir, '--port', '0', '--token-env', 'SERVE_TOKEN', '--json'], { home: dir });
    expect(missing.json.error).toMatchObject({ code: 'EUSAGE', message: 'SERVE_TOKEN is not set' });
  });

  it('serves the official registry dump; a synced cache answers search like the dump itself', async (ctx) => {
    if (!existsSync(DUMP)) ctx.skip(`${DUMP} is absent (the shared registry data sits beside the repository)`);
    const dump = JSON.parse(readFileSync(DUMP, 'utf8')) as { servers: Array<{ server: any; _meta: any }> };
    const home = await makeTmpDir('mcpm-serve-dump-');
    const served = await startServe(DUMP, { home });
    try {
      const sync = await runMcpm(['registry', 'sync', '--registry', served.url, '--json'], { home, timeoutMs: 120_000 });
      expect(sync.json.result[0]).toMatchObject({ mode: 'full', versions: 2354, servers: 964 });
      // Independently: the latest of each server whose name, title, description or a package identifier contains "github".
      const expected = dump.servers
        .filter((e) => e._meta[OFFICIAL_META].isLatest && e._meta[OFFICIAL_META].status !== 'deleted')
        .filter((e) => [e.server.name, e.server.title, e.server.description, ...(e.server.packages ?? []).map((p: any) => p.identifier)].some((t) => typeof t === 'string' && t.toLowerCase().includes('github')))
        .map((e) => `${e.server.name}@${e.server.version}`)
        .sort();
      const search = await runMcpm(['search', 'GitHub', '--registry', served.url, '--json'], { home });
      expect(search.json.result.map((h: any) => `${h.name}@${h.version}`).sort()).toEqual(expected);
      expect(expected.length).toBeGreaterThan(50);
    } finally {
      await served.stop();
    }
  });
});
