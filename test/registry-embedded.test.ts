// The index embedded in mcpm: a snapshot of the official registry (the latest active valid version of each server,
// plus the hand-checked entries of scripts/index/curated.json), made by `npm run index:refresh`. With no registry
// reachable, search and info find every server in it; the snapshot's date shows in `registry list`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { selectVersion } from '../src/plan/version.js';
import { EmbeddedIndexSource } from '../src/registry/embedded.js';
import { runMcpm } from './helpers/cli.js';
import { OFFICIAL_META, serverEntry } from './helpers/mcp-registry.js';
import { startServe } from './helpers/serve-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DUMP = path.join(ROOT, '..', 'shared', 'registry', 'official-2025-12-02.json');
// Registry 1 refuses connections: what a laptop without network sees of the official registry.
const OFFLINE = ['--registry', 'http://127.0.0.1:9,embedded', '--timeout', '2000'];
/** The shipped index's lines: its metadata, then one server per line. */
const readSnapshot = (file: string) => {
  const [metadata, ...servers] = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  return { metadata, servers } as { servers: Array<{ server: any; _meta: any }>; metadata: any };
};
const shipped = readSnapshot(path.join(ROOT, 'src/registry/embedded-index.jsonl'));
const byType = (type: string) => shipped.servers.find((e) => (type === 'remote' ? !e.server.packages?.length && e.server.remotes?.length : e.server.packages?.[0]?.registryType === type))!.server.name as string;

afterAll(cleanupTmpDirs);

