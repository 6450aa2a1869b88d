import { writeFileSync } from 'node:fs';
import path from 'node:path';
// Version choice against a registry with mixed statuses: deleted versions are never chosen, deprecated ones warn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { startMcpRegistry, serverEntry } from './helpers/mcp-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';

let registry: Awaited<ReturnType<typeof startMcpRegistry>>;
let home: string;
const pkg = (version: string) => ({ identifier: 'github-posts', version, registryBaseUrl: 'http://127.0.0.1:9/' });

beforeAll(async () => {
  registry = await startMcpRegistry([
    serverEntry('io.github.acme/github-posts', '1.0.0', pkg('1.0.0'), { isLatest: false, publishedAt: '2025-01-01T00:00:00Z' }),
    serverEntry('io.github.acme/github-posts', '1.1.0', pkg('1.1.0'), { isLatest: false, status: 'deprecated', publishedAt: '2025-02-01T00:00:00Z' }),
    serverEntry('io.github.acme/github-posts', '1.2.0', pkg('1.2.0'), { isLatest: false, status: 'deleted', publishedAt: '2025-03-01T00:00:00Z' }),
    serverEntry('io.github.acme/github-posts', '2024-06-01', pkg('2024-06-01'), { isLatest: true, publishedAt: '2025-04-01T00:00:00Z' }),
  ]);
  home = await makeTmpDir('mcpm-versions-');
});
afterAll(async () => {
  await registry.close();
  await cleanupTmpDirs();
});

const plan = (spec: string) =>
  runMcpm(['install', spec, '--dry-run', '--client', 'claude-desktop', '--registry', registry.url, '--json', '--env', 'POSTS_API_URL=x', '--env', 'POSTS_API_TOKEN=y'], { home });

describe('version choice', () => {
  it('a range skips deleted versions and warns about a deprecated one', async () => {
    const run = await plan('github-posts@^1');
    expect(run.json, run.stderr).toMatchObject({ ok: true, result: { version: '1.1.0' } });
    expect(run.stderr).toMatch(/warning .*1\.1\.0 is deprecated/);
  });

  it('no range takes the version the registry marks latest, even when it is not semver', async () => {
    expect((await plan('github-posts')).json.result.version).toBe('2024-06-01');
  });

  it('a non-semver version matches only itself', async () => {
    expect((await plan('github-posts@2024-06-01')).json.result.version).toBe('2024-06-01');
    const run = await plan('github-posts@2024');
    expect(run.json.error.code).toBe('ENOVERSION');
  });

  it('a deleted version cannot be installed by its exact number', async () => {
    const run = await plan('github-posts@1.2.0');
    expect(run.json.error).toMatchObject({ code: 'ENOVERSION', hint: expect.stringContaining('1.1.0') });
  });

  it('info shows every version with its status', async () => {
    const run = await runMcpm(['info', 'io.github.acme/github-posts', '--registry', registry.url, '--json'], { home });
    expect(run.json.result.versions.map((v: { version: string; status: string }) => `${v.version}:${v.status}`).sort()).toEqual([
      '1.0.0:active',
      '1.1.0:deprecated',
      '2024-06-01:active',
    ]);
  });
});

describe('a static index file as a registry', () => {
  it('is searched and resolved from a path, as --registry gives it', async () => {
    const file = path.join(home, 'team-index.json');
    writeFileSync(file, JSON.stringify({ servers: [serverEntry('io.github.team/notes', '1.2.0', pkg('1.2.0'))] }));
    const search = await runMcpm(['search', 'notes', '--registry', file, '--json'], { home });
    expect(search.json, search.stderr).toMatchObject({ ok: true, result: [{ name: 'io.github.team/notes', version: '1.2.0' }] });
    const info = await runMcpm(['info', 'notes', '--registry', `file://${file}`, '--json'], { home });
    expect(info.json?.result).toMatchObject({ name: 'io.github.team/notes', version: '1.2.0' });
  });
});
