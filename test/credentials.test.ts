// Credentials stay out of client files even when a registry entry forgot to mark them secret, and doctor finds the
// ones that are in plaintext anywhere (mcpm's entries or not). A secrets file deleted by hand breaks nothing that
// needs no secret, and doctor names what is missing.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { looksLikeCredential, looksSecret, plaintextCredentials } from '../src/plan/credentials.js';
import { runMcpm } from './helpers/cli.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { startWorld, TOKEN, type World } from './helpers/world.js';

const PAT = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const OPENAI = 'sk-proj-' + 'x'.repeat(24);

let world: World;
beforeAll(async () => {
  world = await startWorld({ versions: ['1.0.0'] });
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

const run = (home: string, args: string[]) => runMcpm([...args, '--registry', world.registryUrl, '--json'], { home, env: { POSTS_API_TOKEN: TOKEN }, timeoutMs: 60_000 });
const cursor = (home: string) => readFileSync(path.join(home, '.cursor', 'mcp.json'), 'utf8');

describe('credentials the registry did not mark secret', () => {
  it('GITHUB_PAT, AUTHORIZATION=Bearer and OPENAI_KEY go to the secrets file, and install says so; --no-secret opts out', async () => {
    const home = await makeTmpDir('mcpm-cred-');
    const install = await run(home, ['install', 'github-posts', '--client', 'cursor', '--env', `POSTS_API_URL=${world.postsUrl}`, '--env', 'POSTS_API_TOKEN',
      '--env', `GITHUB_PAT=${PAT}`, '--env', 'AUTHORIZATION=Bearer abcdefgh12345678', '--env', `OPENAI_KEY=${OPENAI}`, '--env', 'LOG_LEVEL=debug']);
    expect(install.json?.result.secretEnv.sort(), install.stderr).toEqual(['AUTHORIZATION', 'GITHUB_PAT', 'OPENAI_KEY', 'POSTS_API_TOKEN']);
    expect(install.json.result.secretEnv).toContain('GITHUB_PAT');
    for (const value of [PAT, 'abcdefgh12345678', OPENAI, TOKEN]) {
      expect(cursor(home)).not.toContain(value);
      expect(readFileSync(path.join(home, '.mcpm', 'state', 'installed.json'), 'utf8')).not.toContain(value);
    }
    expect(JSON.parse(cursor(home)).mcpServers['github-posts'].env).toEqual({ POSTS_API_URL: world.postsUrl, LOG_LEVEL: 'debug' });

    // As a person runs it: the note says why.
    const said = await runMcpm(['install', 'github-posts', '--env', 'DEPLOY_TOKEN=abc', '--registry', world.registryUrl], { home, timeoutMs: 60_000 });
    expect(said.stderr).toContain('DEPLOY_TOKEN looks like a credential: kept in mcpm\'s 0600 secrets file');
    const optOut = await run(home, ['install', 'github-posts', '--env', 'OPENAI_KEY=not-a-secret-really', '--no-secret', 'OPENAI_KEY']);
    expect(optOut.json?.ok, optOut.stderr).toBe(true);
    expect(JSON.parse(cursor(home)).mcpServers['github-posts'].env.OPENAI_KEY).toBe('not-a-secret-really');
  });

  it('doctor flags a credential in plaintext in any entry, mcpm\'s or not', async () => {
    const home = await makeTmpDir('mcpm-cred-');
    mkdirSync(path.join(home, '.cursor'), { recursive: true });
    writeFileSync(path.join(home, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { github: { command: 'npx', args: ['-y', 'gh-mcp', '--token', PAT], env: { GITHUB_TOKEN: PAT, USER: 'ada' } } } }));
    const report = await run(home, ['doctor']);
    expect(report.code).toBe(1);
    const found = report.json.result.problems.filter((p: any) => p.kind === 'plaintext-secret').map((p: any) => p.detail).sort();
    expect(found).toEqual(['GITHUB_TOKEN', 'argument --token']);
    expect(report.json.result.problems[0].message).toContain('not managed by mcpm');
  });
});

describe('the secrets file', () => {
  it('deleted for a server that has no secret: the entry still starts (check ok)', { tags: ['deep'] }, async () => {
    const home = await makeTmpDir('mcpm-envfile-');
    // The posts server's token given as a plain argument-less env input the registry knows: without it, no secret.
    const install = await run(home, ['install', 'github-posts', '--client', 'cursor', '--env', `POSTS_API_URL=${world.postsUrl}`, '--env', `POSTS_API_TOKEN=${TOKEN}`]);
    expect(install.json?.ok, install.stderr).toBe(true);
    const entry = JSON.parse(cursor(home)).mcpServers['github-posts'];
    const file = entry.args[0].slice('--env-file-if-exists='.length);
    expect(entry.args[0]).toMatch(/^--env-file-if-exists=/);
    rmSync(file);
    const check = await run(home, ['check']);
    expect(check.json.result[0]).toMatchObject({ ok: false, failure: { reason: 'missing-secret', message: expect.stringContaining('mcpm secrets set github-posts POSTS_API_TOKEN') } });
    const doctor = await run(home, ['doctor']);
    expect(doctor.json.result.problems).toEqual([expect.objectContaining({ kind: 'secret-missing', detail: 'POSTS_API_TOKEN', hint: 'mcpm secrets set io.github.acme/github-posts POSTS_API_TOKEN' })]);
    const set = await runMcpm(['secrets', 'set', 'github-posts', 'POSTS_API_TOKEN', '--json'], { home, input: TOKEN });
    expect(set.json?.ok, set.stderr).toBe(true);
    expect((await run(home, ['check'])).json.result[0].ok).toBe(true);
  });

  it('looksSecret, looksLikeCredential and plaintextCredentials: real shapes in, ordinary values out', () => {
    for (const name of ['GITHUB_PAT', 'OPENAI_KEY', 'API_KEY', 'AUTHORIZATION', 'DB_PASSWORD', 'CLIENT_SECRET', 'X-Api-Key']) expect(looksSecret(name), name).toBe(true);
    for (const name of ['LOG_LEVEL', 'GIT_AUTHOR_NAME', 'SSH_AUTH_SOCK', 'PATH', 'MEMORY_FILE_PATH', 'KEYBOARD']) expect(looksSecret(name), name).toBe(false);
    for (const value of [PAT, OPENAI, 'Bearer abcdefgh12345678', 'AKIAABCDEFGHIJKLMNOP', 'xoxb-1234567890-abc', 'https://user:pass@db.example.com/x']) expect(looksLikeCredential(value), value).toBe(true);
    for (const value of ['debug', 'https://example.com', '/home/ada/notes', 'sk-1', 'true', '8080']) expect(looksLikeCredential(value), value).toBe(false);
    expect(plaintextCredentials({ command: 'x', args: ['--api-key=abc', '--region', 'eu'], env: { TOKEN: '${env:TOKEN}' }, headers: { Authorization: 'Bearer 12345678abcd' } })).toEqual(['header Authorization', 'argument --api-key']);
  });
});
