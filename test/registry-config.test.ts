// `mcpm registry add|list|remove` and `mcpm config get|set|unset|list`: what the user sees and what config.json holds.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';

let home: string;
let configFile: string;
const mcpm = (args: string[], env: Record<string, string> = {}, input?: string) => runMcpm(args, { home, env, input });
const config = () => JSON.parse(readFileSync(configFile, 'utf8'));

afterAll(cleanupTmpDirs);
beforeEach(async () => {
  home = await makeTmpDir('mcpm-regcfg-');
  configFile = path.join(home, '.mcpm', 'config.json');
});

describe('mcpm registry add, list, remove', () => {
  it('round trip: the defaults, an add that keeps them, priority order, and a remove', async () => {
    const before = await mcpm(['registry', 'list', '--json']);
    expect(before.json).toMatchObject({
      ok: true,
      result: { from: 'default', registries: [{ priority: 1, name: 'official', url: 'https://registry.modelcontextprotocol.io', type: 'api' }, { priority: 2, name: 'embedded', type: 'embedded' }] },
    });
    expect(existsSync(configFile)).toBe(false);

    const added = await mcpm(['registry', 'add', 'https://team.example.com/', '--name', 'team', '--token-env', 'TEAM_TOKEN', '--json']);
    expect(added.json, added.stderr).toEqual({
      ok: true,
      result: { name: 'team', url: 'https://team.example.com', type: 'api', priority: 1, tokenEnv: 'TEAM_TOKEN', updated: false, registries: ['team', 'official', 'embedded'] },
    });
    const last = await mcpm(['registry', 'add', 'http://127.0.0.1:9/mirror', '--last', '--json']);
    expect(last.json.result).toMatchObject({ name: '127.0.0.1-9', priority: 4, registries: ['team', 'official', 'embedded', '127.0.0.1-9'] });
    expect(config().registries).toEqual([
      { name: 'team', url: 'https://team.example.com', tokenEnv: 'TEAM_TOKEN' },
      { name: 'official', url: 'https://registry.modelcontextprotocol.io' },
      { name: 'embedded', url: 'embedded' },
      { name: '127.0.0.1-9', url: 'http://127.0.0.1:9/mirror' },
    ]);

    const text = await mcpm(['registry', 'list']);
    expect(text.stdout).toMatch(/from config\.json/);
    expect(text.stdout).toMatch(/1\s+team\s+https:\/\/team\.example\.com\s+api\s+\$TEAM_TOKEN\s+not yet/);
    expect(text.stdout.indexOf('official')).toBeLessThan(text.stdout.indexOf('127.0.0.1-9'));

    const removed = await mcpm(['registry', 'remove', 'official', '--json']);
    expect(removed.json.result).toEqual({ name: 'official', url: 'https://registry.modelcontextprotocol.io', registries: ['team', 'embedded', '127.0.0.1-9'] });
    expect((await mcpm(['registry', 'list', '--json'])).json.result.registries.map((r: { name: string }) => r.name)).toEqual(['team', 'embedded', '127.0.0.1-9']);

    // Removing every registry returns to the defaults, and the next add starts from them again.
    for (const name of ['team', 'embedded', '127.0.0.1-9']) await mcpm(['registry', 'remove', name]);
    const none = await mcpm(['registry', 'list', '--json']);
    expect(none.json.result).toMatchObject({ from: 'default', registries: [{ name: 'official' }, { name: 'embedded' }] });
    expect((await mcpm(['registry', 'add', 'https://team.example.com', '--name', 'team', '--json'])).json.result.registries).toEqual(['team', 'official', 'embedded']);
  });

  it('MCPM_REGISTRY and --registry override the configured list, and may name configured registries', async () => {
    await mcpm(['registry', 'add', 'https://team.example.com', '--name', 'team', '--token-env', 'TEAM_TOKEN']);
    const env = await mcpm(['registry', 'list', '--json'], { MCPM_REGISTRY: 'embedded,team' });
    expect(env.json.result).toMatchObject({ from: 'env', registries: [{ name: 'embedded' }, { name: 'team', tokenEnv: 'TEAM_TOKEN' }] });
    const flag = await mcpm(['registry', 'list', '--registry', 'https://team.example.com/', '--json'], { MCPM_REGISTRY: 'embedded' });
    // The configured URL keeps its name and token.
    expect(flag.json.result).toMatchObject({ from: 'flag', registries: [{ name: 'team', url: 'https://team.example.com', tokenEnv: 'TEAM_TOKEN' }] });
  });

  it('a comma string in config.json still works, and the first add turns it into a list', { tags: ['deep'] }, async () => {
    writeFileSync(path.join(home, 'index.json'), JSON.stringify({ servers: [] }));
    await mcpm(['config', 'set', 'registries', 'embedded,index.json']);
    expect(config().registries).toBe(`embedded,${path.join(home, 'index.json')}`);
    expect((await mcpm(['registry', 'list', '--json'])).json.result.registries).toEqual([
      // The embedded index says what its snapshot is of (date, server count).
      { priority: 1, name: 'embedded', url: 'embedded', type: 'embedded', snapshot: { asOf: expect.any(String), generatedAt: expect.any(String), source: expect.any(String), servers: expect.any(Number) } },
      { priority: 2, name: 'index', url: path.join(home, 'index.json'), type: 'index' },
    ]);
    await mcpm(['registry', 'add', 'https://b.example', '--last']);
    expect(config().registries).toEqual([
      { name: 'embedded', url: 'embedded' },
      { name: 'index', url: path.join(home, 'index.json') },
      { name: 'b.example', url: 'https://b.example' },
    ]);
  });

  it('refuses what would go wrong: a taken name, a URL added twice, credentials in a URL, an unknown registry', async () => {
    await mcpm(['registry', 'add', 'https://team.example.com', '--name', 'team']);
    const taken = await mcpm(['registry', 'add', 'https://other.example.com', '--name', 'team', '--json']);
    expect(taken.json.error).toMatchObject({ code: 'ECONFLICT', message: expect.stringContaining('"team" is already configured') });
    const twice = await mcpm(['registry', 'add', 'https://team.example.com', '--name', 'again', '--json']);
    expect(twice.json.error).toMatchObject({ code: 'ECONFLICT', message: expect.stringContaining('already configured as "team"') });
    const creds = await mcpm(['registry', 'add', 'https://user:s3cret@team.example.com', '--json']);
    expect(creds.code).toBe(2);
    expect(creds.json.error).toMatchObject({ code: 'EUSAGE', hint: expect.stringContaining('--token-env') });
    expect(creds.stdout + creds.stderr).not.toContain('s3cret');
    const badEnv = await mcpm(['registry', 'add', 'https://x.example', '--token-env', 'not a var', '--json']);
    expect(badEnv.json.error.code).toBe('EUSAGE');
    const unknown = await mcpm(['registry', 'remove', 'nope', '--json']);
    expect(unknown.json.error).toMatchObject({ code: 'ENOTFOUND', hint: expect.stringContaining('team, official, embedded') });
    expect(config().registries.map((r: { name: string }) => r.name)).toEqual(['team', 'official', 'embedded']);
  });

  it('--token-stdin keeps the token in a 0600 file of the secret store, never in config.json or any output', async () => {
    const token = 'stdin-token-9d1e7c';
    const added = await mcpm(['registry', 'add', 'https://team.example.com', '--name', 'team', '--token-stdin', '--json', '--verbose'], {}, `${token}\n`);
    expect(added.json.result).toMatchObject({ name: 'team', tokenStored: true });
    const tokens = path.join(home, '.mcpm', 'secrets', 'registry-tokens.json');
    expect(statSync(tokens).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(tokens, 'utf8'))).toEqual({ formatVersion: 1, tokens: { team: { url: 'https://team.example.com', token } } });
    expect(readFileSync(configFile, 'utf8')).not.toContain(token);
    const listed = await mcpm(['registry', 'list', '--json', '--verbose']);
    expect(listed.json.result.registries[0]).toMatchObject({ name: 'team', tokenStored: true });
    const text = await mcpm(['registry', 'list']);
    expect(text.stdout).toMatch(/team\s+https:\/\/team\.example\.com\s+api\s+stored/);
    for (const run of [added, listed, text]) expect(run.stdout + run.stderr).not.toContain(token);

    const empty = await mcpm(['registry', 'add', 'https://x.example', '--token-stdin', '--json'], {}, '');
    expect(empty.json.error).toMatchObject({ code: 'EUSAGE', message: 'The token given on stdin is empty' });

    await mcpm(['registry', 'remove', 'team']);
    expect(JSON.parse(readFileSync(tokens, 'utf8')).tokens).toEqual({});
  });
});

