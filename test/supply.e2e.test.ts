// Where the bytes come from (issue 12, supply half): a local npm registry that signs with a locally generated
// ECDSA P-256 key, serves provenance statements and publish times; the release-age cut-off, a dependency with a bad
// signature, an org policy file, settings policy, and a lock whose signatures the registry no longer gives.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { startMcpRegistry, serverEntry, OFFICIAL_META } from './helpers/mcp-registry.js';
import { startNpmRegistry, type NpmRegistryOptions } from './helpers/npm-registry.js';
import { makeSigningKey } from './helpers/npm-signing.js';
import { makeSigstoreWorld } from './helpers/sigstore-world.js';
import { packFixture } from './helpers/pack.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { createContext } from '../src/context.js';
import { supplyFacts } from '../src/supply/audit-facts.js';
import { FIXTURES, SERVER } from './helpers/world.js';

const NOW = '2025-03-01T00:00:00.000Z';
const key = makeSigningKey();
// Attestations are signed by a local sigstore whose trusted root mcpm is pointed at (MCPM_SIGSTORE_TRUSTED_ROOT).
const sigstore = makeSigstoreWorld();
const npmOptions: NpmRegistryOptions = {
  signing: key,
  sigstore,
  badSignature: ['posts-format@1.5.0'],
  times: {
    'github-posts@1.0.0': '2025-01-10T00:00:00.000Z',
    'github-posts@1.1.0': '2025-01-11T00:00:00.000Z',
    'github-posts@1.2.0': '2025-01-12T00:00:00.000Z',
    'github-posts@2.0.0': '2025-02-28T00:00:00.000Z', // one day old at NOW
    'posts-format@1.0.0': '2025-01-01T00:00:00.000Z',
    'posts-format@1.0.2': '2025-02-27T00:00:00.000Z', // two days old: the cut-off keeps dependencies off it
    'posts-format@1.5.0': '2025-01-05T00:00:00.000Z',
  },
  provenance: {
    'github-posts@1.0.0': 'https://github.com/acme/github-posts',
    'github-posts@1.2.0': 'https://github.com/mallory/github-posts',
  },
};
let npm: Awaited<ReturnType<typeof startNpmRegistry>>;
let registry: Awaited<ReturnType<typeof startMcpRegistry>>;
let home: string;

beforeAll(async () => {
  const posts = (version: string, range: string) => packFixture(`${FIXTURES}github-posts`, { version, dependencies: { 'posts-format': range } });
  const format = (version: string) => packFixture(`${FIXTURES}posts-format`, { version });
  npm = await startNpmRegistry(
    await Promise.all([posts('1.0.0', '~1.0.0'), posts('1.1.0', '1.5.0'), posts('1.2.0', '~1.0.0'), posts('2.0.0', '~1.0.0'), format('1.0.0'), format('1.0.2'), format('1.5.0')]),
    npmOptions,
  );
  const entries = ['1.0.0', '1.1.0', '1.2.0', '2.0.0'].map((version, i) => {
    const entry = serverEntry(SERVER, version, {
      identifier: 'github-posts',
      version,
      registryBaseUrl: npm.url,
      env: [{ name: 'POSTS_API_URL', isRequired: true }, { name: 'POSTS_API_TOKEN', isRequired: true, isSecret: true }],
    }, { isLatest: version === '2.0.0', publishedAt: `2025-01-1${i}T00:00:00Z` });
    (entry.server as Record<string, unknown>).repository = { url: 'git+https://github.com/acme/github-posts.git', source: 'github' };
    return entry;
  });
  expect(entries[3]!._meta[OFFICIAL_META].isLatest).toBe(true);
  registry = await startMcpRegistry(entries);
  home = await makeTmpDir('mcpm-supply-');
});
afterAll(async () => {
  await Promise.all([npm?.close(), registry?.close()]);
  await cleanupTmpDirs();
});

const INPUTS = ['--env', 'POSTS_API_URL=http://127.0.0.1:9', '--env', 'POSTS_API_TOKEN'];
const mcpm = (args: string[], options: { home?: string; cwd?: string; env?: Record<string, string> } = {}) =>
  runMcpm([...args, '--registry', registry.url, '--json'], { home: options.home ?? home, cwd: options.cwd, env: { MCPM_NOW: NOW, POSTS_API_TOKEN: 'tok', MCPM_SIGSTORE_TRUSTED_ROOT: sigstore.trustedRootFile, ...options.env }, timeoutMs: 60_000 });
