// Several registries: the highest one decides a name (and info says which), and a private registry's token goes
// to that registry only and is never printed or cached.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { listenLocal } from './helpers/http.js';
import { serverEntry, startMcpRegistry, type McpRegistry } from './helpers/mcp-registry.js';
import { startServe, type ServedRegistry } from './helpers/serve-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';

const TEAM_TOKEN = 'team-token-7c41f0e2';
const pkg = (version: string) => ({ identifier: 'github-posts', version, registryBaseUrl: 'http://127.0.0.1:9/' });

let home: string;
let team: ServedRegistry;
let publicRegistry: McpRegistry;

beforeAll(async () => {
  // The team's private registry: `mcpm registry serve` of an index, requiring the token.
  const dir = await makeTmpDir('mcpm-team-');
  const index = path.join(dir, 'index.json');
  writeFileSync(index, JSON.stringify({
    servers: [
      serverEntry('io.github.acme/shared', '2.0.0', pkg('2.0.0')),
      serverEntry('io.github.acme/internal-tool', '1.0.0', pkg('1.0.0')),
    ].map((e) => ({ ...e, server: { ...e.server, description: `team: ${e.server.description}` } })),
  }));
  team = await startServe(index, { home: dir, args: ['--token-env', 'SERVE_TOKEN'], env: { SERVE_TOKEN: TEAM_TOKEN } });
  publicRegistry = await startMcpRegistry([serverEntry('io.github.acme/shared', '1.0.0', pkg('1.0.0')), serverEntry('io.github.acme/public-only', '1.0.0', pkg('1.0.0'))]);
});
afterAll(async () => {
  await Promise.allSettled([team.stop(), publicRegistry.close()]);
  await cleanupTmpDirs();
});
beforeEach(async () => {
  home = await makeTmpDir('mcpm-prio-');
});

const mcpm = (args: string[], env: Record<string, string> = {}, input?: string) => runMcpm(args, { home, env, input });
const withToken = { TEAM_TOKEN };

async function configure() {
  await mcpm(['registry', 'remove', 'official']); // never the network in tests
  await mcpm(['registry', 'add', publicRegistry.url, '--name', 'public']);
  await mcpm(['registry', 'add', team.url, '--name', 'team', '--token-env', 'TEAM_TOKEN']);
}

/** Every file under mcpm's folder, as text: the cache, config, state. */
function allFiles(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => readFileSync(path.join(d.parentPath, d.name), 'utf8'))
    .join('\n');
}

describe('registry priority', () => {
  it('a name found in several registries comes from the highest one, and info says which', async () => {
    await configure();
    expect((await mcpm(['registry', 'list', '--json'])).json.result.registries.map((r: { name: string }) => r.name)).toEqual(['team', 'public', 'embedded']);

    const search = await mcpm(['search', 'acme', '--json'], withToken);
    // The embedded index (a snapshot of the official registry) has hits of its own; these are the test registries'.
    expect(search.json.result.filter((h: any) => h.registryName !== 'embedded').map((h: any) => `${h.name}@${h.version} ${h.registryName}`)).toEqual([
      'io.github.acme/internal-tool@1.0.0 team',
      'io.github.acme/shared@2.0.0 team',
      'io.github.acme/public-only@1.0.0 public',
    ]);
    const text = await mcpm(['search', 'acme'], withToken);
    expect(text.stdout).toMatch(/NAME\s+VERSION\s+TYPE\s+REGISTRY\s+DESCRIPTION/);

    const info = await mcpm(['info', 'shared', '--json'], withToken);
    expect(info.json.result).toMatchObject({ name: 'io.github.acme/shared', version: '2.0.0', registry: team.url, registryName: 'team' });
    expect((await mcpm(['info', 'shared'], withToken)).stdout).toContain(`registry:   team (${team.url})`);

    // Named in another order, the public registry wins.
    const swapped = await mcpm(['info', 'shared', '--registry', 'public,team', '--json'], withToken);
    expect(swapped.json.result).toMatchObject({ version: '1.0.0', registry: publicRegistry.url, registryName: 'public' });
  });
});