describe('mcpm config', () => {
  it('get, set, unset and list the documented settings, writing config.json and keeping unknown keys', async () => {
    await mcpm(['config', 'set', 'timeout', '3s']);
    writeFileSync(configFile, JSON.stringify({ ...config(), futureKey: { kept: true } }));
    const set = await mcpm(['config', 'set', 'cacheTtl', '10m', '--json']);
    expect(set.json.result).toMatchObject({ key: 'cacheTtl', value: 600_000, source: 'config', file: configFile });
    expect(config()).toEqual({ timeout: 3000, futureKey: { kept: true }, cacheTtl: 600_000 });

    expect((await mcpm(['config', 'get', 'timeout'])).stdout).toBe('3000\n');
    const list = await mcpm(['config', 'list', '--json'], { MCPM_REGISTRY: 'embedded' });
    // The first four; other parts add their own keys after them (min-release-age, policy.*).
    expect(list.json.result.slice(0, 4).map((v: any) => [v.key, v.value, v.source, v.overriddenBy])).toEqual([
      ['registries', 'https://registry.modelcontextprotocol.io,embedded', 'default', 'MCPM_REGISTRY'],
      ['timeout', 3000, 'config', undefined],
      ['cacheTtl', 600_000, 'config', undefined],
      ['oauth.client-metadata-url', '', 'default', undefined],
    ]);
    expect(list.json.result.find((v: any) => v.key === 'guard')).toMatchObject({ value: false, source: 'default' });
    const unset = await mcpm(['config', 'unset', 'timeout', '--json']);
    expect(unset.json.result).toMatchObject({ key: 'timeout', value: 5000, source: 'default' });
    expect(config()).toEqual({ futureKey: { kept: true }, cacheTtl: 600_000 });
  });

  it('refuses unknown keys and invalid values, changing nothing', async () => {
    await mcpm(['config', 'set', 'timeout', '2000']);
    const unknown = await mcpm(['config', 'set', 'colour', 'blue', '--json']);
    expect(unknown.code).toBe(2);
    expect(unknown.json.error).toMatchObject({ code: 'EUSAGE', message: 'Unknown setting "colour"', hint: expect.stringMatching(/^Settings: registries, timeout, cacheTtl, oauth\.client-metadata-url[,.]/) });
    const invalid = await mcpm(['config', 'set', 'timeout', 'soon', '--json']);
    expect(invalid.json.error).toMatchObject({ code: 'EUSAGE', message: 'Invalid timeout "soon"' });
    expect(config()).toEqual({ timeout: 2000 });
  });

  it('a config.json that is not JSON is reported with its path, and left as it is', async () => {
    await mcpm(['config', 'set', 'timeout', '2000']);
    writeFileSync(configFile, '{ "timeout": ');
    const run = await mcpm(['config', 'set', 'timeout', '3000', '--json']);
    expect(run.json.error).toMatchObject({ code: 'EPARSE', message: `${configFile} is not valid JSON` });
    expect(readFileSync(configFile, 'utf8')).toBe('{ "timeout": ');
  });
});