const install = (spec: string, options: Parameters<typeof mcpm>[1] = {}) => mcpm(['install', spec, '--client', 'cursor', ...INPUTS], options);
const tarballs = () => npm.requests.filter((r) => r.includes('.tgz'));
const stateLock = () => JSON.parse(readFileSync(path.join(home, '.mcpm', 'state', 'mcpm-lock.json'), 'utf8')).servers[SERVER];

describe('release age and registry signatures', () => {
  it('a too-young version is ETOOYOUNG by name and skipped by choice; a dependency with a bad signature refuses the install', async () => {
    const set = await mcpm(['config', 'set', 'min-release-age', '7d']);
    expect(set.json?.result, set.stderr).toMatchObject({ key: 'min-release-age', value: 604_800_000 });

    const young = await install(`${SERVER}@2.0.0`);
    expect(young.json?.error, young.stderr).toMatchObject({ code: 'ETOOYOUNG' });
    expect(young.json.error.message).toContain('published 2025-02-28T00:00:00.000Z, less than 7 days ago: it becomes eligible 2025-03-07T00:00:00.000Z');

    const chosen = await mcpm(['install', 'github-posts', '--dry-run', '--client', 'cursor', ...INPUTS]);
    expect(chosen.json?.result, chosen.stderr).toMatchObject({ version: '1.2.0' });
    expect(chosen.stderr).toContain(`Skipped ${SERVER}@2.0.0 (published 2025-02-28T00:00:00.000Z, younger than 7 days`);

    const before = tarballs().length;
    const bad = await install(`${SERVER}@1.1.0`);
    expect(bad.json?.error, bad.stderr).toMatchObject({ code: 'ESIGNATURE', message: expect.stringContaining('posts-format@1.5.0 (a dependency of github-posts@1.1.0) fails the registry signature check') });
    expect(tarballs().slice(before), 'checked before any tarball is fetched').toEqual([]);
    expect(existsSync(path.join(home, '.cursor', 'mcp.json')), 'no client file written').toBe(false);
  });
});

describe('policy', () => {
  it('an org file (MCPM_POLICY) and the settings refuse with EPOLICY naming the rule and where it is set; without them a repository mismatch only warns', async () => {
    const orgFile = path.join(home, 'org-policy.json');
    writeFileSync(orgFile, JSON.stringify({ policy: { 'require-provenance': true, deny: ['io.github.evil/*'] } }));
    const before = tarballs().length;
    const refused = await install(`${SERVER}@1.2.0`, { env: { MCPM_POLICY: orgFile } });
    expect(refused.json?.error, refused.stderr).toMatchObject({ code: 'EPOLICY' });
    expect(refused.json.error.message).toContain("require-provenance: io.github.acme/github-posts's attested source repository is not its repository.url");
    expect(refused.json.error.message).toContain(`(set by ${orgFile} (MCPM_POLICY))`);
    expect(tarballs().slice(before).filter((t) => t.includes('github-posts-1.2.0')), 'refused before the download').toEqual([]);

    const warned = await install(`${SERVER}@1.2.0`);
    expect(warned.json?.ok, warned.stderr).toBe(true);
    expect(warned.stderr).toMatch(/provenance says it was built from https:\/\/github\.com\/mallory\/github-posts, which is not .* repository/);
    expect(stateLock().supply.provenance).toMatchObject({ status: 'verified', repositoryMatch: false });
    // outdated (and so update) does not offer 2.0.0: it is younger than min-release-age.
    const outdated = await mcpm(['outdated']);
    expect(outdated.json?.result, outdated.stderr).toEqual([expect.objectContaining({ current: '1.2.0', wanted: '1.2.0', latest: '1.2.0' })]);

    expect((await mcpm(['config', 'set', 'policy.deny', 'io.github.acme/*, other'])).json?.result).toMatchObject({ key: 'policy.deny', value: ['io.github.acme/*', 'other'] });
    expect((await mcpm(['config', 'set', 'policy.allowed-registries', 'official'])).json?.ok).toBe(true);
    const config = JSON.parse(readFileSync(path.join(home, '.mcpm', 'config.json'), 'utf8'));
    expect(config.policy).toEqual({ deny: ['io.github.acme/*', 'other'], 'allowed-registries': ['official'] });
    const denied = await install(`${SERVER}@1.0.0`);
    expect(denied.json?.error, denied.stderr).toMatchObject({ code: 'EPOLICY' });
    expect(denied.json.error.message).toMatch(/deny: io\.github\.acme\/github-posts is denied by the pattern "io\.github\.acme\/\*" \(set by policy\.deny in .*config\.json\)/);
    expect(denied.json.error.message).toContain(`allowed-registries: io.github.acme/github-posts comes from ${registry.url}, which is not an allowed registry (official)`);

    // What `mcpm audit` will show (the lead wires it): the installed 1.2.0's facts and every rule it breaks now,
    // block-on-drift judged with the tool-pin work's answer.
    writeFileSync(path.join(home, '.mcpm', 'config.json'), JSON.stringify({ ...config, policy: { ...config.policy, 'block-on-drift': true } }));
    const saved = { ...process.env };
    Object.assign(process.env, { MCPM_HOME: path.join(home, '.mcpm'), MCPM_NOW: NOW });
    try {
      const [facts] = supplyFacts(createContext({}), { drift: { [SERVER]: true } });
      expect(facts).toMatchObject({
        name: SERVER, version: '1.2.0', signatures: 'verified', keyids: [key.keyid], provenance: 'verified',
        repository: 'https://github.com/mallory/github-posts', repositoryMatch: false, publishedAt: '2025-01-12T00:00:00.000Z', ageDays: 48,
      });
      expect(facts.violations.map((v: { rule: string }) => v.rule)).toEqual(['deny', 'allowed-registries', 'block-on-drift']);
    } finally {
      process.env = saved;
    }
  });
});