describe('the embedded index', () => {
  it('ships only schema-valid, active, latest entries, and every server resolves by its name', async () => {
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    const valid = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'src/registry/server.schema.json'), 'utf8')));
    expect(shipped.servers.length).toBeGreaterThan(950);
    expect(shipped.metadata).toMatchObject({ count: shipped.servers.length, asOf: expect.any(String), wellKnown: expect.arrayContaining(['io.github.modelcontextprotocol/server-memory']) });
    const source = new EmbeddedIndexSource();
    for (const { server, _meta } of shipped.servers) {
      expect(valid(server), `${server.name}: ${ajv.errorsText(valid.errors)}`).toBe(true);
      expect(_meta[OFFICIAL_META]).toMatchObject({ status: 'active', isLatest: true });
      const versions = await source.versions(server.name);
      expect(selectVersion(server.name, versions, undefined).server.version).toBe(server.version);
    }
  });

  it('offline, from a fresh HOME: search lists every server, info finds one of each package type, registry list dates the snapshot', async () => {
    const home = await makeTmpDir('mcpm-embedded-');
    const all = await runMcpm(['search', '', ...OFFLINE, '--json'], { home });
    expect(all.json?.ok, all.stderr).toBe(true);
    expect(new Set(all.json.result.map((hit: { name: string }) => hit.name))).toEqual(new Set(shipped.servers.map((e) => e.server.name)));
    expect(all.stderr).toMatch(/warning Registry http:\/\/127\.0\.0\.1:9 is unreachable/);

    const types = ['npm', 'pypi', 'oci', 'nuget', 'mcpb', 'remote'];
    const infos = await Promise.all(types.map((type) => runMcpm(['info', byType(type), ...OFFLINE, '--json'], { home })));
    infos.forEach((info, i) => {
      expect(info.json?.result, `${types[i]}: ${info.stderr}`).toMatchObject({ name: byType(types[i]!), registry: 'embedded' });
      if (types[i] !== 'remote') expect(info.json.result.packages[0].registryType).toBe(types[i]);
      else expect(info.json.result.remotes.length).toBeGreaterThan(0);
    });

    // The short names the hand-checked entries always answered to still mean them, though the snapshot has others.
    const memory = await runMcpm(['install', 'memory', '--dry-run', '--client', 'claude-desktop', ...OFFLINE, '--json'], { home });
    expect(memory.json?.result, memory.stderr).toMatchObject({ name: 'io.github.modelcontextprotocol/server-memory', package: { identifier: '@modelcontextprotocol/server-memory' } });

    const list = await runMcpm(['registry', 'list', '--registry', 'embedded'], { home });
    expect(list.stdout).toMatch(new RegExp(`embedded +embedded +embedded +- +snapshot of ${shipped.metadata.asOf.slice(0, 10)}, ${shipped.servers.length} servers`));
  });

  it('holds every server of the official dump that has a schema-valid version', async (ctx) => {
    if (!existsSync(DUMP)) ctx.skip(`${DUMP} is absent (the shared registry data sits beside the repository)`);
    const dump = JSON.parse(readFileSync(DUMP, 'utf8')) as { servers: Array<{ server: any }> };
    const names = new Set(shipped.servers.map((e) => e.server.name));
    const missing = [...new Set(dump.servers.map((e) => e.server.name as string))].filter((name) => !names.has(name));
    // Left out only where no version of the server passes the schema (version "latest", unknown argument types).
    expect(missing.length).toBeLessThan(10);
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    const valid = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'src/registry/server.schema.json'), 'utf8')));
    for (const name of missing) {
      const versions = dump.servers.filter((e) => e.server.name === name).map((e) => ({ ...e.server, repository: undefined, $schema: undefined }));
      expect(versions.some((server) => valid(JSON.parse(JSON.stringify(server)))), name).toBe(false);
    }
  });

  it('npm run index:refresh: skips invalid and inactive entries with a count, picks the latest valid version, keeps curated entries', async () => {
    const dir = await makeTmpDir('mcpm-index-refresh-');
    const entry = (name: string, version: string, meta: Record<string, unknown> = {}) => {
      const e = serverEntry(name, version, { identifier: name.split('/')[1]!, version });
      Object.assign(e._meta[OFFICIAL_META], meta);
      return e;
    };
    const broken = entry('io.github.acme/broken', '1.0.0');
    broken.server.packages[0].version = 'latest';
    const newestInvalid = entry('io.github.acme/fallback', '2.0.0');
    newestInvalid.server.packages[0].transport = { type: 'carrier-pigeon' };
    const emptyRepo = entry('io.github.acme/empty-repo', '1.0.0');
    emptyRepo.server.repository = {};
    const dump = [
      entry('io.github.acme/weather', '1.0.0', { isLatest: false }),
      entry('io.github.acme/weather', '1.1.0'),
      broken,
      entry('io.github.acme/fallback', '1.0.0', { isLatest: false }),
      newestInvalid,
      emptyRepo,
      entry('io.github.acme/gone', '1.0.0', { status: 'deleted' }),
    ];
    writeFileSync(path.join(dir, 'dump.json'), JSON.stringify({ servers: dump }));
    const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts/index-refresh.mjs'), path.join(dir, 'dump.json'), '--out', dir], { encoding: 'utf8' });
    expect(out).toMatch(/servers \(16 from curated\.json\) from 7 versions: 2 invalid versions skipped, 1 not active, 1 servers without a valid version left out, 1 servers whose latest is invalid shipped at their newest valid version/);
    const made = readSnapshot(path.join(dir, 'embedded-index.jsonl'));
    const versions = Object.fromEntries(made.servers.map((e) => [e.server.name, e.server.version]));
    expect(versions).toMatchObject({ 'io.github.acme/weather': '1.1.0', 'io.github.acme/fallback': '1.0.0', 'io.github.acme/empty-repo': '1.0.0', 'io.github.modelcontextprotocol/server-memory': expect.any(String) });
    expect(versions['io.github.acme/broken']).toBeUndefined();
    expect(versions['io.github.acme/gone']).toBeUndefined();
    expect(made.servers.find((e) => e.server.name === 'io.github.acme/empty-repo')!.server.repository).toBeUndefined();
    const search = gunzipSync(readFileSync(path.join(dir, 'embedded-search.jsonl.gz'))).toString('utf8').trim().split('\n');
    expect(JSON.parse(search[0]!)).toMatchObject({ formatVersion: 1, servers: made.servers.length });
    expect(search).toHaveLength(made.servers.length + 1);

    // From a registry URL: the same, paged (a registry lists no deleted versions unless asked).
    const served = await startServe(path.join(dir, 'dump.json'), { home: dir });
    try {
      const fromUrl = execFileSync(process.execPath, [path.join(ROOT, 'scripts/index-refresh.mjs'), served.url, '--out', dir], { encoding: 'utf8' });
      expect(fromUrl).toMatch(/from 6 versions: 2 invalid versions skipped, 0 not active, 1 servers without a valid version left out/);
    } finally {
      await served.stop();
    }
  });
});
