// The local cache of an MCP registry: a full listing paged by cursor, incremental refresh with updated_since
// (deletions and status changes), use of a stale cache (with its age) when the registry is down, and cache clean.
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { startHangingServer } from './helpers/hanging-server.js';
import { listenLocal, sendJson } from './helpers/http.js';
import { OFFICIAL_META, serverEntry, startMcpRegistry, type RegistryEntry } from './helpers/mcp-registry.js';
import { startNpmRegistry } from './helpers/npm-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { packGithubPosts } from './helpers/world.js';

let home: string;
afterAll(cleanupTmpDirs);
beforeEach(async () => {
  home = await makeTmpDir('mcpm-cache-');
});

const mcpm = (args: string[], env: Record<string, string> = {}) => runMcpm(args, { home, env, timeoutMs: 60_000 });
const registriesDir = () => path.join(home, '.mcpm', 'cache', 'registries');
const cacheDir = () => {
  const dirs = readdirSync(registriesDir());
  expect(dirs).toHaveLength(1);
  return path.join(registriesDir(), dirs[0]!);
};
const meta = (e: RegistryEntry) => e._meta[OFFICIAL_META];
/** A status change as the registry records it: new status, updatedAt moved on. */
function setStatus(entry: RegistryEntry, status: 'active' | 'deprecated' | 'deleted', updatedAt: string) {
  Object.assign(meta(entry), { status, updatedAt });
}
const pkg = (version: string) => ({ identifier: 'github-posts', version, registryBaseUrl: 'http://127.0.0.1:9/' });
const names = (run: { json?: any }) => (run.json?.result ?? []).map((hit: { name: string }) => hit.name);