describe('registry tokens', () => {
  it('the token from the environment variable reaches its registry only, and never output, cache or config', async () => {
    await configure();
    const before = publicRegistry.requests.length;
    const runs = [
      await mcpm(['registry', 'sync', '--json', '--verbose'], withToken),
      await mcpm(['search', 'internal', '--json', '--verbose'], withToken),
      await mcpm(['info', 'internal-tool', '--verbose'], withToken),
      await mcpm(['registry', 'list', '--verbose'], withToken),
    ];
    expect(runs[0]!.json.result.map((r: any) => `${r.name}:${r.mode}`)).toEqual(['team:full', 'public:full']);
    expect(runs[1]!.json.result.filter((h: any) => h.registryName !== 'embedded').map((h: any) => h.name)).toEqual(['io.github.acme/internal-tool']);
    for (const run of runs) expect(run.stdout + run.stderr).not.toContain(TEAM_TOKEN);
    const publicSaw = publicRegistry.requests.slice(before);
    expect(publicSaw.length).toBeGreaterThan(0);
    expect(publicSaw.filter((r) => r.endsWith('+auth'))).toEqual([]);
    expect(allFiles(path.join(home, '.mcpm'))).not.toContain(TEAM_TOKEN);
    expect(readFileSync(path.join(home, '.mcpm', 'config.json'), 'utf8')).toContain('"tokenEnv": "TEAM_TOKEN"');
  });

  it('without its token the private registry refuses, and mcpm says which variable is missing', async () => {
    await configure();
    const run = await mcpm(['info', 'internal-tool', '--json']);
    expect(run.json.error.code).toBe('ENOTFOUND');
    expect(run.stderr).toContain('warning TEAM_TOKEN is not set; asking registry team without a token');
    expect(run.stderr).toMatch(/answered HTTP 401 .*Check the token configured for this registry/);
    const wrong = await mcpm(['info', 'internal-tool', '--json'], { TEAM_TOKEN: 'wrong' });
    expect(wrong.stderr).toMatch(/HTTP 401/);
    expect(wrong.stderr).not.toContain('wrong');
  });

  it('a token from the secret store (--token-stdin) is sent to its registry and not to one that redirects elsewhere', async () => {
    await mcpm(['registry', 'remove', 'official']);
    const added = await mcpm(['registry', 'add', team.url, '--name', 'team', '--token-stdin', '--json'], {}, TEAM_TOKEN);
    expect(added.json.result.tokenStored).toBe(true);
    const tokens = path.join(home, '.mcpm', 'secrets', 'registry-tokens.json');
    expect(statSync(tokens).mode & 0o777).toBe(0o600);
    const found = await mcpm(['info', 'internal-tool', '--json', '--verbose']);
    expect(found.json.result).toMatchObject({ name: 'io.github.acme/internal-tool', registryName: 'team' });
    expect(found.stdout + found.stderr).not.toContain(TEAM_TOKEN);

    // A registry that redirects to another host: mcpm does not follow it with the token.
    const redirector = await listenLocal((req, res) => {
      res.writeHead(302, { location: `${publicRegistry.url}${req.url}` });
      res.end();
    });
    try {
      const before = publicRegistry.requests.length;
      await mcpm(['registry', 'add', redirector.url, '--name', 'moved', '--token-stdin'], {}, TEAM_TOKEN);
      const run = await mcpm(['search', 'acme', '--registry', 'moved', '--json']);
      expect(['ENETWORK', 'EREGISTRY']).toContain(run.json.error.code);
      expect(run.stderr).toContain(`redirected to ${publicRegistry.url}; its token is not sent elsewhere`);
      expect(publicRegistry.requests.slice(before)).toEqual([]);
      // Without a token, a redirect is followed as before.
      await mcpm(['registry', 'add', redirector.url, '--name', 'moved']);
      const open = await mcpm(['search', 'public-only', '--registry', 'moved', '--json']);
      expect(open.json.result.map((h: any) => h.name)).toEqual(['io.github.acme/public-only']);
      expect(publicRegistry.requests.slice(before).filter((r) => r.endsWith('+auth'))).toEqual([]);
    } finally {
      await redirector.close();
    }
  });
});