describe('a lock records signatures and provenance', () => {
  it('a signed install records signatures, provenance and publish time (dependencies before the cut-off); installing from that lock refuses once the registry no longer signs', async () => {
    const ada = await makeTmpDir('mcpm-supply-ada-');
    const project = path.join(ada, 'app');
    mkdirSync(project, { recursive: true });
    mkdirSync(path.join(ada, '.mcpm'), { recursive: true });
    writeFileSync(path.join(ada, '.mcpm', 'config.json'), JSON.stringify({ 'min-release-age': 7 * 86_400_000 }));
    const made = await mcpm(['install', `${SERVER}@1.0.0`, '--scope', 'project', '--client', 'claude-code', ...INPUTS], { home: ada, cwd: project });
    expect(made.json?.ok, made.stderr).toBe(true);
    const locked = JSON.parse(readFileSync(path.join(project, 'mcpm-lock.json'), 'utf8')).servers[SERVER];
    expect(locked.supply).toEqual({
      signatures: { status: 'verified', keyids: [key.keyid], verified: 2, unsigned: 0 },
      provenance: { status: 'verified', predicateType: 'https://slsa.dev/provenance/v1', repository: 'https://github.com/acme/github-posts', repositoryMatch: true, trustRoot: sigstore.trustedRootFile },
      publishedAt: '2025-01-10T00:00:00.000Z',
    });
    expect(made.json.result.supply).toEqual(locked.supply);
    // posts-format@1.0.2 matches ~1.0.0 too, but is two days old: arborist resolved before the cut-off.
    expect(locked.dependencies['node_modules/posts-format'].version).toBe('1.0.0');
    const state = JSON.parse(readFileSync(path.join(ada, '.mcpm', 'state', 'installed.json'), 'utf8'));
    expect(state.servers[SERVER].supply).toEqual(locked.supply);

    const teammate = await makeTmpDir('mcpm-supply-bo-');
    const clone = path.join(teammate, 'app');
    cpSync(project, clone, { recursive: true });
    npmOptions.signing = undefined; // the registry stops publishing keys: everything it serves is "unsigned" now
    try {
      const run = await mcpm(['install', ...INPUTS], { home: teammate, cwd: clone });
      expect(run.json?.error, run.stderr).toMatchObject({ code: 'EINTEGRITY', message: expect.stringContaining('registry signatures: the lock recorded verified, the registry now gives unsigned') });
      expect(existsSync(path.join(clone, '.mcp.json')) ? JSON.parse(readFileSync(path.join(clone, '.mcp.json'), 'utf8')) : {}).toEqual(
        existsSync(path.join(project, '.mcp.json')) ? JSON.parse(readFileSync(path.join(project, '.mcp.json'), 'utf8')) : {},
      );
      expect(existsSync(path.join(teammate, '.mcpm', 'store', ...SERVER.split('/'), '1.0.0')), 'nothing in the store').toBe(false);
    } finally {
      npmOptions.signing = key;
    }
  });
});