describe('the registry cache', () => {
  it('fetches the full listing page by page into a cache with a format version, then searches it without asking again', async () => {
    const entries = Array.from({ length: 250 }, (_, i) => serverEntry(`io.github.org${String(i).padStart(3, '0')}/tool`, '1.0.0', pkg('1.0.0')));
    entries.push(serverEntry('io.github.acme/weather', '1.0.0', pkg('1.0.0')));
    const registry = await startMcpRegistry(entries);
    try {
      const sync = await mcpm(['registry', 'sync', '--registry', registry.url, '--json']);
      expect(sync.json, sync.stderr).toMatchObject({ ok: true, result: [{ url: registry.url, mode: 'full', added: 251, changed: 0, deleted: 0, servers: 251, versions: 251 }] });
      const listing = registry.requests.filter((r) => r.startsWith('GET /v0.1/servers?'));
      expect(listing).toHaveLength(3); // 100 + 100 + 51
      expect(listing.filter((r) => r.includes('cursor='))).toHaveLength(2);
      expect(listing.every((r) => r.includes('include_deleted=true') && r.includes('limit=100'))).toBe(true);

      const dir = cacheDir();
      expect(JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8'))).toMatchObject({ formatVersion: 1, url: registry.url, kind: 'api', versions: 251, servers: 251 });
      const index = readFileSync(path.join(dir, 'index.jsonl'), 'utf8').trim().split('\n');
      expect(JSON.parse(index[0]!)).toEqual({ formatVersion: 1, servers: 251 });
      expect(index).toHaveLength(252);
      for (const shard of readdirSync(path.join(dir, 'servers'))) {
        expect(JSON.parse(readFileSync(path.join(dir, 'servers', shard), 'utf8')).formatVersion).toBe(1);
      }

      const before = registry.requests.length;
      const search = await mcpm(['search', 'weather', '--registry', registry.url, '--json']);
      expect(search.json.result).toEqual([
        { name: 'io.github.acme/weather', description: 'Test server weather', version: '1.0.0', packageTypes: ['npm'], registry: registry.url, registryName: expect.any(String) },
      ]);
      const info = await mcpm(['info', 'io.github.org249/tool', '--registry', registry.url, '--json']);
      expect(info.json.result).toMatchObject({ name: 'io.github.org249/tool', version: '1.0.0', registry: registry.url });
      expect(registry.requests.length).toBe(before); // a fresh cache answers alone
    } finally {
      await registry.close();
    }
  });

  it('an incremental sync asks for updated_since and applies a deletion, a deprecation and a new version', async () => {
    const entries = [
      serverEntry('io.github.acme/alpha', '1.0.0', pkg('1.0.0'), { isLatest: false, publishedAt: '2025-01-01T00:00:00Z' }),
      serverEntry('io.github.acme/alpha', '1.1.0', pkg('1.1.0'), { publishedAt: '2025-01-02T00:00:00Z' }),
      serverEntry('io.github.acme/beta', '1.0.0', pkg('1.0.0'), { publishedAt: '2025-01-03T00:00:00Z' }),
      serverEntry('io.github.acme/gamma', '1.0.0', pkg('1.0.0'), { isLatest: false, publishedAt: '2025-01-04T00:00:00Z' }),
      serverEntry('io.github.acme/gamma', '2.0.0', pkg('2.0.0'), { publishedAt: '2025-01-05T00:00:00Z' }),
    ];
    const registry = await startMcpRegistry(entries);
    const reg = ['--registry', registry.url];
    try {
      expect((await mcpm(['registry', 'sync', ...reg, '--json'])).json.result[0]).toMatchObject({ mode: 'full', added: 5, servers: 3, versions: 5 });
      expect(names(await mcpm(['search', 'acme', ...reg, '--json']))).toEqual(['io.github.acme/alpha', 'io.github.acme/beta', 'io.github.acme/gamma']);

      // What happened at the registry since: beta deleted, alpha 1.1.0 deprecated, gamma 2.0.0 deleted, delta published.
      setStatus(entries[2]!, 'deleted', '2025-02-01T00:00:00Z');
      setStatus(entries[1]!, 'deprecated', '2025-02-02T00:00:00Z');
      setStatus(entries[4]!, 'deleted', '2025-02-03T00:00:00Z');
      Object.assign(meta(entries[3]!), { isLatest: true, updatedAt: '2025-02-03T00:00:00Z' });
      entries.push(serverEntry('io.github.acme/delta', '0.1.0', pkg('0.1.0'), { publishedAt: '2025-02-04T00:00:00Z' }));
      const seen = registry.requests.length;

      const sync = await mcpm(['registry', 'sync', ...reg, '--json']);
      expect(sync.json.result[0]).toMatchObject({ mode: 'incremental', added: 1, changed: 1, deleted: 2, servers: 3, versions: 4 });
      const asked = registry.requests.slice(seen);
      expect(asked).toEqual([`GET /v0.1/servers?updated_since=${encodeURIComponent('2025-01-05T00:00:00Z')}&include_deleted=true&limit=100`]);

      expect(names(await mcpm(['search', 'acme', ...reg, '--json']))).toEqual(['io.github.acme/alpha', 'io.github.acme/delta', 'io.github.acme/gamma']);
      const alpha = await mcpm(['search', 'alpha', ...reg, '--json']);
      expect(alpha.json.result[0]).toMatchObject({ version: '1.1.0', deprecated: true });
      const gamma = await mcpm(['info', 'gamma', ...reg, '--json']);
      expect(gamma.json.result).toMatchObject({ version: '1.0.0', versions: [{ version: '1.0.0', status: 'active' }] });
      const beta = await mcpm(['info', 'io.github.acme/beta', ...reg, '--json']);
      expect(beta.json.error.code).toBe('ENOTFOUND');
      const deleted = await mcpm(['install', 'gamma@2.0.0', '--dry-run', '--client', 'claude-desktop', ...reg, '--json']);
      expect(deleted.json.error.code).toBe('ENOVERSION');

      // Nothing new: one request, and the cache is marked fresh.
      const quiet = await mcpm(['registry', 'sync', ...reg, '--json']);
      expect(quiet.json.result[0]).toMatchObject({ mode: 'incremental', added: 0, changed: 0, deleted: 0 });
      expect(registry.requests.at(-1)).toContain(`updated_since=${encodeURIComponent('2025-02-04T00:00:00Z')}`);
    } finally {
      await registry.close();
    }
  });

  it('an entry stamped in the far future does not move `since` past the sync: later deletions still arrive', { tags: ['deep'] }, async () => {
    const entries = [
      serverEntry('io.github.acme/alpha', '1.0.0', pkg('1.0.0'), { publishedAt: '2025-01-01T00:00:00Z' }),
      serverEntry('io.github.acme/beta', '1.0.0', pkg('1.0.0'), { publishedAt: '2025-01-02T00:00:00Z' }),
    ];
    meta(entries[0]!).updatedAt = '2999-01-01T00:00:00Z';
    const registry = await startMcpRegistry(entries);
    const reg = ['--registry', registry.url];
    try {
      const before = Date.now();
      await mcpm(['registry', 'sync', ...reg]);
      const since = Date.parse(JSON.parse(readFileSync(path.join(cacheDir(), 'meta.json'), 'utf8')).since);
      expect(since).toBeGreaterThanOrEqual(before - 1000);
      expect(since).toBeLessThanOrEqual(Date.now());

      // Taken down after the sync: the next incremental sync asks for it and the cache drops it.
      await new Promise((resolve) => setTimeout(resolve, 20));
      setStatus(entries[1]!, 'deleted', new Date().toISOString());
      const sync = await mcpm(['registry', 'sync', ...reg, '--json']);
      expect(sync.json.result[0]).toMatchObject({ mode: 'incremental', deleted: 1, servers: 1 });
      expect(names(await mcpm(['search', 'acme', ...reg, '--json']))).toEqual(['io.github.acme/alpha']);
    } finally {
      await registry.close();
    }
  });

  it('a published version is kept as first fetched: a registry changing its contents later is warned about', { tags: ['deep'] }, async () => {
    const entries = [serverEntry('io.github.acme/alpha', '1.0.0', pkg('1.0.0'))];
    const registry = await startMcpRegistry(entries);
    try {
      await mcpm(['registry', 'sync', '--registry', registry.url]);
      entries[0]!.server.packages[0].identifier = 'swapped-package';
      meta(entries[0]!).updatedAt = '2025-12-01T00:00:00Z';
      const sync = await mcpm(['registry', 'sync', '--registry', registry.url, '--json']);
      expect(sync.json.result[0]).toMatchObject({ mode: 'incremental', added: 0, changed: 0 });
      expect(sync.stderr).toMatch(/sent different contents for 1 version\(s\) it had already published; mcpm keeps the contents it saw first/);
      const info = await mcpm(['info', 'alpha', '--registry', registry.url, '--json']);
      expect(info.json.result.packages[0].identifier).toBe('github-posts');
    } finally {
      await registry.close();
    }
  });

  it('a server published after the last sync is found: a miss refreshes the cache once, despite its TTL', { tags: ['deep'] }, async () => {
    const entries = [serverEntry('io.github.acme/alpha', '1.0.0', pkg('1.0.0'))];
    const registry = await startMcpRegistry(entries);
    try {
      await mcpm(['registry', 'sync', '--registry', registry.url]);
      entries.push(serverEntry('io.github.acme/fresh', '1.0.0', pkg('1.0.0'), { publishedAt: '2025-12-01T00:00:00Z' }));
      Object.assign(meta(entries[0]!), { isLatest: false });
      entries.push(serverEntry('io.github.acme/alpha', '1.1.0', pkg('1.1.0'), { publishedAt: '2025-12-02T00:00:00Z' }));
      const fresh = await mcpm(['info', 'fresh', '--registry', registry.url, '--json']);
      expect(fresh.json, fresh.stderr).toMatchObject({ ok: true, result: { name: 'io.github.acme/fresh' } });
      const pinned = await mcpm(['info', 'alpha@1.1.0', '--registry', registry.url, '--json']);
      expect(pinned.json.result).toMatchObject({ version: '1.1.0' });
    } finally {
      await registry.close();
    }
  });

  it('when the registry is down, search, info and install work from the cache and say how old it is', async () => {
    const npm = await startNpmRegistry(await packGithubPosts(['1.0.0']));
    const entries = [serverEntry('io.github.acme/github-posts', '1.0.0', { identifier: 'github-posts', version: '1.0.0', registryBaseUrl: npm.url })];
    const upstream = await startMcpRegistry(entries);
    // A registry that can stop answering, refuse, or fail in place (same URL, so the same cache).
    let mode: 'up' | 'hang' | 'fail' = 'up';
    let requests = 0;
    const registry = await listenLocal(async (req, res) => {
      requests++;
      if (mode === 'hang') return;
      if (mode === 'fail') return sendJson(res, 503, { title: 'Service Unavailable' });
      const answer = await fetch(upstream.url + req.url);
      sendJson(res, answer.status, await answer.json());
    });
    const configFile = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
    mkdirSync(path.dirname(configFile), { recursive: true });
    writeFileSync(configFile, '{}\n');
    const stale = { MCPM_CACHE_TTL: '0' }; // every command asks the registry first
    // The timeout is wide enough for the working answers through this proxy on a busy machine.
    const reg = ['--registry', registry.url, '--timeout', '2000'];
    try {
      expect((await mcpm(['registry', 'sync', ...reg, '--json'])).json.result[0].mode).toBe('full');

      mode = 'hang';
      const search = await mcpm(['search', 'posts', ...reg, '--json'], stale);
      expect(search.json.result.map((h: { name: string }) => h.name)).toEqual(['io.github.acme/github-posts']);
      expect(search.stderr).toMatch(/warning Registry http:\/\/127\.0\.0\.1:\d+ did not answer within 2000 ms; using its cache from \d+ seconds? ago \(\d{4}-\d\d-\d\dT[\d:.]+Z\)/);

      mode = 'fail';
      const info = await mcpm(['info', 'github-posts', ...reg, '--json'], stale);
      expect(info.json.result).toMatchObject({ name: 'io.github.acme/github-posts', registry: registry.url });
      expect(info.stderr).toMatch(/HTTP 503.*; using its cache from \d+ seconds? ago/);

      // Within the TTL after a failure, mcpm does not wait for the registry again, but still says the data is old.
      const metaFile = path.join(cacheDir(), 'meta.json');
      const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
      writeFileSync(metaFile, JSON.stringify({ ...JSON.parse(readFileSync(metaFile, 'utf8')), syncedAt: hourAgo }));
      mode = 'hang';
      const asked = requests;
      const quick = await mcpm(['search', 'posts', '--registry', registry.url, '--timeout', '20000', '--json']);
      expect(quick.json.result).toHaveLength(1);
      expect(quick.stderr).toMatch(/could not be reached \d+ seconds? ago; using its cache from 1 hour ago/);
      expect(requests).toBe(asked);

      await registry.close();
      const install = await mcpm(['install', 'github-posts', '--client', 'claude-desktop', ...reg, '--json'], stale);
      expect(install.json, install.stderr).toMatchObject({ ok: true, result: { name: 'io.github.acme/github-posts', version: '1.0.0' } });
      expect(install.stderr).toMatch(/is unreachable \(ECONNREFUSED\); using its cache from 1 hour ago/);
    } finally {
      await Promise.allSettled([registry.close(), upstream.close(), npm.close()]);
    }
  });

  it('with no cache, a registry that never answers is skipped after --timeout, as before', { tags: ['deep'] }, async () => {
    const hanging = await startHangingServer();
    try {
      const run = await mcpm(['search', 'posts', '--registry', `${hanging.url},embedded`, '--timeout', '300', '--json']);
      expect(run.json.ok).toBe(true);
      expect(run.stderr).toMatch(/did not answer within 300 ms; skipped/);
      expect(existsSync(path.join(registriesDir(), readdirSync(registriesDir())[0] ?? 'none', 'meta.json'))).toBe(false);
    } finally {
      await hanging.close();
    }
  });

  it('a static index over http is cached too: fetched once while fresh, used with a warning when it is gone', { tags: ['deep'] }, async () => {
    const entries = [serverEntry('io.github.acme/alpha', '1.0.0', pkg('1.0.0'))];
    const requests: string[] = [];
    const host = await listenLocal((req, res) => {
      requests.push(req.url ?? '');
      sendJson(res, 200, { servers: entries });
    });
    const url = `${host.url}/team/index.json`;
    try {
      for (let i = 0; i < 2; i++) expect(names(await mcpm(['search', 'alpha', '--registry', url, '--json']))).toEqual(['io.github.acme/alpha']);
      expect(requests).toEqual(['/team/index.json']);
      expect(JSON.parse(readFileSync(path.join(cacheDir(), 'meta.json'), 'utf8'))).toMatchObject({ formatVersion: 1, kind: 'index', versions: 1 });
      await host.close();
      const run = await mcpm(['info', 'alpha', '--registry', url, '--json'], { MCPM_CACHE_TTL: '0' });
      expect(run.json.result).toMatchObject({ name: 'io.github.acme/alpha', registry: url });
      expect(run.stderr).toMatch(/is unreachable .*; using its cache from \d+ seconds? ago/);
    } finally {
      await host.close();
    }
  });

  it('concurrent commands on a registry not yet cached fetch its full listing once (the cache is locked)', { tags: ['deep'] }, async () => {
    const entries = Array.from({ length: 150 }, (_, i) => serverEntry(`io.github.acme/s${String(i).padStart(3, '0')}`, '1.0.0', pkg('1.0.0')));
    const registry = await startMcpRegistry(entries);
    try {
      const runs = await Promise.all(Array.from({ length: 4 }, () => mcpm(['search', 's149', '--registry', registry.url, '--json'])));
      for (const run of runs) expect(names(run), run.stderr).toEqual(['io.github.acme/s149']);
      const full = registry.requests.filter((r) => r.startsWith('GET /v0.1/servers?') && !r.includes('updated_since'));
      expect(full).toHaveLength(2); // one listing of two pages
    } finally {
      await registry.close();
    }
  });

  it('stops a registry whose cursors cycle, and keeps the previous cache', { tags: ['deep'] }, async () => {
    let cycle = false;
    const requests: string[] = [];
    const registry = await listenLocal((req, res) => {
      requests.push(req.url ?? '');
      const page = [serverEntry(`io.github.acme/s${requests.length}`, '1.0.0', pkg('1.0.0'))];
      sendJson(res, 200, { servers: page, metadata: cycle ? { nextCursor: 'again' } : {} });
    });
    try {
      expect((await mcpm(['registry', 'sync', '--registry', registry.url, '--json'])).json.result[0]).toMatchObject({ mode: 'full', versions: 1 });
      cycle = true;
      requests.length = 0;
      const run = await mcpm(['registry', 'sync', '--full', '--registry', registry.url, '--json']);
      expect(run.json.error).toMatchObject({ code: 'EREGISTRY', message: expect.stringContaining('a cursor it had already returned') });
      expect(requests).toHaveLength(2);
      const search = await mcpm(['search', 'acme', '--registry', registry.url, '--json']);
      expect(names(search)).toEqual(['io.github.acme/s1']);
    } finally {
      await registry.close();
    }
  });

  it('a cache in another format is not read: it is fetched again', { tags: ['deep'] }, async () => {
    const registry = await startMcpRegistry([serverEntry('io.github.acme/alpha', '1.0.0', pkg('1.0.0'))]);
    try {
      await mcpm(['registry', 'sync', '--registry', registry.url]);
      const file = path.join(cacheDir(), 'meta.json');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), formatVersion: 999 }));
      const before = registry.requests.length;
      const run = await mcpm(['search', 'alpha', '--registry', registry.url, '--json']);
      expect(names(run)).toEqual(['io.github.acme/alpha']);
      expect(registry.requests.slice(before)).toEqual(['GET /v0.1/servers?include_deleted=true&limit=100']);
      expect(JSON.parse(readFileSync(file, 'utf8')).formatVersion).toBe(1);
    } finally {
      await registry.close();
    }
  });

  it('cache clean empties the caches, and the next search fetches the registry again', async () => {
    const registry = await startMcpRegistry([serverEntry('io.github.acme/alpha', '1.0.0', pkg('1.0.0'))]);
    try {
      await mcpm(['search', 'alpha', '--registry', registry.url]);
      const npmCache = path.join(home, '.mcpm', 'cache', 'npm');
      mkdirSync(npmCache, { recursive: true });
      writeFileSync(path.join(npmCache, 'x'), 'cached tarball');
      const clean = await mcpm(['cache', 'clean', '--json']);
      expect(clean.json.result).toMatchObject({ path: path.join(home, '.mcpm', 'cache'), removed: [npmCache, registriesDir()].sort() });
      expect(clean.json.result.bytes).toBeGreaterThan(0);
      expect(readdirSync(path.join(home, '.mcpm', 'cache'))).toEqual([]);
      const again = await mcpm(['cache', 'clean']);
      expect(again.stdout).toContain('already empty');
      const before = registry.requests.length;
      expect(names(await mcpm(['search', 'alpha', '--registry', registry.url, '--json']))).toEqual(['io.github.acme/alpha']);
      expect(registry.requests.length).toBeGreaterThan(before);
    } finally {
      await registry.close();
    }
  });
});
